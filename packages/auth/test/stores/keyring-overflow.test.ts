import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EncryptedFileStore } from "../../src/stores/encrypted-file.js";
import {
  KEYRING_VALUE_LIMIT,
  type KeyringBackend,
  KeyringStore,
  MASTER_KEY_ACCOUNT,
} from "../../src/stores/keyring.js";
import type { OAuth2Credential } from "../../src/types.js";

/**
 * A stand-in for Windows Credential Manager as @napi-rs/keyring (keyring-rs) uses it; no Windows machine
 * runs here. The rule it enforces:
 * - CREDENTIALW.CredentialBlobSize is at most CRED_MAX_CREDENTIAL_BLOB_SIZE, 5 * 512 = 2,560 bytes
 *   (https://learn.microsoft.com/windows/win32/api/wincred/ns-wincred-credentialw), and keyring-rs stores the
 *   password as UTF-16, so the limit applies to the UTF-16 encoding (keyring-rs v1.2.1 release notes,
 *   https://github.com/open-source-cooperative/keyring-rs/releases/tag/v1.2.1). CredWrite refuses a larger
 *   blob and nothing is written; keyring-rs reports "Attribute 'password encoded as UTF-16' is longer than
 *   platform limit of 2560 chars".
 */
function credentialManagerStandIn(): KeyringBackend & { entries: Map<string, string>; refused: number } {
  const entries = new Map<string, string>();
  const id = (service: string, account: string) => `${account}.${service}`;
  const backend = {
    entries,
    refused: 0,
    async getPassword(service: string, account: string) {
      return entries.get(id(service, account)) ?? null;
    },
    async setPassword(
      service: string,
      account: string,
      _label: string,
      value: string,
      check?: (e: string) => void,
    ) {
      if (Buffer.byteLength(value, "utf16le") > 2560) {
        backend.refused++;
        throw new Error("Attribute 'password encoded as UTF-16' is longer than platform limit of 2560 chars");
      }
      const existing = entries.get(id(service, account));
      if (existing !== undefined) check?.(existing);
      entries.set(id(service, account), value);
    },
    async deletePassword(service: string, account: string) {
      return entries.delete(id(service, account));
    },
    async accounts(service: string) {
      return [...entries.keys()]
        .filter((k) => k.endsWith(`.${service}`))
        .map((k) => k.slice(0, -service.length - 1));
    },
  };
  return backend;
}

/** A Microsoft identity platform token set: a JWT access token, a long refresh token and an id_token. */
function microsoftTokenSet(): OAuth2Credential {
  const b64 = (n: number) => randomBytes(n).toString("base64url");
  return {
    v: 1,
    type: "oauth2",
    values: {},
    created_at: "2026-01-01T00:00:00.000Z",
    updated_at: "2026-01-01T00:00:00.000Z",
    access_token: `eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.${b64(1400)}.${b64(256)}`,
    token_type: "Bearer",
    expires_at: 1_800_000_000_000,
    refresh_token: `0.A${b64(1000)}`,
    id_token: `eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.${b64(600)}.${b64(256)}`,
    scopes: ["offline_access", "https://graph.microsoft.com/Mail.Read"],
    client: "byo",
  };
}

const small = (token: string): OAuth2Credential => ({
  ...microsoftTokenSet(),
  access_token: token,
  refresh_token: "r",
  id_token: "i",
});

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "arcrun-overflow-"));
  file = join(dir, "secrets.enc");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function storeWith(backend: KeyringBackend): KeyringStore {
  return new KeyringStore({
    keyringService: "arcrun-test",
    backend,
    overflow: (keyring) => new EncryptedFileStore({ path: file, keys: [{ kind: "keyring", keyring }] }),
  });
}

describe("large secrets with a Windows Credential Manager stand-in (2,560-byte limit; no Windows machine here)", () => {
  it("the stand-in refuses a Microsoft token set written as one entry, as Credential Manager does", async () => {
    const cm = credentialManagerStandIn();
    const big = JSON.stringify(microsoftTokenSet());
    expect(big.length * 2).toBeGreaterThan(KEYRING_VALUE_LIMIT);
    await expect(cm.setPassword("arcrun-test", "outlook/default", "l", big)).rejects.toThrow(
      /longer than platform limit of 2560/,
    );
    expect(cm.entries.size).toBe(0);
  });

  it("keeps a token set over the limit whole in secrets.enc under the keyring's master key; the entry holds a pointer", async () => {
    const cm = credentialManagerStandIn();
    const store = storeWith(cm);
    const tokens = microsoftTokenSet();
    await store.set("outlook", "default", tokens);
    expect(cm.refused).toBe(0);
    expect(await store.get("outlook", "default")).toEqual(tokens);
    // Read back by a fresh store (another process), nothing lost.
    expect(await storeWith(cm).get("outlook", "default")).toEqual(tokens);
    expect(await store.list()).toEqual([{ service: "outlook", instance: "default" }]);

    const pointer = cm.entries.get("outlook/default.arcrun-test") ?? "";
    expect(pointer.length * 2).toBeLessThanOrEqual(KEYRING_VALUE_LIMIT);
    expect(pointer).not.toContain(tokens.refresh_token);
    expect(cm.entries.get(`${MASTER_KEY_ACCOUNT}.arcrun-test`)).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const onDisk = readFileSync(file, "utf8");
    expect(onDisk).toContain('"source":"keyring"');
    for (const t of [tokens.access_token, tokens.refresh_token ?? "", tokens.id_token ?? ""])
      expect(onDisk).not.toContain(t);
  });

  it("chosen by size: a small value stays in the keyring; replacing a large one with a small one empties the file", async () => {
    const cm = credentialManagerStandIn();
    const store = storeWith(cm);
    await store.set("github", "default", small("gho_small"));
    expect(JSON.parse(cm.entries.get("github/default.arcrun-test") ?? "{}")).toMatchObject({
      access_token: "gho_small",
    });
    expect(() => readFileSync(file)).toThrow();

    await store.set("outlook", "default", microsoftTokenSet());
    await store.set("outlook", "default", small("short now"));
    expect(JSON.parse(cm.entries.get("outlook/default.arcrun-test") ?? "{}")).toMatchObject({
      access_token: "short now",
    });
    expect(
      await new EncryptedFileStore({ path: file, keys: [{ kind: "keyring", keyring: store }] }).list(),
    ).toEqual([]);
    expect(
      (await store.get("outlook", "default"))?.type === "oauth2" && (await store.get("outlook", "default")),
    ).toMatchObject({ access_token: "short now" });
  });

  it("delete removes both the pointer and the value", async () => {
    const cm = credentialManagerStandIn();
    const store = storeWith(cm);
    await store.set("outlook", "default", microsoftTokenSet());
    expect(await store.delete("outlook", "default")).toBe(true);
    expect(await store.get("outlook", "default")).toBeUndefined();
    expect(
      await new EncryptedFileStore({ path: file, keys: [{ kind: "keyring", keyring: store }] }).list(),
    ).toEqual([]);
  });

  it("without a file for large values: ERR_STORE_UNAVAILABLE naming the limit, and what was stored stays", async () => {
    const cm = credentialManagerStandIn();
    const store = new KeyringStore({ keyringService: "arcrun-test", backend: cm });
    await store.set("outlook", "default", small("previous"));
    await expect(store.set("outlook", "default", microsoftTokenSet())).rejects.toMatchObject({
      code: "ERR_STORE_UNAVAILABLE",
      message: expect.stringContaining("larger than a keyring entry takes (2560 bytes as UTF-16)"),
    });
    expect(await store.get("outlook", "default")).toMatchObject({ access_token: "previous" });
  });
});

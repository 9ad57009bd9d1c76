import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { initEncryptedFile } from "../../src/internal/store-select.js";
import { EncryptedFileStore, keysFromEnv } from "../../src/stores/encrypted-file.js";
import type { StoredCredential } from "../../src/types.js";

let home: string;
let file: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "arcrun-keys-"));
  file = join(home, "secrets.enc");
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const cred = (token: string): StoredCredential => ({
  v: 1,
  type: "static_key",
  values: { token },
  created_at: "2026-01-01T00:00:00.000Z",
  updated_at: "2026-01-01T00:00:00.000Z",
});
const PASS = "a long enough passphrase";

describe("EncryptedFileStore key sources and check()", () => {
  it("check: needs-key with nothing to make a key; ready with ARCRUN_PASSPHRASE; nothing written by checking", async () => {
    expect(await new EncryptedFileStore({ path: file, keys: [] }).check()).toEqual({ state: "needs-key" });
    const withEnv = new EncryptedFileStore({ path: file, keys: keysFromEnv({ ARCRUN_PASSPHRASE: PASS }) });
    expect(await withEnv.check()).toEqual({ state: "ready", keySource: "ARCRUN_PASSPHRASE" });
    expect(() => statSync(file)).toThrow();
  });

  it("a passphrase file: locked without the passphrase, ready with the agent's key, unavailable with a wrong one", async () => {
    const { key } = await initEncryptedFile(home, { kind: "passphrase", passphrase: PASS });
    expect(readFileSync(join(home, "config.yaml"), "utf8")).toBe("store_key: passphrase\n");
    expect(await new EncryptedFileStore({ path: file, keys: [] }).check()).toEqual({ state: "locked" });
    const agent = new EncryptedFileStore({ path: file, keys: [{ kind: "unlocked", read: async () => key }] });
    expect((await agent.check()).state).toBe("ready");
    await agent.set("notion", "default", cred("t1"));
    const wrong = await new EncryptedFileStore({
      path: file,
      keys: keysFromEnv({ ARCRUN_PASSPHRASE: "not it at all" }),
    }).check();
    expect(wrong).toMatchObject({ state: "unavailable", error: { code: "ERR_STORE_WRONG_KEY" } });
    // An agent holding another file's key is skipped, not an error: the next source decides.
    const stale = new EncryptedFileStore({
      path: file,
      keys: [
        { kind: "unlocked", read: async () => Buffer.alloc(32, 7) },
        ...keysFromEnv({ ARCRUN_PASSPHRASE: PASS }),
      ],
    });
    expect((await stale.get("notion", "default"))?.values.token).toBe("t1");
  });

  it("asking: a wrong passphrase 3 times is ERR_STORE_WRONG_KEY and changes nothing; the right one is asked once a process", async () => {
    await initEncryptedFile(home, { kind: "passphrase", passphrase: PASS });
    await new EncryptedFileStore({ path: file, keys: keysFromEnv({ ARCRUN_PASSPHRASE: PASS }) }).set(
      "a",
      "default",
      cred("x"),
    );
    const before = readFileSync(file);
    const asked: boolean[] = [];
    const wrong = new EncryptedFileStore({
      path: file,
      keys: [
        {
          kind: "ask",
          ask: async (retry) => {
            asked.push(retry);
            return "nope nope nope";
          },
        },
      ],
    });
    await expect(wrong.set("a", "default", cred("y"))).rejects.toMatchObject({
      code: "ERR_STORE_WRONG_KEY",
      message: expect.stringContaining("nothing was changed"),
    });
    expect(asked).toEqual([false, true, true]);
    expect(readFileSync(file)).toEqual(before);

    let count = 0;
    const right = new EncryptedFileStore({
      path: file,
      keys: [
        {
          kind: "ask",
          ask: async () => {
            count++;
            return PASS;
          },
        },
      ],
    });
    await right.set("b", "default", cred("z"));
    expect(await right.list()).toEqual([
      { service: "a", instance: "default" },
      { service: "b", instance: "default" },
    ]);
    expect(count).toBe(1);
  });

  it("the key-file choice: master.key 0600, refused when others can read it, never replaced", async () => {
    writeFileSync(join(home, "config.yaml"), "# mine\nbroker_url: https://broker.example\n");
    const made = await initEncryptedFile(home, { kind: "key-file" });
    const keyFile = join(home, "master.key");
    expect(made.keyFile).toBe(keyFile);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(home, "config.yaml"), "utf8")).toBe(
      "# mine\nbroker_url: https://broker.example\nstore_key: key-file\n",
    );
    const store = new EncryptedFileStore({ path: file, keys: [{ kind: "key-file", path: keyFile }] });
    await store.set("notion", "default", cred("kf"));
    expect(await store.check()).toEqual({ state: "ready", keySource: "the key file master.key" });

    chmodSync(keyFile, 0o644);
    const loose = new EncryptedFileStore({ path: file, keys: [{ kind: "key-file", path: keyFile }] });
    await expect(loose.get("notion", "default")).rejects.toMatchObject({
      code: "ERR_STORE_UNAVAILABLE",
      message: expect.stringContaining(`Run: chmod 600 ${keyFile}`),
    });
    chmodSync(keyFile, 0o600);
    await expect(initEncryptedFile(home, { kind: "passphrase", passphrase: PASS })).rejects.toMatchObject({
      code: "ERR_INVALID_OPTION",
      message: expect.stringContaining("exists already"),
    });
    expect((await store.get("notion", "default"))?.values.token).toBe("kf");
  });

  it("a passphrase shorter than 8 characters is refused before anything is written", async () => {
    await expect(initEncryptedFile(home, { kind: "passphrase", passphrase: "short" })).rejects.toMatchObject({
      code: "ERR_INVALID_OPTION",
    });
    expect(() => statSync(file)).toThrow();
    expect(() => statSync(join(home, "config.yaml"))).toThrow();
  });
});

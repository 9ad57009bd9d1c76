import type { webcrypto } from "node:crypto";
import { loadCatalog } from "@arcrun/recipes";
import { describe, expect, it } from "vitest";
import { ArcrunError } from "../../../src/errors.js";
import { verifyCatalogue } from "../../../src/internal/catalogue/signed.js";

const { subtle } = globalThis.crypto;

/** A key pair made for this run, as release-key.ts and sign-catalogue.mjs encode keys. */
async function keyPair() {
  const pair = (await subtle.generateKey({ name: "Ed25519" }, true, [
    "sign",
    "verify",
  ])) as webcrypto.CryptoKeyPair;
  const publicKey = Buffer.from(await subtle.exportKey("raw", pair.publicKey)).toString("base64");
  const sign = async (bytes: Uint8Array) =>
    new Uint8Array(await subtle.sign({ name: "Ed25519" }, pair.privateKey, bytes));
  return { publicKey, sign };
}

const doc = (over: Record<string, unknown> = {}) =>
  new TextEncoder().encode(
    JSON.stringify({
      format: 1,
      version: 7,
      issued_at: "2026-12-07T00:00:00Z",
      recipes: loadCatalog(),
      ...over,
    }),
  );

async function refusal(p: Promise<unknown>): Promise<ArcrunError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ArcrunError);
  return err as ArcrunError;
}

describe("verifyCatalogue (Ed25519 over the exact bytes, RFC 8032 section 5.1.7)", () => {
  it("accepts a catalogue signed by a trusted key, as raw or base64 signature", async () => {
    const k = await keyPair();
    const bytes = doc();
    const sig = await k.sign(bytes);
    const v = await verifyCatalogue(bytes, sig, [k.publicKey], "test");
    expect(v).toMatchObject({ format: 1, version: 7, issuedAt: "2026-12-07T00:00:00Z" });
    expect(v.recipes.map((r) => r.id)).toEqual(loadCatalog().map((r) => r.id));
    expect(v.sha256).toMatch(/^[0-9a-f]{64}$/);
    const b64 = new TextEncoder().encode(`${Buffer.from(sig).toString("base64")}\n`);
    expect((await verifyCatalogue(bytes, b64, [k.publicKey], "test")).version).toBe(7);
  });

  it("accepts a signature by any of several trusted keys (a key rotation)", async () => {
    const [old, next] = await Promise.all([keyPair(), keyPair()]);
    const bytes = doc();
    const v = await verifyCatalogue(bytes, await next.sign(bytes), [old.publicKey, next.publicKey], "test");
    expect(v.version).toBe(7);
  });

  it("refuses one changed byte, another key, no signature and a malformed one, as ERR_CATALOGUE_SIGNATURE", async () => {
    const [k, other] = await Promise.all([keyPair(), keyPair()]);
    const bytes = doc();
    const sig = await k.sign(bytes);
    const tampered = Uint8Array.from(bytes);
    const at = tampered.length - 2;
    tampered[at] = (tampered[at] ?? 0) ^ 1;
    for (const [b, s, msg] of [
      [tampered, sig, "does not verify"],
      [bytes, await other.sign(bytes), "does not verify"],
      [bytes, undefined, "has no usable signature"],
      [bytes, new TextEncoder().encode("not a signature"), "has no usable signature"],
    ] as const) {
      const err = await refusal(verifyCatalogue(b, s, [k.publicKey], "https://example.test/catalogue.json"));
      expect(err.code).toBe("ERR_CATALOGUE_SIGNATURE");
      expect(err.message).toContain(msg);
      expect(err.message).toContain("nothing was changed");
    }
  });

  it("refuses a signed document of another format, without a version or recipes, as ERR_CATALOGUE_INVALID", async () => {
    const k = await keyPair();
    for (const [over, msg] of [
      [{ format: 2 }, "of format 2"],
      [{ version: "7" }, "has no version"],
      [{ version: 0 }, "has no version"],
      [{ recipes: [{ id: "x" }] }, "no recipe list"],
    ] as const) {
      const bytes = doc(over);
      const err = await refusal(verifyCatalogue(bytes, await k.sign(bytes), [k.publicKey], "test"));
      expect(err.code).toBe("ERR_CATALOGUE_INVALID");
      expect(err.message).toContain(msg);
      expect(err.message).toContain("Upgrade arcrun-auth");
    }
  });
});

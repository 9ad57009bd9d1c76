import { describe, expect, it } from "vitest";
import {
  decryptCredential,
  encryptCredential,
  generateCredentialKey,
  importCredentialKey,
} from "../src/credential-crypto.js";
import { ArcrunError } from "../src/errors.js";

describe("credential-crypto (AES-256-GCM)", () => {
  it("round-trips a secret and never carries the plaintext", async () => {
    const key = generateCredentialKey();
    const sealed = await encryptCredential("notion", "secret_abc123", key);
    expect(Object.keys(sealed).sort()).toEqual(["encrypted", "iv", "name"]);
    expect(sealed.name).toBe("notion");
    expect(JSON.stringify(sealed)).not.toContain("secret_abc123");
    expect(atob(sealed.iv)).toHaveLength(12);
    // ciphertext + 16-byte tag
    expect(atob(sealed.encrypted)).toHaveLength("secret_abc123".length + 16);
    expect(await decryptCredential(sealed, key)).toBe("secret_abc123");
  });

  it("uses a fresh IV for every encryption", async () => {
    const key = await importCredentialKey(generateCredentialKey());
    const a = await encryptCredential("x", "same", key);
    const b = await encryptCredential("x", "same", key);
    expect(a.iv).not.toBe(b.iv);
    expect(a.encrypted).not.toBe(b.encrypted);
  });

  it("interoperates with plain WebCrypto AES-GCM (what the executor does)", async () => {
    const raw = crypto.getRandomValues(new Uint8Array(32));
    const keyB64 = btoa(String.fromCharCode(...raw));
    const sealed = await encryptCredential("gh", '{"token":"t"}', keyB64);
    const key = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["decrypt"]);
    const bytes = Uint8Array.from(atob(sealed.encrypted), (c) => c.charCodeAt(0));
    const iv = Uint8Array.from(atob(sealed.iv), (c) => c.charCodeAt(0));
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv, additionalData: new TextEncoder().encode("arcrun-credential:gh") },
      key,
      bytes,
    );
    expect(new TextDecoder().decode(plain)).toBe('{"token":"t"}');
  });

  it("fails with ERR_INVALID_SECRET on a wrong key, a renamed credential, or an altered byte", async () => {
    const key = generateCredentialKey();
    const sealed = await encryptCredential("notion", "v", key);
    const wrongKey = decryptCredential(sealed, generateCredentialKey());
    await expect(wrongKey).rejects.toMatchObject({ code: "ERR_INVALID_SECRET" });
    await expect(wrongKey).rejects.toThrow(/run: arcrun creds push notion/);
    await expect(decryptCredential({ ...sealed, name: "other" }, key)).rejects.toMatchObject({
      code: "ERR_INVALID_SECRET",
    });
    const bytes = Uint8Array.from(atob(sealed.encrypted), (c) => c.charCodeAt(0));
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    const altered = { ...sealed, encrypted: btoa(String.fromCharCode(...bytes)) };
    await expect(decryptCredential(altered, key)).rejects.toBeInstanceOf(ArcrunError);
  });

  it("rejects a key of the wrong size and a bad name with ERR_INVALID_OPTION", async () => {
    await expect(importCredentialKey(btoa("short"))).rejects.toMatchObject({
      code: "ERR_INVALID_OPTION",
      message: expect.stringContaining("must be 32 bytes"),
    });
    await expect(encryptCredential("bad name!", "v", generateCredentialKey())).rejects.toMatchObject({
      code: "ERR_INVALID_OPTION",
    });
  });
});

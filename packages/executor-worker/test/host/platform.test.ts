import { createHash, createHmac } from "node:crypto";
import { getRecipe } from "@arcrun/recipes";
import { describe, expect, it } from "vitest";
import { checkExecutorKey, type KvStore, SecretRegistry } from "../../src/host/credentials.js";
import { createHostFunctions, type HostContext } from "../../src/host/functions.js";
import { md5 } from "../../src/host/md5.js";
import { credentialKey } from "../../src/keys.js";
import { generateExecutorKey, sealLegacy } from "../helpers/credentials.js";

// The data and platform host functions at the ABI boundary: digests, HMACs, sealing with a credential
// (tenant-bound), and sleep against the node's deadline.
const key = generateExecutorKey();
const kv = new Map<string, string>();
const store: KvStore = {
  get: async (k) => kv.get(k) ?? null,
  put: async (k, v) => {
    kv.set(k, v);
  },
  delete: async (k) => {
    kv.delete(k);
  },
};
const SECRET = "a-sealing-secret-of-32-bytes-len";
for (const tenant of ["tenant_a", "tenant_b"]) {
  const sealed = await sealLegacy(key, "vault", SECRET);
  kv.set(credentialKey(tenant, "vault"), JSON.stringify({ ...sealed, created_at: "" }));
}
const short = await sealLegacy(key, "short", "tiny");
kv.set(credentialKey("tenant_a", "short"), JSON.stringify({ ...short, created_at: "" }));
const multi = await sealLegacy(key, "multi", JSON.stringify({ a: SECRET, b: `${SECRET}-b` }));
kv.set(credentialKey("tenant_a", "multi"), JSON.stringify({ ...multi, created_at: "" }));

function hostFor(tenant: string) {
  const secrets = new SecretRegistry();
  const ctx: HostContext = {
    tenant,
    kv: store,
    encryptionKey: () => checkExecutorKey(key),
    fetch: async () => Response.json({}),
    recipe: getRecipe,
    secrets,
    budget: { hostCalls: 0, maxHostCalls: 100 },
    maxResponseBytes: 1 << 20,
    opened: new Map(),
    digestNonces: new Map(),
  };
  return { host: createHostFunctions(ctx), secrets };
}

const body = (r: { body: string }) => JSON.parse(r.body) as Record<string, string>;

describe("md5 (RFC 1321 appendix A.5 test suite)", () => {
  const vectors: [string, string][] = [
    ["", "d41d8cd98f00b204e9800998ecf8427e"],
    ["a", "0cc175b9c0f1b6a831c399e269772661"],
    ["abc", "900150983cd24fb0d6963f7d28e17f72"],
    ["message digest", "f96b697d7cb7938d525a2f31aaf161d0"],
    ["abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"],
    [
      "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
      "57edf4a22be3c955ac49da2e2107b67a",
    ],
  ];
  it.each(vectors)("md5(%j)", (text, hex) => {
    expect(Buffer.from(md5(new TextEncoder().encode(text))).toString("hex")).toBe(hex);
  });

  it("agrees with node:crypto across block boundaries (55, 56, 63, 64, 65 bytes, 1 MiB)", () => {
    for (const n of [55, 56, 63, 64, 65, 119, 120, 1 << 20]) {
      const data = new Uint8Array(n).map((_, i) => (i * 31 + 7) & 255);
      expect(Buffer.from(md5(data)).toString("hex")).toBe(createHash("md5").update(data).digest("hex"));
    }
  });
});

describe("crypto_digest and crypto_hmac", () => {
  it("digests with each algorithm and encoding", async () => {
    const { host } = hostFor("tenant_a");
    for (const alg of ["sha1", "sha256", "sha384", "sha512", "md5"]) {
      const r = await host.crypto_digest(JSON.stringify({ algorithm: alg, data: "hello" }));
      expect(body(r).digest).toBe(createHash(alg).update("hello").digest("hex"));
    }
    const b64 = await host.crypto_digest(
      JSON.stringify({
        algorithm: "sha256",
        data: "68656c6c6f",
        data_encoding: "hex",
        encoding: "base64url",
      }),
    );
    expect(body(b64).digest).toBe(createHash("sha256").update("hello").digest("base64url"));
  });

  it("refuses unknown algorithms and encodings with ERR_BAD_REQUEST", async () => {
    const { host } = hostFor("tenant_a");
    const r = await host.crypto_digest('{"algorithm":"crc32","data":"x"}');
    expect(r.status).toBe(3);
    expect(body(r)).toMatchObject({ code: "ERR_BAD_REQUEST" });
    expect(body(r).error).toContain("use md5, sha1");
    const e = await host.crypto_digest('{"data":"x","encoding":"base32"}');
    expect(body(e).error).toBe('unknown encoding "base32"; use hex, base64 or base64url');
    const h = await host.crypto_hmac('{"algorithm":"md5","data":"x","key":"k"}');
    expect(body(h).error).toContain('unknown HMAC algorithm "md5"');
  });

  it("keys an HMAC with a credential that stays in the host and is registered as a secret", async () => {
    const { host, secrets } = hostFor("tenant_a");
    const r = await host.crypto_hmac('{"algorithm":"sha256","data":"payload","credential":"vault"}');
    expect(body(r).digest).toBe(createHmac("sha256", SECRET).update("payload").digest("hex"));
    expect(r.body).not.toContain(SECRET);
    expect(secrets.redact(`x ${SECRET} y`)).toBe("x [redacted] y");
    const field = await host.crypto_hmac('{"data":"p","credential":"multi","field":"b"}');
    expect(body(field).digest).toBe(createHmac("sha256", `${SECRET}-b`).update("p").digest("hex"));
    const ambiguous = await host.crypto_hmac('{"data":"p","credential":"multi"}');
    expect(body(ambiguous).error).toBe('credential "multi" holds a, b; name one with credential_field');
  });

  it("keys an HMAC with a credential's sealed handle: the host uses the secret, a changed handle is just text", async () => {
    const { host } = hostFor("tenant_a");
    const view = JSON.parse((await host.crypto_decrypt('{"name":"vault"}')).body) as {
      secrets: { value: string };
    };
    const handle = view.secrets.value;
    expect(handle).not.toContain(SECRET);
    const r = await host.crypto_hmac(JSON.stringify({ data: "payload", key: handle }));
    expect(body(r).digest).toBe(createHmac("sha256", SECRET).update("payload").digest("hex"));
    const changed = await host.crypto_hmac(JSON.stringify({ data: "payload", key: handle.toUpperCase() }));
    expect(body(changed).digest).toBe(
      createHmac("sha256", handle.toUpperCase()).update("payload").digest("hex"),
    );
  });

  it("another tenant's credential is not found", async () => {
    const r = await hostFor("tenant_c").host.crypto_hmac('{"data":"p","credential":"vault"}');
    expect(r.status).toBe(1);
    expect(body(r)).toMatchObject({ code: "ERR_CREDENTIAL_NOT_FOUND" });
  });
});

describe("crypto_seal and crypto_open", () => {
  it("round-trips, never returning the key", async () => {
    const { host } = hostFor("tenant_a");
    const sealed = await host.crypto_seal('{"credential":"vault","plaintext":"card 4242"}');
    expect(sealed.status).toBe(0);
    const { ciphertext } = body(sealed);
    expect(ciphertext).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
    expect(sealed.body).not.toContain(SECRET);
    const again = body(await host.crypto_seal('{"credential":"vault","plaintext":"card 4242"}'));
    expect(again.ciphertext).not.toBe(ciphertext);
    const opened = await host.crypto_open(JSON.stringify({ credential: "vault", ciphertext }));
    expect(body(opened)).toEqual({ plaintext: "card 4242" });
  });

  it("a ciphertext of tenant A does not open for tenant B, even with the same credential name and secret", async () => {
    const { ciphertext } = body(
      await hostFor("tenant_a").host.crypto_seal('{"credential":"vault","plaintext":"x"}'),
    );
    const r = await hostFor("tenant_b").host.crypto_open(JSON.stringify({ credential: "vault", ciphertext }));
    expect(r.status).toBe(3);
    expect(body(r).error).toBe(
      'the ciphertext was not encrypted with credential "vault" of this tenant, or it was altered',
    );
    const none = await hostFor("tenant_c").host.crypto_open(
      JSON.stringify({ credential: "vault", ciphertext }),
    );
    expect(none.status).toBe(1);
  });

  it("detects tampering and malformed input, and refuses short keys", async () => {
    const { host } = hostFor("tenant_a");
    const { ciphertext = "" } = body(await host.crypto_seal('{"credential":"vault","plaintext":"hello"}'));
    // Flip a character in the middle: the last base64url character may carry only unused padding bits.
    const mid = Math.floor(ciphertext.length / 2);
    const flipped = ciphertext[mid] === "A" ? "B" : "A";
    const tampered = `${ciphertext.slice(0, mid)}${flipped}${ciphertext.slice(mid + 1)}`;
    const r = await host.crypto_open(JSON.stringify({ credential: "vault", ciphertext: tampered }));
    expect(body(r).error).toContain("or it was altered");
    const bad = await host.crypto_open('{"credential":"vault","ciphertext":"hello"}');
    expect(body(bad).error).toContain("is not a platform_crypto value");
    const weak = await host.crypto_seal('{"credential":"short","plaintext":"x"}');
    expect(body(weak).error).toContain('credential "short" is too short to be a key');
    expect(body(weak).error).not.toContain("tiny");
  });
});

describe("sleep", () => {
  it("waits, and counts as a host call", async () => {
    const { host } = hostFor("tenant_a");
    const started = Date.now();
    const r = await host.sleep('{"ms":30}', {
      deadline: Date.now() + 5000,
      deadlineCode: "ERR_LIMIT_NODE_TIME",
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(Number(body(r).slept_ms)).toBeGreaterThanOrEqual(25);
  });

  it("refuses at once a wait past the deadline, with the limit's code", async () => {
    const { host } = hostFor("tenant_a");
    const started = Date.now();
    await expect(
      host.sleep('{"ms":60000}', { deadline: Date.now() + 1000, deadlineCode: "ERR_LIMIT_RUN_TIME" }),
    ).rejects.toMatchObject({
      code: "ERR_LIMIT_RUN_TIME",
      message: expect.stringMatching(
        /^a wait of 60000 ms would pass the run's time limit \(\d+ ms left; limits\.run_ms\)/,
      ),
    });
    expect(Date.now() - started).toBeLessThan(500);
  });

  it("rejects a negative or non-number wait", async () => {
    const { host } = hostFor("tenant_a");
    for (const raw of ['{"ms":-1}', '{"ms":"10"}', "{}"]) {
      expect(body(await host.sleep(raw)).error).toBe("ms must be a number >= 0");
    }
  });
});

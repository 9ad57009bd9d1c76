import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { credentialKey } from "../src/keys.js";
import { type ApiServer, startApiServer } from "./helpers/api-server.js";
import { generateExecutorKey, sealFor, sealLegacy } from "./helpers/credentials.js";
import { type LocalExecutor, startExecutor } from "./helpers/executor.js";

// One workerd (Miniflare) for the file, in multi-tenant mode, against a real node:http API server.
const KEY_A = "key-tenant-a";
const KEY_B = "key-tenant-b";
const TOKEN_A = "tok_A_secret_123456";
const ENCRYPTION_KEY = generateExecutorKey();

let api: ApiServer;
let ex: LocalExecutor;
let saPublicKey: CryptoKey;
let saPrivatePem: string;

function b64url(text: string): Uint8Array<ArrayBuffer> {
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

async function verifyJwt(jwt: string): Promise<Record<string, unknown> | undefined> {
  const [h, p, s] = jwt.split(".");
  if (!h || !p || !s) return undefined;
  const valid = await crypto.subtle.verify(
    "RSASSA-PKCS1-v1_5",
    saPublicKey,
    b64url(s),
    new TextEncoder().encode(`${h}.${p}`),
  );
  return valid ? (JSON.parse(new TextDecoder().decode(b64url(p))) as Record<string, unknown>) : undefined;
}

async function pushCredential(
  apiKey: string,
  name: string,
  plaintext: string,
  recipe: string,
  hosts?: string[],
) {
  const sealed = await sealFor(ENCRYPTION_KEY, apiKey === KEY_A ? "tenant_a" : "tenant_b", name, plaintext);
  return ex.request("/credentials", {
    method: "POST",
    apiKey,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...sealed, recipe, ...(hosts ? { hosts } : {}) }),
  });
}

async function register(apiKey: string, yaml: string) {
  return ex.request("/webhooks/named", {
    method: "POST",
    apiKey,
    headers: { "content-type": "application/yaml" },
    body: yaml,
  });
}

interface QueryReply {
  execution_id: string;
  status: string;
  output?: Record<string, unknown>;
  error?: { code: string; message: string; node?: string };
  trace: {
    node: string;
    status: string;
    duration_ms: number;
    output_bytes: number;
    error?: { code: string };
  }[];
}

async function query(apiKey: string, name: string, input: unknown = {}) {
  const res = await ex.request(`/webhooks/named/${name}/query`, {
    method: "POST",
    apiKey,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(input),
  });
  return { status: res.status, body: res.json as QueryReply, text: res.text };
}

const MAIN = `
name: check-plan
flow:
  - input >> ON_SUCCESS >> auth
  - auth >> ON_SUCCESS >> me
  - me >> ON_SUCCESS >> is_pro
  - is_pro >> ON_TRUE >> notify
  - is_pro >> ON_FALSE >> downgrade_note
config:
  auth: { component: auth_static_key, credential: api_a }
  me:
    component: http_request
    url: "{{auth.data.base_url}}/users/me"
    headers: "{{auth.data.headers}}"
  is_pro: { component: if_control, left: "{{me.data.body.plan}}", operator: eq, right: "{{input.want}}" }
  notify:
    component: http_request
    method: POST
    url: "{{auth.data.base_url}}/notify"
    headers: "{{auth.data.headers}}"
    body: { user: "{{me.data.body.name}}", plan: "{{me.data.body.plan}}" }
  downgrade_note: { component: if_control, condition: false }
`;

beforeAll(async () => {
  const pair = (await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  saPublicKey = pair.publicKey;
  const pkcs8 = new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer);
  saPrivatePem = `-----BEGIN PRIVATE KEY-----\n${Buffer.from(pkcs8)
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")}\n-----END PRIVATE KEY-----\n`;

  api = await startApiServer(async (req) => {
    const auth = req.headers.authorization;
    if (req.path === "/v1/users/me") {
      if (auth === `Bearer ${TOKEN_A}`) return { json: { name: "Ada", plan: "pro" } };
      if (auth === "Bearer at-refreshed-1") return { json: { name: "OAuth Ada", plan: "free" } };
      if (auth === "Bearer sa-token-1") return { json: { name: "robot", plan: "pro" } };
      return { status: 401, json: { error: "unauthorized" } };
    }
    if (req.path === "/v1/notify") return { json: { notified: true, got: JSON.parse(req.body || "{}") } };
    if (req.path === "/v1/items") return { json: { items: [{ n: 1 }, { n: 5 }, { n: 7 }] } };
    if (req.path === "/oauth/token") {
      const form = new URLSearchParams(req.body);
      if (auth !== `Basic ${btoa("client-1:client-secret-1")}`)
        return { status: 401, json: { error: "invalid_client" } };
      if (form.get("grant_type") === "refresh_token" && form.get("refresh_token") === "rt-1") {
        return { json: { access_token: "at-refreshed-1", token_type: "Bearer", expires_in: 3600 } };
      }
      return { status: 400, json: { error: "invalid_grant", error_description: "refresh token revoked" } };
    }
    if (req.path === "/sa/token") {
      const form = new URLSearchParams(req.body);
      const claims = await verifyJwt(form.get("assertion") ?? "");
      if (
        form.get("grant_type") === "urn:ietf:params:oauth:grant-type:jwt-bearer" &&
        claims?.iss === "robot@example.iam" &&
        claims.aud === `http://127.0.0.1:${api.port}/sa/token` &&
        claims.scope === "scope.read"
      ) {
        return { json: { access_token: "sa-token-1", token_type: "Bearer", expires_in: 3600 } };
      }
      return { status: 400, json: { error: "invalid_grant" } };
    }
    if (req.path === "/slow") return { text: "late", delayMs: 3000 };
    if (req.path === "/big") return { text: "x".repeat(20_000) };
    return { status: 404, json: { error: "not found" } };
  });

  const base = `http://127.0.0.1:${api.port}`;
  const common = {
    docs_url: "http://127.0.0.1/docs",
    categories: [],
    // Port included: a bare 127.0.0.1 would allow only port 80.
    hosts: [`127.0.0.1:${api.port}`],
    base_url: `${base}/v1`,
  };
  const recipes = [
    {
      ...common,
      id: "local_api",
      display_name: "Local API",
      primitive: "static_key",
      required_secrets: [
        { key: "token", label: "Token", sensitive: true, optional: false, format: "string" },
      ],
      inject: { header: { Authorization: "Bearer {{secret.token}}" } },
    },
    {
      ...common,
      id: "local_oauth",
      display_name: "Local OAuth",
      primitive: "oauth2",
      oauth2: {
        grant: "authorization_code",
        token_url: `${base}/oauth/token`,
        token_auth_method: "client_secret_basic",
        refresh_params: {},
      },
      inject: { header: { Authorization: "Bearer {{runtime.access_token}}" } },
    },
    {
      ...common,
      id: "local_sa",
      display_name: "Local service account",
      primitive: "service_account",
      service_account: {
        kind: "google_jwt",
        token_url: `${base}/sa/token`,
        scopes: ["scope.read"],
        key_secret: "key_json",
      },
      inject: { header: { Authorization: "Bearer {{runtime.access_token}}" } },
    },
  ];
  ex = await startExecutor({
    ENCRYPTION_KEY,
    ARCRUN_TENANCY: "multi",
    ARCRUN_API_KEYS: JSON.stringify({ [KEY_A]: "tenant_a", [KEY_B]: "tenant_b" }),
    ARCRUN_RECIPES: JSON.stringify(recipes),
  });
  expect((await pushCredential(KEY_A, "api_a", TOKEN_A, "local_api")).status).toBe(201);
});

afterAll(async () => {
  await ex?.dispose();
  await api?.close();
});

describe("a workflow: input -> auth_static_key -> http_request -> if_control -> branch", () => {
  it("registers from YAML and runs the ON_TRUE branch with the decrypted credential", async () => {
    const reg = await register(KEY_A, MAIN);
    expect(reg.status).toBe(201);
    const { status, body } = await query(KEY_A, "check-plan", { want: "pro" });
    expect(status).toBe(200);
    expect(body.status).toBe("succeeded");
    expect(body.trace.map((t) => t.node)).toEqual(["auth", "me", "is_pro", "notify"]);
    expect(body.output).toMatchObject({
      success: true,
      status: 200,
      data: { body: { notified: true, got: { user: "Ada", plan: "pro" } } },
    });
    const notify = api.seen.filter((r) => r.path === "/v1/notify").at(-1);
    expect(notify?.headers.authorization).toBe(`Bearer ${TOKEN_A}`);
  });

  it("takes the ON_FALSE branch when the condition does not hold", async () => {
    const { body } = await query(KEY_A, "check-plan", { want: "enterprise" });
    expect(body.status).toBe("succeeded");
    expect(body.trace.map((t) => t.node)).toEqual(["auth", "me", "is_pro", "downgrade_note"]);
    expect(body.output).toMatchObject({ branch: "false" });
  });

  it("keeps a trace per execution (node, status, duration, output size) and lists executions", async () => {
    const { body } = await query(KEY_A, "check-plan", { want: "pro" });
    const stored = await ex.request(`/executions/${body.execution_id}`, { apiKey: KEY_A });
    expect(stored.status).toBe(200);
    const exec = stored.json as { status: string; trace: QueryReply["trace"]; mode: string };
    expect(exec.status).toBe("succeeded");
    expect(exec.mode).toBe("jspi");
    for (const t of exec.trace) {
      expect(t.status).toBe("succeeded");
      expect(t.duration_ms).toBeGreaterThanOrEqual(0);
      expect(t.output_bytes).toBeGreaterThan(0);
    }
    expect(stored.text).not.toContain(TOKEN_A);
    const list = await ex.request("/workflows/check-plan/executions", { apiKey: KEY_A });
    const ids = (list.json as { executions: { id: string }[] }).executions.map((e) => e.id);
    expect(ids).toContain(body.execution_id);
  });

  it("trigger answers at once with an execution id; the run finishes in the background", async () => {
    const res = await ex.request("/webhooks/named/check-plan/trigger", {
      method: "POST",
      apiKey: KEY_A,
      body: JSON.stringify({ want: "pro" }),
    });
    expect(res.status).toBe(202);
    const { execution_id } = res.json as { execution_id: string };
    let status = "running";
    for (let i = 0; i < 50 && status === "running"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (
        (await ex.request(`/executions/${execution_id}`, { apiKey: KEY_A })).json as { status: string }
      ).status;
    }
    expect(status).toBe("succeeded");
  });

  it("lists, shows and deletes workflows", async () => {
    await register(KEY_A, MAIN.replace("name: check-plan", "name: to-delete"));
    const list = await ex.request("/workflows", { apiKey: KEY_A });
    expect((list.json as { workflows: string[] }).workflows).toEqual(
      expect.arrayContaining(["check-plan", "to-delete"]),
    );
    const one = await ex.request("/workflows/to-delete", { apiKey: KEY_A });
    expect(one.json).toMatchObject({
      name: "to-delete",
      format: "yaml",
      nodes: ["auth", "me", "is_pro", "notify", "downgrade_note"],
    });
    expect((await ex.request("/workflows/to-delete", { method: "DELETE", apiKey: KEY_A })).status).toBe(200);
    const gone = await ex.request("/workflows/to-delete", { apiKey: KEY_A });
    expect(gone.status).toBe(404);
    expect(gone.json).toMatchObject({ error: { code: "ERR_WORKFLOW_NOT_FOUND" } });
  });

  it("accepts the same workflow as JSON", async () => {
    const res = await ex.request("/webhooks/named", {
      method: "POST",
      apiKey: KEY_A,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        name: "json-flow",
        flow: ["input >> ON_SUCCESS >> gate"],
        config: { gate: { component: "if_control", left: "{{input.n}}", operator: "gte", right: 10 } },
      }),
    });
    expect(res.status).toBe(201);
    expect((await query(KEY_A, "json-flow", { n: 12 })).body.output).toMatchObject({ branch: "true" });
  });

  it("rejects an invalid workflow with the line and node of each problem", async () => {
    const res = await register(
      KEY_A,
      "name: bad\nflow:\n  - input >> ON_SUCCESS >> a\nconfig:\n  a: { component: nope }\n",
    );
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({
      error: {
        code: "ERR_WORKFLOW_INVALID",
        issues: [{ line: 5, node: "a", message: expect.stringContaining('unknown component "nope"') }],
      },
    });
  });

  it("runs FOREACH once per item with {{item.x}}", async () => {
    await register(
      KEY_A,
      `name: each
flow:
  - input >> ON_SUCCESS >> list
  - list >> FOREACH(item) >> big
config:
  list: { component: http_request, url: "http://127.0.0.1:${api.port}/v1/items" }
  big: { component: if_control, left: "{{item.n}}", operator: gt, right: 4 }
`,
    );
    const { body } = await query(KEY_A, "each");
    expect(body.status).toBe("succeeded");
    expect(body.trace.filter((t) => t.node === "big")).toHaveLength(3);
    expect(body.output).toMatchObject({ data: [{ result: false }, { result: true }, { result: true }] });
  });
});

describe("credentials", () => {
  it("lists names only, never ciphertext or plaintext", async () => {
    const res = await ex.request("/credentials", { apiKey: KEY_A });
    expect(res.json).toMatchObject({ credentials: [{ name: "api_a", recipe: "local_api" }] });
    expect(res.text).not.toContain("encrypted");
    expect(res.text).not.toContain(TOKEN_A);
  });

  it("refuses a plaintext field and a credential encrypted with another key", async () => {
    const plain = await ex.request("/credentials", {
      method: "POST",
      apiKey: KEY_A,
      body: JSON.stringify({ name: "x", value: "plaintext-secret" }),
    });
    expect(plain.status).toBe(400);
    expect(plain.json).toMatchObject({ error: { code: "ERR_CREDENTIAL_INVALID" } });
    const other = await sealFor(generateExecutorKey(), "tenant_a", "y", "s3cret-value");
    const wrong = await ex.request("/credentials", {
      method: "POST",
      apiKey: KEY_A,
      body: JSON.stringify(other),
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json).toMatchObject({
      error: { code: "ERR_CREDENTIAL_INVALID", message: expect.stringContaining("ENCRYPTION_KEY") },
    });
  });

  it("a record copied from tenant A is useless to tenant B (POSTed, or copied in KV)", async () => {
    expect((await pushCredential(KEY_A, "copied", "tenant-a-only-secret", "local_api")).status).toBe(201);
    const kv = await ex.mf.getKVNamespace("ARCRUN_KV");
    const stored = JSON.parse((await kv.get(credentialKey("tenant_a", "copied"))) ?? "{}") as Record<
      string,
      unknown
    >;
    expect(stored.v).toBe(2);
    const { created_at: _c, ...envelope } = stored;
    const posted = await ex.request("/credentials", {
      method: "POST",
      apiKey: KEY_B,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(envelope),
    });
    expect(posted.status).toBe(400);
    expect(posted.json).toMatchObject({ error: { code: "ERR_CREDENTIAL_INVALID" } });
    await kv.put(credentialKey("tenant_b", "copied"), JSON.stringify(stored));
    await register(
      KEY_B,
      "name: use-copied\nflow:\n  - input >> ON_SUCCESS >> s\nconfig:\n  s: { component: auth_static_key, credential: copied }\n",
    );
    const { body, text } = await query(KEY_B, "use-copied");
    expect(body.error).toMatchObject({ code: "ERR_COMPONENT_FAILED", node: "s" });
    expect(body.error?.message).toContain("does not open with this tenant's key");
    expect(text).not.toContain("tenant-a-only-secret");
    await kv.delete(credentialKey("tenant_b", "copied"));
  });

  it("refuses a first-version record on POST, and reads an existing one once, rewriting it for the tenant", async () => {
    const legacy = await sealLegacy(ENCRYPTION_KEY, "old_api", TOKEN_A);
    const posted = await ex.request("/credentials", {
      method: "POST",
      apiKey: KEY_A,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(legacy),
    });
    expect(posted.status).toBe(400);
    expect(posted.json).toMatchObject({ error: { message: expect.stringContaining("version 2") } });
    // A record stored before this version (the executor's key, bound to the name only).
    const kv = await ex.mf.getKVNamespace("ARCRUN_KV");
    await kv.put(
      credentialKey("tenant_a", "old_api"),
      JSON.stringify({ ...legacy, recipe: "local_api", created_at: new Date().toISOString() }),
    );
    await register(
      KEY_A,
      `name: old-me\nflow:\n  - input >> ON_SUCCESS >> auth\n  - auth >> ON_SUCCESS >> me\nconfig:\n  auth: { component: auth_static_key, credential: old_api }\n  me: { component: http_request, url: "{{auth.data.base_url}}/users/me", headers: "{{auth.data.headers}}" }\n`,
    );
    expect((await query(KEY_A, "old-me")).body.status).toBe("succeeded");
    const migrated = JSON.parse((await kv.get(credentialKey("tenant_a", "old_api"))) ?? "{}") as Record<
      string,
      unknown
    >;
    expect(migrated).toMatchObject({ v: 2, name: "old_api", recipe: "local_api" });
    expect(migrated.encrypted).not.toBe(legacy.encrypted);
    expect((await query(KEY_A, "old-me")).body.status).toBe("succeeded");
  });

  it("auth_oauth2 refreshes at the recipe's token URL once, then uses the cached token", async () => {
    const plaintext = JSON.stringify({
      refresh_token: "rt-1",
      client_id: "client-1",
      client_secret: "client-secret-1",
    });
    expect((await pushCredential(KEY_A, "oauth_a", plaintext, "local_oauth")).status).toBe(201);
    await register(
      KEY_A,
      `name: oauth-me
flow:
  - input >> ON_SUCCESS >> auth
  - auth >> ON_SUCCESS >> me
config:
  auth: { component: auth_oauth2, credential: oauth_a }
  me: { component: http_request, url: "{{auth.data.base_url}}/users/me", headers: "{{auth.data.headers}}" }
`,
    );
    const before = api.seen.filter((r) => r.path === "/oauth/token").length;
    const first = await query(KEY_A, "oauth-me");
    expect(first.body.output).toMatchObject({ data: { body: { name: "OAuth Ada" } } });
    const second = await query(KEY_A, "oauth-me");
    expect(second.body.output).toMatchObject({ data: { body: { name: "OAuth Ada" } } });
    expect(api.seen.filter((r) => r.path === "/oauth/token").length - before).toBe(1);
  });

  it("auth_oauth2 reports a revoked grant with the provider's error and the next step", async () => {
    const plaintext = JSON.stringify({
      refresh_token: "rt-revoked",
      client_id: "client-1",
      client_secret: "client-secret-1",
    });
    await pushCredential(KEY_A, "oauth_revoked", plaintext, "local_oauth");
    await register(
      KEY_A,
      "name: oauth-revoked\nflow:\n  - input >> ON_SUCCESS >> auth\nconfig:\n  auth: { component: auth_oauth2, credential: oauth_revoked }\n",
    );
    const { status, body } = await query(KEY_A, "oauth-revoked");
    expect(status).toBe(422);
    expect(body.error).toMatchObject({ code: "ERR_COMPONENT_FAILED", node: "auth" });
    expect(body.error?.message).toContain("invalid_grant");
    expect(body.error?.message).toContain("arcrun creds push oauth_revoked");
  });

  it("auth_service_account signs an RS256 assertion in the host and exchanges it", async () => {
    const keyFile = JSON.stringify({
      type: "service_account",
      client_email: "robot@example.iam",
      private_key: saPrivatePem,
    });
    expect((await pushCredential(KEY_A, "sa_a", keyFile, "local_sa")).status).toBe(201);
    await register(
      KEY_A,
      `name: sa-me
flow:
  - input >> ON_SUCCESS >> auth
  - auth >> ON_SUCCESS >> me
config:
  auth: { component: auth_service_account, credential: sa_a }
  me: { component: http_request, url: "{{auth.data.base_url}}/users/me", headers: "{{auth.data.headers}}" }
`,
    );
    const { body } = await query(KEY_A, "sa-me");
    expect(body.error).toBeUndefined();
    expect(body.output).toMatchObject({ data: { body: { name: "robot" } } });
  });
});

describe("hosts and tenant isolation", () => {
  it("http_request refuses to send a credential outside its recipe's hosts", async () => {
    const before = api.seen.length;
    await register(
      KEY_A,
      `name: exfil
flow:
  - input >> ON_SUCCESS >> auth
  - auth >> ON_SUCCESS >> leak
config:
  auth: { component: auth_static_key, credential: api_a }
  leak: { component: http_request, url: "http://localhost:${api.port}/collect", headers: "{{auth.data.headers}}" }
`,
    );
    const { body, text } = await query(KEY_A, "exfil");
    expect(body.error).toMatchObject({ code: "ERR_COMPONENT_FAILED", node: "leak" });
    expect(body.error?.message).toContain('credential "api_a" may only be sent to 127.0.0.1');
    expect(api.seen.length).toBe(before);
    expect(text).not.toContain(TOKEN_A);
  });

  it("a {{credential.NAME}} template is bound to the same hosts", async () => {
    await register(
      KEY_A,
      `name: exfil-template
flow:
  - input >> ON_SUCCESS >> leak
config:
  leak: { component: http_request, method: POST, url: "http://localhost:${api.port}/collect", body: "k={{credential.api_a}}" }
`,
    );
    const { body } = await query(KEY_A, "exfil-template");
    expect(body.error?.message).toContain("may only be sent to 127.0.0.1");
  });

  it("tenant B cannot read tenant A's credential through any component or template", async () => {
    const list = await ex.request("/credentials", { apiKey: KEY_B });
    expect(list.json).toEqual({ tenant: "tenant_b", credentials: [] });
    for (const [component, name] of [
      ["auth_static_key", "api_a"],
      ["auth_oauth2", "oauth_a"],
      ["auth_service_account", "sa_a"],
    ] as const) {
      await register(
        KEY_B,
        `name: steal\nflow:\n  - input >> ON_SUCCESS >> s\nconfig:\n  s: { component: ${component}, credential: ${name} }\n`,
      );
      const { body } = await query(KEY_B, "steal");
      expect(body.error).toMatchObject({ code: "ERR_COMPONENT_FAILED", node: "s" });
      expect(body.error?.message).toContain(`no credential "${name}" for this tenant`);
    }
    await register(
      KEY_B,
      `name: steal-template\nflow:\n  - input >> ON_SUCCESS >> s\nconfig:\n  s: { component: http_request, url: "http://127.0.0.1:${api.port}/v1/users/me", headers: { Authorization: "Bearer {{credential.api_a}}" } }\n`,
    );
    const t = await query(KEY_B, "steal-template");
    expect(t.body.error).toMatchObject({ code: "ERR_CREDENTIAL_NOT_FOUND" });
    // Nor A's workflows or executions.
    expect((await query(KEY_B, "check-plan")).status).toBe(404);
    const a = await query(KEY_A, "check-plan", { want: "pro" });
    expect((await ex.request(`/executions/${a.body.execution_id}`, { apiKey: KEY_B })).status).toBe(404);
  });

  it("refuses a request without a known API key", async () => {
    const res = await ex.request("/workflows", { apiKey: "nope" });
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ error: { code: "ERR_UNAUTHORIZED" } });
  });
});

describe("limits and misbehaving components", () => {
  const one = (name: string, cfg: string, limits = "") =>
    `name: ${name}\n${limits}flow:\n  - input >> ON_SUCCESS >> n\nconfig:\n  n: ${cfg}\n`;

  it("stops a component that loops forever (fuel) and keeps serving", async () => {
    await register(KEY_A, one("spin", "{ component: spin }", "limits: { node_fuel: 2000000 }\n"));
    const { body } = await query(KEY_A, "spin");
    expect(body.error).toMatchObject({ code: "ERR_LIMIT_FUEL", node: "n" });
    expect(body.error?.message).toContain("limits.node_fuel");
    expect((await ex.request("/health")).status).toBe(200);
    expect((await query(KEY_A, "check-plan", { want: "pro" })).body.status).toBe("succeeded");
  });

  it("reports a trap and keeps serving", async () => {
    await register(KEY_A, one("trap", "{ component: trap }"));
    const { body } = await query(KEY_A, "trap");
    expect(body.error).toMatchObject({ code: "ERR_COMPONENT_TRAPPED", node: "n" });
    expect((await query(KEY_A, "check-plan", { want: "pro" })).body.status).toBe("succeeded");
  });

  it("limits memory", async () => {
    await register(KEY_A, one("grow", "{ component: grow }"));
    const { body } = await query(KEY_A, "grow");
    expect(body.error).toMatchObject({ code: "ERR_LIMIT_MEMORY" });
  });

  it("limits output bytes (component stdout and HTTP responses)", async () => {
    await register(KEY_A, one("flood", "{ component: flood }", "limits: { output_bytes: 10000 }\n"));
    expect((await query(KEY_A, "flood")).body.error).toMatchObject({ code: "ERR_LIMIT_OUTPUT" });
    await register(
      KEY_A,
      one(
        "big",
        `{ component: http_request, url: "http://127.0.0.1:${api.port}/big" }`,
        "limits: { output_bytes: 10000 }\n",
      ),
    );
    const { body } = await query(KEY_A, "big");
    expect(body.error).toMatchObject({ code: "ERR_LIMIT_OUTPUT" });
    expect(body.error?.message).toContain("limits.output_bytes");
  });

  it("limits per-node time", async () => {
    await register(
      KEY_A,
      one(
        "slow-node",
        `{ component: http_request, url: "http://127.0.0.1:${api.port}/slow" }`,
        "limits: { node_ms: 300 }\n",
      ),
    );
    const { body } = await query(KEY_A, "slow-node");
    expect(body.error).toMatchObject({ code: "ERR_LIMIT_NODE_TIME" });
  });

  it("limits total run time", async () => {
    await register(
      KEY_A,
      one(
        "slow-run",
        `{ component: http_request, url: "http://127.0.0.1:${api.port}/slow" }`,
        "limits: { run_ms: 400 }\n",
      ),
    );
    const { body } = await query(KEY_A, "slow-run");
    expect(body.error).toMatchObject({ code: "ERR_LIMIT_RUN_TIME" });
  });

  it("limits host calls per run", async () => {
    await register(KEY_A, MAIN.replace("name: check-plan", "name: few-calls\nlimits: { host_calls: 2 }"));
    const { body } = await query(KEY_A, "few-calls", { want: "pro" });
    expect(body.error).toMatchObject({ code: "ERR_LIMIT_HOST_CALLS", node: "auth" });
    expect(body.error?.message).toContain("limits.host_calls");
  });
});

describe("http_request fail_on_status", () => {
  it("fails the run at the node on a 401, with the status, the body's message and no secret", async () => {
    const wrongToken = "ghp_wrong_token_0123456789";
    // A GitHub-like API that refuses the token and (badly) echoes it back in its error body.
    const github = await startApiServer(async (req) => ({
      status: 401,
      json: { message: "Bad credentials", got: req.headers.authorization },
    }));
    try {
      expect(
        (await pushCredential(KEY_A, "gh_wrong", wrongToken, "local_api", [`127.0.0.1:${github.port}`]))
          .status,
      ).toBe(201);
      const reg = await register(
        KEY_A,
        `name: strict-issues
flow:
  - input >> ON_SUCCESS >> auth
  - auth >> ON_SUCCESS >> issues
  - issues >> ON_SUCCESS >> posted
config:
  auth: { component: auth_static_key, credential: gh_wrong }
  issues:
    component: http_request
    url: "http://127.0.0.1:${github.port}/repos/octo/app/issues"
    query: { state: open, per_page: "100" }
    headers: "{{auth.data.headers}}"
    fail_on_status: true
  posted: { component: set, values: { posted: true } }
`,
      );
      expect(reg.status).toBe(201);
      const { status, body, text } = await query(KEY_A, "strict-issues");
      expect(status).toBe(422);
      expect(body.status).toBe("failed");
      const message =
        `GET http://127.0.0.1:${github.port}/repos/octo/app/issues answered 401 Unauthorized: ` +
        // The whole header value is one secret form (the longest is replaced first).
        `{"message":"Bad credentials","got":"[redacted]"}; check the credential the request sends`;
      expect(body.error).toEqual({ code: "ERR_COMPONENT_FAILED", node: "issues", message });
      expect(body.trace.map((t) => [t.node, t.status])).toEqual([
        ["auth", "succeeded"],
        ["issues", "failed"],
      ]);
      expect(github.seen.map((r) => r.path)).toEqual(["/repos/octo/app/issues?state=open&per_page=100"]);
      expect(text).not.toContain(wrongToken);
      // What `arcrun workflow list` and `workflow logs` read: the run is recorded as failed, with the reason.
      const runs = await ex.request("/workflows/strict-issues/executions?limit=1", { apiKey: KEY_A });
      expect(runs.json).toMatchObject({
        executions: [
          { id: body.execution_id, status: "failed", error: { code: "ERR_COMPONENT_FAILED", message } },
        ],
      });
      expect(runs.text).not.toContain(wrongToken);
    } finally {
      await github.close();
    }
  });
});

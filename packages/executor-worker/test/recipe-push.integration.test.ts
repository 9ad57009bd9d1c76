import { deriveTenantKey, type RecipePushRequest, sealRecipePush } from "@arcrun/workflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, startApiServer } from "./helpers/api-server.js";
import { generateExecutorKey, sealFor } from "./helpers/credentials.js";
import { type LocalExecutor, pushAndQuery, startExecutor } from "./helpers/executor.js";

// Tenant recipes on workerd (src/recipes.ts, docs/executor.md "Pushed recipes"): a recipe is stored only
// after every host it reaches was confirmed and its test request passed with the tenant's credential; the
// tenant's workflows then send that credential to those hosts and nowhere else. Real node:http servers: the
// service, and a sink that records anything sent to it. Keys and tokens are generated per run.
const API_KEY = "recipe-push-test-key";
const ENCRYPTION_KEY = generateExecutorKey();
const rand = () => Buffer.from(crypto.getRandomValues(new Uint8Array(12))).toString("hex");
const TOKEN = `acme_${rand()}`;
const WRONG = `acme_${rand()}`;

let api: ApiServer;
let sink: ApiServer;
let ex: LocalExecutor;
let tenantKey = "";

function recipeYaml(id: string, opts: { hosts?: string[]; testPath?: string } = {}): string {
  const base = `http://127.0.0.1:${api.port}`;
  return [
    `id: ${id}`,
    "display_name: Acme API",
    "docs_url: https://acme.example.com/docs/auth",
    "primitive: static_key",
    `base_url: ${base}/v1`,
    `hosts: [${(opts.hosts ?? ["127.0.0.1"]).map((h) => JSON.stringify(h)).join(", ")}]`,
    "required_secrets: [{ key: token, label: API token }]",
    'inject: { header: { Authorization: "Bearer {{secret.token}}" } }',
    `test: { method: GET, path: ${opts.testPath ?? "/me"}, expect_status: 200 }`,
    "",
  ].join("\n");
}

async function pushCredential(name: string, plaintext: string, recipe?: string) {
  const sealed = await sealFor(ENCRYPTION_KEY, "default", name, plaintext);
  return ex.request("/credentials", {
    method: "POST",
    apiKey: API_KEY,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...sealed, ...(recipe ? { recipe } : {}) }),
  });
}

async function call(
  phase: "check" | "push",
  req: Omit<RecipePushRequest, "proof">,
  key = tenantKey,
): Promise<{ status: number; json: Record<string, unknown>; text: string }> {
  const proof = await sealRecipePush(key, phase, req);
  const res = await ex.request(phase === "check" ? "/recipes/check" : "/recipes", {
    method: "POST",
    apiKey: API_KEY,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...req, proof }),
  });
  return { status: res.status, json: (res.json ?? {}) as Record<string, unknown>, text: res.text };
}

const errorOf = (r: { json: Record<string, unknown> }) => r.json.error as { code: string; message: string };

async function storedIds(): Promise<string[]> {
  const r = await ex.request("/recipes", { apiKey: API_KEY });
  expect(r.status, r.text).toBe(200);
  return (r.json as { recipes: { id: string }[] }).recipes.map((x) => x.id);
}

async function credentialRecipe(name: string): Promise<string | undefined> {
  const r = await ex.request("/credentials", { apiKey: API_KEY });
  return (r.json as { credentials: { name: string; recipe?: string }[] }).credentials.find(
    (c) => c.name === name,
  )?.recipe;
}

async function runWorkflow(yaml: string) {
  const res = await pushAndQuery(ex, API_KEY, yaml);
  return {
    text: res.text,
    body: res.json as { status: string; output?: unknown; error?: { code: string; message: string } },
  };
}

beforeAll(async () => {
  api = await startApiServer(async (req) => {
    if (req.path === "/v1/me" && req.headers.authorization === `Bearer ${TOKEN}`)
      return { json: { id: "u_1", name: "Ada" } };
    return { status: 401, json: { error: "invalid token" } };
  });
  sink = await startApiServer(async () => ({ json: { stored: true } }));
  ex = await startExecutor({ ENCRYPTION_KEY, ARCRUN_API_KEY: API_KEY });
  tenantKey = await deriveTenantKey(ENCRYPTION_KEY, "default");
  for (const [name, value] of [
    ["acme", TOKEN],
    ["acme_wrong", WRONG],
  ] as const) {
    const r = await pushCredential(name, value);
    expect(r.status, r.text).toBe(201);
  }
  const gh = await pushCredential("gh", TOKEN, "github");
  expect(gh.status, gh.text).toBe(201);
});

afterAll(async () => {
  await ex?.dispose();
  await api?.close();
  await sink?.close();
});

describe("recipe push on the executor", () => {
  it("check: validates, and names every host the credential would reach (base_url's port included)", async () => {
    const r = await call("check", {
      id: "acme_api",
      source: recipeYaml("acme_api"),
      credential: "acme",
      confirm_hosts: [],
    });
    expect(r.status, r.text).toBe(200);
    expect(r.json).toEqual({
      id: "acme_api",
      hosts: ["127.0.0.1", `127.0.0.1:${api.port}`].sort(),
      previous_hosts: null,
    });
    expect(api.seen.length).toBe(0);
  });

  it("refuses a host that was not confirmed: nothing sent, nothing stored, the credential unbound", async () => {
    const source = recipeYaml("acme_api", { hosts: ["127.0.0.1", "api.acme.example.com"] });
    const r = await call("push", {
      id: "acme_api",
      source,
      credential: "acme",
      confirm_hosts: ["127.0.0.1", `127.0.0.1:${api.port}`],
    });
    expect(r.status, r.text).toBe(409);
    expect(errorOf(r)).toEqual({
      code: "ERR_HOSTS_UNCONFIRMED",
      message: `recipe "acme_api" would send credential "acme" to api.acme.example.com, which you did not confirm; nothing was stored. Run arcrun recipe push again and confirm the hosts it shows`,
    });
    expect(api.seen.length).toBe(0);
    expect(await storedIds()).toEqual([]);
    expect(await credentialRecipe("acme")).toBeUndefined();
  });

  it("refuses a recipe whose test request fails: nothing stored, the secret not in the answer", async () => {
    const before = api.seen.length;
    const r = await call("push", {
      id: "acme_api",
      source: recipeYaml("acme_api"),
      credential: "acme_wrong",
      confirm_hosts: ["127.0.0.1", `127.0.0.1:${api.port}`],
    });
    expect(r.status, r.text).toBe(422);
    expect(errorOf(r).code).toBe("ERR_RECIPE_TEST_FAILED");
    expect(errorOf(r).message).toContain(
      `the test request GET http://127.0.0.1:${api.port}/v1/me answered 401, expected 200; nothing was stored`,
    );
    expect(r.text).not.toContain(WRONG);
    // The test request did go out, with the credential as the recipe injects it.
    expect(api.seen.slice(before).map((s) => s.headers.authorization)).toEqual([`Bearer ${WRONG}`]);
    expect(await storedIds()).toEqual([]);
    expect(await credentialRecipe("acme_wrong")).toBeUndefined();
  });

  it("refuses a push not sealed with the tenant's key (the API key alone is not enough)", async () => {
    const other = await deriveTenantKey(generateExecutorKey(), "default");
    const r = await call(
      "push",
      {
        id: "acme_api",
        source: recipeYaml("acme_api"),
        credential: "acme",
        confirm_hosts: ["127.0.0.1", `127.0.0.1:${api.port}`],
      },
      other,
    );
    expect(r.status, r.text).toBe(401);
    expect(errorOf(r).code).toBe("ERR_UNAUTHORIZED");
    // A proof made for a check does not authorize a push of the same request.
    const req = {
      id: "acme_api",
      source: recipeYaml("acme_api"),
      credential: "acme",
      confirm_hosts: ["127.0.0.1", `127.0.0.1:${api.port}`],
    };
    const proof = await sealRecipePush(tenantKey, "check", req);
    const replay = await ex.request("/recipes", {
      method: "POST",
      apiKey: API_KEY,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...req, proof }),
    });
    expect(replay.status, replay.text).toBe(401);
    expect(await storedIds()).toEqual([]);
  });

  it("refuses a built-in id, and a credential that belongs to another recipe", async () => {
    const builtin = await call("check", {
      id: "github",
      source: recipeYaml("github"),
      credential: "acme",
      confirm_hosts: [],
    });
    expect(builtin.status, builtin.text).toBe(409);
    expect(errorOf(builtin).code).toBe("ERR_RECIPE_EXISTS");
    expect(errorOf(builtin).message).toContain("e.g. my_github");
    const taken = await call("check", {
      id: "acme_api",
      source: recipeYaml("acme_api"),
      credential: "gh",
      confirm_hosts: [],
    });
    expect(taken.status, taken.text).toBe(400);
    expect(errorOf(taken)).toMatchObject({ code: "ERR_CREDENTIAL_INVALID" });
    expect(errorOf(taken).message).toContain('belongs to recipe "github"');
  });

  it("stores a recipe whose test passes, binds the credential, and creds push accepts its id", async () => {
    const r = await call("push", {
      id: "acme_api",
      source: recipeYaml("acme_api"),
      credential: "acme",
      confirm_hosts: ["127.0.0.1", `127.0.0.1:${api.port}`],
    });
    expect(r.status, r.text).toBe(201);
    expect(r.json).toMatchObject({ id: "acme_api", test_status: 200, bound: true, replaced: false });
    expect(await storedIds()).toEqual(["acme_api"]);
    expect(await credentialRecipe("acme")).toBe("acme_api");
    // Another credential for the pushed recipe (POST /credentials knows the tenant's recipes).
    const more = await pushCredential("acme_second", TOKEN, "acme_api");
    expect(more.status, more.text).toBe(201);
    const unknown = await pushCredential("acme_third", TOKEN, "acme_nope");
    expect(unknown.status).toBe(400);
    // A re-push that adds a host shows what the stored version allowed.
    const again = await call("check", {
      id: "acme_api",
      source: recipeYaml("acme_api", { hosts: ["127.0.0.1", "api.acme.example.com"] }),
      credential: "acme",
      confirm_hosts: [],
    });
    expect(again.json).toMatchObject({
      hosts: ["127.0.0.1", `127.0.0.1:${api.port}`, "api.acme.example.com"].sort(),
      previous_hosts: ["127.0.0.1", `127.0.0.1:${api.port}`].sort(),
    });
  });

  it("a workflow uses the pushed recipe on its hosts, and cannot send the credential anywhere else", async () => {
    const before = api.seen.length;
    const ok = await runWorkflow(`name: acme-me
flow:
  - input >> ON_SUCCESS >> auth
  - auth >> ON_SUCCESS >> me
config:
  auth: { component: auth_static_key, credential: acme }
  me: { component: http_request, url: "http://127.0.0.1:${api.port}/v1/me", headers: "{{auth.data.headers}}" }
`);
    expect(ok.body.status, ok.text).toBe("succeeded");
    expect(JSON.stringify(ok.body.output)).toContain("Ada");
    expect(api.seen.slice(before).map((s) => s.headers.authorization)).toEqual([`Bearer ${TOKEN}`]);

    const sinkBefore = sink.seen.length;
    const out = await runWorkflow(`name: acme-exfil
flow:
  - input >> ON_SUCCESS >> auth
  - auth >> ON_SUCCESS >> send
config:
  auth: { component: auth_static_key, credential: acme }
  send: { component: http_request, url: "http://127.0.0.1:${sink.port}/collect", headers: "{{auth.data.headers}}" }
`);
    expect(out.body.status).toBe("failed");
    expect(out.body.error?.message).toContain(`refused to send it to 127.0.0.1:${sink.port}`);
    expect(sink.seen.length).toBe(sinkBefore);
    expect(out.text).not.toContain(TOKEN);
  });

  it("an oauth2 recipe: its token and revoke endpoints' hosts are listed, and the test uses the access token", async () => {
    const sealed = await sealFor(
      ENCRYPTION_KEY,
      "default",
      "acme_oauth_cred",
      JSON.stringify({ access_token: TOKEN }),
    );
    const pushed = await ex.request("/credentials", {
      method: "POST",
      apiKey: API_KEY,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(sealed),
    });
    expect(pushed.status, pushed.text).toBe(201);
    const source = [
      "id: acme_oauth",
      "display_name: Acme (OAuth)",
      "docs_url: https://acme.example.com/docs/oauth",
      "primitive: oauth2",
      `base_url: http://127.0.0.1:${api.port}/v1`,
      "hosts: [127.0.0.1]",
      "oauth2:",
      "  authorize_url: https://login.acme.example.com/authorize",
      "  token_url: https://auth.acme.example.com/token",
      "  revoke_url: https://revoke.acme.example.com/revoke",
      "  scopes: [read]",
      '  inject: { header: { Authorization: "Bearer {{runtime.access_token}}" } }',
      "test: { method: GET, path: /me, expect_status: 200 }",
      "",
    ].join("\n");
    const base = { id: "acme_oauth", source, credential: "acme_oauth_cred" };
    const check = await call("check", { ...base, confirm_hosts: [] });
    expect(check.status, check.text).toBe(200);
    const hosts = [
      "127.0.0.1",
      `127.0.0.1:${api.port}`,
      "auth.acme.example.com",
      "revoke.acme.example.com",
    ].sort();
    // The authorization endpoint is where a browser goes: the credential is never sent there.
    expect(check.json.hosts).toEqual(hosts);
    const before = api.seen.length;
    const r = await call("push", { ...base, confirm_hosts: hosts });
    expect(r.status, r.text).toBe(201);
    expect(api.seen.slice(before).map((s) => s.headers.authorization)).toEqual([`Bearer ${TOKEN}`]);
    expect(api.seen.at(-1)?.headers["user-agent"]).toMatch(/^arcrun\//);
  });

  it("DELETE /recipes/:id removes it; an unknown id is ERR_RECIPE_NOT_FOUND", async () => {
    const del = await ex.request("/recipes/acme_api", { method: "DELETE", apiKey: API_KEY });
    expect(del.status, del.text).toBe(200);
    expect(await storedIds()).toEqual(["acme_oauth"]);
    const again = await ex.request("/recipes/acme_api", { method: "DELETE", apiKey: API_KEY });
    expect(again.status).toBe(404);
    expect((again.json as { error: { code: string } }).error.code).toBe("ERR_RECIPE_NOT_FOUND");
  });
});

describe("recipe push with several tenants", () => {
  let multi: LocalExecutor;
  const KEYS = { k_acme: "acme", k_beta: "beta" };

  beforeAll(async () => {
    multi = await startExecutor({
      ENCRYPTION_KEY,
      ARCRUN_TENANCY: "multi",
      ARCRUN_API_KEYS: JSON.stringify(KEYS),
    });
    for (const [apiKey, tenant] of Object.entries(KEYS)) {
      const sealed = await sealFor(ENCRYPTION_KEY, tenant, "acme", TOKEN);
      const r = await multi.request("/credentials", {
        method: "POST",
        apiKey,
        headers: { "content-type": "application/json" },
        body: JSON.stringify(sealed),
      });
      expect(r.status, r.text).toBe(201);
    }
  });
  afterAll(async () => {
    await multi?.dispose();
  });

  async function pushAs(apiKey: string, tenant: string) {
    const req = {
      id: "acme_api",
      source: recipeYaml("acme_api"),
      credential: "acme",
      confirm_hosts: ["127.0.0.1", `127.0.0.1:${api.port}`],
    };
    const proof = await sealRecipePush(await deriveTenantKey(ENCRYPTION_KEY, tenant), "push", req);
    return multi.request("/recipes", {
      method: "POST",
      apiKey,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...req, proof }),
    });
  }

  it("a recipe is the pushing tenant's only; another tenant's key does not seal a push", async () => {
    // Sealed with tenant acme's key but sent with beta's API key: refused.
    const crossed = await pushAs("k_beta", "acme");
    expect(crossed.status, crossed.text).toBe(401);
    const ok = await pushAs("k_acme", "acme");
    expect(ok.status, ok.text).toBe(201);
    const mine = await multi.request("/recipes", { apiKey: "k_acme" });
    expect((mine.json as { recipes: { id: string }[] }).recipes.map((r) => r.id)).toEqual(["acme_api"]);
    const theirs = await multi.request("/recipes", { apiKey: "k_beta" });
    expect((theirs.json as { recipes: unknown[] }).recipes).toEqual([]);
    // Beta cannot bind a credential to acme's recipe.
    const sealed = await sealFor(ENCRYPTION_KEY, "beta", "acme2", TOKEN);
    const bind = await multi.request("/credentials", {
      method: "POST",
      apiKey: "k_beta",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...sealed, recipe: "acme_api" }),
    });
    expect(bind.status, bind.text).toBe(400);
    expect((bind.json as { error: { message: string } }).error.message).toContain(
      'unknown recipe "acme_api"',
    );
  });
});

describe("a run reads only the pushed recipes it needs", () => {
  // The fixture logs every KV operation of the last request (test/fixtures/kv-reads-worker.ts).
  let counted: LocalExecutor;
  const FILLERS = 49;

  async function post(path: string, body: unknown) {
    const r = await counted.request(path, {
      method: "POST",
      apiKey: API_KEY,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(r.status, r.text).toBe(201);
  }

  /** Runs `yaml` through its query webhook; the run's KV operations on pushed recipes, and any list. */
  async function run(yaml: string) {
    const res = await pushAndQuery(counted, API_KEY, yaml);
    const { log } = (await counted.request("/__test/kv-ops")).json as { log: string[] };
    return {
      body: res.json as { status: string; output?: unknown },
      text: res.text,
      recipeOps: log.filter((op) => op.includes("v2/recipe/") || op.startsWith("list ")),
    };
  }

  beforeAll(async () => {
    counted = await startExecutor(
      { ENCRYPTION_KEY, ARCRUN_API_KEY: API_KEY },
      "test/fixtures/kv-reads-worker.ts",
    );
    for (const [name, recipe] of [
      ["acme", undefined],
      ["gh", "github"],
    ] as const) {
      const sealed = await sealFor(ENCRYPTION_KEY, "default", name, TOKEN);
      await post("/credentials", { ...sealed, ...(recipe ? { recipe } : {}) });
    }
    const req = {
      id: "acme_api",
      source: recipeYaml("acme_api"),
      credential: "acme",
      confirm_hosts: ["127.0.0.1", `127.0.0.1:${api.port}`],
    };
    await post("/recipes", { ...req, proof: await sealRecipePush(tenantKey, "push", req) });
    // 49 more pushed recipes, stored as a push stores them (copies of the one above under other ids).
    const kv = (await counted.mf.getKVNamespace("ARCRUN_KV")) as unknown as KVNamespace;
    const stored = JSON.parse((await kv.get("v2/recipe/default/acme_api")) ?? "null") as {
      id: string;
      recipe: { id: string };
    };
    for (let i = 1; i <= FILLERS; i++) {
      const id = `filler_${String(i).padStart(2, "0")}`;
      await kv.put(
        `v2/recipe/default/${id}`,
        JSON.stringify({ ...stored, id, recipe: { ...stored.recipe, id } }),
      );
    }
    const list = await counted.request("/recipes", { apiKey: API_KEY });
    expect((list.json as { recipes: unknown[] }).recipes).toHaveLength(FILLERS + 1);
    // POST /credentials knows the pushed ids.
    await post("/credentials", {
      ...(await sealFor(ENCRYPTION_KEY, "default", "acme_25", TOKEN)),
      recipe: "filler_25",
    });
  }, 120_000);
  afterAll(async () => counted?.dispose());

  it("a credential bound to a pushed recipe: one get, of that recipe, and no list", async () => {
    const out = await run(`name: acme-bound
flow:
  - input >> ON_SUCCESS >> auth
  - auth >> ON_SUCCESS >> me
config:
  auth: { component: auth_static_key, credential: acme }
  me: { component: http_request, url: "http://127.0.0.1:${api.port}/v1/me", headers: "{{auth.data.headers}}" }
`);
    expect(out.body.status, out.text).toBe("succeeded");
    expect(JSON.stringify(out.body.output)).toContain("Ada");
    expect(out.recipeOps).toEqual(["get v2/recipe/default/acme_api"]);
  });

  it("a workflow naming a pushed recipe reads that one recipe once", async () => {
    const out = await run(`name: acme-named
flow:
  - input >> ON_SUCCESS >> auth
  - auth >> ON_SUCCESS >> me
config:
  auth: { component: auth_static_key, credential: acme_25, recipe: filler_25 }
  me: { component: http_request, url: "http://127.0.0.1:${api.port}/v1/me", headers: "{{auth.data.headers}}" }
`);
    expect(out.body.status, out.text).toBe("succeeded");
    expect(JSON.stringify(out.body.output)).toContain("Ada");
    expect(out.recipeOps).toEqual(["get v2/recipe/default/filler_25"]);
  });

  it("a workflow of built-in recipes reads no pushed recipe", async () => {
    const out = await run(`name: gh-only
flow:
  - input >> ON_SUCCESS >> auth
config:
  auth: { component: auth_static_key, credential: gh }
`);
    expect(out.body.status, out.text).toBe("succeeded");
    expect(out.recipeOps).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateExecutorKey, sealFor } from "./helpers/credentials.js";
import { type LocalExecutor, startExecutor } from "./helpers/executor.js";

// The KV key schema (src/keys.ts) on workerd through Miniflare: tenant ids that were also key prefixes of
// the first schema (cron, webhook, cred) keep their own data through pushes and a scheduled tick, and keys
// written in the first schema are read where they are until moved: one record at a time by the request
// that needs it, the rest a bounded step per scheduled tick.
const ENCRYPTION_KEY = generateExecutorKey();
const TENANTS = {
  "key-cron": "cron",
  "key-webhook": "webhook",
  "key-cred": "cred",
  "key-default": "default",
};
const KEY = { cron: "key-cron", webhook: "key-webhook", cred: "key-cred", default: "key-default" } as const;
const bindings = {
  ENCRYPTION_KEY,
  ARCRUN_TENANCY: "multi",
  ARCRUN_API_KEYS: JSON.stringify(TENANTS),
};

const cronYaml = (name: string) => `
name: ${name}
flow:
  - input >> ON_SUCCESS >> schedule
config:
  schedule: { component: cron, expression: "* * * * *" }
`;

async function pushCredential(ex: LocalExecutor, apiKey: string, name: string) {
  const tenant = TENANTS[apiKey as keyof typeof TENANTS];
  const sealed = await sealFor(ENCRYPTION_KEY, tenant, name, `secret-of-${apiKey}`);
  const res = await ex.request("/credentials", {
    method: "POST",
    apiKey,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...sealed, hosts: ["api.example.com"] }),
  });
  expect(res.status, res.text).toBeLessThan(300);
}

async function pushWorkflow(ex: LocalExecutor, apiKey: string, yaml: string) {
  const res = await ex.request("/webhooks/named", {
    method: "POST",
    apiKey,
    headers: { "content-type": "application/yaml" },
    body: yaml,
  });
  expect(res.status, res.text).toBeLessThan(300);
}

async function credentials(ex: LocalExecutor, apiKey: string): Promise<string[]> {
  const res = await ex.request("/credentials", { apiKey });
  expect(res.status, res.text).toBe(200);
  return (res.json as { credentials: { name: string }[] }).credentials.map((c) => c.name);
}

async function workflows(ex: LocalExecutor, apiKey: string): Promise<string[]> {
  const res = await ex.request("/workflows", { apiKey });
  expect(res.status, res.text).toBe(200);
  return (res.json as { workflows: string[] }).workflows;
}

describe("tenant ids that were key prefixes", () => {
  let ex: LocalExecutor;
  beforeAll(async () => {
    ex = await startExecutor(bindings, "test/fixtures/kv-reads-worker.ts");
  }, 120_000);
  afterAll(async () => ex?.dispose());

  it("cron, webhook and cred keep their own credentials and workflows through a scheduled tick", async () => {
    // First schema: tenant cron's credential "a" was `cron:cred:a`, the schedule index of tenant cred's
    // workflow "a"; tenant webhook's credential "x" was `webhook:cred:x`, tenant cred's workflow "x".
    await pushCredential(ex, KEY.cron, "a");
    await pushCredential(ex, KEY.webhook, "x");
    await pushWorkflow(ex, KEY.cred, cronYaml("a"));
    await pushWorkflow(ex, KEY.cred, cronYaml("x"));
    await pushWorkflow(ex, KEY.webhook, cronYaml("cred"));

    const worker = await ex.mf.getWorker();
    const tick = await worker.scheduled({
      scheduledTime: new Date("2024-05-06T10:00:00Z"),
      cron: "* * * * *",
    });
    expect(tick.outcome).toBe("ok");

    expect(await credentials(ex, KEY.cron)).toEqual(["a"]);
    expect(await credentials(ex, KEY.webhook)).toEqual(["x"]);
    expect(await credentials(ex, KEY.cred)).toEqual([]);
    expect(await workflows(ex, KEY.cred)).toEqual(["a", "x"]);
    expect(await workflows(ex, KEY.webhook)).toEqual(["cred"]);
    expect(await workflows(ex, KEY.cron)).toEqual([]);
    for (const [apiKey, name] of [
      [KEY.cred, "a"],
      [KEY.cred, "x"],
      [KEY.webhook, "cred"],
    ] as const) {
      const runs = await ex.request(`/workflows/${name}/executions`, { apiKey });
      expect((runs.json as { executions: { status: string }[] }).executions, `${apiKey} ${name}`).toEqual([
        expect.objectContaining({ status: "succeeded" }),
      ]);
    }
  });

  it("every key starts with v2/<kind>/<tenant>/", async () => {
    const kv = (await ex.mf.getKVNamespace("ARCRUN_KV")) as unknown as KVNamespace;
    const names = (await kv.list()).keys.map((k) => k.name);
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) expect(name).toMatch(/^v2\/(meta\/[a-z-]+|[a-z]+\/[^/]+\/.+)$/);
    expect(names).toContain("v2/cred/cron/a");
    expect(names).toContain("v2/cron/cred/a");
  });
});

describe("moving the keys of the first schema", () => {
  let ex: LocalExecutor;
  let kv: KVNamespace;
  const hourFromNow = () => Math.floor(Date.now() / 1000) + 3600;
  const record = (name: string) =>
    JSON.stringify({
      name,
      encrypted: "AAAA",
      iv: "BBBB",
      hosts: ["api.example.com"],
      created_at: "2024-01-01T00:00:00Z",
    });
  const stored = (name: string, source: string) =>
    JSON.stringify({ name, format: "yaml", source, updated_at: "2024-01-01T00:00:00Z" });
  const execution = {
    id: "e-1",
    workflow: "old",
    status: "succeeded",
    started_at: "2024-01-01T00:00:00.000Z",
    trace: [],
  };

  beforeAll(async () => {
    ex = await startExecutor(bindings, "test/fixtures/kv-reads-worker.ts");
    kv = (await ex.mf.getKVNamespace("ARCRUN_KV")) as unknown as KVNamespace;
    // Written as the first schema did, before the executor serves a request.
    await kv.put("webhook:default:old", stored("old", cronYaml("old")));
    await kv.put("default:cred:gh", record("gh"));
    await kv.put("cron:cred:a", record("a")); // tenant cron's credential, not tenant cred's schedule
    await kv.put("webhook:cred:x", stored("x", cronYaml("x"))); // tenant cred's workflow
    await kv.put("cron:default:old", "", {
      metadata: { triggers: [{ node: "schedule", expression: "* * * * *" }] },
    });
    await kv.put("default:oauth2:gh", '{"access_token":"cached"}', { expiration: hourFromNow() });
    await kv.put("exec:default:e-1", JSON.stringify(execution), { expiration: hourFromNow() });
    await kv.put(
      "execidx:default:old:8295696799999:e-1",
      JSON.stringify({ id: "e-1", status: "succeeded", started_at: execution.started_at }),
      { expiration: hourFromNow() },
    );
    await kv.put("cron-index:v1", "2024-01-01T00:00:00Z");
    await kv.put("unrelated:key", "left alone");
  }, 120_000);
  afterAll(async () => ex?.dispose());

  it("the first request finds every tenant's data under the new keys", async () => {
    expect(await workflows(ex, KEY.default)).toEqual(["old"]);
    expect(await credentials(ex, KEY.default)).toEqual(["gh"]);
    expect(await credentials(ex, KEY.cron)).toEqual(["a"]);
    expect(await credentials(ex, KEY.cred)).toEqual([]);
    expect(await workflows(ex, KEY.cred)).toEqual(["x"]);
    const got = await ex.request("/executions/e-1", { apiKey: KEY.default });
    expect(got.json).toMatchObject({ id: "e-1", status: "succeeded" });
    const list = await ex.request("/workflows/old/executions", { apiKey: KEY.default });
    expect((list.json as { executions: unknown[] }).executions).toEqual([
      expect.objectContaining({ id: "e-1", status: "succeeded" }),
    ]);
  });

  it("the next scheduled tick moves the rest and rebuilds the schedule index, which runs the workflows", async () => {
    const worker = await ex.mf.getWorker();
    const tick = await worker.scheduled({
      scheduledTime: new Date("2024-05-06T10:00:00Z"),
      cron: "* * * * *",
    });
    expect(tick.outcome).toBe("ok");
    const keys = (await kv.list()).keys;
    const names = keys.map((k) => k.name);
    // No key of the first schema is left (caches and the schedule index dropped), others untouched.
    expect(names.filter((n) => !n.startsWith("v2/"))).toEqual(["unrelated:key"]);
    expect(names).toEqual(
      expect.arrayContaining([
        "v2/cred/cron/a",
        "v2/cred/default/gh",
        "v2/exec/default/e-1",
        "v2/execidx/default/old/8295696799999/e-1",
        "v2/meta/schema",
        "v2/wf/cred/x",
        "v2/wf/default/old",
      ]),
    );
    // Traces keep their expiry.
    expect(keys.find((k) => k.name === "v2/exec/default/e-1")?.expiration).toBeGreaterThan(Date.now() / 1000);
    const index = (await kv.list({ prefix: "v2/cron/" })).keys.map((k) => k.name).sort();
    expect(index).toEqual(["v2/cron/cred/x", "v2/cron/default/old"]);
    expect(await credentials(ex, KEY.cron)).toEqual(["a"]);
  });

  it("runs once: a first-schema key written after the marker stays where it is", async () => {
    await kv.put("default:cred:late", record("late"));
    expect(await credentials(ex, KEY.default)).toEqual(["gh"]);
    expect(await kv.get("default:cred:late")).not.toBeNull();
  });
});

describe("a namespace with more first-schema keys than one invocation may touch", () => {
  let ex: LocalExecutor;
  let kv: KVNamespace;
  const OTHER_TENANTS_KEYS = 400;

  beforeAll(async () => {
    ex = await startExecutor(bindings, "test/fixtures/kv-reads-worker.ts");
    kv = (await ex.mf.getKVNamespace("ARCRUN_KV")) as unknown as KVNamespace;
    const record = (name: string) => JSON.stringify({ name, encrypted: "AAAA", iv: "BBBB", created_at: "" });
    await kv.put(
      "webhook:default:mine",
      JSON.stringify({ name: "mine", format: "yaml", source: cronYaml("mine"), updated_at: "" }),
    );
    // Moving all of these costs four KV operations each: more than Workers' 1000 per invocation.
    for (let i = 0; i < OTHER_TENANTS_KEYS; i++) await kv.put(`t${i}:cred:k`, record("k"));
  }, 120_000);
  afterAll(async () => ex?.dispose());

  const lastOps = async () => ((await ex.request("/__test/kv-ops")).json as { ops: number }).ops;

  it("a request reads its own record from the first schema in a few operations, and moves it", async () => {
    const res = await ex.request("/workflows/mine", { apiKey: KEY.default });
    expect(res.status, res.text).toBe(200);
    expect((res.json as { name: string }).name).toBe("mine");
    expect(await lastOps()).toBeLessThan(20);
    expect(await kv.get("webhook:default:mine")).toBeNull();
    expect(await kv.get("v2/wf/default/mine")).not.toBeNull();
    // Other tenants' records are left to the scheduled migration.
    expect(await kv.get("t0:cred:k")).not.toBeNull();
  });

  it("scheduled ticks move the rest a bounded step at a time, then mark the schema done", async () => {
    const worker = await ex.mf.getWorker();
    let ticks = 0;
    while ((await kv.get("v2/meta/schema")) === null) {
      expect(ticks++).toBeLessThan(20);
      const tick = await worker.scheduled({ scheduledTime: new Date(), cron: "* * * * *" });
      expect(tick.outcome).toBe("ok");
    }
    expect(ticks).toBeGreaterThan(1);
    const left = (await kv.list()).keys.filter((k) => !k.name.startsWith("v2/"));
    expect(left).toEqual([]);
    expect((await kv.list({ prefix: "v2/cred/" })).keys).toHaveLength(OTHER_TENANTS_KEYS);
  });
});

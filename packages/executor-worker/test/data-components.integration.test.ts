import { createHmac, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateExecutorKey, sealFor } from "./helpers/credentials.js";
import { type LocalExecutor, startExecutor } from "./helpers/executor.js";

// The data and platform components inside workerd (JSPI), through the production entry (src/index.ts:
// fetch and scheduled), in multi-tenant mode: hash and platform_crypto in workflows, platform_crypto's
// tenant isolation, cron fired through the scheduled handler, wait bounded by the limits.
const KEY_A = "key-data-a";
const KEY_B = "key-data-b";
const ENCRYPTION_KEY = generateExecutorKey();
const VAULT_SECRET = randomBytes(32).toString("base64");
const HOOK_SECRET = randomBytes(24).toString("hex");

let ex: LocalExecutor;

interface QueryReply {
  execution_id: string;
  status: string;
  output?: { success: boolean; branch?: string; data?: Record<string, unknown> };
  error?: { code: string; message: string; node?: string };
  trace: { node: string; status: string; duration_ms: number; error?: { code: string; message: string } }[];
}

async function pushCredential(apiKey: string, name: string, plaintext: string) {
  const sealed = await sealFor(ENCRYPTION_KEY, apiKey === KEY_A ? "tenant_a" : "tenant_b", name, plaintext);
  const res = await ex.request("/credentials", {
    method: "POST",
    apiKey,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(sealed),
  });
  expect(res.status, res.text).toBeLessThan(300);
}

async function register(apiKey: string, yaml: string) {
  const res = await ex.request("/webhooks/named", {
    method: "POST",
    apiKey,
    headers: { "content-type": "application/yaml" },
    body: yaml,
  });
  expect(res.status, res.text).toBeLessThan(300);
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

const SEAL = `
name: seal
flow:
  - input >> ON_SUCCESS >> enc
config:
  enc: { component: platform_crypto, operation: encrypt, credential: vault, value: "{{input.value}}" }
`;
const OPEN = `
name: open
flow:
  - input >> ON_SUCCESS >> dec
config:
  dec: { component: platform_crypto, operation: decrypt, credential: vault, value: "{{input.ciphertext}}", parse_json: true }
`;
const ROUNDTRIP = `
name: roundtrip
flow:
  - input >> ON_SUCCESS >> enc
  - enc >> ON_SUCCESS >> dec
  - dec >> ON_SUCCESS >> digest
config:
  enc: { component: platform_crypto, operation: encrypt, credential: vault, value: "{{input.value}}" }
  dec: { component: platform_crypto, operation: decrypt, credential: vault, value: "{{enc.data.ciphertext}}" }
  digest: { component: hash, algorithm: md5, value: "{{dec.data.value}}" }
`;
const VERIFY = `
name: verify
flow:
  - input >> ON_SUCCESS >> sig
  - sig >> ON_TRUE >> accepted
  - sig >> ON_FALSE >> rejected
config:
  sig: { component: hash, algorithm: hmac-sha256, credential: hook, value: "{{input.payload}}", compare: "{{input.signature}}" }
  accepted: { component: wait, ms: 0, value: accepted }
  rejected: { component: wait, ms: 0, value: rejected }
`;

beforeAll(async () => {
  ex = await startExecutor(
    {
      ENCRYPTION_KEY,
      ARCRUN_TENANCY: "multi",
      ARCRUN_API_KEYS: JSON.stringify({ [KEY_A]: "tenant_a", [KEY_B]: "tenant_b" }),
    },
    "src/index.ts",
  );
  await pushCredential(KEY_A, "vault", VAULT_SECRET);
  await pushCredential(KEY_A, "hook", HOOK_SECRET);
  for (const wf of [SEAL, OPEN, ROUNDTRIP, VERIFY]) await register(KEY_A, wf);
  for (const wf of [SEAL, OPEN]) await register(KEY_B, wf);
}, 60_000);

afterAll(async () => ex?.dispose());

describe("hash and platform_crypto in workflows", () => {
  it("encrypts, decrypts and hashes in one run (md5 in the host), on JSPI", async () => {
    const r = await query(KEY_A, "roundtrip", { value: "hello" });
    expect(r.status, r.text).toBe(200);
    expect(r.body.output?.data).toMatchObject({
      digest: "5d41402abc4b2a76b9719d911017c592",
      algorithm: "md5",
    });
    expect(r.body.trace.map((t) => t.node)).toEqual(["enc", "dec", "digest"]);
    const execution = await ex.request(`/executions/${r.body.execution_id}`, { apiKey: KEY_A });
    expect((execution.json as { mode: string }).mode).toBe("jspi");
    expect(execution.text).not.toContain(VAULT_SECRET);
    // A /query run is listed once, finished, under the workflow's executions.
    const listed = await ex.request("/workflows/roundtrip/executions", { apiKey: KEY_A });
    const ids = (listed.json as { executions: { id: string; status: string }[] }).executions.filter(
      (e) => e.id === r.body.execution_id,
    );
    expect(ids).toEqual([expect.objectContaining({ status: "succeeded" })]);
  });

  it("a sealed value opens again, as JSON with parse_json; the key never appears", async () => {
    const sealed = await query(KEY_A, "seal", { value: { card: "4242", exp: "12/30" } });
    const ciphertext = sealed.body.output?.data?.ciphertext as string;
    expect(ciphertext).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
    expect(sealed.text).not.toContain("4242");
    expect(sealed.text).not.toContain(VAULT_SECRET);
    const opened = await query(KEY_A, "open", { ciphertext });
    expect(opened.status, opened.text).toBe(200);
    expect(opened.body.output?.data?.value).toEqual({ card: "4242", exp: "12/30" });
  });

  it("verifies an HMAC signature keyed by a stored credential, and branches on it", async () => {
    const payload = '{"action":"opened"}';
    const signature = `sha256=${createHmac("sha256", HOOK_SECRET).update(payload).digest("hex")}`;
    const good = await query(KEY_A, "verify", { payload, signature });
    expect(good.body.output?.data?.value).toBe("accepted");
    expect(good.body.trace.map((t) => t.node)).toEqual(["sig", "accepted"]);
    const bad = await query(KEY_A, "verify", { payload: `${payload} `, signature });
    expect(bad.body.output?.data?.value).toBe("rejected");
    expect(good.text).not.toContain(HOOK_SECRET);
  });
});

describe("platform_crypto tenant isolation", () => {
  it("tenant B without the credential cannot decrypt tenant A's ciphertext", async () => {
    const sealed = await query(KEY_A, "seal", { value: "tenant a data" });
    const ciphertext = sealed.body.output?.data?.ciphertext as string;
    const r = await query(KEY_B, "open", { ciphertext });
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({
      code: "ERR_COMPONENT_FAILED",
      node: "dec",
      message: 'no credential "vault" for this tenant; run: arcrun creds push vault',
    });
  });

  it("nor with its own credential of the same name and the same secret", async () => {
    await pushCredential(KEY_B, "vault", VAULT_SECRET);
    const sealed = await query(KEY_A, "seal", { value: "tenant a data" });
    const ciphertext = sealed.body.output?.data?.ciphertext as string;
    const r = await query(KEY_B, "open", { ciphertext });
    expect(r.status).toBe(422);
    expect(r.body.error?.message).toBe(
      'the ciphertext was not encrypted with credential "vault" of this tenant, or it was altered',
    );
    expect(r.text).not.toContain("tenant a data");
    // B's own values still round-trip.
    const own = await query(KEY_B, "seal", { value: "tenant b data" });
    const back = await query(KEY_B, "open", { ciphertext: own.body.output?.data?.ciphertext });
    expect(back.body.error?.message ?? "").toBe(
      "the decrypted value is not a JSON object or array; leave parse_json off to get it as text",
    );
  });
});

describe("wait is bounded by the limits", () => {
  it("waits for a short time", async () => {
    await register(
      KEY_A,
      "name: pause\nflow:\n  - input >> ON_SUCCESS >> w\nconfig:\n  w: { component: wait, ms: 60 }\n",
    );
    const r = await query(KEY_A, "pause");
    expect(r.status, r.text).toBe(200);
    expect(r.body.output?.data?.waited_ms).toBeGreaterThanOrEqual(55);
  });

  it("refuses at once a wait past the node's time limit", async () => {
    await register(
      KEY_A,
      "name: too-long\nlimits: { node_ms: 500 }\nflow:\n  - input >> ON_SUCCESS >> w\nconfig:\n  w: { component: wait, ms: 5000 }\n",
    );
    const r = await query(KEY_A, "too-long");
    expect(r.status).toBe(422);
    expect(r.body.error?.code).toBe("ERR_LIMIT_NODE_TIME");
    expect(r.body.error?.node).toBe("w");
    expect(r.body.error?.message).toMatch(
      /^a wait of 5000 ms would pass the node's time limit \(\d+ ms left; limits\.node_ms\); wait less or raise limits\.node_ms$/,
    );
    // It did not sit out the 5 s.
    expect(r.body.trace[0]?.duration_ms).toBeLessThan(5000);
  });

  it("and a wait past what is left of the run", async () => {
    await register(
      KEY_A,
      "name: run-out\nlimits: { run_ms: 1000 }\nflow:\n  - input >> ON_SUCCESS >> a\n  - a >> ON_SUCCESS >> b\nconfig:\n  a: { component: wait, ms: 600 }\n  b: { component: wait, ms: 600 }\n",
    );
    const r = await query(KEY_A, "run-out");
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: "ERR_LIMIT_RUN_TIME", node: "b" });
    expect(r.body.trace.map((t) => t.status)).toEqual(["succeeded", "failed"]);
  });
});

describe("cron through the scheduled handler", () => {
  const TICK = `
name: tick
flow:
  - input >> ON_SUCCESS >> schedule
  - schedule >> ON_SUCCESS >> stamp
config:
  schedule: { component: cron, expression: "*/5 * * * *" }
  stamp: { component: date_ops, operation: format, value: "{{input.scheduled_time}}", format: "YYYY-MM-DD HH:mm" }
`;
  const B_DAILY = `
name: daily
flow:
  - input >> ON_SUCCESS >> schedule
config:
  schedule: { component: cron, expression: "5 10 * * *" }
`;
  const NEVER_NOW = `
name: new-year
flow:
  - input >> ON_SUCCESS >> schedule
config:
  schedule: { component: cron, expression: "@yearly" }
`;

  async function executions(apiKey: string, name: string) {
    const res = await ex.request(`/workflows/${name}/executions`, { apiKey });
    return (res.json as { executions: { id: string; status: string }[] }).executions;
  }

  async function fire(iso: string) {
    const worker = await ex.mf.getWorker();
    const result = await worker.scheduled({ scheduledTime: new Date(iso), cron: "* * * * *" });
    expect(result.outcome).toBe("ok");
  }

  beforeAll(async () => {
    await register(KEY_A, TICK);
    await register(KEY_A, NEVER_NOW);
    await register(KEY_B, B_DAILY);
  });

  it("runs each tenant's matching workflows once for the minute, with the scheduled time as input", async () => {
    await fire("2024-05-01T10:05:20Z");
    const ticks = await executions(KEY_A, "tick");
    expect(ticks).toHaveLength(1);
    expect(ticks[0]?.status).toBe("succeeded");
    const run = await ex.request(`/executions/${ticks[0]?.id}`, { apiKey: KEY_A });
    const execution = run.json as { output: { data: { result: string } }; trace: { node: string }[] };
    expect(execution.output.data.result).toBe("2024-05-01 10:05");
    expect(execution.trace.map((t) => t.node)).toEqual(["schedule", "stamp"]);
    // Tenant B's workflow ran under tenant B, and only B sees it.
    expect(await executions(KEY_B, "daily")).toHaveLength(1);
    expect(await executions(KEY_A, "daily")).toHaveLength(0);
    // Not matching: nothing.
    expect(await executions(KEY_A, "new-year")).toHaveLength(0);
  });

  it("a repeated event for the same minute does not run a workflow twice; the next match runs again", async () => {
    await fire("2024-05-01T10:05:50Z");
    expect(await executions(KEY_A, "tick")).toHaveLength(1);
    await fire("2024-05-01T10:06:00Z");
    expect(await executions(KEY_A, "tick")).toHaveLength(1);
    await fire("2024-05-01T10:10:00Z");
    expect(await executions(KEY_A, "tick")).toHaveLength(2);
    await fire("2025-01-01T00:00:00Z");
    expect(await executions(KEY_A, "new-year")).toHaveLength(1);
    expect(await executions(KEY_B, "daily")).toHaveLength(1);
  });

  it("a cron workflow can also be triggered by hand; the cron node reports its next run", async () => {
    const r = await query(KEY_B, "daily");
    expect(r.status, r.text).toBe(200);
    expect(r.body.output?.data).toMatchObject({ expression: "5 10 * * *", timezone: "UTC" });
    expect(r.body.output?.data?.next_run).toMatch(/T10:05:00\.000Z$/);
  });
});

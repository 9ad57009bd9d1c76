import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateExecutorKey } from "./helpers/credentials.js";
import { type LocalExecutor, startExecutor } from "./helpers/executor.js";

// The schedule index (v2/cron/{tenant}/{name}, triggers in the key's KV metadata) on workerd through Miniflare:
// kept in step by POST /webhooks/named and DELETE /workflows/:name, built once for workflows stored before
// it (v2/meta/cron-index), and the scheduled handler reads only the workflows whose indexed expression matches.
let ex: LocalExecutor;
let kv: KVNamespace;

const cronYaml = (name: string, expression: string) => `
name: ${name}
flow:
  - input >> ON_SUCCESS >> schedule
config:
  schedule: { component: cron, expression: "${expression}" }
`;
const plainYaml = (name: string) => `
name: ${name}
flow:
  - input >> ON_SUCCESS >> pause
config:
  pause: { component: wait, ms: 0, value: plain }
`;

async function push(yaml: string) {
  const res = await ex.request("/webhooks/named", {
    method: "POST",
    headers: { "content-type": "application/yaml" },
    body: yaml,
  });
  expect(res.status, res.text).toBeLessThan(300);
}

/** Writes a workflow straight into KV, as a namespace from before the index (or a hand edit) holds it. */
async function storeRaw(name: string, source: string) {
  const stored = { name, format: "yaml", source, updated_at: new Date().toISOString() };
  await kv.put(`v2/wf/default/${name}`, JSON.stringify(stored));
}

async function index(): Promise<Record<string, unknown>> {
  const page = await kv.list({ prefix: "v2/cron/" });
  return Object.fromEntries(page.keys.map((k) => [k.name, k.metadata ?? null]));
}

async function executions(name: string) {
  const res = await ex.request(`/workflows/${name}/executions`);
  return (res.json as { executions: { id: string; status: string }[] }).executions;
}

async function fire(iso: string) {
  const worker = await ex.mf.getWorker();
  const result = await worker.scheduled({ scheduledTime: new Date(iso), cron: "* * * * *" });
  expect(result.outcome).toBe("ok");
}

/** The KV keys the scheduled handler read since the last call. */
async function reads(): Promise<string[]> {
  return (await ex.request("/__test/kv-reads")).json as string[];
}

beforeAll(async () => {
  ex = await startExecutor({ ENCRYPTION_KEY: generateExecutorKey() }, "test/fixtures/kv-reads-worker.ts");
  kv = (await ex.mf.getKVNamespace("ARCRUN_KV")) as unknown as KVNamespace;
}, 60_000);

afterAll(async () => ex?.dispose());

describe("the schedule index, kept by the API", () => {
  it("Miniflare's KV list() returns a key's metadata (what the scheduled handler relies on)", async () => {
    await kv.put("probe:metadata", "", { metadata: { triggers: [{ node: "n", expression: "* * * * *" }] } });
    const page = await kv.list({ prefix: "probe:" });
    expect(page.keys).toEqual([
      { name: "probe:metadata", metadata: { triggers: [{ node: "n", expression: "* * * * *" }] } },
    ]);
    await kv.delete("probe:metadata");
  });

  it("a pushed cron workflow is indexed with its expression; a workflow without cron is not", async () => {
    await push(cronYaml("tick", "*/5 * * * *"));
    await push(plainYaml("plain"));
    expect(await index()).toEqual({
      "v2/cron/default/tick": { triggers: [{ node: "schedule", expression: "*/5 * * * *" }] },
    });
    // The index key holds no value: everything is in the metadata.
    expect(await kv.get("v2/cron/default/tick")).toBe("");
  });

  it("a re-push without cron removes the entry, one with a new expression replaces it, delete removes it", async () => {
    await push(plainYaml("tick"));
    expect(await index()).toEqual({});
    await push(cronYaml("tick", "0 9 * * MON-FRI"));
    expect(await index()).toEqual({
      "v2/cron/default/tick": { triggers: [{ node: "schedule", expression: "0 9 * * MON-FRI" }] },
    });
    const del = await ex.request("/workflows/tick", { method: "DELETE" });
    expect(del.status, del.text).toBe(200);
    expect(await index()).toEqual({});
    // A second delete is still a 404, and leaves the index alone.
    const again = await ex.request("/workflows/tick", { method: "DELETE" });
    expect((again.json as { error: { code: string } }).error.code).toBe("ERR_WORKFLOW_NOT_FOUND");
  });

  it("a template expression is not a trigger, so it is not indexed", async () => {
    await push(cronYaml("templated", "{{input.when}}"));
    expect(await index()).toEqual({});
    await ex.request("/workflows/templated", { method: "DELETE" });
  });

  it("triggers too long for the 1 KiB metadata limit go in the index key's value", async () => {
    const nodes = Array.from({ length: 30 }, (_, i) => `c${String(i).padStart(2, "0")}`);
    const yaml = `
name: many
flow:
${nodes.map((n) => `  - input >> ON_SUCCESS >> ${n}`).join("\n")}
config:
${nodes.map((n, i) => `  ${n}: { component: cron, expression: "${i} 3 * * MON-FRI" }`).join("\n")}
`;
    await push(yaml);
    expect(await index()).toEqual({ "v2/cron/default/many": null });
    const value = JSON.parse((await kv.get("v2/cron/default/many")) ?? "null") as { triggers: unknown[] };
    expect(value.triggers).toHaveLength(30);
    expect(value.triggers[7]).toEqual({ node: "c07", expression: "7 3 * * MON-FRI" });
  });
});

describe("the scheduled handler reads the index", () => {
  it("builds the index once from workflows stored before it, and runs the matching ones", async () => {
    expect(await kv.get("v2/meta/cron-index")).toBeNull();
    await storeRaw("legacy", cronYaml("legacy", "0 * * * *"));
    await storeRaw("legacy-plain", plainYaml("legacy-plain"));
    expect(Object.keys(await index())).toEqual(["v2/cron/default/many"]);

    await fire("2024-05-06T10:00:30Z");
    expect(await index()).toEqual({
      "v2/cron/default/legacy": { triggers: [{ node: "schedule", expression: "0 * * * *" }] },
      "v2/cron/default/many": null,
    });
    expect(await kv.get("v2/meta/cron-index")).not.toBeNull();
    expect(await executions("legacy")).toHaveLength(1);
    expect(await executions("legacy-plain")).toHaveLength(0);
    // The backfill read every workflow once; then the run read the matching one again.
    expect((await reads()).filter((k) => k.startsWith("v2/wf/")).sort()).toEqual([
      "v2/wf/default/legacy",
      "v2/wf/default/legacy",
      "v2/wf/default/legacy-plain",
      "v2/wf/default/many",
      "v2/wf/default/plain",
    ]);

    // With the marker set, a workflow stored behind the API's back is not indexed again.
    await storeRaw("later", cronYaml("later", "0 * * * *"));
    await fire("2024-05-06T11:00:00Z");
    expect(await executions("later")).toHaveLength(0);
    expect(await executions("legacy")).toHaveLength(2);
    await kv.delete("v2/wf/default/later");
  });

  it("reads (GETs) only the workflows whose indexed expression matches the minute", async () => {
    await push(cronYaml("hourly", "30 * * * *"));
    await push(cronYaml("yearly", "@yearly"));
    await push(plainYaml("plain"));
    // Reading this one would throw in JSON.parse: a handler that read every workflow fails the event.
    await kv.put("v2/wf/default/corrupt", "{ not json");
    await reads();

    await fire("2024-05-06T12:30:10Z");
    expect((await reads()).filter((k) => k.startsWith("v2/wf/"))).toEqual(["v2/wf/default/hourly"]);
    const runs = await executions("hourly");
    expect(runs).toHaveLength(1);
    expect(runs[0]?.status).toBe("succeeded");
    expect(await executions("yearly")).toHaveLength(0);

    // The once-per-minute marker still holds with the index.
    await fire("2024-05-06T12:30:40Z");
    expect(await executions("hourly")).toHaveLength(1);
    expect((await reads()).filter((k) => k.startsWith("v2/wf/"))).toEqual(["v2/wf/default/hourly"]);

    // No expression matches: no workflow read at all.
    await fire("2024-05-06T12:31:00Z");
    expect((await reads()).filter((k) => k.startsWith("v2/wf/"))).toEqual([]);
    await kv.delete("v2/wf/default/corrupt");
  });

  it("a workflow whose triggers only fit in the index key's value still runs on its minute", async () => {
    await reads();
    await fire("2024-05-06T03:07:00Z"); // a Monday
    const read = await reads();
    expect(read).toContain("v2/cron/default/many");
    expect(read.filter((k) => k.startsWith("v2/wf/"))).toEqual(["v2/wf/default/many"]);
    expect(await executions("many")).toHaveLength(1);
  });

  it("skips and removes a stale entry; rewrites one whose expression changed behind the API's back", async () => {
    const everyMinute = { triggers: [{ node: "schedule", expression: "* * * * *" }] };
    // The workflow is gone (deleted by hand in KV).
    await kv.put("v2/cron/default/ghost", "", { metadata: everyMinute });
    // The workflow is there, but was replaced by one without a schedule.
    await storeRaw("demoted", plainYaml("demoted"));
    await kv.put("v2/cron/default/demoted", "", { metadata: everyMinute });
    // The workflow's schedule differs from the index's.
    await kv.put("v2/cron/default/hourly", "", { metadata: everyMinute });

    await fire("2024-05-06T13:07:00Z");
    const entries = await index();
    expect(entries["v2/cron/default/ghost"]).toBeUndefined();
    expect(entries["v2/cron/default/demoted"]).toBeUndefined();
    expect(entries["v2/cron/default/hourly"]).toEqual({
      triggers: [{ node: "schedule", expression: "30 * * * *" }],
    });
    expect(await executions("ghost")).toHaveLength(0);
    expect(await executions("demoted")).toHaveLength(0);
    // Its real expression does not match 13:07, so it did not run.
    expect(await executions("hourly")).toHaveLength(1);
    await fire("2024-05-06T13:30:00Z");
    expect(await executions("hourly")).toHaveLength(2);
  });
});

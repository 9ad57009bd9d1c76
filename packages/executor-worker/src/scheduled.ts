import { INPUT, type WorkflowGraph } from "@arcrun/workflow";
import type { Execution } from "./engine/execute.js";
import type { Env } from "./env.js";
import { CronError, cronMatches, parseCron } from "./internal/cron.js";
import { migrateV1Keys } from "./internal/migrate-v1.js";
import { CRON_INDEX_MARKER, cronRunKey, kindPrefix, splitKey, workflowKey } from "./keys.js";
import type { ComponentRegistry } from "./routes/common.js";
import { compileStored, runStored } from "./run.js";
import {
  type CronTrigger,
  cronIndexEntry,
  listKeys,
  putCronIndex,
  Store,
  type StoredWorkflow,
} from "./store.js";

/** The component that makes a workflow a scheduled one, as the first node after `input`. */
export const CRON_COMPONENT = "cron";
const DEFAULT_EXECUTION_TTL = 7 * 24 * 3600;
const MINUTE = 60_000;

/** One workflow the scheduled handler started. */
export interface ScheduledRun {
  tenant: string;
  workflow: string;
  node: string;
  expression: string;
  execution_id: string;
  status: Execution["status"];
  error?: Execution["error"];
}

/** The input a scheduled run gets (`{{input.scheduled_time}}` in its nodes). */
export interface ScheduledInput {
  trigger: "cron";
  scheduled_time: string;
  expression: string;
  node: string;
}

/** The cron nodes right after `input`, with a literal expression. */
export function cronTriggers(graph: WorkflowGraph): CronTrigger[] {
  const out: CronTrigger[] = [];
  for (const edge of graph.edges) {
    if (edge.from !== INPUT) continue;
    const cfg = graph.nodes[edge.to];
    const expression = cfg?.params.expression;
    if (cfg?.component !== CRON_COMPONENT || typeof expression !== "string" || expression.includes("{{"))
      continue;
    if (!out.some((t) => t.node === edge.to)) out.push({ node: edge.to, expression });
  }
  return out;
}

function matches(expression: string, at: Date): boolean {
  try {
    return cronMatches(parseCron(expression), at);
  } catch (err) {
    if (err instanceof CronError) return false;
    throw err;
  }
}

function sameTriggers(a: CronTrigger[], b: CronTrigger[] | undefined): boolean {
  return (
    b !== undefined &&
    a.length === b.length &&
    a.every((t, i) => t.node === b[i]?.node && t.expression === b[i]?.expression)
  );
}

/** A stored workflow, compiled: "missing" when the key is gone, "broken" when it no longer parses or compiles. */
async function loadGraph(
  kv: KVNamespace,
  key: string,
  registry: ComponentRegistry,
): Promise<WorkflowGraph | "missing" | "broken"> {
  const raw = await kv.get(key);
  if (raw === null) return "missing";
  try {
    return compileStored(JSON.parse(raw) as StoredWorkflow, registry);
  } catch {
    // A workflow stored before a component was removed no longer compiles; its webhook reports why.
    return "broken";
  }
}

/**
 * Builds the schedule index from the workflows stored before it existed (a persisted KV of `pnpm start`, or
 * a deployed namespace): once, when CRON_INDEX_MARKER is missing, reads every workflow, writes the index
 * key of those with cron triggers, then sets the marker. Workflows registered since keep it up to date.
 */
export async function backfillCronIndex(kv: KVNamespace, registry: ComponentRegistry): Promise<number> {
  if ((await kv.get(CRON_INDEX_MARKER)) !== null) return 0;
  let indexed = 0;
  for await (const k of listKeys(kv, kindPrefix("wf"))) {
    const at = splitKey("wf", k.name);
    if (!at) continue;
    const graph = await loadGraph(kv, k.name, registry);
    if (typeof graph === "string") continue;
    const triggers = cronTriggers(graph);
    if (triggers.length === 0) continue;
    await putCronIndex(kv, at.tenant, at.name, triggers);
    indexed++;
  }
  await kv.put(CRON_INDEX_MARKER, new Date().toISOString());
  return indexed;
}

/** The schedule index: each entry's triggers from its metadata (or, when too large for metadata, its value). */
async function* cronIndex(
  kv: KVNamespace,
): AsyncGenerator<{ key: string; tenant: string; name: string; triggers: CronTrigger[] | undefined }> {
  for await (const k of listKeys(kv, kindPrefix("cron"))) {
    const at = splitKey("cron", k.name);
    if (!at) continue;
    let triggers = cronIndexEntry(k.metadata);
    if (!triggers) {
      const raw = await kv.get(k.name);
      try {
        triggers = raw ? cronIndexEntry(JSON.parse(raw)) : undefined;
      } catch {
        triggers = undefined;
      }
    }
    // Unreadable triggers: the workflow itself is checked, and the entry rewritten from it.
    yield { key: k.name, ...at, triggers };
  }
}

/**
 * Runs, for every tenant, each stored workflow whose first node after `input` is a `cron` whose expression
 * matches the minute of `scheduledTime` (UTC). It lists the schedule index (`v2/cron/` keys, whose metadata
 * hold the expressions) and reads and compiles only the workflows with a matching one; the first call on a
 * namespace without the index marker builds the index from the stored workflows (backfillCronIndex). A workflow runs at most once per minute (a marker in KV
 * guards against a repeated delivery of the same event). Returns what it started, finished.
 */
export async function runScheduled(
  registry: ComponentRegistry,
  env: Env,
  scheduledTime: number,
): Promise<ScheduledRun[]> {
  const minute = Math.floor(scheduledTime / MINUTE) * MINUTE;
  const at = new Date(minute);
  const ttl = Math.max(60, Number(env.EXECUTION_TTL_SECONDS ?? "") || DEFAULT_EXECUTION_TTL);
  const runs: Promise<ScheduledRun>[] = [];

  // The first schema's keys move a bounded step per tick (requests read them where they are meanwhile).
  await migrateV1Keys(env.ARCRUN_KV);
  await backfillCronIndex(env.ARCRUN_KV, registry);
  for await (const entry of cronIndex(env.ARCRUN_KV)) {
    const { tenant } = entry;
    // Only a workflow one of whose indexed expressions matches the minute is read and compiled.
    if (entry.triggers && !entry.triggers.some((t) => matches(t.expression, at))) continue;
    const graph = await loadGraph(env.ARCRUN_KV, workflowKey(tenant, entry.name), registry);
    if (graph === "broken") continue;
    const triggers = graph === "missing" ? [] : cronTriggers(graph);
    if (graph === "missing" || triggers.length === 0) {
      // A stale entry (the workflow deleted, or replaced without a schedule, behind the API's back).
      await env.ARCRUN_KV.delete(entry.key);
      continue;
    }
    if (!sameTriggers(triggers, entry.triggers))
      await putCronIndex(env.ARCRUN_KV, tenant, entry.name, triggers);
    const trigger = triggers.find((t) => matches(t.expression, at));
    if (!trigger) continue;
    const marker = cronRunKey(tenant, graph.name, minute);
    if ((await env.ARCRUN_KV.get(marker)) !== null) continue;
    await env.ARCRUN_KV.put(marker, "1", { expirationTtl: 120 });

    const store = new Store(env.ARCRUN_KV, tenant, ttl);
    const id = crypto.randomUUID();
    const input: ScheduledInput = {
      trigger: "cron",
      scheduled_time: at.toISOString(),
      expression: trigger.expression,
      node: trigger.node,
    };
    runs.push(
      (async (): Promise<ScheduledRun> => {
        const { done } = await runStored({ env, registry, store }, graph, input, id, { progress: false });
        const execution = await done;
        console.log(`cron: ${tenant}/${graph.name} (${trigger.expression}) ${execution.status}`);
        return {
          tenant,
          workflow: graph.name,
          node: trigger.node,
          expression: trigger.expression,
          execution_id: id,
          status: execution.status,
          ...(execution.error ? { error: execution.error } : {}),
        };
      })(),
    );
  }
  return Promise.all(runs);
}

/** The Worker's `scheduled` handler (wrangler.toml [triggers] crons, every minute). */
export function scheduledHandler(
  registry: ComponentRegistry,
): (controller: ScheduledController, env: Env, ctx: ExecutionContext) => Promise<void> {
  return async (controller, env) => {
    await runScheduled(registry, env, controller.scheduledTime);
  };
}

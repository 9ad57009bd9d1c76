import {
  compileWorkflow,
  INPUT,
  parseWorkflowObject,
  parseWorkflowYaml,
  type WorkflowGraph,
} from "@arcrun/workflow";
import { type Execution, executeWorkflow } from "./engine/execute.js";
import { effectiveLimits, workerLimits } from "./engine/limits.js";
import type { Env } from "./env.js";
import { importEncryptionKey, type KvStore } from "./host/credentials.js";
import { CronError, cronMatches, parseCron } from "./internal/cron.js";
import type { ComponentRegistry } from "./routes/common.js";
import type { StoredWorkflow } from "./store.js";
import { Store } from "./store.js";
import { recipesFrom } from "./tenant.js";

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

/** `webhook:{tenant}:{name}` -> tenant and name (neither contains ":"). */
function splitKey(key: string): { tenant: string; name: string } | undefined {
  const m = /^webhook:([^:]+):([^:]+)$/.exec(key);
  return m ? { tenant: m[1] as string, name: m[2] as string } : undefined;
}

/** The cron nodes right after `input`, with a literal expression. */
export function cronTriggers(graph: WorkflowGraph): { node: string; expression: string }[] {
  const out: { node: string; expression: string }[] = [];
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

async function* storedWorkflows(kv: KVNamespace): AsyncGenerator<{ tenant: string; stored: StoredWorkflow }> {
  let cursor: string | undefined;
  do {
    const page = await kv.list({ prefix: "webhook:", ...(cursor ? { cursor } : {}) });
    for (const k of page.keys) {
      const at = splitKey(k.name);
      if (!at) continue;
      const raw = await kv.get(k.name);
      if (raw) yield { tenant: at.tenant, stored: JSON.parse(raw) as StoredWorkflow };
    }
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
}

/**
 * Runs, for every tenant, each stored workflow whose first node after `input` is a `cron` whose expression
 * matches the minute of `scheduledTime` (UTC). A workflow runs at most once per minute (a marker in KV
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
  const kv: KvStore = {
    get: (k) => env.ARCRUN_KV.get(k),
    put: (k, v, o) => env.ARCRUN_KV.put(k, v, o),
  };
  let key: Promise<CryptoKey> | undefined;
  const recipe = recipesFrom(env.ARCRUN_RECIPES);
  const ceiling = workerLimits(env.ARCRUN_LIMITS);
  const runs: Promise<ScheduledRun>[] = [];

  for await (const { tenant, stored } of storedWorkflows(env.ARCRUN_KV)) {
    let graph: WorkflowGraph;
    try {
      const doc =
        stored.format === "json"
          ? parseWorkflowObject(JSON.parse(stored.source))
          : parseWorkflowYaml(stored.source);
      graph = compileWorkflow(doc, { components: new Set(Object.keys(registry.modules)) });
    } catch {
      // A workflow stored before a component was removed no longer compiles; its webhook reports why.
      continue;
    }
    const trigger = cronTriggers(graph).find((t) => {
      try {
        return cronMatches(parseCron(t.expression), at);
      } catch (err) {
        if (err instanceof CronError) return false;
        throw err;
      }
    });
    if (!trigger) continue;
    const marker = `cronrun:${tenant}:${graph.name}:${minute}`;
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
        const started: Execution = {
          id,
          workflow: graph.name,
          status: "running",
          started_at: new Date().toISOString(),
          trace: [],
        };
        await store.putExecution(started);
        const execution = await executeWorkflow(
          graph,
          input,
          {
            tenant,
            kv,
            encryptionKey: () => {
              key ??= importEncryptionKey(env.ENCRYPTION_KEY);
              return key;
            },
            fetch: (req) => fetch(req),
            recipe,
            modules: registry.modules,
          },
          effectiveLimits(ceiling, graph.limits),
          id,
        );
        // The same started_at as the first write, so the execution index holds one entry.
        await store.putExecution({ ...execution, started_at: started.started_at });
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

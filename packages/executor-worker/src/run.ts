import {
  compileWorkflow,
  parseWorkflowObject,
  parseWorkflowYaml,
  type WorkflowGraph,
} from "@arcrun/workflow";
import { type Execution, executeWorkflow } from "./engine/execute.js";
import { effectiveLimits, workerLimits } from "./engine/limits.js";
import { ExecutorError } from "./errors.js";
import type { KvStore } from "./host/credentials.js";
import { checkExecutorKey } from "./host/credentials.js";
import type { AppContext, ComponentRegistry } from "./routes/common.js";
import type { Store, StoredWorkflow } from "./store.js";
import { recipeFor } from "./tenant.js";

export async function workflowFromStored(c: AppContext, store: Store, name: string): Promise<WorkflowGraph> {
  const stored = await store.getWorkflow(name);
  if (!stored)
    throw new ExecutorError(
      "ERR_WORKFLOW_NOT_FOUND",
      `no workflow "${name}"; run: arcrun workflow push <file>`,
    );
  return compileStored(stored, c.get("registry"));
}

/** A stored workflow's graph: its source parsed in its format, compiled against the components there are. */
export function compileStored(stored: StoredWorkflow, registry: ComponentRegistry): WorkflowGraph {
  const doc =
    stored.format === "json"
      ? parseWorkflowObject(JSON.parse(stored.source))
      : parseWorkflowYaml(stored.source);
  return compileWorkflow(doc, { components: new Set(Object.keys(registry.modules)) });
}

/**
 * Starts a run: stores it as running, and returns a promise of the finished execution, stored again at the
 * end (and after every node with `progress`, for background runs whose GET /executions/:id shows progress).
 */
export async function runStored(
  c: AppContext,
  store: Store,
  graph: WorkflowGraph,
  input: unknown,
  id: string,
  opts: { progress: boolean },
): Promise<{ started: Execution; done: Promise<Execution> }> {
  const limits = effectiveLimits(workerLimits(c.env.ARCRUN_LIMITS), graph.limits);
  const started: Execution = {
    id,
    workflow: graph.name,
    status: "running",
    started_at: new Date().toISOString(),
    trace: [],
  };
  await store.putExecution(started);
  const kv: KvStore = {
    get: (k) => c.env.ARCRUN_KV.get(k),
    put: (k, v, o) => c.env.ARCRUN_KV.put(k, v, o),
  };
  const registry = c.get("registry");
  const done = executeWorkflow(
    graph,
    input,
    {
      tenant: store.tenant,
      kv,
      encryptionKey: () => checkExecutorKey(c.env.ENCRYPTION_KEY),
      fetch: (req) => fetch(req),
      recipe: recipeFor(c),
      modules: registry.modules,
    },
    limits,
    id,
    opts.progress
      ? (progress) => store.putExecution({ ...progress, started_at: started.started_at })
      : undefined,
  ).then(async (execution) => {
    // The record is indexed by its start time: keep the one the "running" record was filed under.
    const final = { ...execution, started_at: started.started_at };
    await store.putExecution(final);
    return final;
  });
  return { started, done };
}

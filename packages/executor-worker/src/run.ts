import {
  compileWorkflow,
  parseWorkflowObject,
  parseWorkflowYaml,
  type WorkflowGraph,
} from "@arcrun/workflow";
import { type Execution, executeWorkflow } from "./engine/execute.js";
import { effectiveLimits, workerLimits } from "./engine/limits.js";
import type { Env } from "./env.js";
import { ExecutorError } from "./errors.js";
import type { KvStore } from "./host/credentials.js";
import { checkExecutorKey } from "./host/credentials.js";
import { runRecipes } from "./recipes.js";
import type { ComponentRegistry } from "./routes/common.js";
import type { Store, StoredWorkflow } from "./store.js";
import { recipesFrom } from "./tenant.js";

export async function workflowFromStored(
  registry: ComponentRegistry,
  store: Store,
  name: string,
): Promise<WorkflowGraph> {
  const stored = await store.getWorkflow(name);
  if (!stored)
    throw new ExecutorError(
      "ERR_WORKFLOW_NOT_FOUND",
      `no workflow "${name}"; run: arcrun workflow push <file>`,
    );
  return compileStored(stored, registry);
}

/** A stored workflow's graph: its source parsed in its format, compiled against the components there are. */
export function compileStored(stored: StoredWorkflow, registry: ComponentRegistry): WorkflowGraph {
  const doc =
    stored.format === "json"
      ? parseWorkflowObject(JSON.parse(stored.source))
      : parseWorkflowYaml(stored.source);
  return compileWorkflow(doc, { components: new Set(Object.keys(registry.modules)) });
}

/** Where a run happens: the Worker's bindings, its components, and the tenant's store. */
export interface RunPlace {
  env: Env;
  registry: ComponentRegistry;
  store: Store;
}

/**
 * Starts a run: stores it as running, and returns a promise of the finished execution, stored again at the
 * end (and after every node with `progress`, for background runs whose GET /executions/:id shows progress).
 * Plain arguments, no request: the routes and the scheduled handler both start runs with it.
 */
export async function runStored(
  { env, registry, store }: RunPlace,
  graph: WorkflowGraph,
  input: unknown,
  id: string,
  opts: { progress: boolean },
): Promise<{ started: Execution; done: Promise<Execution> }> {
  const limits = effectiveLimits(workerLimits(env.ARCRUN_LIMITS), graph.limits);
  const started: Execution = {
    id,
    workflow: graph.name,
    status: "running",
    started_at: new Date().toISOString(),
    trace: [],
  };
  await store.putExecution(started);
  const kv: KvStore = {
    get: (k) => env.ARCRUN_KV.get(k),
    put: (k, v, o) => env.ARCRUN_KV.put(k, v, o),
    delete: (k) => env.ARCRUN_KV.delete(k),
  };
  const done = executeWorkflow(
    graph,
    input,
    {
      tenant: store.tenant,
      kv,
      encryptionKey: () => checkExecutorKey(env.ENCRYPTION_KEY),
      fetch: (req) => fetch(req),
      recipe: runRecipes(recipesFrom(env.ARCRUN_RECIPES), env.ARCRUN_KV, store.tenant),
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

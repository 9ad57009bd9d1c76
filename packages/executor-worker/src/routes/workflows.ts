import {
  compileWorkflow,
  parseWorkflowObject,
  parseWorkflowYaml,
  WORKFLOW_LIMITS,
  type WorkflowDoc,
} from "@arcrun/workflow";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ExecutorError } from "../errors.js";
import { executorRefusal } from "../primitives.js";
import { runStored, workflowFromStored } from "../run.js";
import { cronTriggers } from "../scheduled.js";
import { recipeFor, storeFor } from "../tenant.js";
import { type AppContext, type AppEnv, badRequest, errorResponse } from "./common.js";

export const workflowRoutes = new Hono<AppEnv>();

async function readInput(c: { req: { text(): Promise<string> } }): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest("the trigger body must be JSON (the workflow's input), or empty");
  }
}

/**
 * A workflow's body is refused above WORKFLOW_LIMITS.body_bytes before it is read whole (by its
 * Content-Length, or while it streams in), so no parser ever sees it.
 */
const workflowBodyLimit = bodyLimit({
  maxSize: WORKFLOW_LIMITS.body_bytes,
  onError: (c) =>
    errorResponse(
      c,
      new ExecutorError(
        "ERR_WORKFLOW_TOO_LARGE",
        `the workflow is over ${WORKFLOW_LIMITS.body_bytes} bytes (limit body_bytes); split it into smaller workflows`,
      ),
    ),
});

/**
 * A node naming a recipe the executor does not run (src/primitives.ts: a session login) is refused at push,
 * not at run time. Only literal recipe ids are checked: a credential's own recipe was checked when it was
 * pushed (routes/credentials.ts), and the host refuses the rest when the node runs.
 */
function refuseRecipes(c: AppContext, doc: WorkflowDoc): void {
  const recipe = recipeFor(c);
  for (const [node, config] of Object.entries(doc.config)) {
    const id = config.params.recipe;
    if (typeof id !== "string") continue;
    const found = recipe(id);
    const why = found ? executorRefusal(found) : undefined;
    if (why) throw new ExecutorError("ERR_WORKFLOW_INVALID", `node "${node}": ${why}`);
  }
}

/** POST /webhooks/named: registers (or replaces) a workflow given as YAML or as the same structure in JSON. */
workflowRoutes.post("/webhooks/named", workflowBodyLimit, async (c) => {
  try {
    const type = c.req.header("content-type") ?? "";
    const text = await c.req.text();
    let doc: WorkflowDoc;
    let format: "yaml" | "json";
    if (/json/i.test(type)) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw badRequest(
          "the body is not JSON; send the workflow as JSON, or as YAML with Content-Type: application/yaml",
        );
      }
      doc = parseWorkflowObject(value);
      format = "json";
    } else {
      doc = parseWorkflowYaml(text);
      format = "yaml";
    }
    const registry = c.get("registry");
    const graph = compileWorkflow(doc, { components: new Set(Object.keys(registry.modules)) });
    refuseRecipes(c, doc);
    const store = storeFor(c);
    const existed = (await store.getWorkflow(graph.name)) !== undefined;
    const stored = { name: graph.name, format, source: text, updated_at: new Date().toISOString() };
    const triggers = cronTriggers(graph);
    // KV has no transactions: the order leaves at worst an index key without a matching workflow, which
    // the scheduled handler checks against the stored workflow and removes (never a schedule left unindexed).
    if (triggers.length > 0) {
      await store.putCronTriggers(graph.name, triggers);
      await store.putWorkflow(stored);
    } else {
      await store.putWorkflow(stored);
      await store.putCronTriggers(graph.name, []);
    }
    return c.json(
      { name: graph.name, nodes: graph.order, edges: graph.edges, replaced: existed },
      existed ? 200 : 201,
    );
  } catch (err) {
    return errorResponse(c, err);
  }
});

/** POST /webhooks/named/:name/trigger: starts a run in the background and answers with its id at once. */
workflowRoutes.post("/webhooks/named/:name/trigger", async (c) => {
  const store = storeFor(c);
  const graph = await workflowFromStored(c.get("registry"), store, c.req.param("name"));
  const input = await readInput(c);
  const id = crypto.randomUUID();
  const { started, done } = await runStored(
    { env: c.env, registry: c.get("registry"), store },
    graph,
    input,
    id,
    { progress: true },
  );
  c.executionCtx.waitUntil(done);
  return c.json({ execution_id: id, status: started.status, status_url: `/executions/${id}` }, 202);
});

/** POST /webhooks/named/:name/query: runs to the end and answers with the last node's output. */
workflowRoutes.post("/webhooks/named/:name/query", async (c) => {
  const store = storeFor(c);
  const graph = await workflowFromStored(c.get("registry"), store, c.req.param("name"));
  const input = await readInput(c);
  const id = crypto.randomUUID();
  const { done } = await runStored({ env: c.env, registry: c.get("registry"), store }, graph, input, id, {
    progress: false,
  });
  const execution = await done;
  if (execution.status === "failed") {
    return c.json(
      { execution_id: id, status: execution.status, error: execution.error, trace: execution.trace },
      422,
    );
  }
  return c.json({
    execution_id: id,
    status: execution.status,
    output: execution.output,
    trace: execution.trace,
  });
});

workflowRoutes.get("/workflows", async (c) => {
  return c.json({ workflows: await storeFor(c).listWorkflows() });
});

workflowRoutes.get("/workflows/:name", async (c) => {
  const store = storeFor(c);
  const stored = await store.getWorkflow(c.req.param("name"));
  if (!stored) throw notFound(c.req.param("name"));
  const graph = await workflowFromStored(c.get("registry"), store, stored.name);
  return c.json({ ...stored, nodes: graph.order, edges: graph.edges, limits: graph.limits });
});

workflowRoutes.delete("/workflows/:name", async (c) => {
  const name = c.req.param("name");
  if (!(await storeFor(c).deleteWorkflow(name))) throw notFound(name);
  return c.json({ deleted: name });
});

workflowRoutes.get("/workflows/:name/executions", async (c) => {
  const limit = Math.max(1, Math.min(Number(c.req.query("limit") ?? "20") || 20, 100));
  return c.json({ executions: await storeFor(c).listExecutions(c.req.param("name"), limit) });
});

workflowRoutes.get("/executions/:id", async (c) => {
  const execution = await storeFor(c).getExecution(c.req.param("id"));
  if (!execution) {
    throw new ExecutorError(
      "ERR_EXECUTION_NOT_FOUND",
      `no execution ${c.req.param("id")} (traces expire); run: arcrun workflow logs <name>`,
    );
  }
  return c.json(execution);
});

function notFound(name: string): ExecutorError {
  return new ExecutorError(
    "ERR_WORKFLOW_NOT_FOUND",
    `no workflow "${name}"; run: arcrun workflow push <file>`,
  );
}

import { ExecutorError, type ExecutorErrorCode } from "../errors.js";
import { SecretRegistry } from "../host/credentials.js";
import { createHostFunctions, type HostContext, openCredential } from "../host/functions.js";
import { runComponent } from "../host/runtime.js";
import { type GraphEdge, INPUT, type WorkflowGraph } from "../workflow/graph.js";
import { resolveTemplates } from "../workflow/template.js";
import type { Limits } from "./limits.js";

export interface TraceEntry {
  node: string;
  component: string;
  status: "succeeded" | "failed";
  started_at: string;
  duration_ms: number;
  output_bytes: number;
  host_calls: number;
  fuel: number;
  /** The FOREACH iteration, for nodes run once per item. */
  iteration?: number;
  error?: { code: ExecutorErrorCode; message: string };
}

export interface Execution {
  id: string;
  workflow: string;
  status: "running" | "succeeded" | "failed";
  started_at: string;
  finished_at?: string;
  duration_ms?: number;
  /** How host calls suspend the component: "jspi" (workerd) or "asyncify". */
  mode?: "jspi" | "asyncify";
  trace: TraceEntry[];
  /** The last node's output (secret values redacted). */
  output?: unknown;
  error?: { code: ExecutorErrorCode; message: string; node?: string };
}

/** What a run needs from its environment; the tenant's view of KV, the key, fetch and recipes. */
export type RunEnvironment = Omit<HostContext, "secrets" | "budget" | "opened" | "maxResponseBytes"> & {
  modules: Readonly<Record<string, WebAssembly.Module>>;
  /** Forces asyncify even where JSPI exists (benchmarks and tests of both paths). */
  forceAsyncify?: boolean;
};

interface NodeOutput {
  success: boolean;
  branch?: string;
  error?: string;
  data?: unknown;
  [key: string]: unknown;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function edgeActive(edge: GraphEdge, out: NodeOutput): boolean {
  switch (edge.kind.type) {
    case "ON_SUCCESS":
    case "FOREACH":
      return out.success !== false;
    case "ON_TRUE":
      return out.branch === "true";
    case "ON_FALSE":
      return out.branch === "false";
    case "ON_BRANCH":
      return out.branch === edge.kind.label;
    default: {
      const never: never = edge.kind;
      return never;
    }
  }
}

function foreachItems(from: string, out: NodeOutput): unknown[] {
  const data = out.data;
  if (Array.isArray(data)) return data;
  if (isRecord(data)) {
    if (Array.isArray(data.items)) return data.items;
    if (Array.isArray(data.body)) return data.body;
    if (isRecord(data.body) && Array.isArray(data.body.items)) return data.body.items;
  }
  throw new ExecutorError(
    "ERR_TEMPLATE",
    `FOREACH after "${from}": its output has no list at data, data.items, data.body or data.body.items; check the node's output`,
  );
}

class NodeFailure extends Error {
  constructor(
    readonly code: ExecutorErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Runs a compiled workflow from `input`, following the edges whose condition holds, in topological order.
 * A node fails the run when it reports `success: false`, exits non-zero, traps, or hits a limit.
 */
export async function executeWorkflow(
  graph: WorkflowGraph,
  input: unknown,
  env: RunEnvironment,
  limits: Limits,
  id: string,
  onProgress?: (execution: Execution) => Promise<void>,
): Promise<Execution> {
  const started = Date.now();
  const runDeadline = started + limits.run_ms;
  const secrets = new SecretRegistry();
  const ctx: HostContext = {
    tenant: env.tenant,
    kv: env.kv,
    encryptionKey: env.encryptionKey,
    fetch: env.fetch,
    recipe: env.recipe,
    secrets,
    budget: { hostCalls: 0, maxHostCalls: limits.host_calls },
    maxResponseBytes: limits.output_bytes,
    opened: new Map(),
  };
  const host = createHostFunctions(ctx);
  const execution: Execution = {
    id,
    workflow: graph.name,
    status: "running",
    started_at: new Date(started).toISOString(),
    trace: [],
  };
  const values: Record<string, unknown> = { [INPUT]: input };
  const outputs = new Map<string, NodeOutput>([[INPUT, { success: true, data: input }]]);
  let executed = 0;
  let last: NodeOutput | undefined;

  const credential = async (name: string, key: string | undefined): Promise<string> => {
    const opened = await openCredential(ctx, name);
    if (!opened) {
      throw new ExecutorError(
        "ERR_CREDENTIAL_NOT_FOUND",
        `no credential "${name}" for this tenant; run: arcrun creds push ${name}`,
      );
    }
    if (key !== undefined) {
      const v = opened.secrets[key];
      if (v === undefined)
        throw new ExecutorError("ERR_TEMPLATE", `credential "${name}" has no key "${key}"`);
      return v;
    }
    const keys = Object.keys(opened.secrets);
    if (keys.length === 1) return opened.secrets[keys[0] as string] as string;
    throw new ExecutorError(
      "ERR_TEMPLATE",
      `credential "${name}" holds ${keys.join(", ")}; write {{credential.${name}.KEY}}`,
    );
  };

  const runNode = async (
    node: string,
    extra: Record<string, unknown>,
    iteration?: number,
  ): Promise<NodeOutput> => {
    const cfg = graph.nodes[node];
    if (!cfg) throw new NodeFailure("ERR_WORKFLOW_INVALID", `node "${node}" has no config`);
    executed++;
    if (executed > limits.nodes) {
      throw new NodeFailure(
        "ERR_LIMIT_NODES",
        `the run executed more than ${limits.nodes} nodes (limits.nodes); FOREACH over fewer items`,
      );
    }
    const now = Date.now();
    if (now >= runDeadline)
      throw new NodeFailure(
        "ERR_LIMIT_RUN_TIME",
        "the workflow ran out of time (limits.run_ms) before this node",
      );
    const nodeDeadline = now + limits.node_ms;
    const deadline = Math.min(nodeDeadline, runDeadline);
    const entry: TraceEntry = {
      node,
      component: cfg.component,
      status: "succeeded",
      started_at: new Date(now).toISOString(),
      duration_ms: 0,
      output_bytes: 0,
      host_calls: 0,
      fuel: 0,
      ...(iteration !== undefined ? { iteration } : {}),
    };
    execution.trace.push(entry);
    const callsBefore = ctx.budget.hostCalls;
    try {
      const module = env.modules[cfg.component];
      if (!module)
        throw new ExecutorError(
          "ERR_WORKFLOW_INVALID",
          `unknown component "${cfg.component}"; run: arcrun components`,
        );
      const config = await resolveTemplates(cfg.params, { values: { ...values, ...extra }, credential });
      const result = await runComponent(
        module,
        JSON.stringify({ config }),
        host,
        {
          fuel: limits.node_fuel,
          outputBytes: limits.output_bytes,
          memoryBytes: limits.node_memory_bytes,
          deadline,
          deadlineCode:
            deadline === runDeadline && runDeadline < nodeDeadline
              ? "ERR_LIMIT_RUN_TIME"
              : "ERR_LIMIT_NODE_TIME",
        },
        { forceAsyncify: env.forceAsyncify === true },
      );
      execution.mode = result.mode;
      entry.fuel = result.fuel;
      entry.output_bytes = new TextEncoder().encode(result.stdout).length;
      if (result.exitCode !== 0) {
        const detail = result.stderr.trim() || `exit code ${result.exitCode}`;
        throw new ExecutorError(
          "ERR_COMPONENT_FAILED",
          `the component exited with ${result.exitCode}: ${detail.slice(0, 500)}`,
        );
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(result.stdout);
      } catch {
        throw new ExecutorError("ERR_COMPONENT_OUTPUT", "the component wrote no JSON document to stdout");
      }
      if (!isRecord(parsed) || typeof parsed.success !== "boolean") {
        throw new ExecutorError("ERR_COMPONENT_OUTPUT", 'the component\'s output has no boolean "success"');
      }
      const out = parsed as NodeOutput;
      if (!out.success) {
        throw new ExecutorError(
          "ERR_COMPONENT_FAILED",
          typeof out.error === "string" ? out.error : "the component reported failure",
        );
      }
      return out;
    } catch (err) {
      entry.status = "failed";
      const code: ExecutorErrorCode = err instanceof ExecutorError ? err.code : "ERR_COMPONENT_FAILED";
      const message = secrets.redact(err instanceof Error ? err.message : String(err));
      entry.error = { code, message };
      throw new NodeFailure(code, message);
    } finally {
      entry.duration_ms = Date.now() - now;
      entry.host_calls = ctx.budget.hostCalls - callsBefore;
    }
  };

  try {
    for (const node of graph.order) {
      const incoming = graph.edges.filter((e) => e.to === node);
      const active = incoming.filter((e) => {
        const src = outputs.get(e.from);
        return src !== undefined && edgeActive(e, src);
      });
      if (active.length === 0) continue;
      const loop = active.find((e) => e.kind.type === "FOREACH");
      let out: NodeOutput;
      if (loop && loop.kind.type === "FOREACH") {
        const items = foreachItems(loop.from, outputs.get(loop.from) as NodeOutput);
        const results: NodeOutput[] = [];
        for (let i = 0; i < items.length; i++) {
          results.push(await runNode(node, { [loop.kind.variable]: items[i] }, i));
        }
        out = { success: true, data: results.map((r) => r.data ?? null), items: results };
      } else {
        out = await runNode(node, {});
      }
      outputs.set(node, out);
      values[node] = out;
      last = out;
      if (onProgress) await onProgress(execution);
    }
    execution.status = "succeeded";
    execution.output = last === undefined ? input : JSON.parse(secrets.redact(JSON.stringify(last)));
  } catch (err) {
    execution.status = "failed";
    const failedEntry = [...execution.trace].reverse().find((t) => t.status === "failed");
    if (err instanceof NodeFailure) {
      execution.error = {
        code: err.code,
        message: err.message,
        ...(failedEntry ? { node: failedEntry.node } : {}),
      };
    } else {
      const code: ExecutorErrorCode = err instanceof ExecutorError ? err.code : "ERR_COMPONENT_FAILED";
      execution.error = { code, message: secrets.redact(err instanceof Error ? err.message : String(err)) };
    }
  }
  const finished = Date.now();
  execution.finished_at = new Date(finished).toISOString();
  execution.duration_ms = finished - started;
  return execution;
}

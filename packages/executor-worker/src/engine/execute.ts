import { type Execution, type GraphEdge, INPUT, type TraceEntry, type WorkflowGraph } from "@arcrun/workflow";
import { ExecutorError, type ExecutorErrorCode } from "../errors.js";
import { openCredential, SecretRegistry, sealedValue } from "../host/credentials.js";
import { createHostFunctions, type HostContext } from "../host/functions.js";
import { runComponent } from "../host/runtime.js";
import { resolveTemplates } from "../workflow/template.js";
import type { Limits } from "./limits.js";

export type { Execution, TraceEntry };

/** What a run needs from its environment; the tenant's view of KV, the key, fetch and recipes. */
export type RunEnvironment = Omit<
  HostContext,
  "secrets" | "budget" | "opened" | "maxResponseBytes" | "digestNonces"
> & {
  modules: Readonly<Record<string, WebAssembly.Module>>;
  /** Forces asyncify even where JSPI exists (benchmarks and tests of both paths). */
  forceAsyncify?: boolean;
};

interface NodeOutput {
  success: boolean;
  branch?: string;
  /** A component's failure message, or (on a try_catch that caught) `{ code, message, node }`. */
  error?: unknown;
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
    if (Array.isArray(data.result)) return data.result;
    if (Array.isArray(data.body)) return data.body;
    if (isRecord(data.body) && Array.isArray(data.body.items)) return data.body.items;
  }
  throw new ExecutorError(
    "ERR_TEMPLATE",
    `FOREACH after "${from}": its output has no list at data, data.items, data.result, data.body or data.body.items; check the node's output`,
  );
}

class NodeFailure extends Error {
  constructor(
    readonly code: ExecutorErrorCode,
    message: string,
    readonly node?: string,
    readonly entry?: TraceEntry,
  ) {
    super(message);
  }
}

/** Run-wide limits end the run even inside a try branch: the catch branch would have nothing left to run on. */
const UNCATCHABLE: ReadonlySet<ExecutorErrorCode> = new Set([
  "ERR_LIMIT_RUN_TIME",
  "ERR_LIMIT_NODES",
  "ERR_LIMIT_HOST_CALLS",
]);

/** What the nodes of one level see: the top of the run, or one iteration of a foreach_control loop. */
interface Scope {
  /** Template values: input, node outputs, FOREACH variables. */
  values: Record<string, unknown>;
  /** Outputs that activate edges. */
  outputs: Map<string, NodeOutput>;
  /** Nodes of a try branch left out after a failure there was caught. */
  skipped: Set<string>;
  depth: number;
  iteration?: number;
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
    digestNonces: new Map(),
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
  let last: unknown;

  /** `{{credential.NAME[.key]}}`: a handle (a public key's value), never the secret (docs/executor.md). */
  const credential = async (name: string, key: string | undefined): Promise<string> => {
    const opened = await openCredential(ctx, name);
    if (!opened) {
      throw new ExecutorError(
        "ERR_CREDENTIAL_NOT_FOUND",
        `no credential "${name}" for this tenant; run: arcrun creds push ${name}`,
      );
    }
    const keys = Object.keys(opened.secrets);
    const which = key ?? (keys.length === 1 ? keys[0] : undefined);
    if (which === undefined) {
      throw new ExecutorError(
        "ERR_TEMPLATE",
        `credential "${name}" holds ${keys.join(", ")}; write {{credential.${name}.KEY}}`,
      );
    }
    const v = sealedValue(ctx, opened, which);
    if (v === undefined)
      throw new ExecutorError("ERR_TEMPLATE", `credential "${name}" has no key "${which}"`);
    return v;
  };

  const runNode = async (
    node: string,
    scopeValues: Record<string, unknown>,
    iteration?: number,
  ): Promise<NodeOutput> => {
    const cfg = graph.nodes[node];
    if (!cfg) throw new NodeFailure("ERR_WORKFLOW_INVALID", `node "${node}" has no config`, node);
    executed++;
    if (executed > limits.nodes) {
      throw new NodeFailure(
        "ERR_LIMIT_NODES",
        `the run executed more than ${limits.nodes} nodes (limits.nodes); FOREACH over fewer items`,
        node,
      );
    }
    const now = Date.now();
    if (now >= runDeadline)
      throw new NodeFailure(
        "ERR_LIMIT_RUN_TIME",
        "the workflow ran out of time (limits.run_ms) before this node",
        node,
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
      const config = await resolveTemplates(cfg.params, { values: scopeValues, credential });
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
      throw new NodeFailure(code, message, node, entry);
    } finally {
      entry.duration_ms = Date.now() - now;
      entry.host_calls = ctx.budget.hostCalls - callsBefore;
    }
  };

  const incoming = new Map<string, GraphEdge[]>();
  for (const e of graph.edges) incoming.set(e.to, [...(incoming.get(e.to) ?? []), e]);
  const orderIndex = new Map(graph.order.map((n, i) => [n, i]));

  /** The nodes of `list` that run at its level: the bodies of loops in it run inside those loops. */
  const levelNodes = (list: string[]): string[] => {
    const inner = new Set<string>();
    for (const n of list) for (const b of graph.loops[n]?.body ?? []) inner.add(b);
    return list.filter((n) => !inner.has(n));
  };

  const setOutput = (scope: Scope, node: string, out: NodeOutput): void => {
    scope.outputs.set(node, out);
    scope.values[node] = out;
    if (scope.depth === 0) last = out;
  };

  /** The innermost try_catch of this level, still on its try branch, that protects `node`. */
  const guardFor = (node: string, level: Set<string>, scope: Scope): string | undefined => {
    let best: string | undefined;
    for (const [guard, info] of Object.entries(graph.guards)) {
      if (!level.has(guard) || !info.protects.includes(node)) continue;
      if (scope.outputs.get(guard)?.branch !== "try") continue;
      if (best === undefined || (orderIndex.get(guard) ?? 0) > (orderIndex.get(best) ?? 0)) best = guard;
    }
    return best;
  };

  /**
   * Runs a foreach_control's loop body once per item, each iteration in its own scope; then each body node's
   * output is the collection `{ success, data: [per item], items: [per item] }` (null where it did not run),
   * and the loop node's data.results holds, per item, the data of the last body node that ran.
   */
  const runLoop = async (loop: string, out: NodeOutput, scope: Scope): Promise<void> => {
    const body = graph.loops[loop]?.body ?? [];
    let items: unknown[];
    try {
      items = foreachItems(loop, out);
    } catch (err) {
      throw new NodeFailure("ERR_TEMPLATE", err instanceof Error ? err.message : String(err), loop);
    }
    const variables = graph.edges
      .filter((e) => e.from === loop && e.kind.type === "FOREACH")
      .map((e) => (e.kind.type === "FOREACH" ? e.kind.variable : ""));
    const nodes = levelNodes(body);
    const data = new Map<string, unknown[]>(body.map((b) => [b, []]));
    const outs = new Map<string, unknown[]>(body.map((b) => [b, []]));
    const results: unknown[] = [];
    for (let i = 0; i < items.length; i++) {
      const values = { ...scope.values };
      for (const v of variables) values[v] = items[i];
      const child: Scope = {
        values,
        outputs: new Map(scope.outputs),
        skipped: new Set(),
        depth: scope.depth + 1,
        iteration: i,
      };
      await runNodes(nodes, child);
      let result: unknown = null;
      for (const b of body) {
        const o = child.outputs.get(b);
        data.get(b)?.push(o === undefined ? null : (o.data ?? null));
        outs.get(b)?.push(o ?? null);
        if (o !== undefined) result = o.data ?? null;
      }
      results.push(result);
    }
    for (const b of body) {
      scope.outputs.set(b, { success: true, data: data.get(b), items: outs.get(b) });
      scope.values[b] = scope.outputs.get(b);
    }
    const loopData = isRecord(out.data) ? out.data : {};
    setOutput(scope, loop, { ...out, data: { ...loopData, results } });
  };

  const runOne = async (node: string, active: GraphEdge[], scope: Scope): Promise<void> => {
    // A FOREACH from any node but a foreach_control runs just its target once per item.
    const each = active.find((e) => e.kind.type === "FOREACH" && graph.loops[e.from] === undefined);
    let out: NodeOutput;
    if (each && each.kind.type === "FOREACH") {
      let items: unknown[];
      try {
        items = foreachItems(each.from, scope.outputs.get(each.from) as NodeOutput);
      } catch (err) {
        throw new NodeFailure("ERR_TEMPLATE", err instanceof Error ? err.message : String(err), node);
      }
      const results: NodeOutput[] = [];
      for (let i = 0; i < items.length; i++) {
        results.push(await runNode(node, { ...scope.values, [each.kind.variable]: items[i] }, i));
      }
      out = { success: true, data: results.map((r) => r.data ?? null), items: results };
    } else {
      out = await runNode(node, scope.values, scope.iteration);
    }
    setOutput(scope, node, out);
    if (graph.loops[node]) await runLoop(node, out, scope);
  };

  const runNodes = async (list: string[], scope: Scope): Promise<void> => {
    const level = new Set(list);
    for (const node of list) {
      if (scope.skipped.has(node)) continue;
      const active = (incoming.get(node) ?? []).filter((e) => {
        const src = scope.outputs.get(e.from);
        return src !== undefined && edgeActive(e, src);
      });
      if (active.length === 0) continue;
      try {
        await runOne(node, active, scope);
      } catch (err) {
        if (!(err instanceof NodeFailure) || UNCATCHABLE.has(err.code) || err.node === undefined) throw err;
        const guard = guardFor(err.node, level, scope);
        if (guard === undefined) throw err;
        if (err.entry) err.entry.caught_by = guard;
        for (const p of graph.guards[guard]?.protects ?? []) scope.skipped.add(p);
        const before = scope.outputs.get(guard) as NodeOutput;
        setOutput(scope, guard, {
          ...before,
          branch: "catch",
          error: { code: err.code, message: err.message, node: err.node },
        });
      }
      if (scope.depth === 0 && onProgress) await onProgress(execution);
    }
  };

  try {
    await runNodes(levelNodes(graph.order), {
      values,
      outputs,
      skipped: new Set(),
      depth: 0,
    });
    execution.status = "succeeded";
    execution.output = last === undefined ? input : JSON.parse(secrets.redact(JSON.stringify(last)));
  } catch (err) {
    execution.status = "failed";
    if (err instanceof NodeFailure) {
      execution.error = {
        code: err.code,
        message: err.message,
        ...(err.node !== undefined ? { node: err.node } : {}),
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

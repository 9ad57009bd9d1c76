import {
  type EdgeKind,
  type FlowEdge,
  type NodeConfig,
  type WorkflowDoc,
  WorkflowError,
  type WorkflowIssue,
} from "./parse.js";
import { templateRefs } from "./template.js";

export const INPUT = "input";
const RESERVED = new Set([INPUT, "credential", "item"]);

export interface GraphEdge {
  from: string;
  to: string;
  kind: EdgeKind;
}

export interface WorkflowGraph {
  name: string;
  description?: string;
  /** Every node but `input`, in a topological order. */
  order: string[];
  nodes: Record<string, NodeConfig>;
  edges: GraphEdge[];
  limits: WorkflowDoc["limits"];
}

function edgeText(e: FlowEdge): string {
  const k = e.kind;
  const mid =
    k.type === "ON_BRANCH"
      ? `ON_BRANCH(${k.label})`
      : k.type === "FOREACH"
        ? `FOREACH(${k.variable})`
        : k.type;
  return `${e.from} >> ${mid} >> ${e.to}`;
}

/**
 * Compiles a parsed workflow into a graph and checks it: the flow starts at `input`, every node has a
 * config with a known component and every config is used, no duplicate edge, no cycle, every node is
 * reachable from `input`, and each template refers to `input`, a FOREACH variable, a credential, or a node
 * that runs before it.
 */
export function compileWorkflow(doc: WorkflowDoc, componentExists: (id: string) => boolean): WorkflowGraph {
  const issues: WorkflowIssue[] = [];
  const flowNodes = new Map<string, number | undefined>();
  const seen = new Set<string>();
  const out = new Map<string, FlowEdge[]>();
  for (const e of doc.flow) {
    for (const n of [e.from, e.to]) if (!flowNodes.has(n)) flowNodes.set(n, e.line);
    if (e.to === INPUT)
      issues.push({
        line: e.line,
        node: INPUT,
        message: "input is where the flow starts; no edge may lead to it",
      });
    const text = edgeText(e);
    if (seen.has(text)) issues.push({ line: e.line, node: e.from, message: `duplicate edge ${text}` });
    seen.add(text);
    if (e.from === e.to)
      issues.push({ line: e.line, node: e.from, message: "a node cannot lead to itself (a cycle)" });
    const list = out.get(e.from) ?? [];
    list.push(e);
    out.set(e.from, list);
  }
  if (doc.flow.length > 0 && !out.has(INPUT)) {
    issues.push({
      line: doc.flow[0]?.line,
      message: 'the flow must start at "input": add "input >> ON_SUCCESS >> <first node>"',
    });
  }
  for (const [node, line] of flowNodes) {
    if (node === INPUT) continue;
    if (RESERVED.has(node)) {
      issues.push({ line, node, message: `"${node}" is a reserved name; rename the node` });
      continue;
    }
    const cfg = doc.config[node];
    if (!cfg) {
      issues.push({ line, node, message: `unknown node "${node}": it has no entry under config` });
    } else if (!componentExists(cfg.component)) {
      issues.push({
        line: cfg.line,
        node,
        message: `unknown component "${cfg.component}"; run: arcrun components`,
      });
    }
  }
  for (const [node, cfg] of Object.entries(doc.config)) {
    if (node === INPUT)
      issues.push({ line: cfg.line, node, message: "input has no config: it is the trigger's payload" });
    else if (!flowNodes.has(node))
      issues.push({ line: cfg.line, node, message: `node "${node}" is configured but not in the flow` });
  }

  // Kahn's algorithm: what is left over lies on a cycle.
  const indegree = new Map<string, number>([...flowNodes.keys()].map((n) => [n, 0]));
  for (const e of doc.flow) indegree.set(e.to, (indegree.get(e.to) ?? 0) + 1);
  const queue = [...indegree].filter(([, d]) => d === 0).map(([n]) => n);
  const order: string[] = [];
  while (queue.length > 0) {
    const n = queue.shift() as string;
    order.push(n);
    for (const e of out.get(n) ?? []) {
      const d = (indegree.get(e.to) ?? 0) - 1;
      indegree.set(e.to, d);
      if (d === 0) queue.push(e.to);
    }
  }
  const onCycle = [...indegree].filter(([, d]) => d > 0).map(([n]) => n);
  if (onCycle.length > 0) {
    const first = doc.flow.find((e) => onCycle.includes(e.from) && onCycle.includes(e.to));
    issues.push({
      line: first?.line,
      node: first?.from,
      message: `the flow has a cycle through ${onCycle.join(", ")}; a workflow is a DAG (use FOREACH to repeat)`,
    });
  }

  // Reachability from input, and each node's ancestors for template checks.
  const reachable = new Set<string>();
  const stack = out.has(INPUT) ? [INPUT] : [];
  while (stack.length > 0) {
    const n = stack.pop() as string;
    if (reachable.has(n)) continue;
    reachable.add(n);
    for (const e of out.get(n) ?? []) stack.push(e.to);
  }
  if (out.has(INPUT)) {
    for (const [node, line] of flowNodes) {
      if (!reachable.has(node))
        issues.push({ line, node, message: `node "${node}" is unreachable from input` });
    }
  }

  if (onCycle.length === 0) {
    const ancestors = new Map<string, Set<string>>();
    const foreachVars = new Map<string, Set<string>>();
    for (const n of order) {
      const a = ancestors.get(n) ?? new Set<string>();
      const v = foreachVars.get(n) ?? new Set<string>();
      for (const e of out.get(n) ?? []) {
        const ta = ancestors.get(e.to) ?? new Set<string>();
        for (const x of a) ta.add(x);
        ta.add(n);
        ancestors.set(e.to, ta);
        const tv = foreachVars.get(e.to) ?? new Set<string>();
        for (const x of v) tv.add(x);
        if (e.kind.type === "FOREACH") tv.add(e.kind.variable);
        foreachVars.set(e.to, tv);
      }
    }
    for (const n of order) {
      const cfg = doc.config[n];
      if (!cfg || n === INPUT) continue;
      for (const ref of templateRefs(cfg.params)) {
        const root = ref.split(".")[0] ?? "";
        if (root === INPUT || root === "credential" || foreachVars.get(n)?.has(root)) continue;
        if (!ancestors.get(n)?.has(root)) {
          const why = doc.config[root]
            ? `"${root}" does not run before "${n}"`
            : `there is no node "${root}"`;
          issues.push({
            line: cfg.line,
            node: n,
            message: `template {{${ref}}}: ${why}; refer to input, a FOREACH variable, credential.NAME, or an earlier node`,
          });
        }
      }
    }
  }

  if (issues.length > 0) throw new WorkflowError(issues);
  const nodes: Record<string, NodeConfig> = {};
  for (const n of order) if (n !== INPUT && doc.config[n]) nodes[n] = doc.config[n];
  return {
    name: doc.name,
    ...(doc.description !== undefined ? { description: doc.description } : {}),
    order: order.filter((n) => n !== INPUT),
    nodes,
    edges: doc.flow.map(({ from, to, kind }) => ({ from, to, kind })),
    limits: doc.limits,
  };
}

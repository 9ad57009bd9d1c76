import { WorkflowError, type WorkflowIssue } from "./errors.js";
import { type EdgeKind, type FlowEdge, formatFlowLine } from "./flow.js";
import type { NodeConfig, WorkflowDoc } from "./parse.js";
import { templateRefs } from "./template.js";

export const INPUT = "input";
const RESERVED = new Set([INPUT, "credential", "item"]);
/** The component whose FOREACH edges run a sub-graph once per item (the executor implements the loop). */
export const FOREACH_CONTROL = "foreach_control";
/** The component whose ON_BRANCH(try) nodes are protected: a failure there runs ON_BRANCH(catch) instead. */
export const TRY_CATCH = "try_catch";
/** The component that picks one of its `cases` labels (or `default`) as its branch. */
export const SWITCH = "switch";

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
  /**
   * foreach_control nodes with FOREACH edges: `body` is every node after a FOREACH target (the targets
   * included), in topological order; it runs once per item, and the node's other edges run after it.
   */
  loops: Record<string, { body: string[] }>;
  /**
   * try_catch nodes: `protects` is every node after an ON_BRANCH(try) edge that is not also after an
   * ON_BRANCH(catch) edge, in topological order; each runs before every catch target.
   */
  guards: Record<string, { protects: string[] }>;
}

export interface CompileOptions {
  /**
   * The component ids that exist (the executor's registry, or the ids its `GET /components` lists): a Set,
   * or anything with `has`. Without it, component names are not checked (offline); every other check runs.
   */
  components?: Pick<ReadonlySet<string>, "has">;
}

/**
 * Compiles a parsed workflow into a graph and checks it: the flow starts at `input`, every node has a
 * config with a known component (when `options.components` is given) and every config is used, no
 * duplicate edge, no cycle, every node is reachable from `input`, and each template refers to `input`, a
 * FOREACH variable, a credential, or a node that runs before it.
 */
export function compileWorkflow(doc: WorkflowDoc, options: CompileOptions = {}): WorkflowGraph {
  const { components } = options;
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
    const text = formatFlowLine(e);
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
    } else if (components && !components.has(cfg.component)) {
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
  const baseOrder: string[] = [];
  while (queue.length > 0) {
    const n = queue.shift() as string;
    baseOrder.push(n);
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

  let order = baseOrder;
  const loops: WorkflowGraph["loops"] = {};
  const guards: WorkflowGraph["guards"] = {};
  if (onCycle.length === 0) {
    const control = controlFlow(doc, out, baseOrder, issues);
    Object.assign(loops, control.loops);
    Object.assign(guards, control.guards);
    // The order honours the real edges plus: loop bodies before what runs after the loop, protected nodes
    // before catch targets.
    order = topological([...flowNodes.keys()], [...doc.flow, ...control.loopAfter, ...control.catchAfter]);
    if (order.length < flowNodes.size) {
      issues.push({
        message:
          "the loops and try/catch regions cannot be ordered (a catch branch leads back into its try branch, or into a loop it follows); separate them",
      });
      order = baseOrder;
    }
    for (const l of Object.values(loops)) l.body.sort((a, b) => order.indexOf(a) - order.indexOf(b));
    for (const g of Object.values(guards)) g.protects.sort((a, b) => order.indexOf(a) - order.indexOf(b));
    checkTemplates(doc, order, out, control.loopAfter, issues);
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
    loops,
    guards,
  };
}

/** Kahn's algorithm over `edges`; nodes on a cycle are left out. */
function topological(nodes: string[], edges: { from: string; to: string }[]): string[] {
  const indegree = new Map<string, number>(nodes.map((n) => [n, 0]));
  const next = new Map<string, string[]>();
  for (const e of edges) {
    indegree.set(e.to, (indegree.get(e.to) ?? 0) + 1);
    next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  }
  const queue = [...indegree].filter(([, d]) => d === 0).map(([n]) => n);
  const order: string[] = [];
  while (queue.length > 0) {
    const n = queue.shift() as string;
    order.push(n);
    for (const to of next.get(n) ?? []) {
      const d = (indegree.get(to) ?? 0) - 1;
      indegree.set(to, d);
      if (d === 0) queue.push(to);
    }
  }
  return order;
}

function descendants(roots: string[], out: Map<string, FlowEdge[]>): Set<string> {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    const n = stack.pop() as string;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const e of out.get(n) ?? []) stack.push(e.to);
  }
  return seen;
}

const literalCases = (params: Record<string, unknown>): string[] | undefined => {
  const cases = params.cases;
  if (typeof cases !== "object" || cases === null || Array.isArray(cases)) return undefined;
  const def = params.default;
  if (def !== undefined && (typeof def !== "string" || def.includes("{{"))) return undefined;
  return [...Object.keys(cases), typeof def === "string" ? def : "default"];
};

/**
 * The rules of the control-flow components: a foreach_control's loop body is reached only from inside it,
 * a try_catch leads on only with ON_BRANCH(try) / ON_BRANCH(catch), and a switch's ON_BRANCH labels are
 * among its cases. Returns the loops and guards, and the extra ordering edges they imply.
 */
function controlFlow(
  doc: WorkflowDoc,
  out: Map<string, FlowEdge[]>,
  order: string[],
  issues: WorkflowIssue[],
): {
  loops: WorkflowGraph["loops"];
  guards: WorkflowGraph["guards"];
  loopAfter: GraphEdge[];
  catchAfter: GraphEdge[];
} {
  const loops: WorkflowGraph["loops"] = {};
  const guards: WorkflowGraph["guards"] = {};
  const loopAfter: GraphEdge[] = [];
  const catchAfter: GraphEdge[] = [];
  const ordering = { type: "ON_SUCCESS" } as const;
  for (const n of order) {
    const cfg = doc.config[n];
    if (!cfg) continue;
    const edges = out.get(n) ?? [];
    if (cfg.component === FOREACH_CONTROL) {
      const each = edges.filter((e) => e.kind.type === "FOREACH");
      if (each.length === 0) continue;
      const body = descendants(
        each.map((e) => e.to),
        out,
      );
      for (const b of body) {
        for (const e of doc.flow) {
          if (e.to !== b || body.has(e.from) || (e.from === n && e.kind.type === "FOREACH")) continue;
          issues.push({
            line: e.line,
            node: b,
            message: `"${b}" runs once per item of the foreach_control "${n}", so it can only be reached from inside that loop, not from "${e.from}"; connect "${e.from}" to a node after the loop instead`,
          });
        }
      }
      for (const e of edges) {
        if (e.kind.type === "FOREACH") continue;
        if (body.has(e.to)) {
          issues.push({
            line: e.line,
            node: e.to,
            message: `"${e.to}" is both inside the loop of "${n}" (after FOREACH) and after it (${formatFlowLine(e)}); keep one`,
          });
          continue;
        }
        for (const b of body) loopAfter.push({ from: b, to: e.to, kind: ordering });
      }
      loops[n] = { body: [...body] };
    } else if (cfg.component === TRY_CATCH) {
      const tryTargets: string[] = [];
      const catchTargets: string[] = [];
      for (const e of edges) {
        if (e.kind.type === "ON_BRANCH" && e.kind.label === "try") tryTargets.push(e.to);
        else if (e.kind.type === "ON_BRANCH" && e.kind.label === "catch") catchTargets.push(e.to);
        else {
          issues.push({
            line: e.line,
            node: n,
            message: `a try_catch leads on with ON_BRANCH(try) and ON_BRANCH(catch), not ${formatFlowLine(e)}`,
          });
        }
      }
      if (tryTargets.length === 0) {
        issues.push({
          line: cfg.line,
          node: n,
          message: `try_catch "${n}" protects nothing: add "${n} >> ON_BRANCH(try) >> <first protected node>"`,
        });
        continue;
      }
      const recovering = descendants(catchTargets, out);
      const protects = [...descendants(tryTargets, out)].filter((p) => !recovering.has(p));
      for (const p of protects)
        for (const c of catchTargets) catchAfter.push({ from: p, to: c, kind: ordering });
      guards[n] = { protects };
    } else if (cfg.component === SWITCH) {
      const labels = literalCases(cfg.params);
      for (const e of edges) {
        if (e.kind.type === "ON_TRUE" || e.kind.type === "ON_FALSE") {
          issues.push({
            line: e.line,
            node: n,
            message: `a switch leads on with ON_BRANCH(<case label>), not ${e.kind.type}`,
          });
        } else if (labels && e.kind.type === "ON_BRANCH" && !labels.includes(e.kind.label)) {
          issues.push({
            line: e.line,
            node: n,
            message: `${formatFlowLine(e)} never runs: the switch's branches are ${labels.join(", ")}`,
          });
        }
      }
    }
  }
  return { loops, guards, loopAfter, catchAfter };
}

/**
 * Each template refers to input, a credential, a FOREACH variable in scope, or a node that runs before.
 * A foreach_control's variable is in scope in its whole loop body; the variable of a FOREACH from any other
 * node only in its one target. Nodes after a loop may read the loop's nodes (their collected outputs).
 */
function checkTemplates(
  doc: WorkflowDoc,
  order: string[],
  out: Map<string, FlowEdge[]>,
  loopAfter: GraphEdge[],
  issues: WorkflowIssue[],
): void {
  const ancestors = new Map<string, Set<string>>();
  const carried = new Map<string, Set<string>>();
  const own = new Map<string, Set<string>>();
  const after = new Map<string, string[]>();
  for (const e of loopAfter) after.set(e.from, [...(after.get(e.from) ?? []), e.to]);
  for (const n of order) {
    const a = ancestors.get(n) ?? new Set<string>();
    const v = carried.get(n) ?? new Set<string>();
    const targets = [
      ...(out.get(n) ?? []).map((e) => ({ to: e.to, kind: e.kind })),
      ...(after.get(n) ?? []).map((to) => ({ to, kind: undefined })),
    ];
    for (const e of targets) {
      const ta = ancestors.get(e.to) ?? new Set<string>();
      for (const x of a) ta.add(x);
      ta.add(n);
      ancestors.set(e.to, ta);
      if (e.kind === undefined) continue;
      const tv = carried.get(e.to) ?? new Set<string>();
      for (const x of v) tv.add(x);
      if (e.kind.type === "FOREACH") {
        if (doc.config[n]?.component === FOREACH_CONTROL) tv.add(e.kind.variable);
        else own.set(e.to, (own.get(e.to) ?? new Set<string>()).add(e.kind.variable));
      }
      carried.set(e.to, tv);
    }
  }
  for (const n of order) {
    const cfg = doc.config[n];
    if (!cfg || n === INPUT) continue;
    for (const ref of templateRefs(cfg.params)) {
      const root = ref.split(".")[0] ?? "";
      if (root === INPUT || root === "credential" || carried.get(n)?.has(root) || own.get(n)?.has(root))
        continue;
      if (!ancestors.get(n)?.has(root)) {
        const why = doc.config[root]
          ? `"${root}" does not run before "${n}"`
          : isLoopVariable(doc, root)
            ? `the FOREACH variable "${root}" is not in scope here (only in the node a FOREACH leads to, or in the loop body of a foreach_control)`
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

function isLoopVariable(doc: WorkflowDoc, name: string): boolean {
  return doc.flow.some((e) => e.kind.type === "FOREACH" && e.kind.variable === name);
}

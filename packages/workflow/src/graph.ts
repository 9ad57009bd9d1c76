import { WorkflowError, type WorkflowIssue } from "./errors.js";
import { type EdgeKind, type FlowEdge, formatFlowLine } from "./flow.js";
import { RESERVED_NODE_NAMES, WORKFLOW_LIMITS, type WorkflowSizeLimits } from "./limits.js";
import type { NodeConfig, WorkflowDoc } from "./parse.js";
import { templateRefs } from "./template.js";

export const INPUT = "input";
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
  /** The size limits to enforce (default {@link WORKFLOW_LIMITS}); only nodes and edges apply here. */
  limits?: Readonly<WorkflowSizeLimits>;
}

/** The extra ordering nodes: their names cannot be node names (NODE_ID has no "#"). */
const AFTER_LOOP = "#after:";
const BEFORE_CATCH = "#catch:";

/**
 * Compiles a parsed workflow into a graph and checks it: the flow starts at `input`, every node has a
 * config with a known component (when `options.components` is given) and every config is used, no
 * duplicate edge, no cycle, every node is reachable from `input`, and each template refers to `input`, a
 * FOREACH variable, a credential, or a node that runs before it.
 *
 * The work is linear in the size of the flow (topological orders and iterative walks, no set of ancestors
 * per node), plus one walk per loop or try_catch region; the node and edge limits bound both.
 */
export function compileWorkflow(doc: WorkflowDoc, options: CompileOptions = {}): WorkflowGraph {
  const { components } = options;
  const limits = options.limits ?? WORKFLOW_LIMITS;
  if (doc.flow.length > limits.edges)
    throw new WorkflowError([
      {
        limit: "edges",
        message: `the flow has ${doc.flow.length} edges; the limit is ${limits.edges} (edges): split the workflow`,
      },
    ]);
  const issues: WorkflowIssue[] = [];
  const configOf = (node: string): NodeConfig | undefined =>
    Object.hasOwn(doc.config, node) ? doc.config[node] : undefined;
  const flowNodes = new Map<string, number | undefined>();
  const seen = new Set<string>();
  const out = new Map<string, FlowEdge[]>();
  const into = new Map<string, FlowEdge[]>();
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
    push(out, e.from, e);
    push(into, e.to, e);
  }
  if (flowNodes.size > limits.nodes)
    throw new WorkflowError([
      {
        limit: "nodes",
        message: `the flow has ${flowNodes.size} nodes; the limit is ${limits.nodes} (nodes): split the workflow`,
      },
    ]);
  if (doc.flow.length > 0 && !out.has(INPUT)) {
    issues.push({
      line: doc.flow[0]?.line,
      message: 'the flow must start at "input": add "input >> ON_SUCCESS >> <first node>"',
    });
  }
  for (const [node, line] of flowNodes) {
    if (node === INPUT) continue;
    if (RESERVED_NODE_NAMES.has(node)) {
      issues.push({ line, node, message: `"${node}" is a reserved name; rename the node` });
      continue;
    }
    const cfg = configOf(node);
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

  // What a topological order leaves over lies on a cycle.
  const baseOrder = topological([...flowNodes.keys()], doc.flow);
  if (baseOrder.length < flowNodes.size) {
    const ordered = new Set(baseOrder);
    const onCycle = [...flowNodes.keys()].filter((n) => !ordered.has(n));
    const first = doc.flow.find((e) => !ordered.has(e.from) && !ordered.has(e.to));
    issues.push({
      line: first?.line,
      node: first?.from,
      message: `the flow has a cycle through ${onCycle.join(", ")}; a workflow is a DAG (use FOREACH to repeat)`,
    });
  }

  if (out.has(INPUT)) {
    const reachable = descendants([INPUT], out);
    for (const [node, line] of flowNodes) {
      if (!reachable.has(node))
        issues.push({ line, node, message: `node "${node}" is unreachable from input` });
    }
  }

  let order = baseOrder;
  const loops: WorkflowGraph["loops"] = {};
  const guards: WorkflowGraph["guards"] = {};
  if (baseOrder.length === flowNodes.size) {
    const control = controlFlow(doc, out, into, baseOrder, issues);
    Object.assign(loops, control.loops);
    Object.assign(guards, control.guards);
    // The order honours the real edges plus: loop bodies before what runs after the loop, protected nodes
    // before catch targets (each through one extra node, so a region adds edges in proportion to its size).
    const extraNodes = [
      ...new Set(
        [...control.loopAfter, ...control.catchAfter].map((e) => e.to).filter((n) => n.startsWith("#")),
      ),
    ];
    const full = topological(
      [...flowNodes.keys(), ...extraNodes],
      [...doc.flow, ...control.loopAfter, ...control.catchAfter],
    );
    if (full.length < flowNodes.size + extraNodes.length) {
      issues.push({
        message:
          "the loops and try/catch regions cannot be ordered (a catch branch leads back into its try branch, or into a loop it follows); separate them",
      });
    } else {
      order = full.filter((n) => !n.startsWith("#"));
      const position = new Map(order.map((n, i) => [n, i]));
      const byPosition = (a: string, b: string) => (position.get(a) ?? 0) - (position.get(b) ?? 0);
      for (const l of Object.values(loops)) l.body.sort(byPosition);
      for (const g of Object.values(guards)) g.protects.sort(byPosition);
      checkTemplates(doc, full, out, control, issues);
    }
  }

  if (issues.length > 0) throw new WorkflowError(issues);
  const nodes: Record<string, NodeConfig> = {};
  for (const n of order) {
    const cfg = n === INPUT ? undefined : configOf(n);
    if (cfg) nodes[n] = cfg;
  }
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

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Kahn's algorithm over `edges` (linear: a read index, not Array.shift); nodes on a cycle are left out. */
function topological(nodes: string[], edges: readonly { from: string; to: string }[]): string[] {
  const indegree = new Map<string, number>(nodes.map((n) => [n, 0]));
  const next = new Map<string, string[]>();
  for (const e of edges) {
    indegree.set(e.to, (indegree.get(e.to) ?? 0) + 1);
    push(next, e.from, e.to);
  }
  const order: string[] = [];
  for (const [n, d] of indegree) if (d === 0) order.push(n);
  for (let i = 0; i < order.length; i++) {
    for (const to of next.get(order[i] as string) ?? []) {
      const d = (indegree.get(to) ?? 0) - 1;
      indegree.set(to, d);
      if (d === 0) order.push(to);
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

/** What the control-flow components add to the plain graph. */
interface ControlFlow {
  loops: WorkflowGraph["loops"];
  guards: WorkflowGraph["guards"];
  /** Each loop's body -> `#after:<loop>` -> each node after the loop: ordering, and ancestry for templates. */
  loopAfter: GraphEdge[];
  /** Each try's protected nodes -> `#catch:<try>` -> each catch target: ordering only. */
  catchAfter: GraphEdge[];
  /** The variables of the foreach_control loops each node is inside. */
  loopVariables: Map<string, Set<string>>;
}

/**
 * The rules of the control-flow components: a foreach_control's loop body is reached only from inside it,
 * a try_catch leads on only with ON_BRANCH(try) / ON_BRANCH(catch), and a switch's ON_BRANCH labels are
 * among its cases. Returns the loops and guards, and the extra ordering edges they imply.
 */
function controlFlow(
  doc: WorkflowDoc,
  out: Map<string, FlowEdge[]>,
  into: Map<string, FlowEdge[]>,
  order: string[],
  issues: WorkflowIssue[],
): ControlFlow {
  const loops: WorkflowGraph["loops"] = {};
  const guards: WorkflowGraph["guards"] = {};
  const loopAfter: GraphEdge[] = [];
  const catchAfter: GraphEdge[] = [];
  const loopVariables = new Map<string, Set<string>>();
  const ordering = { type: "ON_SUCCESS" } as const;
  for (const n of order) {
    const cfg = Object.hasOwn(doc.config, n) ? doc.config[n] : undefined;
    if (!cfg) continue;
    const edges = out.get(n) ?? [];
    if (cfg.component === FOREACH_CONTROL) {
      const each = edges.filter((e) => e.kind.type === "FOREACH");
      if (each.length === 0) continue;
      const body = new Set<string>();
      for (const e of each) {
        if (e.kind.type !== "FOREACH") continue;
        for (const b of descendants([e.to], out)) {
          body.add(b);
          const vars = loopVariables.get(b) ?? new Set<string>();
          vars.add(e.kind.variable);
          loopVariables.set(b, vars);
        }
      }
      for (const b of body) {
        for (const e of into.get(b) ?? []) {
          if (body.has(e.from) || (e.from === n && e.kind.type === "FOREACH")) continue;
          issues.push({
            line: e.line,
            node: b,
            message: `"${b}" runs once per item of the foreach_control "${n}", so it can only be reached from inside that loop, not from "${e.from}"; connect "${e.from}" to a node after the loop instead`,
          });
        }
      }
      const end = `${AFTER_LOOP}${n}`;
      let after = 0;
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
        loopAfter.push({ from: end, to: e.to, kind: ordering });
        after++;
      }
      if (after > 0) for (const b of body) loopAfter.push({ from: b, to: end, kind: ordering });
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
      if (protects.length > 0 && catchTargets.length > 0) {
        const end = `${BEFORE_CATCH}${n}`;
        for (const p of protects) catchAfter.push({ from: p, to: end, kind: ordering });
        for (const c of catchTargets) catchAfter.push({ from: end, to: c, kind: ordering });
      }
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
  return { loops, guards, loopAfter, catchAfter, loopVariables };
}

/**
 * Each template refers to input, a credential, a FOREACH variable in scope, or a node that runs before.
 * A foreach_control's variable is in scope in its whole loop body; the variable of a FOREACH from any other
 * node only in its one target. Nodes after a loop may read the loop's nodes (their collected outputs).
 *
 * "Runs before" is ancestry over the flow plus the after-loop edges, answered per reference without a set
 * of ancestors per node: a reference to a node later in the topological order is refused at once, one
 * inside the node's subtree of a depth-first spanning tree is accepted at once, and only the rest (across
 * diamonds) take a walk, one per referenced node, cut off past the latest node that refers to it.
 */
function checkTemplates(
  doc: WorkflowDoc,
  order: string[],
  out: Map<string, FlowEdge[]>,
  control: ControlFlow,
  issues: WorkflowIssue[],
): void {
  const id = new Map<string, number>(order.map((n, i) => [n, i]));
  // `order` is topological over the ancestry edges, so a node's index is its position.
  const next: number[][] = order.map(() => []);
  for (const [from, edges] of out)
    for (const e of edges) next[id.get(from) as number]?.push(id.get(e.to) as number);
  for (const e of control.loopAfter) next[id.get(e.from) as number]?.push(id.get(e.to) as number);

  // Pre- and post-order numbers of an iterative depth-first walk: u is a tree ancestor of v when
  // pre[u] <= pre[v] and post[v] <= post[u].
  const pre = new Int32Array(order.length).fill(-1);
  const post = new Int32Array(order.length);
  let clock = 0;
  for (let root = 0; root < order.length; root++) {
    if (pre[root] !== -1) continue;
    const stack: [number, number][] = [[root, 0]];
    pre[root] = clock++;
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as [number, number];
      const [u, i] = top;
      const succ = next[u] as number[];
      if (i < succ.length) {
        top[1] = i + 1;
        const v = succ[i] as number;
        if (pre[v] === -1) {
          pre[v] = clock++;
          stack.push([v, 0]);
        }
      } else {
        post[u] = clock++;
        stack.pop();
      }
    }
  }

  const own = new Map<string, Set<string>>();
  const loopVariableNames = new Set<string>();
  for (const e of doc.flow) {
    if (e.kind.type !== "FOREACH") continue;
    loopVariableNames.add(e.kind.variable);
    const cfg = Object.hasOwn(doc.config, e.from) ? doc.config[e.from] : undefined;
    if (cfg?.component !== FOREACH_CONTROL)
      own.set(e.to, (own.get(e.to) ?? new Set<string>()).add(e.kind.variable));
  }

  const refused = (cfg: NodeConfig, n: string, ref: string, root: string): void => {
    const why = Object.hasOwn(doc.config, root)
      ? `"${root}" does not run before "${n}"`
      : loopVariableNames.has(root)
        ? `the FOREACH variable "${root}" is not in scope here (only in the node a FOREACH leads to, or in the loop body of a foreach_control)`
        : `there is no node "${root}"`;
    issues.push({
      line: cfg.line,
      node: n,
      message: `template {{${ref}}}: ${why}; refer to input, a FOREACH variable, credential.NAME, or an earlier node`,
    });
  };

  // References neither refused nor accepted at once, by the node they refer to.
  const pending = new Map<number, { n: string; at: number; ref: string; cfg: NodeConfig }[]>();
  for (const n of order) {
    if (n === INPUT || n.startsWith("#") || !Object.hasOwn(doc.config, n)) continue;
    const cfg = doc.config[n] as NodeConfig;
    const at = id.get(n) as number;
    for (const ref of templateRefs(cfg.params)) {
      const root = ref.split(".")[0] ?? "";
      if (
        root === INPUT ||
        root === "credential" ||
        control.loopVariables.get(n)?.has(root) ||
        own.get(n)?.has(root)
      )
        continue;
      const from = id.get(root);
      if (from === undefined || from >= at) refused(cfg, n, ref, root);
      else if ((pre[from] as number) <= (pre[at] as number) && (post[at] as number) <= (post[from] as number))
        continue;
      else push(pending, from, { n, at, ref, cfg });
    }
  }
  const mark = new Int32Array(order.length).fill(-1);
  for (const [from, refs] of pending) {
    let last = 0;
    for (const r of refs) last = Math.max(last, r.at);
    const stack = [from];
    mark[from] = from;
    while (stack.length > 0) {
      const u = stack.pop() as number;
      for (const v of next[u] as number[]) {
        if (v > last || mark[v] === from) continue;
        mark[v] = from;
        stack.push(v);
      }
    }
    for (const r of refs) if (mark[r.at] !== from) refused(r.cfg, r.n, r.ref, order[from] as string);
  }
}

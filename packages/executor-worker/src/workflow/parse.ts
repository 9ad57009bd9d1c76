import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import { ExecutorError } from "../errors.js";

/** An edge kind of the flow: `a >> ON_SUCCESS >> b`, `ON_TRUE`, `ON_FALSE`, `ON_BRANCH(label)`, `FOREACH(item)`. */
export type EdgeKind =
  | { type: "ON_SUCCESS" }
  | { type: "ON_TRUE" }
  | { type: "ON_FALSE" }
  | { type: "ON_BRANCH"; label: string }
  | { type: "FOREACH"; variable: string };

export interface FlowEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  line?: number;
}

export interface NodeConfig {
  component: string;
  params: Record<string, unknown>;
  line?: number;
}

export interface WorkflowLimitsInput {
  run_ms?: number;
  node_ms?: number;
  output_bytes?: number;
  host_calls?: number;
  node_fuel?: number;
}

export interface WorkflowDoc {
  name: string;
  description?: string;
  flow: FlowEdge[];
  config: Record<string, NodeConfig>;
  limits: WorkflowLimitsInput;
}

export interface WorkflowIssue {
  message: string;
  line?: number;
  node?: string;
}

/** A workflow that cannot run; `issues` lists every problem with its line and node. */
export class WorkflowError extends ExecutorError {
  override name = "WorkflowError";
  readonly issues: WorkflowIssue[];
  constructor(issues: WorkflowIssue[]) {
    const lines = issues.map((i) => {
      const where = [i.line !== undefined ? `line ${i.line}` : "", i.node ? `node "${i.node}"` : ""]
        .filter(Boolean)
        .join(", ");
      return where ? `${where}: ${i.message}` : i.message;
    });
    super(
      "ERR_WORKFLOW_INVALID",
      `the workflow is not valid:\n  ${lines.join("\n  ")}\nFix it, then run: arcrun workflow validate <file>`,
    );
    this.issues = issues;
  }
}

export const NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const NODE_ID = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TRIPLET =
  /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*>>\s*(ON_SUCCESS|ON_TRUE|ON_FALSE|ON_BRANCH\(\s*([A-Za-z0-9_-]+)\s*\)|FOREACH\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\))\s*>>\s*([A-Za-z_][A-Za-z0-9_]*)\s*$/;
const LIMIT_KEYS = ["run_ms", "node_ms", "output_bytes", "host_calls", "node_fuel"] as const;

function parseTriplet(text: string, line: number | undefined, issues: WorkflowIssue[]): FlowEdge | undefined {
  const m = TRIPLET.exec(text);
  if (!m) {
    issues.push({
      line,
      message: `"${text.trim()}" is not a flow triplet; write "a >> ON_SUCCESS >> b" (edges: ON_SUCCESS, ON_TRUE, ON_FALSE, ON_BRANCH(label), FOREACH(item))`,
    });
    return undefined;
  }
  const [, from = "", edge = "", label, variable, to = ""] = m;
  let kind: EdgeKind;
  if (label !== undefined) kind = { type: "ON_BRANCH", label };
  else if (variable !== undefined) kind = { type: "FOREACH", variable };
  else kind = { type: edge as "ON_SUCCESS" | "ON_TRUE" | "ON_FALSE" };
  return { from, to, kind, line };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Reads the plain structure (from YAML or JSON) into a WorkflowDoc; `lineOf` maps a path to a line. */
function fromPlain(
  doc: unknown,
  lineOf: (path: (string | number)[]) => number | undefined,
  flowLineOf: (index: number, lineInBlock: number) => number | undefined,
): WorkflowDoc {
  const issues: WorkflowIssue[] = [];
  if (!isRecord(doc))
    throw new WorkflowError([{ line: 1, message: "expected a mapping with name, flow and config" }]);
  for (const key of Object.keys(doc)) {
    if (!["name", "description", "flow", "config", "limits"].includes(key)) {
      issues.push({
        line: lineOf([key]),
        message: `unknown key "${key}"; a workflow has name, description, flow, config, limits`,
      });
    }
  }
  const name = doc.name;
  if (typeof name !== "string" || !NAME.test(name)) {
    issues.push({
      line: lineOf(["name"]) ?? 1,
      message:
        "name is required: lower case letters, digits, _ and -, starting with a letter or digit (max 64)",
    });
  }
  const flow: FlowEdge[] = [];
  if (typeof doc.flow === "string") {
    doc.flow.split("\n").forEach((text, i) => {
      if (text.trim() === "" || text.trim().startsWith("#")) return;
      const edge = parseTriplet(text, flowLineOf(0, i), issues);
      if (edge) flow.push(edge);
    });
  } else if (Array.isArray(doc.flow)) {
    doc.flow.forEach((item, i) => {
      if (typeof item !== "string") {
        issues.push({
          line: lineOf(["flow", i]),
          message: 'each flow item is a string "a >> ON_SUCCESS >> b"',
        });
        return;
      }
      const edge = parseTriplet(item, lineOf(["flow", i]), issues);
      if (edge) flow.push(edge);
    });
  } else {
    issues.push({
      line: lineOf(["flow"]) ?? 1,
      message: 'flow is required: a list of "a >> ON_SUCCESS >> b" lines',
    });
  }
  const config: Record<string, NodeConfig> = {};
  if (doc.config !== undefined && !isRecord(doc.config)) {
    issues.push({
      line: lineOf(["config"]),
      message: "config is a mapping from node name to its component and parameters",
    });
  } else if (isRecord(doc.config)) {
    for (const [node, value] of Object.entries(doc.config)) {
      const line = lineOf(["config", node]);
      if (!NODE_ID.test(node)) {
        issues.push({
          line,
          node,
          message: "a node name is letters, digits and _, starting with a letter or _",
        });
        continue;
      }
      if (!isRecord(value)) {
        issues.push({
          line,
          node,
          message: "a node's config is a mapping with component and its parameters",
        });
        continue;
      }
      const { component, ...params } = value;
      if (typeof component !== "string" || component === "") {
        issues.push({
          line,
          node,
          message: "component is required, e.g. component: http_request; run: arcrun components",
        });
        continue;
      }
      config[node] = { component, params, line };
    }
  }
  const limits: WorkflowLimitsInput = {};
  if (doc.limits !== undefined) {
    if (!isRecord(doc.limits)) {
      issues.push({ line: lineOf(["limits"]), message: `limits is a mapping of ${LIMIT_KEYS.join(", ")}` });
    } else {
      for (const [k, v] of Object.entries(doc.limits)) {
        if (!(LIMIT_KEYS as readonly string[]).includes(k)) {
          issues.push({
            line: lineOf(["limits", k]),
            message: `unknown limit "${k}"; use ${LIMIT_KEYS.join(", ")}`,
          });
        } else if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) {
          issues.push({ line: lineOf(["limits", k]), message: `limits.${k} must be a positive integer` });
        } else {
          limits[k as (typeof LIMIT_KEYS)[number]] = v;
        }
      }
    }
  }
  if (issues.length > 0) throw new WorkflowError(issues);
  return {
    name: name as string,
    ...(typeof doc.description === "string" ? { description: doc.description } : {}),
    flow,
    config,
    limits,
  };
}

/** Parses a workflow written in YAML; every error names its line (and node). */
export function parseWorkflowYaml(text: string): WorkflowDoc {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new WorkflowError(
      doc.errors.map((e) => ({
        line: e.linePos?.[0]?.line,
        message: `YAML: ${e.message.split("\n")[0] ?? e.message}`,
      })),
    );
  }
  const lineAt = (node: Node | null | undefined): number | undefined =>
    node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
  const lineOf = (path: (string | number)[]): number | undefined => {
    // The line of the key for mapping entries, of the item for sequence entries.
    let cur: unknown = doc.contents;
    let line: number | undefined;
    for (const step of path) {
      if (isMap(cur)) {
        const pair = cur.items.find((p) => isScalar(p.key) && p.key.value === step);
        if (!pair) return line;
        line = lineAt(pair.key as Node);
        cur = pair.value;
      } else if (isSeq(cur) && typeof step === "number") {
        const item = cur.items[step] as Node | undefined;
        line = lineAt(item) ?? line;
        cur = item;
      } else {
        return line;
      }
    }
    return line;
  };
  const flowLineOf = (_index: number, lineInBlock: number): number | undefined => {
    // A block scalar starts on the line after `flow: |`.
    const start = lineOf(["flow"]);
    return start === undefined ? undefined : start + 1 + lineInBlock;
  };
  return fromPlain(doc.toJS(), lineOf, flowLineOf);
}

/** Parses the same structure given as JSON (an object already decoded); errors name the node, not a line. */
export function parseWorkflowObject(value: unknown): WorkflowDoc {
  return fromPlain(
    value,
    () => undefined,
    () => undefined,
  );
}

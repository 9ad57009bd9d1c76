import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import { WorkflowError, type WorkflowIssue } from "./errors.js";
import { FLOW_LINE_HELP, type FlowEdge, NAME, NODE_ID, parseFlowLine } from "./flow.js";

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

const LIMIT_KEYS = ["run_ms", "node_ms", "output_bytes", "host_calls", "node_fuel"] as const;

function parseTriplet(text: string, line: number | undefined, issues: WorkflowIssue[]): FlowEdge | undefined {
  const edge = parseFlowLine(text);
  if (!edge) issues.push({ line, message: `"${text.trim()}" is not a flow triplet; ${FLOW_LINE_HELP}` });
  return edge && { ...edge, line };
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

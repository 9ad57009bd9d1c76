import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseDocument,
} from "yaml";
import { WorkflowError, type WorkflowIssue } from "./errors.js";
import { FLOW_LINE_HELP, type FlowEdge, NAME, NODE_ID, parseFlowLine } from "./flow.js";
import { plainDepth, plainShape, yamlShape, yamlTextDepth } from "./internal/depth.js";
import { readYamlEvents } from "./internal/fast-yaml.js";
import { RESERVED_NODE_NAMES, WORKFLOW_LIMITS, type WorkflowSizeLimits } from "./limits.js";

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
/**
 * How many alias expansions a YAML document may make, counted on the expanded value (an alias inside an
 * anchored node counts once for each time that node is expanded): no alias bombs. The `yaml` package's
 * maxAliasCount on the path that reads a document js-yaml refuses.
 */
const MAX_ALIAS_COUNT = 100;
/**
 * How many values (scalars, mappings, lists) a YAML document's aliases may expand it to. The largest
 * workflow the limits allow holds about 1,400; without the bound, 99 aliases of one long list in a 10 KB
 * document made 500k values, and 100 ms of CPU for the template checks of one push (and more at every run).
 */
const MAX_EXPANDED_VALUES = 10_000;

/** Options of the parsers: the size limits to enforce (default {@link WORKFLOW_LIMITS}). */
export interface ParseOptions {
  limits?: Readonly<WorkflowSizeLimits>;
}

/** UTF-8 length of a string without encoding it. */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

const tooLarge = (limit: keyof WorkflowSizeLimits, message: string): WorkflowError =>
  new WorkflowError([{ limit, message }]);

function checkBodySize(text: string, limits: Readonly<WorkflowSizeLimits>): void {
  if (text.length <= limits.body_bytes / 3) return;
  const bytes = utf8Length(text);
  if (bytes > limits.body_bytes)
    throw tooLarge(
      "body_bytes",
      `the document is ${bytes} bytes; the limit is ${limits.body_bytes} (body_bytes): split the workflow`,
    );
}

const tooDeep = (limits: Readonly<WorkflowSizeLimits>): WorkflowError =>
  tooLarge(
    "depth",
    `the document nests more than ${limits.depth} levels of mappings and lists (depth); flatten the config`,
  );

function checkDepth(depth: number, limits: Readonly<WorkflowSizeLimits>): void {
  if (depth > limits.depth) throw tooDeep(limits);
}

const tooManyAliases = (over: "expansions" | "values" = "expansions"): WorkflowError =>
  new WorkflowError([
    {
      message:
        over === "expansions"
          ? `YAML: the aliases (*name) expand too much (more than ${MAX_ALIAS_COUNT} times); write the values out`
          : `YAML: the aliases (*name) expand too much (to more than ${MAX_EXPANDED_VALUES} values); write the values out`,
    },
  ]);

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
  size: Readonly<WorkflowSizeLimits>,
): WorkflowDoc {
  const issues: WorkflowIssue[] = [];
  if (!isRecord(doc))
    throw new WorkflowError([{ line: 1, message: "expected a mapping with name, flow and config" }]);
  const flowLines = typeof doc.flow === "string" ? doc.flow.split("\n") : doc.flow;
  if (Array.isArray(flowLines)) {
    const count =
      typeof doc.flow === "string"
        ? flowLines.filter((t) => typeof t === "string" && t.trim() !== "" && !t.trim().startsWith("#"))
            .length
        : flowLines.length;
    if (count > size.edges)
      throw tooLarge(
        "edges",
        `the flow has ${count} lines; the limit is ${size.edges} edges (edges): split the workflow`,
      );
  }
  if (isRecord(doc.config)) {
    const count = Object.keys(doc.config).length;
    if (count > size.nodes)
      throw tooLarge(
        "nodes",
        `config has ${count} nodes; the limit is ${size.nodes} (nodes): split the workflow`,
      );
  }
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
    (flowLines as string[]).forEach((text, i) => {
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
  // No prototype: a node named like an Object property can never read as configured.
  const config: Record<string, NodeConfig> = Object.create(null) as Record<string, NodeConfig>;
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
      if (RESERVED_NODE_NAMES.has(node)) {
        issues.push({ line, node, message: `"${node}" is a reserved name; rename the node` });
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

/**
 * Parses a workflow written in YAML; every error names its line (and node). A document above a size limit,
 * nested too deep or expanding too many aliases is refused with a {@link WorkflowError}, never thrown
 * through as a parser crash.
 *
 * js-yaml's event parser reads it, and the nesting, the alias expansions and the values they add are
 * checked on its events before any value is built (internal/fast-yaml.ts). A document js-yaml refuses is read again by the `yaml`
 * package, which says what is wrong and on which line (and reads what it alone accepts, as it did alone
 * before). See docs/bench.md "workflow_push_cpu_ms" for the cost of each.
 */
export function parseWorkflowYaml(text: string, options: ParseOptions = {}): WorkflowDoc {
  const limits = options.limits ?? WORKFLOW_LIMITS;
  checkBodySize(text, limits);
  const read = readYamlEvents(text, {
    depth: limits.depth,
    expansions: MAX_ALIAS_COUNT,
    values: MAX_EXPANDED_VALUES,
  });
  switch (read.kind) {
    case "value":
      return fromPlain(read.value, read.lineOf, blockLineOf(read.lineOf), limits);
    case "too-deep":
      throw tooDeep(limits);
    case "aliases":
      throw tooManyAliases(read.over);
    case "unknown-alias":
      throw new WorkflowError([
        {
          line: read.line,
          message: `YAML: the alias *${read.name} has no anchor &${read.name} before it; define the anchor first`,
        },
      ]);
    case "unreadable":
      return readWithYamlPackage(text, limits);
    default: {
      const never: never = read;
      return never;
    }
  }
}

/** The line of a flow given as one block scalar: it starts on the line after `flow: |`. */
const blockLineOf =
  (lineOf: (path: (string | number)[]) => number | undefined) =>
  (_index: number, lineInBlock: number): number | undefined => {
    const start = lineOf(["flow"]);
    return start === undefined ? undefined : start + 1 + lineInBlock;
  };

/**
 * The `yaml` package's reading, with a position for every node: what a document js-yaml refuses gets as
 * its errors (syntax, duplicate keys) with their lines, under the same limits.
 */
function readWithYamlPackage(text: string, limits: Readonly<WorkflowSizeLimits>): WorkflowDoc {
  // Its cost grows fast with nesting (a 100k-bracket line takes seconds) and it recurses once per level:
  // refuse what is far too deep before it runs. js-yaml stops at its first error, so a document with one
  // comes here however deep the rest of it nests.
  checkDepth(yamlTextDepth(text, 2 * limits.depth) > 2 * limits.depth ? limits.depth + 1 : 0, limits);
  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  try {
    // Keys are checked for uniqueness below, in linear time.
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  } catch (err) {
    throw new WorkflowError([
      { message: `YAML: cannot be read (${errorName(err)}); check the file's syntax` },
    ]);
  }
  if (doc.errors.length > 0) {
    throw new WorkflowError(
      doc.errors.map((e) => ({
        line: e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line,
        message: `YAML: ${e.message.split("\n")[0] ?? e.message}`,
      })),
    );
  }
  const shape = yamlShape(doc.contents, limits.depth);
  checkDepth(shape.depth, limits);
  if (shape.duplicates.length > 0) {
    throw new WorkflowError(
      shape.duplicates.map((key) => ({
        line: key.range ? lineCounter.linePos(key.range[0]).line : undefined,
        message: `YAML: Map keys must be unique ("${String(key.value)}" is repeated); keep one`,
      })),
    );
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (err instanceof ReferenceError && err.message.startsWith("Unresolved alias"))
      throw new WorkflowError([
        { message: "YAML: an alias (*name) has no anchor (&name) before it; define the anchor first" },
      ]);
    if (err instanceof ReferenceError) throw tooManyAliases();
    throw new WorkflowError([
      { message: `YAML: cannot be read (${errorName(err)}); check the file's syntax` },
    ]);
  }
  // Aliases resolved: the value may nest deeper than the tree it came from, and hold more values (the
  // tree's own count is always allowed: only aliases can go past it).
  const allowed = Math.max(MAX_EXPANDED_VALUES, shape.nodes);
  const expanded = plainShape(value, limits.depth, allowed);
  checkDepth(expanded.depth, limits);
  if (expanded.values > allowed) throw tooManyAliases("values");
  const lineAt = (node: Node | null | undefined): number | undefined =>
    node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
  // Each mapping's keys indexed once, so naming the line of every node stays linear.
  const keyIndex = new WeakMap<object, Map<unknown, Pair>>();
  const pairOf = (map: { items: Pair[] }, key: string | number): Pair | undefined => {
    let index = keyIndex.get(map);
    if (!index) {
      index = new Map();
      for (const p of map.items) if (isScalar(p.key) && !index.has(p.key.value)) index.set(p.key.value, p);
      keyIndex.set(map, index);
    }
    return index.get(key);
  };
  const lineOf = (path: (string | number)[]): number | undefined => {
    // The line of the key for mapping entries, of the item for sequence entries.
    let cur: unknown = doc.contents;
    let line: number | undefined;
    for (const step of path) {
      if (isMap(cur)) {
        const pair = pairOf(cur as { items: Pair[] }, step);
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
  return fromPlain(value, lineOf, blockLineOf(lineOf), limits);
}

/**
 * Parses the same structure given as JSON (an object already decoded); errors name the node, not a line.
 * The value is checked for depth before anything walks it.
 */
export function parseWorkflowObject(value: unknown, options: ParseOptions = {}): WorkflowDoc {
  const limits = options.limits ?? WORKFLOW_LIMITS;
  checkDepth(plainDepth(value, limits.depth), limits);
  return fromPlain(
    value,
    () => undefined,
    () => undefined,
    limits,
  );
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}

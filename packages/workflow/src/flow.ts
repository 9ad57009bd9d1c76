/** An edge kind of the flow: `a >> ON_SUCCESS >> b`, `ON_TRUE`, `ON_FALSE`, `ON_BRANCH(label)`, `FOREACH(item)`. */
export type EdgeKind =
  | { type: "ON_SUCCESS" }
  | { type: "ON_TRUE" }
  | { type: "ON_FALSE" }
  | { type: "ON_BRANCH"; label: string }
  | { type: "FOREACH"; variable: string };

/** One line of the flow; `line` is its line in the YAML source (absent for JSON). */
export interface FlowEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  line?: number;
}

/** A workflow name: lower case letters, digits, `_` and `-`, starting with a letter or digit (max 64). */
export const NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** A node name: letters, digits and `_`, starting with a letter or `_`. */
export const NODE_ID = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TRIPLET =
  /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*>>\s*(ON_SUCCESS|ON_TRUE|ON_FALSE|ON_BRANCH\(\s*([A-Za-z0-9_-]+)\s*\)|FOREACH\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\))\s*>>\s*([A-Za-z_][A-Za-z0-9_]*)\s*$/;

/** What a flow line that is not a triplet is told. */
export const FLOW_LINE_HELP =
  'write "a >> ON_SUCCESS >> b" (edges: ON_SUCCESS, ON_TRUE, ON_FALSE, ON_BRANCH(label), FOREACH(item))';

/** Reads one flow line `from >> EDGE >> to`; `undefined` when it is not one. */
export function parseFlowLine(text: string): Omit<FlowEdge, "line"> | undefined {
  const m = TRIPLET.exec(text);
  if (!m) return undefined;
  const [, from = "", edge = "", label, variable, to = ""] = m;
  let kind: EdgeKind;
  if (label !== undefined) kind = { type: "ON_BRANCH", label };
  else if (variable !== undefined) kind = { type: "FOREACH", variable };
  else kind = { type: edge as "ON_SUCCESS" | "ON_TRUE" | "ON_FALSE" };
  return { from, to, kind };
}

/** The canonical text of an edge, `a >> ON_BRANCH(bug) >> b`: what {@link parseFlowLine} reads back. */
export function formatFlowLine(e: Omit<FlowEdge, "line">): string {
  const k = e.kind;
  const mid =
    k.type === "ON_BRANCH"
      ? `ON_BRANCH(${k.label})`
      : k.type === "FOREACH"
        ? `FOREACH(${k.variable})`
        : k.type;
  return `${e.from} >> ${mid} >> ${e.to}`;
}

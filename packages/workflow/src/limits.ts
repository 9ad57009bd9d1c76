/**
 * The size limits of one workflow document. A push above one is refused before any quadratic or
 * recursive work can start: the body by its size (the executor answers 413), the rest as a
 * {@link WorkflowError} whose issue names the limit (400). See docs/workflows.md "Limits".
 */
export interface WorkflowSizeLimits {
  /** Bytes of the document's text (YAML or JSON). */
  body_bytes: number;
  /** Nodes named in the flow or under config, `input` included. */
  nodes: number;
  /** Lines of the flow. */
  edges: number;
  /** Nesting of mappings and lists, the document itself being depth 1. */
  depth: number;
}

export type WorkflowSizeLimit = keyof WorkflowSizeLimits;

/**
 * Sized so that a push of the largest workflow they allow stays within a few milliseconds of CPU (the
 * `workflow-push` bench figure; nearly all of it is the YAML parser's). Workflows are a few dozen nodes;
 * one that needs more is better split (a run executes at most 200 nodes by default).
 */
export const WORKFLOW_LIMITS: Readonly<WorkflowSizeLimits> = Object.freeze({
  body_bytes: 32 * 1024,
  nodes: 100,
  edges: 200,
  depth: 32,
});

/**
 * Names a node may not have: `input`, `credential` and `item` mean something in templates, and the
 * properties every JavaScript object inherits (`constructor`, `__proto__`, ...) would read as a config that
 * is not there.
 */
export const RESERVED_NODE_NAMES: ReadonlySet<string> = new Set([
  "input",
  "credential",
  "item",
  "constructor",
  "prototype",
  "__proto__",
  "__defineGetter__",
  "__defineSetter__",
  "__lookupGetter__",
  "__lookupSetter__",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "toLocaleString",
  "toString",
  "valueOf",
]);

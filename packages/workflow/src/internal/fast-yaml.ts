import {
  CORE_SCHEMA,
  constructFromEvents,
  EVENT_ID,
  type Event,
  getScalarValue,
  parseEvents,
  YAMLException,
} from "js-yaml";

/**
 * What {@link readYamlEvents} made of a document: its value with the source offset of every entry down to
 * the second level (`["config", node]`, `["flow", 3]`), or a refusal found before the value was built, or
 * `unreadable`: js-yaml refused it (a syntax error, a duplicate key, an unknown tag, several documents or
 * none) or it has directives (`%YAML 1.1`), and the `yaml` package reads it again to say what is wrong and
 * where, or to read it as it always did.
 */
export type EventRead =
  | { kind: "value"; value: unknown; lineOf: (path: readonly (string | number)[]) => number | undefined }
  | { kind: "too-deep" }
  | { kind: "aliases"; over: "expansions" | "values" }
  | { kind: "unknown-alias"; name: string; line: number }
  | { kind: "unreadable" };

/** What an anchored node weighs once expanded: its nesting, the alias expansions and the values in it. */
interface AnchorWeight {
  height: number;
  expansions: number;
  values: number;
}

/** The bounds {@link readYamlEvents} checks. */
export interface EventBounds {
  /** Nesting of mappings and lists, the document being 1, aliases resolved. */
  depth: number;
  /** Alias expansions in the expanded value. */
  expansions: number;
  /** Values (scalars, mappings, lists; keys too) in the value once its aliases are expanded. */
  values: number;
}

interface Frame {
  isMap: boolean;
  /** Children seen so far (keys and values both, for a mapping). */
  children: number;
  /** The entries' path prefix (joined by NUL), when this collection is at most one level below the root. */
  path: string | undefined;
  /** The key of the value that comes next, in a mapping. */
  key: string | undefined;
  anchor: string | undefined;
  /** The tallest child collection, expanded. */
  height: number;
  expansions: number;
  /** This collection and everything in it, expanded. */
  values: number;
}

const SEP = "\u0000";
/** An anchor whose collection is still open: an alias to it would make the value contain itself. */
const OPEN: AnchorWeight = {
  height: Number.POSITIVE_INFINITY,
  expansions: Number.POSITIVE_INFINITY,
  values: Number.POSITIVE_INFINITY,
};

const startOf = (e: Event): number =>
  e.type === EVENT_ID.SCALAR
    ? e.valueStart >= 0
      ? e.valueStart
      : Math.max(e.anchorStart, e.tagStart)
    : e.type === EVENT_ID.SEQUENCE || e.type === EVENT_ID.MAPPING
      ? e.start
      : e.type === EVENT_ID.ALIAS
        ? e.anchorStart
        : -1;

const anchorOf = (text: string, e: { anchorStart: number; anchorEnd: number }): string | undefined =>
  e.anchorStart >= 0 ? text.slice(e.anchorStart, e.anchorEnd) : undefined;

/**
 * Reads a YAML document with js-yaml's event parser and checks its shape on the flat event list before any
 * value is built, in one pass: the nesting of mappings and lists (the document being 1) with every alias
 * counted as the collection it stands for, and how many alias expansions the whole value makes once each
 * alias is replaced by its anchor's node (an alias inside an anchor that is itself aliased nine times
 * counts nine times), and how many values that expanded value holds: 99 aliases of a 5,000-item list in a
 * 10 KB document make 500k values, which the template checks and every run's rendering would walk. The
 * value is then built with aliases as shared references, so nothing is ever expanded here.
 *
 * The `yaml` package's parseDocument builds a full node tree with positions for every node and took 85% of
 * a push's CPU (docs/bench.md "workflow_push_cpu_ms"); the events keep only offsets, read here for the few
 * entries whose line an issue may name.
 */
export function readYamlEvents(text: string, bounds: Readonly<EventBounds>): EventRead {
  const maxDepth = bounds.depth;
  let events: Event[];
  try {
    // js-yaml counts every node it descends into (a scalar too) and recurses for each: its own bound,
    // above the caller's, stops a far too deep document early; the nesting the caller's limit is about is
    // checked below, to refuse with the caller's message.
    events = parseEvents(text, { maxDepth: 2 * maxDepth + 2 });
  } catch (err) {
    // Each level of its count below the first is a mapping or list (a key, a value or an item of one), so
    // the text already nests deeper than the caller's limit. Said here, not by the `yaml` package: its
    // parser recurses once per level too, and a line of 10k `- ` or `? ` exhausts the stack in it.
    if (err instanceof YAMLException && err.reason.startsWith("nesting exceeded maxDepth"))
      return { kind: "too-deep" };
    return { kind: "unreadable" };
  }
  const offsets = new Map<string, number>();
  const anchors = new Map<string, AnchorWeight>();
  const stack: Frame[] = [];
  let documents = 0;
  let expansions = 0;
  let values = 0;

  for (const e of events) {
    if (e.type === EVENT_ID.DOCUMENT) {
      documents++;
      // `%YAML 1.1` makes the `yaml` package read `yes` as true (its 1.1 schema); js-yaml keeps the core
      // schema. A document with directives is read as it was before, by the `yaml` package.
      if (e.directives.length > 0) return { kind: "unreadable" };
      continue;
    }
    const parent = stack[stack.length - 1];
    if (e.type === EVENT_ID.POP) {
      const done = stack.pop();
      if (!done) continue;
      const height = done.height + 1;
      if (done.anchor !== undefined)
        anchors.set(done.anchor, { height, expansions: done.expansions, values: done.values });
      const up = stack[stack.length - 1];
      if (up) {
        if (height > up.height) up.height = height;
        up.expansions += done.expansions;
        up.values += done.values;
      }
      continue;
    }
    // Where this node sits: a mapping's key, a mapping's value, a list item or the root.
    let childPath: string | undefined;
    if (parent) {
      const index = parent.children++;
      if (parent.isMap && index % 2 === 0) {
        parent.key = undefined;
        if (e.type === EVENT_ID.SCALAR && parent.path !== undefined) {
          parent.key = getScalarValue(text, e);
          const at = startOf(e);
          if (at >= 0) offsets.set(`${parent.path}${SEP}${parent.key}`, at);
        }
      } else if (parent.path !== undefined) {
        const step = parent.isMap ? parent.key : String(index);
        if (step !== undefined) {
          childPath = `${parent.path}${SEP}${step}`;
          if (!parent.isMap) {
            const at = startOf(e);
            if (at >= 0) offsets.set(childPath, at);
          }
        }
      }
    }
    if (e.type === EVENT_ID.ALIAS) {
      const name = text.slice(e.anchorStart, e.anchorEnd);
      const weight = anchors.get(name);
      if (weight === undefined) return { kind: "unknown-alias", name, line: lineAt(text, e.anchorStart) };
      // Recursive (the value would contain itself): the `yaml` package reads it, and its depth check refuses.
      if (weight === OPEN) return { kind: "unreadable" };
      if (stack.length + weight.height > maxDepth) return { kind: "too-deep" };
      expansions += 1 + weight.expansions;
      if (expansions > bounds.expansions) return { kind: "aliases", over: "expansions" };
      // Only an alias makes the value larger than its text: a document without any is never refused here.
      values += weight.values;
      if (values > bounds.values) return { kind: "aliases", over: "values" };
      if (parent) {
        if (weight.height > parent.height) parent.height = weight.height;
        parent.expansions += 1 + weight.expansions;
        parent.values += weight.values;
      }
    } else if (e.type === EVENT_ID.SCALAR) {
      values++;
      if (parent) parent.values++;
      const anchor = anchorOf(text, e);
      if (anchor !== undefined) anchors.set(anchor, { height: 0, expansions: 0, values: 1 });
    } else {
      values++;
      if (stack.length + 1 > maxDepth) return { kind: "too-deep" };
      const anchor = anchorOf(text, e);
      if (anchor !== undefined) anchors.set(anchor, OPEN);
      stack.push({
        isMap: e.type === EVENT_ID.MAPPING,
        children: 0,
        // The root's entries are paths of one step, their children's of two; deeper lines are not named.
        path: parent ? (stack.length === 1 ? childPath : undefined) : "",
        key: undefined,
        anchor,
        height: 0,
        expansions: 0,
        values: 1,
      });
    }
  }
  if (documents !== 1) return { kind: "unreadable" };

  let value: unknown;
  try {
    [value] = constructFromEvents(events, { source: text, schema: CORE_SCHEMA });
  } catch {
    return { kind: "unreadable" };
  }
  let newlines: number[] | undefined;
  const lineOfOffset = (offset: number): number => {
    if (!newlines) {
      newlines = [];
      for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) newlines.push(i);
    }
    let lo = 0;
    let hi = newlines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((newlines[mid] as number) < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
  const lineOf = (path: readonly (string | number)[]): number | undefined => {
    // The line of the key for a mapping's entry, of the item for a list's; the nearest one found above
    // a path that goes deeper than two steps or through an alias.
    for (let n = Math.min(path.length, 2); n > 0; n--) {
      const at = offsets.get(`${SEP}${path.slice(0, n).join(SEP)}`);
      if (at !== undefined) return lineOfOffset(at);
    }
    return undefined;
  };
  return { kind: "value", value, lineOf };
}

/** The 1-based line of an offset, counted once (an error path). */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

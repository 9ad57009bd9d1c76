import { isMap, isPair, isScalar, isSeq, type Node, type Scalar } from "yaml";

/**
 * The deepest nesting of arrays and objects in a decoded JSON value, counted without recursion (a value
 * nested deeper than the call stack is exactly what this guards against). Stops once `max` is passed.
 */
export function plainDepth(value: unknown, max: number): number {
  return plainShape(value, max, Number.POSITIVE_INFINITY).depth;
}

/**
 * {@link plainDepth} and the number of values (objects, arrays, primitives) walked, for a value decoded from
 * YAML whose aliases may make it far larger than its text: the walk stops once either bound is passed (a
 * value that contains itself passes the depth first, being walked deepest first).
 */
export function plainShape(
  value: unknown,
  maxDepth: number,
  maxValues: number,
): { depth: number; values: number } {
  let deepest = 0;
  let values = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (++values > maxValues) break;
    if (typeof v !== "object" || v === null) continue;
    if (d > deepest) deepest = d;
    if (deepest > maxDepth) break;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return { depth: deepest, values };
}

/**
 * The same for a parsed YAML document's node tree (aliases are leaves here: they are counted when
 * resolved), the keys that repeat one before them in the same mapping, and the nodes in the tree. The
 * `yaml` package's own uniqueKeys check compares each key with every earlier one (quadratic in a mapping's
 * size); this one keeps a Set per mapping.
 */
export function yamlShape(
  root: unknown,
  max: number,
): { depth: number; duplicates: Scalar[]; nodes: number } {
  let deepest = 0;
  let nodes = 0;
  const duplicates: Scalar[] = [];
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [n, d] = stack.pop() as [unknown, number];
    if (n !== null && n !== undefined) nodes++;
    if (!isMap(n) && !isSeq(n)) continue;
    if (d > deepest) deepest = d;
    if (deepest > max) break;
    const keys = new Set<unknown>();
    for (const item of n.items as unknown[]) {
      if (isPair(item)) {
        if (isScalar(item.key)) {
          if (keys.has(item.key.value)) duplicates.push(item.key);
          keys.add(item.key.value);
        }
        stack.push([item.key as Node, d + 1], [item.value as Node, d + 1]);
      } else stack.push([item, d + 1]);
    }
  }
  return { depth: deepest, duplicates, nodes };
}

/**
 * A cheap upper guard before the YAML parser runs: the nesting of flow brackets (`[`, `{`) outside quotes
 * and comments, and of block indentation and indicators (`- `, `? `, `: ` at a line's start, each a
 * level). The parser's own cost grows fast with nesting (a 100k-bracket line takes seconds), so a text
 * nested far beyond the limit is refused unparsed; the exact check is {@link yamlShape} on the parsed tree.
 */
export function yamlTextDepth(text: string, max: number): number {
  let deepest = 0;
  let brackets = 0;
  const indents: number[] = [];
  let lineStart = true;
  let indent = 0;
  let quote = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "\n") {
      lineStart = true;
      indent = 0;
      continue;
    }
    if (lineStart) {
      if (ch === " ") {
        indent++;
        continue;
      }
      const next = text[i + 1];
      if ((ch === "-" || ch === "?" || ch === ":") && (next === " " || next === "\n" || next === undefined)) {
        // A block indicator opens a level where it stands: `- - - x` on one line nests three lists, which
        // the parser reads by recursing once for each (10k of them exhaust its stack).
        while (indents.length > 0 && (indents[indents.length - 1] as number) >= indent) indents.pop();
        indents.push(indent);
        indent++;
        if (indents.length + brackets > deepest) {
          deepest = indents.length + brackets;
          if (deepest > max) return deepest;
        }
        continue;
      }
      lineStart = false;
      while (indents.length > 0 && (indents[indents.length - 1] as number) >= indent) indents.pop();
      indents.push(indent);
    }
    if (quote) {
      if (ch === quote) quote = "";
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "#") {
      const nl = text.indexOf("\n", i);
      i = (nl === -1 ? text.length : nl) - 1;
    } else if (ch === "[" || ch === "{") brackets++;
    else if (ch === "]" || ch === "}") brackets = Math.max(0, brackets - 1);
    const d = indents.length + brackets;
    if (d > deepest) {
      deepest = d;
      if (deepest > max) return deepest;
    }
  }
  return deepest;
}

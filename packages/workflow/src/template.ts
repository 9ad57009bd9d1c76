/**
 * The template grammar of a workflow's config: `{{input.x}}`, `{{node.data.path}}`, `{{item.x}}` (a FOREACH
 * variable) and `{{credential.NAME}}` / `{{credential.NAME.key}}`. Scanning only; the executor resolves
 * templates at run time with the same grammar.
 */
const EXPR = /\{\{\s*([^{}]*?)\s*\}\}/g;
const WHOLE = /^\{\{\s*([^{}]*?)\s*\}\}$/;
const REF = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_-]+)*$/;

/** A piece of a string with templates: literal text, or the reference inside one `{{...}}`. */
export type TemplatePart = { type: "text"; text: string } | { type: "ref"; ref: string };

function walkStrings(value: unknown, visit: (s: string) => void): void {
  if (typeof value === "string") visit(value);
  else if (Array.isArray(value)) for (const v of value) walkStrings(v, visit);
  else if (value && typeof value === "object") for (const v of Object.values(value)) walkStrings(v, visit);
}

/** Every template reference in a config value (deeply), e.g. `fetch.data.body`. */
export function templateRefs(value: unknown): string[] {
  const refs: string[] = [];
  walkStrings(value, (s) => {
    for (const m of s.matchAll(EXPR)) refs.push((m[1] ?? "").trim());
  });
  return refs;
}

/** The reference when the whole string is one template (its value is taken as is, an object stays one). */
export function wholeTemplate(s: string): string | undefined {
  const m = WHOLE.exec(s);
  return m ? (m[1] ?? "").trim() : undefined;
}

/** Splits a string into text and template references, in order (text parts may be empty). */
export function templateParts(s: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const m of s.matchAll(EXPR)) {
    parts.push({ type: "text", text: s.slice(last, m.index) }, { type: "ref", ref: (m[1] ?? "").trim() });
    last = m.index + m[0].length;
  }
  parts.push({ type: "text", text: s.slice(last) });
  return parts;
}

/** Whether a reference has the form `root.path.to.value` (a root name, then dotted keys or indexes). */
export function isTemplateRef(ref: string): boolean {
  return REF.test(ref);
}

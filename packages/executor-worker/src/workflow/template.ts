import { isTemplateRef, templateParts, wholeTemplate } from "@arcrun/workflow";
import { ExecutorError } from "../errors.js";

export interface TemplateScope {
  /** input, node outputs, and FOREACH variables. */
  values: Record<string, unknown>;
  /** Decrypts a credential of the tenant (inside the host) and returns a value of it. */
  credential: (name: string, key: string | undefined) => Promise<string>;
}

function lookup(ref: string, scope: TemplateScope): unknown {
  const [root = "", ...path] = ref.split(".");
  if (!Object.hasOwn(scope.values, root)) {
    throw new ExecutorError(
      "ERR_TEMPLATE",
      `{{${ref}}}: "${root}" has no value here (it did not run, or is not defined)`,
    );
  }
  let cur: unknown = scope.values[root];
  for (let i = 0; i < path.length; i++) {
    const step = path[i] as string;
    if (Array.isArray(cur) && /^\d+$/.test(step)) cur = cur[Number(step)];
    else if (cur && typeof cur === "object" && Object.hasOwn(cur, step))
      cur = (cur as Record<string, unknown>)[step];
    else cur = undefined;
    if (cur === undefined) {
      throw new ExecutorError(
        "ERR_TEMPLATE",
        `{{${ref}}}: ${[root, ...path.slice(0, i)].join(".")} has no "${step}"; check the node's output in the execution trace`,
      );
    }
  }
  return cur;
}

async function evaluate(ref: string, scope: TemplateScope): Promise<unknown> {
  if (!isTemplateRef(ref))
    throw new ExecutorError("ERR_TEMPLATE", `{{${ref}}} is not a reference like input.x or node.data.path`);
  const parts = ref.split(".");
  if (parts[0] === "credential") {
    if (parts.length < 2 || parts.length > 3) {
      throw new ExecutorError(
        "ERR_TEMPLATE",
        `{{${ref}}}: write {{credential.NAME}} or {{credential.NAME.key}}`,
      );
    }
    return scope.credential(parts[1] as string, parts[2]);
  }
  return lookup(ref, scope);
}

function asText(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === null || v === undefined) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

async function resolveString(s: string, scope: TemplateScope): Promise<unknown> {
  const whole = wholeTemplate(s);
  if (whole !== undefined) return evaluate(whole, scope);
  const parts: string[] = [];
  for (const part of templateParts(s))
    parts.push(part.type === "text" ? part.text : asText(await evaluate(part.ref, scope)));
  return parts.join("");
}

/**
 * Resolves every template in a config value (deeply) at run time; the grammar, and the checks made before a
 * run, are @arcrun/workflow's. A string that is exactly one template takes the value itself (an object stays
 * an object); anything else is interpolated as text.
 */
export async function resolveTemplates(value: unknown, scope: TemplateScope): Promise<unknown> {
  if (typeof value === "string") return value.includes("{{") ? resolveString(value, scope) : value;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const v of value) out.push(await resolveTemplates(v, scope));
    return out;
  }
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await resolveTemplates(v, scope);
    return out;
  }
  return value;
}

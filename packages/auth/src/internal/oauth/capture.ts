/**
 * Values read after an OAuth login (recipe `oauth2.capture`) for `{{captured.NAME}}` in base_url and hosts:
 * from the token response (Slack's team.id), or from the answer of the recipe's `oauth2.lookup`, a GET made
 * with the new token (Atlassian's cloud id from /oauth/token/accessible-resources). Each value must match
 * its pattern before it is stored, since it may become part of a host; messages name the capture and the
 * pattern, never the value. See docs/recipes.md "Captured values".
 */
import { type CaptureSpec, type InjectSpec, renderTemplate } from "@arcrun/recipes";
import { ArcrunError } from "../../errors.js";
import { USER_AGENT } from "../user-agent.js";
import { type FlowContext, setupHint } from "./endpoint.js";

/** The string (or number, as text) at a dotted path; a numeric step picks an array element. */
export function valueAt(body: unknown, path: string): string | undefined {
  let here: unknown = body;
  for (const step of path.split(".")) {
    if (Array.isArray(here) && /^\d+$/.test(step)) here = here[Number(step)];
    else if (typeof here === "object" && here !== null && !Array.isArray(here))
      here = (here as Record<string, unknown>)[step];
    else return undefined;
  }
  if (typeof here === "number" && Number.isFinite(here)) return String(here);
  return typeof here === "string" && here !== "" ? here : undefined;
}

/**
 * The captures of one source read from its answer. `required`: a missing or malformed value is an error
 * (at login); otherwise such a value is left out and the stored one kept (a refresh answer without it).
 */
export function readCaptures(
  captures: Readonly<Record<string, CaptureSpec>>,
  from: CaptureSpec["from"],
  body: unknown,
  ctx: FlowContext,
  required: boolean,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, spec] of Object.entries(captures)) {
    if (spec.from !== from) continue;
    const value = valueAt(body, spec.path);
    const ok = value !== undefined && new RegExp(`^(?:${spec.pattern})$`).test(value);
    if (ok) out[name] = value;
    else if (required) {
      const where = from === "token" ? "the token response" : "the answer of the recipe's oauth2 > lookup";
      throw new ArcrunError(
        "ERR_OAUTH",
        `${ctx.service}: ${where} has ${value === undefined ? "no value" : "a value that does not match the pattern"} at ${spec.path} for the captured value "${name}" (pattern ${spec.pattern}); check that the account you sign in with has what the app may use (a site, a workspace), then ${setupHint(ctx)}`,
        { service: ctx.service, instance: ctx.instance },
      );
    }
  }
  return out;
}

/**
 * `oauth2.lookup`: GET its URL with the new token, applied as the recipe's inject says (its headers, rendered
 * with the token and the recipe's values), and read the captures `from: lookup` from the JSON answer.
 */
export async function lookupCaptures(
  ctx: FlowContext,
  lookupUrl: string,
  inject: InjectSpec | undefined,
  values: { secret: Record<string, string>; runtime: { access_token: string; token_type: string } },
  captures: Readonly<Record<string, CaptureSpec>>,
): Promise<Record<string, string>> {
  const headers = new Headers({ accept: "application/json", "user-agent": USER_AGENT });
  for (const [k, v] of Object.entries(inject?.header ?? {})) headers.set(k, renderTemplate(v, values));
  const doFetch = ctx.fetch ?? globalThis.fetch;
  let res: Response;
  try {
    res = await doFetch(lookupUrl, {
      method: "GET",
      headers,
      redirect: "error",
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
  } catch (cause) {
    throw new ArcrunError(
      "ERR_NETWORK",
      `${ctx.service}: the lookup after login (${lookupUrl}) could not be reached; check the network, then ${setupHint(ctx)}`,
      { cause, service: ctx.service, instance: ctx.instance },
    );
  }
  const text = await res.text();
  if (!res.ok) {
    throw new ArcrunError(
      "ERR_OAUTH",
      `${ctx.service}: the lookup after login (${lookupUrl}) answered HTTP ${res.status}; ${setupHint(ctx)}`,
      { service: ctx.service, instance: ctx.instance },
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ArcrunError(
      "ERR_OAUTH",
      `${ctx.service}: the lookup after login (${lookupUrl}) did not answer JSON; ${setupHint(ctx)}`,
      { service: ctx.service, instance: ctx.instance },
    );
  }
  return readCaptures(captures, "lookup", body, ctx, true);
}

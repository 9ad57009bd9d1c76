/**
 * Values read after an OAuth login (recipe `oauth2.capture`) for `{{captured.NAME}}` in base_url and hosts:
 * from the token response (Slack's team.id), from the answer of the recipe's `oauth2.lookup`, a GET made
 * with the new token (Atlassian's cloud id from /oauth/token/accessible-resources), or from the query of the
 * authorization redirect (QuickBooks' realmId). Each value must match its pattern before it is stored, since
 * it may become part of a host, and the base URL it makes must stay on the recipe's hosts; messages name the
 * capture and the pattern, never the value. See docs/recipes.md "Captured values".
 */
import { type CaptureSpec, hostAllowed, type InjectSpec, type Recipe, renderTemplate } from "@arcrun/recipes";
import { ArcrunError } from "../../errors.js";
import { USER_AGENT } from "../user-agent.js";
import { type FlowContext, isRecord, setupHint } from "./endpoint.js";

/** The string (or number, as text) at a dotted path; a numeric step picks an array element. */
export function valueAt(body: unknown, path: string): string | undefined {
  let here: unknown = body;
  for (const step of path.split(".")) {
    const pick = /^([A-Za-z0-9_]+)=([A-Za-z0-9_]+)$/.exec(step);
    if (Array.isArray(here) && pick) {
      // key=value: the first element whose key, as text, is value (Docusign's is_default=true account).
      here = here.find(
        (e: unknown) =>
          typeof e === "object" &&
          e !== null &&
          scalarText((e as Record<string, unknown>)[pick[1] ?? ""]) === pick[2],
      );
    } else if (Array.isArray(here) && /^\d+$/.test(step)) here = here[Number(step)];
    else if (typeof here === "object" && here !== null && !Array.isArray(here))
      here = (here as Record<string, unknown>)[step];
    else return undefined;
  }
  if (typeof here === "number" && Number.isFinite(here)) return String(here);
  return typeof here === "string" && here !== "" ? here : undefined;
}

/** A JSON scalar as text (true, 12, "x"), for key=value path steps; undefined for objects and arrays. */
function scalarText(v: unknown): string | undefined {
  return typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? String(v) : undefined;
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
    const raw = valueAt(body, spec.path);
    const value = raw !== undefined && spec.part === "https_host" ? httpsHost(raw) : raw;
    const ok = value !== undefined && new RegExp(`^(?:${spec.pattern})$`).test(value);
    if (ok) out[name] = value;
    else if (required) {
      const where = WHERE[from];
      const what =
        raw === undefined
          ? "no value"
          : value === undefined
            ? "a value that is not an https URL of a host"
            : "a value that does not match the pattern";
      throw new ArcrunError(
        "ERR_OAUTH",
        `${ctx.service}: ${where} has ${what} at ${spec.path} for the captured value "${name}" (pattern ${spec.pattern}); check that the account you sign in with has what the app may use (a site, a workspace, a company), then ${setupHint(ctx)}`,
        { service: ctx.service, instance: ctx.instance },
      );
    }
  }
  return out;
}

const WHERE: Record<CaptureSpec["from"], string> = {
  token: "the token response",
  lookup: "the answer of the recipe's oauth2 > lookup",
  redirect: "the authorization redirect",
};

/** `part: https_host`: the host name of an https URL without user info (DocuSign's base_uri), else undefined. */
function httpsHost(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== "https:" || url.username !== "" || url.password !== "" || url.port !== "")
    return undefined;
  return url.hostname.toLowerCase();
}

/**
 * At login, before anything is stored: the base URL the captured values make (the oauth2 block's, else the
 * recipe's) must be on the recipe's hosts, as every request will be checked later. A pattern admits a
 * shape; the host list is what the recipe trusts (Mailchimp: *.api.mailchimp.com, DocuSign: its listed
 * hosts), so a value the pattern admits but the list does not is refused here, with the host named (a host
 * is not a secret).
 */
export function checkCapturedTarget(
  ctx: FlowContext,
  recipe: Recipe,
  values: { secret: Record<string, string>; captured: Record<string, string> },
): void {
  const baseUrl = recipe.oauth2?.base_url ?? recipe.base_url;
  if (!baseUrl.includes("{{captured.")) return;
  const hosts = (recipe.oauth2?.hosts ?? recipe.hosts).map((h) => renderTemplate(h, values).toLowerCase());
  const host = new URL(renderTemplate(baseUrl, values)).hostname.toLowerCase();
  if (hostAllowed(host, hosts)) return;
  throw new ArcrunError(
    "ERR_HOST_NOT_ALLOWED",
    `${ctx.service}: the account's API host ${host}, as the provider named it at sign-in, is not one the recipe allows (${hosts.join(", ")}); nothing was saved. If the provider documents this host, add it to hosts in a user recipe ($ARCRUN_HOME/recipes/${ctx.service}.yaml), then ${setupHint(ctx)}`,
    { service: ctx.service, instance: ctx.instance },
  );
}

/**
 * `oauth2.lookup`: GET its URL with the new token, applied as the recipe's inject says (its headers, rendered
 * with the token and the recipe's values), and read the captures `from: lookup` from the JSON answer.
 */
export async function lookupCaptures(
  ctx: FlowContext,
  lookupUrl: string,
  /** The lookup's own headers (`oauth2.lookup.header`); else the inject's. */
  header: Readonly<Record<string, string>> | undefined,
  inject: InjectSpec | undefined,
  values: { secret: Record<string, string>; runtime: { access_token: string; token_type: string } },
  captures: Readonly<Record<string, CaptureSpec>>,
  /** `oauth2.lookup.choose`, with the user's value (when set) and where to set it, for the error. */
  choose?: LookupChoice,
): Promise<Record<string, string>> {
  const headers = new Headers({ accept: "application/json", "user-agent": USER_AGENT });
  for (const [k, v] of Object.entries(header ?? inject?.header ?? {}))
    headers.set(k, renderTemplate(v, values));
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
  return readCaptures(captures, "lookup", choose ? chooseElement(ctx, body, choose) : body, ctx, true);
}

export interface LookupChoice {
  /** The required_secrets key the user sets to pick an element (Atlassian: site). */
  key: string;
  /** The element fields compared with it (Atlassian: url, name). */
  match: readonly string[];
  /** The user's value, when set; else the first element is taken. */
  wanted: string | undefined;
  /** Where to set it (the environment variable), for the error message. */
  where: string;
}

/**
 * `oauth2.lookup.choose`: the element of a list answer the captures read (Atlassian lists every site the
 * grant reaches). The one whose `match` fields name the user's value, else the first when no value is set
 * (undefined for an empty list); a value that names none is an error listing the elements by those fields (site names and URLs, which are
 * not secrets), so the user can pick one.
 */
export function chooseElement(ctx: FlowContext, body: unknown, choose: LookupChoice): unknown {
  const elements = Array.isArray(body) ? body.filter(isRecord) : [];
  const first = elements[0];
  // An empty list has nothing to read: the captures then say which value is missing.
  if (first === undefined) return undefined;
  const { wanted } = choose;
  if (wanted === undefined) return first;
  const found = elements.find((e) => choose.match.some((f) => names(scalarText(e[f]), wanted)));
  if (found !== undefined) return found;
  const listed = elements
    .slice(0, 20)
    .map((e) =>
      choose.match
        .map((f) => printable(scalarText(e[f])))
        .filter((v) => v !== "")
        .join(" "),
    )
    .join(", ");
  throw new ArcrunError(
    "ERR_INVALID_SECRET",
    `${ctx.service}: ${choose.key} "${wanted}" names none of the ${elements.length} this sign-in reaches (${listed}${elements.length > 20 ? ", ..." : ""}); set ${choose.key} to one of them (${choose.where}), then ${setupHint(ctx)}`,
    { service: ctx.service, instance: ctx.instance },
  );
}

/** Whether a field names the value: equal (case and a trailing slash aside), or a URL whose host is it or begins with it and a dot. */
function names(field: string | undefined, wanted: string): boolean {
  if (field === undefined) return false;
  const norm = (v: string) => v.trim().toLowerCase().replace(/\/+$/, "");
  const want = norm(wanted);
  if (norm(field) === want) return true;
  let host: string;
  try {
    host = new URL(field).hostname.toLowerCase();
  } catch {
    return false;
  }
  return host === want || host.startsWith(`${want}.`);
}

/** A provider's text in a message: one line, bounded. */
function printable(v: string | undefined): string {
  const line = (v ?? "").replace(/\p{Cc}+/gu, " ").trim();
  return line.length > 100 ? `${line.slice(0, 100)}...` : line;
}

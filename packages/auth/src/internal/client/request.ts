/**
 * Building a bound client's request: the caller's input turned into a Pending request, and where it goes
 * (base URL, path prefix, host allow-list) for one resolved credential. No credential is applied here.
 */
import { hostAllowed, type PrimitiveName, type Recipe } from "@arcrun/recipes";
import { ArcrunError } from "../../errors.js";
import type { OutgoingRequest, ResolvedCredential } from "../../types.js";
import { renderOrFail } from "../apply.js";
import { type BodyInput, headersToObject, type NormalBody, normalizeBody } from "../http.js";
import { injectFor } from "../recipe.js";
import { USER_AGENT } from "../user-agent.js";

/** Query parameters: arrays repeat the name, undefined and null are left out. */
export type QueryParams = Record<
  string,
  string | number | boolean | null | undefined | ReadonlyArray<string | number | boolean>
>;

/** A request in flight through redirects and retries. */
export interface Pending {
  method: string;
  /** Absolute URL, or undefined with `path` relative to base. */
  url?: URL;
  path?: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: NormalBody;
  signal: AbortSignal | undefined;
  redirect: "follow" | "manual" | "error";
}

export interface PendingInput {
  method: string;
  /** A path joined to the recipe's base URL, or an absolute URL (checked against the recipe's hosts). */
  input: string | URL;
  headers?: unknown;
  body?: BodyInput;
  json?: { value: unknown };
  query?: QueryParams | undefined;
  signal?: AbortSignal | null | undefined;
  redirect?: "follow" | "manual" | "error" | undefined;
}

const ABSOLUTE = /^[a-z][a-z0-9+.-]*:\/\//i;

function appendQuery(target: string, query: QueryParams | undefined): string {
  if (!query) return target;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null) continue;
    const values = Array.isArray(v) ? v : [v];
    for (const x of values) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(x))}`);
  }
  if (parts.length === 0) return target;
  return `${target}${target.includes("?") ? "&" : "?"}${parts.join("&")}`;
}

/**
 * The one way every entry point (methods, fetch, fetchFn, dispatcher) turns its input into a request. A
 * value, or a promise when the body must be read first (a Blob or FormData): callers await only a promise.
 */
export function pendingRequest(i: PendingInput): Pending | Promise<Pending> {
  const body: NormalBody | Promise<NormalBody> = i.json
    ? { data: JSON.stringify(i.json.value), replayable: true, contentType: "application/json" }
    : normalizeBody(i.body);
  return body instanceof Promise ? body.then((b) => build(i, b)) : build(i, body);
}

function build(i: PendingInput, body: NormalBody): Pending {
  const headers = headersToObject(i.headers);
  if (body.contentType && headers["content-type"] === undefined) headers["content-type"] = body.contentType;
  // Every request the library sends carries arcrun's User-Agent unless the caller set one (GitHub refuses
  // requests without one); set here, on the request's own header object, so the send loop copies nothing.
  headers["user-agent"] ??= USER_AGENT;
  const req: Pending = {
    method: i.method.toUpperCase(),
    headers,
    body,
    signal: i.signal ?? undefined,
    redirect: i.redirect ?? "follow",
  };
  const input = i.input instanceof URL ? i.input : appendQuery(i.input, i.query);
  if (input instanceof URL) {
    req.url = i.query ? new URL(appendQuery(input.href, i.query)) : input;
  } else if (ABSOLUTE.test(input)) req.url = new URL(input);
  else req.path = input;
  return req;
}

/** Where requests go for one credential: the recipe's base URL and hosts rendered with it. */
export interface Target {
  cred: ResolvedCredential;
  primitive: PrimitiveName;
  baseUrl: string;
  baseOrigin: string;
  /** Path of base_url plus the inject path_prefix, no trailing slash. */
  basePath: string;
  hosts: string[];
  /**
   * API statuses after which the credential is refreshed once and the request retried once: the oauth2
   * block's `refresh_on_status` (default 401), the session block's for a session, 401 for every other
   * primitive. See docs/recipes.md.
   */
  refreshOn: readonly number[];
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

export interface TargetContext {
  recipe: Recipe;
  primitive: PrimitiveName;
  service: string;
  instance: string;
}

export function targetFor(ctx: TargetContext, cred: ResolvedCredential): Target {
  const { recipe, primitive, service, instance } = ctx;
  const render = (text: string, where: string) => renderOrFail(text, cred, where, service, instance);
  // The oauth2 block may name its own API (Jira over 3LO: api.atlassian.com/ex/jira/{{captured.cloud_id}});
  // captured values are pattern-checked at login, and the allow-list below holds after substitution.
  const own = primitive === "oauth2" ? recipe.oauth2 : undefined;
  const hosts = (own?.hosts ?? recipe.hosts).map((h) => render(h, "hosts").toLowerCase());
  let baseUrl = render(own?.base_url ?? recipe.base_url, "base_url").replace(/\/+$/, "");
  // An origin the token answer named (base_url_from) keeps base_url's path; checkHost below still holds its
  // host to the recipe's hosts.
  if (cred.baseOrigin !== undefined)
    baseUrl = `${cred.baseOrigin}${new URL(baseUrl).pathname.replace(/\/+$/, "")}`;
  const base = new URL(baseUrl);
  const inject = injectFor(recipe, primitive);
  const prefix = inject?.path_prefix ? render(inject.path_prefix, "inject > path_prefix") : "";
  const t: Target = {
    cred,
    primitive,
    baseUrl,
    baseOrigin: base.origin,
    basePath: `${base.pathname.replace(/\/+$/, "")}${prefix.replace(/\/+$/, "")}`,
    hosts,
    refreshOn:
      primitive === "oauth2"
        ? (recipe.oauth2?.refresh_on_status ?? [401])
        : primitive === "session"
          ? (recipe.session?.refresh_on_status ?? [401])
          : [401],
  };
  checkHost(base, t, service, instance);
  return t;
}

/** The host allow-list: one of the recipe's hosts, over https (http only on loopback). */
export function checkHost(url: URL, t: Target, service: string, instance: string): void {
  const host = url.hostname.toLowerCase();
  const ok =
    hostAllowed(host, t.hosts) &&
    (url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.has(host)));
  if (!ok) {
    throw new ArcrunError(
      "ERR_HOST_NOT_ALLOWED",
      `Refused to send the ${service} credential to ${url.protocol}//${url.host}: the recipe allows only ${t.hosts.map((h) => `https://${h}`).join(", ")}. Use a path under ${t.baseUrl}, or add the host in a user recipe ($ARCRUN_HOME/recipes/${service}.yaml), then run: arcrun recipe show ${service}`,
      { service, instance },
    );
  }
}

/**
 * The request as it leaves for one credential, before the applier: origin and path+query of a pending
 * request (relative paths under the base URL and path prefix), the host checked for an absolute URL.
 */
export function outgoingFor(req: Pending, t: Target, service: string, instance: string): OutgoingRequest {
  const body = req.body.data;
  if (req.url === undefined) {
    const path = req.path ?? "/";
    const rel = path.startsWith("/") || path === "" ? path : `/${path}`;
    return {
      method: req.method,
      origin: t.baseOrigin,
      path: `${t.basePath}${rel}`,
      headers: req.headers,
      body,
    };
  }
  checkHost(req.url, t, service, instance);
  return {
    method: req.method,
    origin: req.url.origin,
    path: `${req.url.pathname}${req.url.search}`,
    headers: req.headers,
    body,
  };
}

/**
 * A client for the endpoints of an authorization server that take a POST with client authentication:
 * token (RFC 6749 section 3.2), device authorization (RFC 8628 section 3.1) and revocation (RFC 7009 section 2.1).
 * Recipes pick the client authentication method and the body encoding; nothing here knows a provider.
 */
import { ArcrunError, OAuthError } from "../../errors.js";
import { USER_AGENT } from "../user-agent.js";

export type TokenAuthMethod = "client_secret_basic" | "client_secret_post" | "none";
export type BodyFormat = "form" | "json";

/** An OAuth client and how it authenticates to the token endpoint (RFC 6749 section 2.3). */
export interface OAuthClient {
  clientId: string;
  clientSecret?: string | undefined;
  authMethod: TokenAuthMethod;
}

/** Who a flow runs for: used to write messages that say what to run next. */
export interface FlowContext {
  service: string;
  instance: string;
  fetch?: typeof fetch | undefined;
  signal?: AbortSignal | undefined;
  /** Extra headers on every request to the authorization server (the recipe's `oauth2.token_headers`). */
  headers?: Readonly<Record<string, string>> | undefined;
}

export interface EndpointRequest {
  url: string;
  client: OAuthClient;
  bodyFormat: BodyFormat;
  params: Record<string, string>;
}

/** A successful token response (RFC 6749 section 5.1), normalised. */
export interface TokenResponse {
  access_token: string;
  token_type: string;
  /** Seconds, when the provider said. */
  expires_in?: number;
  refresh_token?: string;
  /** The granted scopes, when the provider said (RFC 6749 section 3.3). */
  scope?: string;
  id_token?: string;
  /** Other top-level string fields of the answer (Salesforce's instance_url), for `base_url_from`. */
  fields?: Record<string, string>;
  /**
   * The whole JSON answer, for `oauth2.capture` paths (Slack's team.id). Non-enumerable, so that logging a
   * response never prints the tokens it holds; never stored.
   */
  readonly body?: Readonly<Record<string, unknown>>;
}

/** `arcrun setup <service>` with `--instance` when it is not the default one. */
export function setupHint(ctx: { service: string; instance: string }): string {
  return `run: arcrun setup ${ctx.service}${ctx.instance === "default" ? "" : ` --instance ${ctx.instance}`}`;
}

/**
 * Whether an error is worth a retry: the network failed, the server answered 5xx or 429, or the provider
 * said `temporarily_unavailable` / `server_error`. Never true for an answer about the grant itself.
 */
export function isTransient(err: unknown): boolean {
  return err instanceof ArcrunError && err.code === "ERR_NETWORK";
}

/** Applies client authentication to a request, RFC 6749 section 2.3.1. */
function authenticate(client: OAuthClient, headers: Headers, params: Record<string, string>): void {
  switch (client.authMethod) {
    case "client_secret_basic": {
      // RFC 6749 section 2.3.1: id and secret are form-urlencoded before they are joined and base64-encoded.
      const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, "+");
      const pair = `${enc(client.clientId)}:${enc(client.clientSecret ?? "")}`;
      headers.set("authorization", `Basic ${Buffer.from(pair).toString("base64")}`);
      break;
    }
    case "client_secret_post":
      params.client_id = client.clientId;
      if (client.clientSecret !== undefined) params.client_secret = client.clientSecret;
      break;
    case "none":
      params.client_id = client.clientId;
      break;
    default: {
      const never: never = client.authMethod;
      throw new TypeError(`unknown token_auth_method ${String(never)}`);
    }
  }
}

/**
 * The headers of a request to an OAuth endpoint: JSON wanted, arcrun's User-Agent, then the recipe's
 * `token_headers`, which replace a default of the same name in any letter case (Reddit's descriptive
 * User-Agent must replace arcrun's, not join it).
 */
export function endpointHeaders(ctx: FlowContext): Headers {
  const headers = new Headers({ accept: "application/json", "user-agent": USER_AGENT });
  for (const [k, v] of Object.entries(ctx.headers ?? {})) headers.set(k, v);
  return headers;
}

/**
 * POSTs to an OAuth endpoint and returns the parsed JSON body of a 2xx answer.
 * An error answer becomes an OAuthError (`ERR_OAUTH`, or `ERR_NETWORK` when it is worth a retry); the raw
 * Response stays non-enumerable, so no body or secret ends up in a log.
 */
export async function postEndpoint(
  ctx: FlowContext,
  req: EndpointRequest,
  what: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers = endpointHeaders(ctx);
  const params = { ...req.params };
  authenticate(req.client, headers, params);
  let body: string;
  if (req.bodyFormat === "json") {
    headers.set("content-type", "application/json");
    body = JSON.stringify(params);
  } else {
    headers.set("content-type", "application/x-www-form-urlencoded");
    body = new URLSearchParams(params).toString();
  }
  const doFetch = ctx.fetch ?? globalThis.fetch;
  let res: Response;
  try {
    res = await doFetch(req.url, {
      method: "POST",
      headers,
      body,
      redirect: "manual",
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
  } catch (cause) {
    if (ctx.signal?.aborted) throw ctx.signal.reason;
    throw new ArcrunError(
      "ERR_NETWORK",
      `${ctx.service}: could not reach the ${what} endpoint (${new URL(req.url).host}); check the network and try again`,
      { cause, service: ctx.service, instance: ctx.instance },
    );
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === "" ? {} : JSON.parse(text);
  } catch {
    // Some providers answer form-encoded bodies (old GitHub); RFC 6749 says JSON, accept both.
    parsed = res.headers.get("content-type")?.includes("x-www-form-urlencoded")
      ? Object.fromEntries(new URLSearchParams(text))
      : undefined;
  }
  const json = isRecord(parsed) ? parsed : undefined;
  const error = typeof json?.error === "string" ? json.error : undefined;
  if (res.ok && json && error === undefined) return { status: res.status, body: json };

  const transient =
    res.status >= 500 ||
    res.status === 429 ||
    error === "temporarily_unavailable" ||
    error === "server_error";
  const description = typeof json?.error_description === "string" ? json.error_description : undefined;
  const label = error ?? `HTTP ${res.status}`;
  const next = transient ? "try again in a moment" : setupHint(ctx);
  throw new OAuthError(
    transient ? "ERR_NETWORK" : "ERR_OAUTH",
    `${ctx.service}: the ${what} endpoint answered ${label}${description ? ` (${clip(description)})` : ""}; ${next}`,
    {
      status: res.status,
      error: error ?? (json ? "invalid_response" : "invalid_response_body"),
      ...(description !== undefined ? { error_description: description } : {}),
      response: res,
    },
    { service: ctx.service, instance: ctx.instance },
  );
}

/** RFC 6749 section 5.1, with `access_token_path` for providers that nest the token (Slack user tokens). */
export function parseTokenResponse(
  ctx: FlowContext,
  body: Record<string, unknown>,
  accessTokenPath?: string,
): TokenResponse {
  let holder: Record<string, unknown> = body;
  let key = "access_token";
  if (accessTokenPath) {
    const parts = accessTokenPath.split(".");
    key = parts.pop() ?? "access_token";
    for (const p of parts) {
      const next = holder[p];
      holder = isRecord(next) ? next : {};
    }
  }
  const accessToken = holder[key];
  if (typeof accessToken !== "string" || accessToken === "") {
    throw new OAuthError(
      "ERR_OAUTH",
      `${ctx.service}: the token endpoint answered without an access token${accessTokenPath ? ` at ${accessTokenPath}` : ""}; check the recipe's oauth2 > access_token_path, then ${setupHint(ctx)}`,
      { status: 200, error: "invalid_token_response" },
      { service: ctx.service, instance: ctx.instance },
    );
  }
  const pick = (name: string): unknown => holder[name] ?? body[name];
  const out: TokenResponse = {
    access_token: accessToken,
    token_type: typeof pick("token_type") === "string" ? (pick("token_type") as string) : "Bearer",
  };
  const expiresIn = Number(pick("expires_in"));
  if (pick("expires_in") !== undefined && Number.isFinite(expiresIn) && expiresIn > 0)
    out.expires_in = expiresIn;
  const refresh = pick("refresh_token");
  if (typeof refresh === "string" && refresh !== "") out.refresh_token = refresh;
  const scope = pick("scope");
  if (typeof scope === "string") out.scope = scope;
  if (typeof body.id_token === "string") out.id_token = body.id_token;
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    if (typeof v === "string" && !/token|secret|signature/i.test(k)) fields[k] = v;
  }
  if (Object.keys(fields).length > 0) out.fields = fields;
  Object.defineProperty(out, "body", { value: body, enumerable: false });
  return out;
}

/** A token request (RFC 6749 sections 4.1.3, 4.4.2, 6; RFC 8628 section 3.4; RFC 7523 section 2.1). */
export async function tokenRequest(
  ctx: FlowContext,
  req: EndpointRequest,
  accessTokenPath?: string,
): Promise<TokenResponse> {
  const { body } = await postEndpoint(ctx, req, "token");
  return parseTokenResponse(ctx, body, accessTokenPath);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Provider text shown to a user: one line, bounded, so a reflected body cannot flood a terminal. */
function clip(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}

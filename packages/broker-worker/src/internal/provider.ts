import { basicForms, secretForms } from "@arcrun/recipes";
import type { Service } from "./config.js";
import { BrokerError } from "./errors.js";

const UPSTREAM_TIMEOUT_MS = 15_000;
const MAX_UPSTREAM_BYTES = 64 * 1024;

/** Keeps a provider's error words printable and short; they end up in a page and a JSON body. */
export function clean(text: unknown, max: number): string | undefined {
  if (typeof text !== "string") return undefined;
  const t = text.replace(/[^\x20-\x7e]/g, " ").trim();
  return t ? t.slice(0, max) : undefined;
}

/**
 * Removes the broker's own client secret from text a provider sent, before it is shortened (so no part of
 * it survives a cut): raw, URL- and form-encoded, JSON-escaped, base64, and the whole `client_secret_basic`
 * credential, in case the provider echoes what it received. The text then reaches users and logs.
 */
export function scrubSecret(text: unknown, service: Pick<Service, "clientId" | "clientSecret">): unknown {
  const secret = service.clientSecret;
  if (typeof text !== "string" || !secret) return text;
  // Longest first, so a form that contains another is replaced whole.
  const forms = [...new Set([...basicForms(service.clientId, secret), ...secretForms(secret)])].sort(
    (a, b) => b.length - a.length,
  );
  let out = text;
  for (const f of forms) out = out.split(f).join("[redacted]");
  return out;
}

/**
 * Builds the request to a provider endpoint with the shared app's client authentication.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1 (client_secret_basic: form-encoded id and secret)
 */
function providerRequest(
  service: Service,
  params: Record<string, string>,
  method = service.oauth2.token_auth_method,
): RequestInit {
  const format = service.oauth2.body_format;
  const body: Record<string, string> = { ...params };
  const headers: Record<string, string> = { accept: "application/json" };
  if (method === "client_secret_basic") {
    const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, "+");
    headers.authorization = `Basic ${btoa(`${enc(service.clientId)}:${enc(service.clientSecret ?? "")}`)}`;
  } else {
    body.client_id = service.clientId;
    if (method === "client_secret_post" && service.clientSecret) body.client_secret = service.clientSecret;
  }
  if (format === "json") {
    headers["content-type"] = "application/json";
    return { method: "POST", headers, body: JSON.stringify(body) };
  }
  headers["content-type"] = "application/x-www-form-urlencoded";
  return { method: "POST", headers, body: new URLSearchParams(body).toString() };
}

async function readBody(res: Response): Promise<Record<string, unknown> | undefined> {
  const text = await res.text();
  if (text.length > MAX_UPSTREAM_BYTES) return undefined;
  const type = res.headers.get("content-type") ?? "";
  if (type.includes("application/x-www-form-urlencoded")) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  try {
    const data: unknown = JSON.parse(text);
    return typeof data === "object" && data !== null && !Array.isArray(data)
      ? (data as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

async function call(
  service: Service,
  url: string,
  init: RequestInit,
  what: string,
): Promise<{ status: number; body: Record<string, unknown> | undefined }> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS) });
  } catch {
    throw new BrokerError(
      502,
      "temporarily_unavailable",
      `The broker could not reach the ${what} endpoint of ${service.id}.`,
      "Try again in a minute; if it keeps failing, the provider may be down.",
    );
  }
  return { status: res.status, body: await readBody(res) };
}

/** A provider's error response as a BrokerError with the provider's `error` code kept (RFC 6749 section 5.2). */
function providerError(
  service: Service,
  status: number,
  body: Record<string, unknown> | undefined,
  what: string,
) {
  const error =
    clean(scrubSecret(body?.error, service), 64)?.replace(/[^A-Za-z0-9_.-]/g, "_") ?? "server_error";
  const desc = clean(scrubSecret(body?.error_description, service), 200);
  const next =
    error === "invalid_grant"
      ? `Sign in again (run: arcrun setup ${service.id}).`
      : "Try again; if it keeps failing, tell the broker's operator.";
  return new BrokerError(
    status >= 400 && status < 500 ? 400 : 502,
    error,
    `${service.id} refused the ${what} (${error}${desc ? `: ${desc}` : ""}).`,
    next,
  );
}

/**
 * Lifts a nested token (`access_token_path`, e.g. Slack's `authed_user.access_token`) to the top level, with
 * the fields that sit beside it, so every client reads an RFC 6749 section 5.1 response; all else is kept.
 */
export function normalizeTokens(body: Record<string, unknown>, accessTokenPath: string | undefined) {
  if (!accessTokenPath) return body;
  const parts = accessTokenPath.split(".");
  const key = parts.pop() ?? "access_token";
  let holder: unknown = body;
  for (const p of parts)
    holder =
      typeof holder === "object" && holder !== null ? (holder as Record<string, unknown>)[p] : undefined;
  if (typeof holder !== "object" || holder === null) return body;
  const h = holder as Record<string, unknown>;
  const out: Record<string, unknown> = { ...body, access_token: h[key] };
  for (const k of ["token_type", "expires_in", "refresh_token", "scope"])
    if (h[k] !== undefined) out[k] = h[k];
  return out;
}

/**
 * Calls the provider's token endpoint (authorization_code or refresh_token grant) and returns its JSON
 * object as is, so the library can read provider-specific fields (`access_token_path`).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 */
export async function tokenRequest(
  service: Service,
  params: Record<string, string>,
): Promise<Record<string, unknown>> {
  const { status, body } = await call(
    service,
    service.oauth2.token_url,
    providerRequest(service, params),
    "token request",
  );
  if (status < 200 || status >= 300 || !body || typeof body.error === "string" || body.ok === false) {
    throw providerError(service, status, body, "token request");
  }
  return normalizeTokens(body, service.oauth2.access_token_path);
}

/**
 * Revokes a token at the provider.
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.2.1
 */
export async function revokeRequest(
  service: Service,
  token: string,
  hint: string | undefined,
): Promise<void> {
  const url = service.oauth2.revoke_url;
  if (!url) {
    throw new BrokerError(
      400,
      "unsupported_operation",
      `${service.id} has no revocation endpoint.`,
      "The token expires on its own; to cut access now, remove the app in your account's security settings.",
    );
  }
  // The recipe's revoke_token: an endpoint that takes access tokens only (Twitch, Trakt) would refuse a refresh
  // token; RFC 7009 section 2.2.1 names this error unsupported_token_type. The provider is not called.
  if (service.oauth2.revoke_token === "access" && hint === "refresh_token") {
    throw new BrokerError(
      400,
      "unsupported_token_type",
      `${service.id} revokes access tokens only.`,
      "Send the access token with token_type_hint access_token (arcrun logout does).",
    );
  }
  // `bearer` (Slack, Dropbox): the access token authenticates its own revocation, there is no body.
  // Otherwise the client authenticates as the recipe's revoke_auth_method says when it differs from the
  // token endpoint's (Calendly wants the secret in the body there); a public client sends no secret either way.
  const { token_auth_method: tokenAuth, revoke_auth_method: revokeAuth } = service.oauth2;
  const init: RequestInit =
    service.oauth2.revoke_style === "bearer"
      ? { method: "POST", headers: { authorization: `Bearer ${token}`, accept: "application/json" } }
      : providerRequest(
          service,
          { token, ...(hint ? { token_type_hint: hint } : {}) },
          revokeAuth && tokenAuth !== "none" ? revokeAuth : tokenAuth,
        );
  const { status, body } = await call(service, url, init, "revocation");
  // RFC 7009 section 2.2: an invalid token is not an error (200); anything else outside 2xx is.
  if (status < 200 || status >= 300 || body?.ok === false) {
    throw providerError(service, status, body, "revocation");
  }
}

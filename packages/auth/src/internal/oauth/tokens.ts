/** Token records: from a token response to what the store keeps, and when a token is due for refresh. */
import type { ScopeEchoSpec } from "@arcrun/recipes";
import type { OAuth2Credential } from "../../types.js";
import type { TokenResponse } from "./endpoint.js";

/** Refresh this long before expiry at most (docs/oauth.md "Refresh guarantees"). */
export const REFRESH_AHEAD_MS = 5 * 60 * 1000;

/**
 * The moment a token should be refreshed: 5 minutes before it expires, or half-way through its lifetime
 * when that margin would be larger than half the lifetime (a 60-second token is refreshed after 30 s, not
 * on every call). Undefined when the provider gave no expiry.
 */
export function refreshAt(cred: {
  expires_at?: number | undefined;
  issued_at?: number | undefined;
}): number | undefined {
  if (cred.expires_at === undefined) return undefined;
  const lifetime = cred.issued_at !== undefined ? cred.expires_at - cred.issued_at : Number.POSITIVE_INFINITY;
  const margin = Math.min(REFRESH_AHEAD_MS, Math.max(0, lifetime / 2));
  return cred.expires_at - margin;
}

export function refreshDue(
  cred: { expires_at?: number | undefined; issued_at?: number | undefined },
  now: number,
): boolean {
  const at = refreshAt(cred);
  return at !== undefined && now >= at;
}

export function expired(cred: { expires_at?: number | undefined }, now: number): boolean {
  return cred.expires_at !== undefined && now >= cred.expires_at;
}

/** Splits a `scope` string (RFC 6749 section 3.3) on the recipe's separator and on whitespace. */
export function splitScopes(scope: string, separator: string): string[] {
  return scope
    .split(separator)
    .flatMap((s) => s.split(/\s+/))
    .filter((s) => s !== "");
}

/** How a recipe joins requested scopes, and how its provider writes the granted ones (`oauth2.scope_echo`). */
export interface ScopeRules {
  separator: string;
  echo?: ScopeEchoSpec | undefined;
}

/**
 * Whether the granted scopes cover one requested scope under the recipe's echo rules: the same name, a
 * scope the provider never echoes, the name behind the resource prefix, or its alias.
 */
export function grantCovers(granted: readonly string[], requested: string, echo?: ScopeEchoSpec): boolean {
  if (granted.includes(requested)) return true;
  if (!echo) return false;
  if (echo.never_echoed.includes(requested)) return true;
  if (echo.prefix !== undefined && granted.includes(`${echo.prefix}${requested}`)) return true;
  const alias = echo.aliases[requested];
  return alias !== undefined && granted.includes(alias);
}

/**
 * The granted scopes of a token response and the requested ones they lack. `granted` is undefined when the
 * provider said nothing (RFC 6749 section 5.1: then the grant equals the request) or, per the recipe, does
 * not report scopes at all (an empty string from GitHub App user tokens).
 */
export function reconcileScopes(
  scope: string | undefined,
  requested: readonly string[],
  rules: ScopeRules,
): { granted?: string[]; missing: string[] } {
  if (scope === undefined) return { missing: [] };
  if (scope.trim() === "" && rules.echo?.empty === "not_reported") return { missing: [] };
  const granted = splitScopes(scope, rules.echo?.separator ?? rules.separator);
  return { granted, missing: requested.filter((s) => !grantCovers(granted, s, rules.echo)) };
}

/**
 * The stored record for a fresh token response. A response without a refresh token keeps the previous one
 * (RFC 6749 section 6: the server MAY issue a new one; when it does, the old one MUST be discarded);
 * without `scope`, the granted scopes are the requested ones (RFC 6749 section 5.1). Requested scopes the
 * answer lacks are recorded in `scopes_missing` (shown by `arcrun status`), never refused: consent is
 * asked again only when an API call answers 403 insufficient_scope (strategies/oauth2-code.ts).
 */
export function toCredential(
  resp: TokenResponse,
  opts: {
    now: number;
    client: "byo" | "broker";
    requestedScopes: readonly string[];
    scopeRules: ScopeRules;
    /** The recipe's `base_url_from`: a field of the answer holding the API origin. */
    baseUrlFrom?: string | undefined;
    previous?: OAuth2Credential | undefined;
    values?: Record<string, string> | undefined;
    /** Values read from this answer or a lookup (`oauth2.capture`); the previous ones are kept otherwise. */
    captured?: Record<string, string> | undefined;
    /** The id of your own client that obtained the token; a refresh keeps the previous one. */
    clientId?: string | undefined;
  },
): OAuth2Credential {
  const prev = opts.previous;
  const iso = new Date(opts.now).toISOString();
  const cred: OAuth2Credential = {
    v: 1,
    type: "oauth2",
    values: opts.values ?? prev?.values ?? {},
    created_at: prev?.created_at ?? iso,
    updated_at: iso,
    access_token: resp.access_token,
    token_type: resp.token_type,
    issued_at: opts.now,
    client: opts.client,
    status: "ok",
  };
  const clientId = opts.clientId ?? prev?.client_id;
  if (clientId !== undefined) cred.client_id = clientId;
  if (resp.expires_in !== undefined) cred.expires_at = opts.now + resp.expires_in * 1000;
  const refresh = resp.refresh_token ?? prev?.refresh_token;
  if (refresh !== undefined) cred.refresh_token = refresh;
  // A refresh keeps the scopes of the login that made the grant (RFC 6749 section 6: same scope by default).
  const requested = prev?.scopes_requested ?? [...opts.requestedScopes];
  if (requested.length > 0) cred.scopes_requested = requested;
  const { granted, missing } = reconcileScopes(resp.scope, requested, opts.scopeRules);
  const scopes = granted ?? prev?.scopes ?? (requested.length > 0 ? [...requested] : undefined);
  if (scopes !== undefined) cred.scopes = scopes;
  const stillMissing = granted === undefined ? (prev?.scopes_missing ?? []) : missing;
  if (stillMissing.length > 0) cred.scopes_missing = stillMissing;
  const origin = opts.baseUrlFrom ? httpsOrigin(resp.fields?.[opts.baseUrlFrom]) : undefined;
  const baseUrl = origin ?? prev?.base_url;
  if (baseUrl !== undefined) cred.base_url = baseUrl;
  const captured = { ...prev?.captured, ...opts.captured };
  if (Object.keys(captured).length > 0) cred.captured = captured;
  const idToken = resp.id_token ?? prev?.id_token;
  if (idToken !== undefined) cred.id_token = idToken;
  return cred;
}

/** The https origin of a URL the provider named, or undefined for anything else. */
function httpsOrigin(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const u = new URL(value);
    return u.protocol === "https:" ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

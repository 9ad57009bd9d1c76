/** Token records: from a token response to what the store keeps, and when a token is due for refresh. */
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

/**
 * The stored record for a fresh token response. A response without a refresh token keeps the previous one
 * (RFC 6749 section 6: the server MAY issue a new one; when it does, the old one MUST be discarded);
 * without `scope`, the granted scopes are the requested ones (RFC 6749 section 5.1).
 */
export function toCredential(
  resp: TokenResponse,
  opts: {
    now: number;
    client: "byo" | "broker";
    requestedScopes: readonly string[];
    scopeSeparator: string;
    previous?: OAuth2Credential | undefined;
    values?: Record<string, string> | undefined;
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
  if (resp.expires_in !== undefined) cred.expires_at = opts.now + resp.expires_in * 1000;
  const refresh = resp.refresh_token ?? prev?.refresh_token;
  if (refresh !== undefined) cred.refresh_token = refresh;
  const scopes =
    resp.scope !== undefined
      ? splitScopes(resp.scope, opts.scopeSeparator)
      : (prev?.scopes ?? (opts.requestedScopes.length > 0 ? [...opts.requestedScopes] : undefined));
  if (scopes !== undefined) cred.scopes = scopes;
  const idToken = resp.id_token ?? prev?.id_token;
  if (idToken !== undefined) cred.id_token = idToken;
  return cred;
}

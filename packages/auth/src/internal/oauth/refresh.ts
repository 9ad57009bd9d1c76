/**
 * Keeping an OAuth2 token fresh without ever losing it (docs/oauth.md "Refresh guarantees"):
 * - refresh ahead of expiry (tokens.ts `refreshAt`), or once after a 401;
 * - single-flight inside a process, a lock per credential across processes, and a re-read of the store
 *   after the lock is taken, so a refresh another process just made is used instead of repeated;
 * - the rotated refresh token replaces the old one in one store write (RFC 6749 section 6);
 * - `invalid_grant` marks the record `reauth_required` and raises ERR_REAUTH_REQUIRED;
 * - a transient failure is retried with backoff and never changes the stored record.
 */

import type { CaptureSpec } from "@arcrun/recipes";
import { ArcrunError, OAuthError } from "../../errors.js";
import type { CredentialStore, Logger, OAuth2Credential, StoredCredential } from "../../types.js";
import { sleep } from "../sleep.js";
import { readCaptures } from "./capture.js";
import { isTransient, setupHint, type TokenResponse } from "./endpoint.js";
import { expired, refreshDue, type ScopeRules, toCredential } from "./tokens.js";

export interface TokenKeeper {
  service: string;
  instance: string;
  store: CredentialStore;
  now(): number;
  logger?: Logger | undefined;
  /** Runs `fn` holding the cross-process lock of this credential. */
  withLock<T>(fn: () => Promise<T>): Promise<T>;
  /** Runs `fn` once for concurrent callers with the same key inside this process. */
  singleFlight(key: string, fn: () => Promise<OAuth2Credential>): Promise<OAuth2Credential>;
  /**
   * Gets a new token for a stored record: the refresh_token grant (RFC 6749 section 6) through the user's
   * client or the broker, or a new client_credentials grant. Undefined when the record cannot be renewed
   * without a person (no refresh token).
   */
  renew(current: OAuth2Credential): Promise<TokenResponse> | undefined;
  client: "byo" | "broker";
  /** Token endpoint error codes that mean the grant is dead besides invalid_grant (recipe `reauth_errors`). */
  reauthErrors?: readonly string[];
  requestedScopes: readonly string[];
  scopeRules: ScopeRules;
  /** The recipe's `base_url_from`. */
  baseUrlFrom?: string | undefined;
  /** The recipe's `oauth2.capture`: a refresh answer may carry new values of the token-response ones. */
  captures?: Readonly<Record<string, CaptureSpec>> | undefined;
  /** Attempts for a transient failure, including the first (default 4). */
  attempts?: number;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
}

export interface FreshOptions {
  /** Refresh even if the token looks valid: after a 401 with `staleAccessToken`. */
  force?: boolean;
  /** The access token the server refused; a stored token that differs was refreshed by someone else. */
  staleAccessToken?: string;
}

function needsLogin(k: TokenKeeper): ArcrunError {
  return new ArcrunError("ERR_NEEDS_LOGIN", `${k.service}: not connected yet; ${setupHint(k)}`, {
    service: k.service,
    instance: k.instance,
  });
}

function reauth(k: TokenKeeper, why: string, cause?: unknown): ArcrunError {
  return new ArcrunError("ERR_REAUTH_REQUIRED", `${k.service}: ${why}; sign in again: ${setupHint(k)}`, {
    service: k.service,
    instance: k.instance,
    ...(cause !== undefined ? { cause } : {}),
  });
}

function asOAuth2(k: TokenKeeper, rec: StoredCredential | undefined): OAuth2Credential {
  if (rec === undefined) throw needsLogin(k);
  if (rec.type !== "oauth2") {
    throw new ArcrunError(
      "ERR_NEEDS_LOGIN",
      `${k.service}: the stored credential is a ${rec.type}, not an OAuth token; ${setupHint(k)}`,
      { service: k.service, instance: k.instance },
    );
  }
  if (rec.status === "reauth_required") throw reauth(k, "the provider no longer accepts the stored grant");
  return rec;
}

/** The stored token, refreshed first when it is due (or forced); see the module comment for the guarantees. */
export async function freshToken(k: TokenKeeper, opts: FreshOptions = {}): Promise<OAuth2Credential> {
  const seen = asOAuth2(k, await k.store.get(k.service, k.instance));
  const stale = opts.staleAccessToken ?? seen.access_token;
  const wanted = (c: OAuth2Credential) => (opts.force ? c.access_token === stale : refreshDue(c, k.now()));
  if (!wanted(seen)) return seen;
  return k.singleFlight(`oauth2:${k.service}/${k.instance}`, () =>
    k.withLock(async () => {
      // Another process may have refreshed while this one waited for the lock.
      const latest = asOAuth2(k, await k.store.get(k.service, k.instance));
      const due = refreshDue(latest, k.now());
      if (latest.access_token !== stale && !due) return latest;
      if (!opts.force && !due) return latest;
      return renewLocked(k, latest);
    }),
  );
}

async function renewLocked(k: TokenKeeper, latest: OAuth2Credential): Promise<OAuth2Credential> {
  const attempts = Math.max(1, k.attempts ?? 4);
  const wait = k.sleep ?? sleep;
  for (let attempt = 1; ; attempt++) {
    let resp: TokenResponse;
    try {
      const pending = k.renew(latest);
      if (pending === undefined) {
        if (!expired(latest, k.now())) return latest;
        await markReauth(k, latest);
        throw reauth(k, "the token expired and the provider gave no refresh token");
      }
      resp = await pending;
    } catch (err) {
      if (
        err instanceof OAuthError &&
        (err.error === "invalid_grant" || (k.reauthErrors ?? []).includes(err.error))
      ) {
        await markReauth(k, latest);
        throw reauth(
          k,
          `the provider refused the refresh token (${err.error}: revoked, expired or replaced)`,
          err,
        );
      }
      if (isTransient(err)) {
        if (attempt < attempts) {
          // Exponential backoff with jitter: 0.5 s, 1 s, 2 s, ...
          await wait(250 * 2 ** attempt * (0.75 + Math.random() / 2));
          continue;
        }
        if (!expired(latest, k.now())) {
          k.logger?.warn(
            `${k.service}: token refresh failed (${(err as Error).message}); using the current token until it expires`,
          );
          return latest;
        }
      }
      throw err;
    }
    const next = toCredential(resp, {
      now: k.now(),
      client: k.client,
      requestedScopes: k.requestedScopes,
      scopeRules: k.scopeRules,
      baseUrlFrom: k.baseUrlFrom,
      previous: latest,
      captured: readCaptures(k.captures ?? {}, "token", resp.body ?? {}, k, false),
    });
    // One write replaces access and refresh token together; the store writes atomically.
    await k.store.set(k.service, k.instance, next);
    return next;
  }
}

async function markReauth(k: TokenKeeper, latest: OAuth2Credential): Promise<void> {
  await k.store.set(k.service, k.instance, {
    ...latest,
    status: "reauth_required",
    updated_at: new Date(k.now()).toISOString(),
  });
}

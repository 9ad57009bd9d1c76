/**
 * The send loop of a bound client, the one path every request takes (its methods, `fetch`, `fetchFn`
 * and `dispatcher`): resolve the credential, check the host, apply the credential with the strategy's
 * applier, send through the agent, then follow redirects (each hop checked), answer a Digest challenge,
 * retry once with a fresh credential after a 401 (or another status of the recipe's refresh_on_status), and retry idempotent
 * requests answered 429/503. See docs/architecture.md.
 */
import { ArcrunError } from "../../errors.js";
import type { CredentialApplier, OutgoingRequest } from "../../types.js";
import { dispatchResponse, parseRetryAfter } from "../http.js";
import { insufficientScope } from "../oauth/step-up.js";
import { sleep } from "../sleep.js";
import type { Dispatcher } from "../undici.js";
import { checkHost, outgoingFor, type Pending, type Target } from "./request.js";

/** What the loop needs from the bound client: values and small objects, never a call back into Auth. */
export interface SendContext {
  service: string;
  instance: string;
  /**
   * The credential and where it may go. A value when nothing had to be resolved, so the loop awaits only a
   * promise.
   */
  current(): Current | Promise<Current>;
  /**
   * After a 401: true when the strategy's onUnauthorized renewed the credential, which `current()` then
   * returns. That call is the one refresh per 401: the retry resolves the credential without forcing another.
   */
  unauthorized(): Promise<boolean>;
  /**
   * After a 403 whose challenge is Bearer `insufficient_scope` (RFC 6750 section 3.1): true when the strategy
   * obtained the scopes (consent asked again at a terminal) and a retry makes sense.
   */
  insufficientScope(needed: readonly string[]): Promise<boolean>;
  agent(): Dispatcher;
  retries: number;
  maxRetryDelayMs: number;
  maxRedirects: number;
  now(): number;
}

/** The resolved credential with where it may go, and the strategy's applier. */
export interface Current {
  target: Target;
  applier: CredentialApplier;
}

const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"]);
const REDIRECT = new Set([301, 302, 303, 307, 308]);

async function discard(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => undefined);
}

/** An outgoing request is already the shape undici's dispatch takes: no copy per request. */
function dispatchOptions(out: OutgoingRequest): Dispatcher.DispatchOptions {
  return out as Dispatcher.DispatchOptions;
}

export async function send(ctx: SendContext, req: Pending): Promise<Response> {
  const { service, instance } = ctx;
  let attempt = 0;
  let redirects = 0;
  let retriedRefresh = false;
  let retried403 = false;
  let challenges = 0;
  for (;;) {
    const current = ctx.current();
    const { target, applier } = current instanceof Promise ? await current : current;
    const to = outgoingFor(req, target, service, instance);
    // An applier returns a new request (the inject applier) or a promise of one (a signer): await only that.
    const applied = applier.apply(to, target.cred);
    const out = applied instanceof Promise ? await applied : applied;
    // An applier may rewrite the URL (a signer adding its query); the result must still be on an allowed host.
    if (out.origin !== to.origin) checkHost(new URL(out.origin), target, service, instance);
    const res = await dispatchResponse(
      ctx.agent(),
      dispatchOptions(out),
      req.signal,
      req.url ? req.url.href : `${target.baseUrl}${req.path?.startsWith("/") ? "" : "/"}${req.path ?? ""}`,
    );
    const status = res.status;

    if (REDIRECT.has(status) && req.redirect !== "manual") {
      const location = res.headers.get("location");
      if (location !== null) {
        await discard(res);
        if (req.redirect === "error") {
          throw new ArcrunError(
            "ERR_NETWORK",
            `${service} answered with a redirect (${status}) and redirect: "error" was set.`,
            { service, instance },
          );
        }
        if (++redirects > ctx.maxRedirects) {
          throw new ArcrunError(
            "ERR_NETWORK",
            `Too many redirects (more than ${ctx.maxRedirects}) from ${new URL(to.origin).host}. Check the recipe's base_url, or run: arcrun doctor`,
            { service, instance },
          );
        }
        const next = new URL(location, `${to.origin}${to.path}`);
        // Never carry the injected query of one hop into the next hop's URL.
        for (const k of applier.queryNames) next.searchParams.delete(k);
        if (status === 303 || ((status === 301 || status === 302) && req.method === "POST")) {
          if (req.method !== "HEAD") req.method = "GET";
          req.body = { data: null, replayable: true };
          delete req.headers["content-type"];
          delete req.headers["content-length"];
        } else if (!req.body.replayable) {
          return res;
        }
        if (next.origin !== to.origin) {
          // The fetch standard drops these on a cross-origin redirect; arcrun's own are re-checked per hop.
          delete req.headers.authorization;
          delete req.headers.cookie;
          delete req.headers["proxy-authorization"];
        }
        req.url = next;
        req.path = undefined;
        continue;
      }
    }

    // A challenge-response scheme (HTTP Digest) answers a 401's challenge and sends the request again: once
    // for a first challenge, once more for a stale nonce (RFC 7616 section 3.3). A refused answer is returned.
    if (status === 401 && applier.challenge && challenges < 2 && req.body.replayable) {
      if (applier.challenge(res.headers.get("www-authenticate"), out)) {
        challenges++;
        await discard(res);
        continue;
      }
    }

    // A 403 with a Bearer insufficient_scope challenge asks for consent (step-up), even where the recipe's
    // refresh_on_status lists 403 (Figma answers an expired token with a plain 403).
    const needed = status === 403 ? insufficientScope(res.headers.get("www-authenticate")) : undefined;

    if (!needed && target.refreshOn.includes(status) && !retriedRefresh && req.body.replayable) {
      retriedRefresh = true;
      if (await ctx.unauthorized()) {
        await discard(res);
        continue;
      }
    }

    if (status === 403 && !retried403 && req.body.replayable) {
      if (needed) {
        retried403 = true;
        const again = await ctx.insufficientScope(needed).catch(async (err: unknown) => {
          await discard(res);
          throw err;
        });
        if (again) {
          await discard(res);
          continue;
        }
      }
    }

    if (
      (status === 429 || status === 503) &&
      attempt < ctx.retries &&
      IDEMPOTENT.has(req.method) &&
      req.body.replayable
    ) {
      const delay = parseRetryAfter(res.headers.get("retry-after"), ctx.now()) ?? 250 * 2 ** attempt;
      if (delay <= ctx.maxRetryDelayMs) {
        await discard(res);
        attempt++;
        await sleep(delay, req.signal);
        continue;
      }
    }
    return res;
  }
}

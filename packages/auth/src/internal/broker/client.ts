/**
 * The library side of the arcrun broker protocol (docs/broker.md): the start URL the browser opens, the
 * handoff redemption with the PKCE verifier, refresh and revocation through the broker's shared OAuth app.
 * Implements the oauth2 strategy's BrokerClient seam (./seam.ts).
 */
import { ArcrunError, OAuthError } from "../../errors.js";
import { isRecord, parseTokenResponse, setupHint, type TokenResponse } from "../oauth/endpoint.js";
import { USER_AGENT } from "../user-agent.js";
import { type BrokerLocation, requireBroker } from "./config.js";
import type { BrokerClient, BrokerContext, BrokerStartArgs } from "./seam.js";

const TIMEOUT_MS = 30_000;

/** What a broker client needs: the seam's context (with $ARCRUN_HOME for config.yaml when the caller has it). */
export type BrokerClientContext = BrokerContext;

interface Call {
  service: string;
  instance: string;
  what: string;
}

/** One line of the broker's words: bounded, printable, so a reflected body cannot flood a terminal. */
function clip(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}

/** What to do next after a refusal, by the broker's error code. */
function nextStep(error: string, call: Call): string {
  const hint = setupHint(call);
  switch (error) {
    case "unknown_service":
      return `this broker does not serve ${call.service}; use another broker (ARCRUN_BROKER_URL) or your own OAuth app (ARCRUN_${call.service.toUpperCase()}_CLIENT_ID / _CLIENT_SECRET)`;
    case "rate_limited":
      return "wait a minute and try again";
    case "server_error":
      return "the broker is misconfigured or failing; tell its operator, or use your own OAuth app";
    case "cors_not_allowed":
    case "invalid_request":
      return `check ARCRUN_BROKER_URL points at an arcrun broker, then ${hint}`;
    default:
      return hint;
  }
}

/**
 * A JSON POST to the broker. A refusal becomes an OAuthError with the broker's `error` kept (so the token
 * keeper sees `invalid_grant`); a network failure, a 5xx, 429 or `temporarily_unavailable` is ERR_NETWORK,
 * the code the keeper retries. No token, code or verifier is ever in a message.
 */
async function post(
  ctx: BrokerClientContext,
  broker: BrokerLocation,
  path: string,
  body: Record<string, string>,
  call: Call,
): Promise<Record<string, unknown>> {
  const url = new URL(path, broker.url);
  const doFetch = ctx.fetch ?? globalThis.fetch;
  let res: Response;
  try {
    res = await doFetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", "user-agent": USER_AGENT },
      body: JSON.stringify(body),
      redirect: "manual",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (cause) {
    throw new ArcrunError(
      "ERR_NETWORK",
      `${call.service}: could not reach the arcrun broker at ${broker.url.origin} (${broker.from}) for the ${call.what}; check the network and the URL, then try again`,
      { cause, service: call.service, instance: call.instance },
    );
  }
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    json = isRecord(parsed) ? parsed : undefined;
  } catch {
    json = undefined;
  }
  const error = typeof json?.error === "string" ? json.error : undefined;
  if (res.ok && json && error === undefined) return json;

  const transient =
    res.status >= 500 ||
    res.status === 429 ||
    error === "temporarily_unavailable" ||
    error === "server_error";
  const description = typeof json?.error_description === "string" ? json.error_description : undefined;
  const brokerNext = typeof json?.next_step === "string" ? json.next_step : undefined;
  const label = error ?? `HTTP ${res.status}${json ? "" : " (not an arcrun broker answer)"}`;
  // The broker's description ends with its own advice, written for a browser; ours follows it for the CLI.
  const words =
    description && brokerNext && description.endsWith(brokerNext)
      ? description.slice(0, -brokerNext.length)
      : description;
  const detail = words?.trim() ? `: ${clip(words)}` : "";
  const next =
    error === undefined && !json
      ? `check that ARCRUN_BROKER_URL points at an arcrun broker`
      : nextStep(error ?? "", call);
  throw new OAuthError(
    transient && error !== "server_error" ? "ERR_NETWORK" : "ERR_BROKER",
    `${call.service}: the arcrun broker refused the ${call.what} (${label}${detail}); ${next}`,
    {
      status: res.status,
      error: error ?? "invalid_response",
      ...(description !== undefined ? { error_description: description } : {}),
      response: res,
    },
    { service: call.service, instance: call.instance },
  );
}

/** A BrokerClient bound to one configured broker URL. */
export class HttpBrokerClient implements BrokerClient {
  readonly #ctx: BrokerClientContext;
  readonly #broker: BrokerLocation;

  constructor(ctx: BrokerClientContext, broker: BrokerLocation) {
    this.#ctx = ctx;
    this.#broker = broker;
  }

  get url(): URL {
    return new URL(this.#broker.url);
  }

  #call(what: string, service = this.#ctx.service): Call {
    return { service, instance: this.#ctx.instance, what };
  }

  /**
   * Step 1: the URL to open in the browser. The broker binds `state` and the S256 challenge to the handoff.
   * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.3
   */
  startUrl(args: BrokerStartArgs): string {
    const url = new URL(`oauth/${encodeURIComponent(args.service)}/start`, this.#broker.url);
    url.searchParams.set("redirect_uri", args.redirectUri);
    url.searchParams.set("state", args.state);
    url.searchParams.set("code_challenge", args.codeChallenge);
    url.searchParams.set("code_challenge_method", "S256");
    if (args.scopes.length > 0) url.searchParams.set("scope", args.scopes.join(" "));
    return url.href;
  }

  /**
   * Step 3: redeems the one-time handoff code with the PKCE verifier; the broker deletes its copy.
   * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.5
   */
  async redeem(args: {
    service: string;
    code: string;
    codeVerifier: string;
    redirectUri: string;
  }): Promise<TokenResponse> {
    const call = this.#call("sign-in handoff", args.service);
    const body = await post(
      this.#ctx,
      this.#broker,
      "oauth/token",
      {
        grant_type: "authorization_code",
        code: args.code,
        code_verifier: args.codeVerifier,
        redirect_uri: args.redirectUri,
      },
      call,
    );
    return parseTokenResponse(call, body);
  }

  /**
   * Step 4: refreshes through the broker's shared app. A refused refresh token keeps `error: "invalid_grant"`.
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
   */
  async refresh(args: {
    service: string;
    refreshToken: string;
    scopes?: readonly string[];
  }): Promise<TokenResponse> {
    const call = this.#call("token refresh", args.service);
    const body = await post(
      this.#ctx,
      this.#broker,
      "oauth/refresh",
      {
        service: args.service,
        refresh_token: args.refreshToken,
        ...(args.scopes && args.scopes.length > 0 ? { scope: args.scopes.join(" ") } : {}),
      },
      call,
    );
    return parseTokenResponse(call, body);
  }

  /**
   * Revokes at the provider through the broker. A provider without a revocation endpoint is not an error:
   * the caller deletes the local copy either way.
   * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
   */
  async revoke(args: {
    service: string;
    token: string;
    tokenTypeHint: "refresh_token" | "access_token";
  }): Promise<void> {
    try {
      await post(
        this.#ctx,
        this.#broker,
        "oauth/revoke",
        { service: args.service, token: args.token, token_type_hint: args.tokenTypeHint },
        this.#call("revocation", args.service),
      );
    } catch (err) {
      if (err instanceof OAuthError && err.error === "unsupported_operation") return;
      throw err;
    }
  }
}

/** The BrokerClientFactory: resolves the broker URL (ARCRUN_BROKER_URL, config.yaml) once per session. */
export async function createBrokerClient(ctx: BrokerClientContext): Promise<HttpBrokerClient> {
  const broker = await requireBroker({
    service: ctx.service,
    instance: ctx.instance,
    env: ctx.env,
    ...(ctx.home !== undefined ? { home: ctx.home } : {}),
  });
  return new HttpBrokerClient(ctx, broker);
}

/** What `arcrun doctor` shows about the broker: where it is configured and whether it answers. */
export interface BrokerHealth {
  url: string;
  from: BrokerLocation["from"];
  reachable: boolean;
  /** The HTTP status of GET /health, when the broker answered. */
  httpStatus?: number;
  /** The broker's /health status ("ok", "degraded"), when it answered. */
  status?: string;
  /** Services the broker can sign in to right now. */
  services?: string[];
  error?: string;
}

/** Asks the broker's GET /health. Never throws for an unreachable broker: that is the answer. */
export async function checkBroker(
  broker: BrokerLocation,
  fetchFn: typeof globalThis.fetch = globalThis.fetch,
  options: { timeoutMs?: number } = {},
): Promise<BrokerHealth> {
  const base = { url: broker.url.href, from: broker.from };
  try {
    const res = await fetchFn(new URL("health", broker.url), {
      headers: { "user-agent": USER_AGENT },
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      redirect: "manual",
    });
    const json: unknown = await res.json().catch(() => undefined);
    if (!isRecord(json) || typeof json.status !== "string") {
      return {
        ...base,
        reachable: true,
        httpStatus: res.status,
        error: `HTTP ${res.status}: not an arcrun broker answer`,
      };
    }
    return {
      ...base,
      reachable: true,
      httpStatus: res.status,
      status: json.status,
      services: Array.isArray(json.services)
        ? json.services.filter((s): s is string => typeof s === "string")
        : [],
    };
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : "";
    return {
      ...base,
      reachable: false,
      error: `${err instanceof Error ? err.message : String(err)}${cause}`,
    };
  }
}

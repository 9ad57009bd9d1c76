/**
 * The device authorization grant (RFC 8628): for a machine without a browser, the user enters a short code
 * on another device while this one polls the token endpoint.
 */

import { ArcrunError, OAuthError } from "../../errors.js";
import { sleep } from "../sleep.js";
import {
  type BodyFormat,
  type FlowContext,
  isRecord,
  isTransient,
  type OAuthClient,
  parseTokenResponse,
  postEndpoint,
  setupHint,
  type TokenResponse,
} from "./endpoint.js";

/** RFC 8628 section 3.2. */
export interface DeviceAuthorization {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete?: string;
  /** Seconds. */
  expires_in: number;
  /** Seconds between polls; 5 when absent (RFC 8628 section 3.2). */
  interval: number;
}

export const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

/**
 * Requests a device and user code.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.1
 */
export async function requestDeviceAuthorization(
  ctx: FlowContext,
  req: { url: string; client: OAuthClient; bodyFormat: BodyFormat; params: Record<string, string> },
): Promise<DeviceAuthorization> {
  const { body } = await postEndpoint(ctx, req, "device authorization");
  const str = (k: string) => (typeof body[k] === "string" ? (body[k] as string) : undefined);
  const deviceCode = str("device_code");
  const userCode = str("user_code");
  // Google says verification_url; RFC 8628 says verification_uri.
  const uri = str("verification_uri") ?? str("verification_url");
  if (!deviceCode || !userCode || !uri) {
    throw new OAuthError(
      "ERR_OAUTH",
      `${ctx.service}: the device authorization endpoint answered without device_code, user_code or verification_uri; check the recipe's oauth2 > device_url`,
      { status: 200, error: "invalid_device_authorization_response" },
      { service: ctx.service, instance: ctx.instance },
    );
  }
  const expiresIn = Number(body.expires_in);
  const interval = Number(body.interval);
  const out: DeviceAuthorization = {
    device_code: deviceCode,
    user_code: userCode,
    verification_uri: uri,
    expires_in: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 600,
    interval: Number.isFinite(interval) && interval > 0 ? interval : 5,
  };
  const complete = str("verification_uri_complete");
  if (complete) out.verification_uri_complete = complete;
  return out;
}

export interface PollOptions {
  url: string;
  client: OAuthClient;
  bodyFormat: BodyFormat;
  tokenParams: Record<string, string>;
  authorization: DeviceAuthorization;
  accessTokenPath?: string | undefined;
  /** Injected for tests: waits `ms`, rejects when aborted. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  /** Called before every poll with the interval in force, in seconds (tests and progress displays). */
  onPoll?: (intervalSeconds: number) => void;
}

/**
 * Polls the token endpoint until the user approves or the code expires.
 * - `authorization_pending`: poll again after `interval` (section 3.5);
 * - `slow_down`: the interval grows by 5 seconds, for this and every later poll (section 3.5);
 * - `access_denied`: ERR_ACCESS_DENIED; `expired_token` or the local expiry: ERR_DEVICE_CODE_EXPIRED;
 * - a connection failure or 5xx: back off exponentially, as section 3.5 asks, without giving up early.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.4
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 */
export async function pollDeviceToken(ctx: FlowContext, opts: PollOptions): Promise<TokenResponse> {
  const wait = opts.sleep ?? sleep;
  const now = opts.now ?? Date.now;
  const auth = opts.authorization;
  const deadline = now() + auth.expires_in * 1000;
  let interval = auth.interval;
  let backoff = 0;
  const errCtx = { service: ctx.service, instance: ctx.instance };
  const expired = () =>
    new ArcrunError(
      "ERR_DEVICE_CODE_EXPIRED",
      `${ctx.service}: the device code expired before it was approved; ${setupHint(ctx)} --device to get a new one`,
      errCtx,
    );
  for (;;) {
    await wait((interval + backoff) * 1000, ctx.signal);
    if (now() >= deadline) throw expired();
    opts.onPoll?.(interval);
    try {
      const { body } = await postEndpoint(
        ctx,
        {
          url: opts.url,
          client: opts.client,
          bodyFormat: opts.bodyFormat,
          params: { ...opts.tokenParams, grant_type: DEVICE_CODE_GRANT, device_code: auth.device_code },
        },
        "token",
      );
      return parseTokenResponse(ctx, body, opts.accessTokenPath);
    } catch (err) {
      if (isTransient(err) && !(err instanceof OAuthError && err.error === "slow_down")) {
        backoff = Math.min(Math.max(backoff * 2, interval), 60);
        continue;
      }
      backoff = 0;
      if (!(err instanceof OAuthError)) throw err;
      switch (err.error) {
        case "authorization_pending":
          continue;
        case "slow_down":
          interval += 5;
          continue;
        case "access_denied":
          throw new OAuthError(
            "ERR_ACCESS_DENIED",
            `${ctx.service}: the request was denied on the verification page; ${setupHint(ctx)} --device to try again`,
            { status: err.status, error: err.error },
            { ...errCtx, cause: err },
          );
        case "expired_token":
          throw expired();
        default:
          throw err;
      }
    }
  }
}

export { isRecord };

/** Token revocation, used by `logout` when the recipe has a `revoke_url`: RFC 7009, or `revoke_style: bearer`. */
import { ArcrunError, OAuthError } from "../../errors.js";
import {
  type BodyFormat,
  endpointHeaders,
  type FlowContext,
  isRecord,
  type OAuthClient,
  postEndpoint,
} from "./endpoint.js";

/**
 * Revokes a token. The refresh token is revoked when there is one: per RFC 7009 section 2.1 the server
 * then also invalidates the access tokens of the same grant where it can.
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 */
export async function revokeToken(
  ctx: FlowContext,
  req: { url: string; client: OAuthClient; bodyFormat: BodyFormat },
  token: { value: string; hint: "refresh_token" | "access_token" },
): Promise<void> {
  // RFC 7009 section 2.2: 200 means revoked (or already invalid); an invalid token is not an error.
  await postEndpoint(
    ctx,
    { ...req, params: { token: token.value, token_type_hint: token.hint } },
    "revocation",
  );
}

/**
 * Revocation for providers that take the access token itself as the credential of the call (Slack
 * `auth.revoke`, Dropbox `/2/auth/token/revoke`, Linear `/oauth/revoke`): a POST with
 * `Authorization: Bearer` (RFC 6750 section 2.1) and no body. A 2xx answer is success unless its JSON says
 * otherwise (Slack answers 200 with `{"ok": false, "error": ...}`).
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 */
export async function revokeBearer(ctx: FlowContext, url: string, accessToken: string): Promise<void> {
  const doFetch = ctx.fetch ?? globalThis.fetch;
  let res: Response;
  const headers = endpointHeaders(ctx);
  headers.set("authorization", `Bearer ${accessToken}`);
  try {
    res = await doFetch(url, {
      method: "POST",
      headers,
      redirect: "manual",
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
  } catch (cause) {
    throw new ArcrunError(
      "ERR_NETWORK",
      `${ctx.service}: could not reach the revocation endpoint (${new URL(url).host}); check the network and try again`,
      { cause, service: ctx.service, instance: ctx.instance },
    );
  }
  const text = await res.text().catch(() => "");
  let json: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = text === "" ? undefined : JSON.parse(text);
    json = isRecord(parsed) ? parsed : undefined;
  } catch {
    json = undefined;
  }
  const error = typeof json?.error === "string" ? json.error : undefined;
  if (res.ok && json?.ok !== false && error === undefined) return;
  throw new OAuthError(
    res.status >= 500 || res.status === 429 ? "ERR_NETWORK" : "ERR_OAUTH",
    `${ctx.service}: the revocation endpoint answered ${error ?? `HTTP ${res.status}`}; revoke the app's access in the provider's settings`,
    { status: res.status, error: error ?? "revocation_failed", response: res },
    { service: ctx.service, instance: ctx.instance },
  );
}

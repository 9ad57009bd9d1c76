/**
 * Login with the device authorization grant (RFC 8628), for machines without a browser:
 * `arcrun setup <service> --device`, or automatically where no browser can open and the recipe has a
 * `device_url`.
 */
import { ArcrunError } from "../errors.js";
import { pollDeviceToken, requestDeviceAuthorization } from "../internal/oauth/device.js";
import type { TokenResponse } from "../internal/oauth/endpoint.js";
import type { ClientChoice, OAuthSession } from "../internal/oauth/session.js";
import type { LoginOptions } from "../types.js";

/**
 * Shows the user code and verification URI (RFC 8628 section 3.3), then polls until approval.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3
 */
export async function deviceLogin(
  session: OAuthSession,
  choice: ClientChoice,
  options: LoginOptions,
  display: string,
): Promise<TokenResponse> {
  const { spec, flow } = session;
  if (!spec.device_url) {
    throw new ArcrunError(
      "ERR_INVALID_OPTION",
      `${flow.service}: the provider has no device authorization endpoint (oauth2 > device_url); sign in with --no-browser instead`,
      { service: flow.service, instance: flow.instance },
    );
  }
  if (choice.kind !== "byo") {
    throw new ArcrunError(
      "ERR_INVALID_OPTION",
      `${flow.service}: device code sign-in needs your own OAuth client (the broker handles browser sign-in only); set ARCRUN_${flow.service.toUpperCase()}_CLIENT_ID, or sign in with --no-browser`,
      { service: flow.service, instance: flow.instance },
    );
  }
  const ctx = { ...flow, ...(options.signal ? { signal: options.signal } : {}) };
  const scopes = session.scopes(options.scopes);
  const params: Record<string, string> = {};
  if (scopes.length > 0) params.scope = scopes.join(spec.scope_separator);
  const auth = await requestDeviceAuthorization(ctx, {
    url: spec.device_url,
    client: choice.client,
    bodyFormat: spec.body_format,
    params,
  });
  const out = session.out(options);
  out.write(
    `\nTo connect ${display}, open ${auth.verification_uri} on any device and enter the code:\n\n    ${auth.user_code}\n\n` +
      (auth.verification_uri_complete ? `(or open ${auth.verification_uri_complete})\n` : "") +
      `Waiting for approval; the code expires in ${Math.round(auth.expires_in / 60)} min.\n`,
  );
  if (options.openUrl) await options.openUrl(auth.verification_uri_complete ?? auth.verification_uri);
  return pollDeviceToken(ctx, {
    url: spec.token_url,
    client: choice.client,
    bodyFormat: spec.body_format,
    tokenParams: spec.token_params,
    authorization: auth,
    accessTokenPath: spec.access_token_path,
  });
}

/** Token revocation (RFC 7009), used by `logout` when the recipe has a `revoke_url`. */
import { type BodyFormat, type FlowContext, type OAuthClient, postEndpoint } from "./endpoint.js";

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

/**
 * Zoom: a general (user-managed) OAuth app, user authorization.
 * - https://developers.zoom.us/docs/integrations/oauth/
 * - https://developers.zoom.us/docs/integrations/oauth-error-messages/
 * - https://developers.zoom.us/docs/integrations/PKCE/
 */
import { apiRoute, json, rfc7009Route, tokenRoute } from "../kit.js";
import { authorizeRoute, type OAuthProfile } from "../simulator.js";

// The redirect_uri must be the app's OAuth Redirect URL (or on its allow list) exactly; otherwise error
// 4709 "Redirect URI mismatch" (oauth-error-messages).
const REGISTERED = "http://localhost:8994/callback";

/** The scopes chosen for the app on the Marketplace; the token answer lists them, space-separated. */
const APP_SCOPES = "user:read:user";

export const zoom: OAuthProfile = {
  kind: "oauth2",
  recipe: "zoom",
  docs: [
    "https://developers.zoom.us/docs/integrations/oauth/",
    "https://developers.zoom.us/docs/integrations/oauth-error-messages/",
  ],
  clientSecret: true,
  refreshes: true,
  revokes: true,
  routes: {
    // GET https://zoom.us/oauth/authorize: response_type=code, client_id, redirect_uri, and PKCE's
    // code_challenge with code_challenge_method S256 (PKCE page).
    "GET https://zoom.us/oauth/authorize": authorizeRoute({ redirectAllowed: (u) => u === REGISTERED }),
    // POST https://zoom.us/oauth/token with "Authorization: Basic base64(client_id:client_secret)" and a
    // form body (grant_type, code, redirect_uri, code_verifier). The answer: access_token, token_type
    // "bearer", a refresh_token, expires_in 3599 (an hour) and scope. "Each refresh returns a new refresh
    // token"; the old one no longer works. A dead refresh token is refused with 400 (the error body's
    // field for it is not settled on the error page; the stand-in answers RFC 6749's invalid_grant).
    "POST https://zoom.us/oauth/token": tokenRoute({
      clientAuth: "basic",
      body: "form",
      expiresIn: 3599,
      refreshToken: "rotating",
      scopeEcho: () => APP_SCOPES,
      shape: (b) => ({ ...b, token_type: "bearer" }),
      errorReply: (_req, error) => json(400, { reason: "Invalid Token!", error }),
    }),
    // POST https://zoom.us/oauth/revoke with token=..., authenticated with Basic as at the token endpoint.
    "POST https://zoom.us/oauth/revoke": rfc7009Route({ clientAuth: "basic", body: "form" }),
    // "Authorization: Bearer <access_token>"; a bad or expired one is 401 {"code": 124, "message": "Invalid
    // access token."}.
    "GET https://api.zoom.us/v2/users/me": apiRoute({
      unauthorized: () => json(401, { code: 124, message: "Invalid access token." }),
      ok: () => json(200, { id: "sim-user", email: "ada@example.com", type: 1 }),
    }),
  },
};

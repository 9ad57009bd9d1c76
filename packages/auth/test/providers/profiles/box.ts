/**
 * Box: OAuth 2.0 with client-side authentication (custom apps, user authentication).
 * - https://developer.box.com/guides/authentication/oauth2/oauth2-setup/#redirect-uri
 * - https://developer.box.com/reference/get-authorize/#param-redirect_uri
 * - https://developer.box.com/guides/authentication/tokens/refresh/
 * - https://developer.box.com/reference/post-oauth2-revoke/
 */
import { apiRoute, json, rfc7009Route, tokenRoute } from "../kit.js";
import { authorizeRoute, type OAuthProfile } from "../simulator.js";

// The redirect_uri must match the Redirect URI configured in the Developer Console (get-authorize,
// redirect_uri; "Error: redirect_uri_mismatch" otherwise).
const REGISTERED = "http://localhost:8984/callback";

export const box: OAuthProfile = {
  kind: "oauth2",
  recipe: "box",
  docs: [
    "https://developer.box.com/guides/authentication/oauth2/oauth2-setup/#redirect-uri",
    "https://developer.box.com/guides/authentication/tokens/refresh/",
  ],
  clientSecret: true,
  refreshes: true,
  revokes: true,
  routes: {
    "GET https://account.box.com/api/oauth2/authorize": authorizeRoute({
      redirectAllowed: (u) => u === REGISTERED,
    }),
    // POST /oauth2/token with client_id and client_secret in the form body; "a refresh token can only be
    // used once", each refresh answers a new one (tokens/refresh).
    "POST https://api.box.com/oauth2/token": tokenRoute({
      clientAuth: "post",
      body: "form",
      expiresIn: 3600,
      refreshToken: "rotating",
      scopeEcho: () => undefined,
      extra: () => ({ restricted_to: [] }),
    }),
    // POST /oauth2/revoke with client_id, client_secret and token (post-oauth2-revoke).
    "POST https://api.box.com/oauth2/revoke": rfc7009Route({ clientAuth: "post", body: "form" }),
    "GET https://api.box.com/2.0/users/me": apiRoute({
      ok: () => json(200, { type: "user", id: "1", login: "ada@example.com" }),
    }),
  },
};

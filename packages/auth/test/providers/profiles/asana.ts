/**
 * Asana: an OAuth app of the user's own (developer console, "My apps").
 * - https://developers.asana.com/docs/oauth (endpoints, token exchange, revocation)
 * - https://asana.com/developers/news/oauth-http-redirect-deprecation (redirect URLs must be https)
 */
import { apiRoute, json, rfc7009Route, tokenRoute } from "../kit.js";
import { authorizeRoute, type OAuthProfile } from "../simulator.js";

/**
 * "All redirect URLs for integrating apps must redirect to a secure server which uses https as its scheme";
 * Asana refuses redirects to http URLs (oauth-http-redirect-deprecation). The notice makes no exception for
 * localhost, so an http loopback redirect is refused and the recipe says it cannot sign in on this machine.
 */
export const asanaOAuth: OAuthProfile = {
  kind: "oauth2",
  recipe: "asana",
  via: "oauth2",
  docs: [
    "https://developers.asana.com/docs/oauth",
    "https://asana.com/developers/news/oauth-http-redirect-deprecation",
  ],
  clientSecret: true,
  refreshes: true,
  revokes: true,
  routes: {
    // GET https://app.asana.com/-/oauth_authorize (oauth, quick reference).
    "GET https://app.asana.com/-/oauth_authorize": authorizeRoute({
      redirectAllowed: (u) => u?.startsWith("https://") === true,
    }),
    // POST https://app.asana.com/-/oauth_token with client_id, client_secret, redirect_uri and code (or
    // refresh_token) in a form body; access tokens expire in an hour (expires_in 3600); the refresh token
    // stays the same (oauth, token exchange).
    "POST https://app.asana.com/-/oauth_token": tokenRoute({
      clientAuth: "post",
      body: "form",
      expiresIn: 3600,
      refreshToken: "reusable",
      scopeEcho: () => undefined,
      extra: () => ({ data: { gid: "1", name: "Ada", email: "ada@example.com" } }),
    }),
    // POST https://app.asana.com/-/oauth_revoke with client_id, client_secret and the refresh token
    // (oauth, token revocation).
    "POST https://app.asana.com/-/oauth_revoke": rfc7009Route({ clientAuth: "post", body: "form" }),
    // GET /users/me; a bad token is 401 {"errors": [{"message": "Not Authorized"}]}.
    "GET https://app.asana.com/api/1.0/users/me": apiRoute({
      unauthorized: () => json(401, { errors: [{ message: "Not Authorized" }] }),
      ok: () => json(200, { data: { gid: "1", name: "Ada" } }),
    }),
  },
};

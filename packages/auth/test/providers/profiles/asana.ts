/**
 * Asana: an OAuth app of the user's own (developer console, "My apps").
 * - https://developers.asana.com/docs/oauth (endpoints, user authorization, token exchange, revocation)
 * - https://github.com/Asana/devrel-examples/tree/master/javascript/node-oauth-demo (the open source example
 *   the OAuth page links to: its app registers http://localhost:3000/oauth-callback)
 */
import { apiRoute, json, rfc7009Route, tokenRoute } from "../kit.js";
import { authorizeRoute, type OAuthProfile } from "../simulator.js";

// The redirect_uri must match a redirect URL registered for the app (oauth, user authorization endpoint).
// Asana's 2016 notice (asana.com/developers/news/oauth-http-redirect-deprecation) refused http redirects to
// servers; its own example app today registers an http://localhost URL with its port, so a loopback sign-in
// works with the one URL registered, port included.
const REGISTERED = "http://localhost:8969/callback";

export const asana: OAuthProfile = {
  kind: "oauth2",
  recipe: "asana",
  via: "oauth2",
  docs: [
    "https://developers.asana.com/docs/oauth",
    "https://github.com/Asana/devrel-examples/tree/master/javascript/node-oauth-demo",
  ],
  clientSecret: true,
  refreshes: true,
  revokes: true,
  routes: {
    // GET https://app.asana.com/-/oauth_authorize with client_id, redirect_uri, response_type=code, state,
    // and PKCE's code_challenge_method S256 with code_challenge (oauth, user authorization endpoint).
    "GET https://app.asana.com/-/oauth_authorize": authorizeRoute({
      redirectAllowed: (u) => u === REGISTERED,
    }),
    // POST https://app.asana.com/-/oauth_token, form body with grant_type, client_id, client_secret,
    // redirect_uri, code and code_verifier (or refresh_token); the answer carries expires_in 3600, token_type
    // "bearer", the user under `data`, and on the code exchange a refresh token, which a refresh does not
    // replace (oauth, token exchange endpoint).
    "POST https://app.asana.com/-/oauth_token": tokenRoute({
      clientAuth: "post",
      body: "form",
      expiresIn: 3600,
      refreshToken: "reusable",
      scopeEcho: () => undefined,
      extra: () => ({ data: { id: 1, gid: "1", name: "Ada", email: "ada@example.com" } }),
    }),
    // POST https://app.asana.com/-/oauth_revoke, form body with client_id, client_secret and the refresh
    // token (oauth, token deauthorization endpoint).
    "POST https://app.asana.com/-/oauth_revoke": rfc7009Route({ clientAuth: "post", body: "form" }),
    // GET /users/me; a missing or bad token is 401 {"errors": [{"message": "Not Authorized"}]}
    // (developers.asana.com/docs/errors, 401 Unauthorized).
    "GET https://app.asana.com/api/1.0/users/me": apiRoute({
      unauthorized: () => json(401, { errors: [{ message: "Not Authorized" }] }),
      ok: () => json(200, { data: { gid: "1", name: "Ada", resource_type: "user" } }),
    }),
  },
};

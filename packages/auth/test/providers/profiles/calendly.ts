/**
 * Calendly: an OAuth application of the user's own (developer account, Sandbox environment), API v2.
 * - https://developer.calendly.com/create-a-developer-account (redirect URI rules, PKCE)
 * - https://developer.calendly.com/api-docs/calendly-o-auth/o-auth/post-oauth-refresh-token (token endpoint)
 * - https://developer.calendly.com/refresh-token-rotation-guide (single-use refresh tokens)
 * - https://developer.calendly.com/api-docs/calendly-o-auth/o-auth/post-oauth-revoke
 * - https://developer.calendly.com/api-docs/calendly-api/users/get-user (the recipe's test request, users:read)
 * - https://developer.calendly.com/docs/authentication/scopes
 */
import { apiRoute, json, rfc7009Route, tokenRoute } from "../kit.js";
import { authorizeRoute, bearerOf, type OAuthProfile } from "../simulator.js";

// Redirect URI: "For the Sandbox environment, we allow HTTP with localhost domain. Example:
// http://localhost:1234. For the Production environment, this must be HTTPS"; applications "use a specific
// redirect_uri, a Proof Key for Code Exchange (PKCE), and S256 for code_challenge_method"
// (create-a-developer-account). So a loopback sign-in needs a Sandbox app with this URI registered.
const REGISTERED = "http://localhost:8972/callback";

export const calendly: OAuthProfile = {
  kind: "oauth2",
  recipe: "calendly",
  via: "oauth2",
  docs: [
    "https://developer.calendly.com/create-a-developer-account",
    "https://developer.calendly.com/api-docs/calendly-o-auth/o-auth/post-oauth-refresh-token",
  ],
  clientSecret: true,
  refreshes: true,
  revokes: true,
  routes: {
    "GET https://auth.calendly.com/oauth/authorize": authorizeRoute({
      redirectAllowed: (u) => u === REGISTERED,
      pkceRequired: true,
    }),
    // POST /oauth/token, application/x-www-form-urlencoded; "Web clients: pass client_id and client_secret
    // via Basic HTTP Authorization header"; "Access Tokens expire after 2 hours" (post-oauth-refresh-token).
    // "A refresh token is revoked immediately after a successful POST /oauth/token call", each answer holds
    // a new one, and reusing a used one fails (refresh-token-rotation-guide). The answer names the user and
    // organization as API URIs (owner, organization).
    "POST https://auth.calendly.com/oauth/token": tokenRoute({
      clientAuth: "basic",
      body: "form",
      expiresIn: 7200,
      refreshToken: "rotating",
      scopeEcho: (granted) => (granted.length > 0 ? granted.join(" ") : undefined),
      extra: () => ({
        created_at: Math.floor(Date.now() / 1000),
        owner: "https://api.calendly.com/users/SIMULATED",
        organization: "https://api.calendly.com/organizations/SIMULATED",
      }),
    }),
    // POST /oauth/revoke, form body with client_id, client_secret and token, all three required
    // (post-oauth-revoke). Basic is not among its parameters.
    "POST https://auth.calendly.com/oauth/revoke": rfc7009Route({ clientAuth: "post", body: "form" }),
    // GET /users/{uuid} with "me" needs the users:read scope; a token that cannot authenticate is 401, one
    // without the scope 403 (api-docs/calendly-api/users/get-user; scopes: "For newly created OAuth apps ...
    // no API access is granted until scopes are explicitly requested and approved"). The page's 401 example
    // body repeats its 500 one; the body here is the one the API is reported to send.
    "GET https://api.calendly.com/users/me": apiRoute({
      unauthorized: () => json(401, { title: "Unauthenticated", message: "The access token is invalid" }),
      ok: (sim, req) =>
        sim.live(bearerOf(req))?.scopes.includes("users:read")
          ? json(200, {
              resource: { uri: "https://api.calendly.com/users/SIMULATED", name: "Ada", slug: "ada" },
            })
          : json(403, { title: "Permission Denied", message: "You do not have permission" }),
    }),
  },
};

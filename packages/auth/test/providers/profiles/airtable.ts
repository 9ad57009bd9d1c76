/**
 * Airtable: an OAuth integration of the user's own (airtable.com/create/oauth), on the Web API.
 * - https://airtable.com/developers/web/api/oauth-reference (authorization request, token creation,
 *   token expiry & refresh tokens, redirect URI)
 * - https://airtable.com/developers/web/api/get-user-id-and-scopes (the recipe's test request)
 * - https://airtable.com/developers/web/api/errors (401 AUTHENTICATION_REQUIRED)
 * - https://github.com/Airtable/oauth-example (the reference's example: a redirect URL of
 *   http://localhost:4000/airtable-oauth registered with its port; "Authorization is required if your
 *   integration has a client secret")
 */
import { apiRoute, json, tokenRoute } from "../kit.js";
import { authorizeRoute, type OAuthProfile } from "../simulator.js";

// redirect_uri: "Must exactly match a redirect URI associated with your integration. HTTPS is required for
// any URI beside localhost" (oauth-reference, authorization request query). So a loopback sign-in needs
// the one registered URI, port and path included.
const REGISTERED = "http://localhost:8975/callback";

export const airtable: OAuthProfile = {
  kind: "oauth2",
  recipe: "airtable",
  via: "oauth2",
  docs: ["https://airtable.com/developers/web/api/oauth-reference"],
  clientSecret: true,
  refreshes: true,
  revokes: false,
  routes: {
    // code_challenge and code_challenge_method "S256" are parameters of every authorization request, and
    // scope is "a space delimited list" (oauth-reference, authorization request query).
    "GET https://airtable.com/oauth2/v1/authorize": authorizeRoute({
      redirectAllowed: (u) => u === REGISTERED,
      pkceRequired: true,
    }),
    // POST /oauth2/v1/token, Content-Type application/x-www-form-urlencoded; an integration with a client
    // secret authenticates with "Authorization: Basic" of client_id:client_secret; the body carries code,
    // redirect_uri, grant_type and code_verifier. The answer: access_token, refresh_token, token_type,
    // scope (space delimited), expires_in (60 minutes) and refresh_expires_in (60 days) (oauth-reference,
    // token creation request and successful response). A refresh answers a new refresh token and the one
    // used stops working (taken from nango.dev/blog/airtable-oauth-refresh-token-invalid-grant; the
    // reference's refresh section was not reachable here), and a dead refresh token is 400 invalid_grant.
    "POST https://airtable.com/oauth2/v1/token": tokenRoute({
      clientAuth: "basic",
      body: "form",
      expiresIn: 3600,
      refreshToken: "rotating",
      scopeEcho: (granted) => granted.join(" "),
      extra: () => ({ refresh_expires_in: 5184000 }),
    }),
    // GET /v0/meta/whoami answers the user id (and the token's scopes); a missing or bad token is 401
    // {"error": {"type": "AUTHENTICATION_REQUIRED", ...}} (errors, 401).
    "GET https://api.airtable.com/v0/meta/whoami": apiRoute({
      unauthorized: () =>
        json(401, { error: { type: "AUTHENTICATION_REQUIRED", message: "Authentication required" } }),
      ok: () => json(200, { id: "usrSimulated0001", scopes: ["data.records:read"] }),
    }),
  },
};

/**
 * LinkedIn: the 3-legged (authorization code) flow of a LinkedIn app, with OpenID Connect scopes.
 * - https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow
 * - https://learn.microsoft.com/en-us/linkedin/consumer/integrations/self-serve/sign-in-with-linkedin-v2
 * - https://learn.microsoft.com/en-us/linkedin/shared/authentication/programmatic-refresh-tokens
 */
import { apiRoute, json, tokenRoute } from "../kit.js";
import { authorizeRoute, type OAuthProfile } from "../simulator.js";

// redirect_uri "must match one of the OAuth 2.0 Authorized Redirect URLs defined in your application
// configuration" (authorization-code-flow, step 2); the page sets no scheme rule for it, so the exact match
// with the registered URL is the whole rule here.
const REGISTERED = "http://localhost:8993/callback";

export const linkedin: OAuthProfile = {
  kind: "oauth2",
  recipe: "linkedin",
  docs: [
    "https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow",
    "https://learn.microsoft.com/en-us/linkedin/consumer/integrations/self-serve/sign-in-with-linkedin-v2",
  ],
  clientSecret: true,
  // Programmatic refresh tokens are for approved Marketing Developer Platform partners only
  // (programmatic-refresh-tokens); an ordinary app gets a 60-day access token and nothing else.
  refreshes: false,
  // No revocation endpoint is documented with the flow: a member removes the app in LinkedIn's settings.
  revokes: false,
  routes: {
    // response_type=code, client_id, redirect_uri, state and a space-delimited, URL-encoded scope
    // (authorization-code-flow, step 2).
    "GET https://www.linkedin.com/oauth/v2/authorization": authorizeRoute({
      redirectAllowed: (u) => u === REGISTERED,
    }),
    // POST /oauth/v2/accessToken, x-www-form-urlencoded, with grant_type, code, client_id, client_secret and
    // redirect_uri (authorization-code-flow, step 3); the answer has access_token, expires_in (60 days) and
    // scope, which the OpenID Connect sample writes comma-joined ("email,openid,profile"), with an id_token
    // for the openid scope (sign-in-with-linkedin-v2).
    "POST https://www.linkedin.com/oauth/v2/accessToken": tokenRoute({
      clientAuth: "post",
      body: "form",
      grantTypes: ["authorization_code"],
      expiresIn: 5184000,
      refreshToken: "none",
      scopeEcho: (granted) => [...granted].sort().join(","),
      extra: () => ({ id_token: "eyJhbGciOiJSUzI1NiJ9.e30.c2ln" }),
    }),
    // GET https://api.linkedin.com/v2/userinfo with "Authorization: Bearer" (sign-in-with-linkedin-v2,
    // API request to get user info); an invalid or expired token is 401 Unauthorized
    // (learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/error-handling). The body is not relied on.
    "GET https://api.linkedin.com/v2/userinfo": apiRoute({
      unauthorized: () =>
        json(401, { serviceErrorCode: 65600, message: "Invalid access token", status: 401 }),
      ok: () => json(200, { sub: "782bbtaQ", name: "Ada Lovelace", email: "ada@example.com" }),
    }),
  },
};

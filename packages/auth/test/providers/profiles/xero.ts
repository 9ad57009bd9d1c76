/**
 * Xero: the standard authorization code flow of an OAuth 2.0 "Web app" (client id and secret).
 * - https://developer.xero.com/documentation/guides/oauth2/auth-flow/ (authorize, code exchange, refresh,
 *   revocation, GET /connections)
 * - https://developer.xero.com/faq/oauth2 (redirect URIs, refresh token grace period, token lifetimes)
 * - https://developer.xero.com/documentation/guides/oauth2/pkce-flow (code_challenge at the same endpoint)
 */
import { apiRoute, json, rfc7009Route, tokenRoute } from "../kit.js";
import { authorizeRoute, type OAuthProfile } from "../simulator.js";

// "The use of wildcards in redirect URI is not supported" and a redirect URI must be absolute
// (faq/oauth2, "Can I use a wildcard in my redirect URI?"): the URI sent must be one the app registered.
// Xero's own SDK setup registers a localhost callback (github.com/XeroAPI/xero-node README, "Create a Xero
// App": "the redirect URI (this is your callback url - localhost, etc)").
const REGISTERED = "http://localhost:8991/callback";

export const xero: OAuthProfile = {
  kind: "oauth2",
  recipe: "xero",
  docs: [
    "https://developer.xero.com/documentation/guides/oauth2/auth-flow/",
    "https://developer.xero.com/faq/oauth2",
  ],
  clientSecret: true,
  refreshes: true,
  revokes: true,
  routes: {
    // response_type=code, client_id, redirect_uri, a space-separated scope and state (auth-flow, step 1);
    // code_challenge and code_challenge_method=S256 are taken by the same endpoint (pkce-flow, step 1).
    "GET https://login.xero.com/identity/connect/authorize": authorizeRoute({
      redirectAllowed: (u) => u === REGISTERED,
    }),
    // POST /connect/token, form body grant_type, code and redirect_uri, the client as
    // "authorization: Basic base64(client_id:client_secret)" (auth-flow, step 3). The answer has
    // access_token, expires_in 1800 ("30 minutes", faq/oauth2), token_type Bearer, refresh_token and the
    // granted scope space-separated. A refresh answers a new refresh token; the old one may be retried for
    // a grace period of 30 minutes (faq/oauth2, "What do I do if a token refresh fails?"), so within the
    // test both stay valid ("reissued"). A dead grant is invalid_grant (RFC 6749 section 5.2; the page
    // names no other code).
    "POST https://identity.xero.com/connect/token": tokenRoute({
      clientAuth: "basic",
      body: "form",
      expiresIn: 1800,
      refreshToken: "reissued",
      scopeEcho: (granted) => granted.join(" "),
    }),
    // POST /connect/revocation with token=<refresh token> and the same Basic header; the grant ends and
    // its connections are removed (auth-flow, "Revoking tokens").
    "POST https://identity.xero.com/connect/revocation": rfc7009Route({ clientAuth: "basic", body: "form" }),
    // GET https://api.xero.com/connections with "Authorization: Bearer" lists the connected tenants
    // (auth-flow, step 5); an invalid or expired token is 401 Unauthorized
    // (developer.xero.com/documentation/api/accounting/responsecodes). The body's shape is not relied on.
    "GET https://api.xero.com/connections": apiRoute({
      unauthorized: () => json(401, { Title: "Unauthorized", Status: 401 }),
      ok: () =>
        json(200, [
          {
            id: "e1eede29-f875-4a5d-8470-17f6a29a88b1",
            tenantId: "70784a63-d24b-46a9-a4db-0e70a274b056",
            tenantType: "ORGANISATION",
            tenantName: "Demo Company",
          },
        ]),
    }),
  },
};

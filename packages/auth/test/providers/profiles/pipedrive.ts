/**
 * Pipedrive: OAuth 2.0 of a (private) app registered in Developer Hub; the API host is the company domain.
 * - https://developers.pipedrive.com/docs/api/v1/Oauth (authorize, getting and refreshing the tokens)
 * - https://pipedrive.readme.io/docs/marketplace-registering-a-private-app (one OAuth Callback URL per app)
 * - https://pipedrive.readme.io/docs/app-uninstallation (token revocation)
 */
import { apiRoute, json, rfc7009Route, tokenRoute } from "../kit.js";
import { authorizeRoute, type OAuthProfile } from "../simulator.js";

const COMPANY = "acme";

// "Callback URL (required, one URL per app)" (registering a private app), and the code is sent to the
// redirect_uri only "if it matches with the value you entered in the registration form" (v1/Oauth,
// requesting authorization). Neither page sets a scheme rule, so the exact match is the whole rule here.
const REGISTERED = "http://localhost:8992/callback";

export const pipedrive: OAuthProfile = {
  kind: "oauth2",
  recipe: "pipedrive",
  via: "oauth2",
  docs: [
    "https://developers.pipedrive.com/docs/api/v1/Oauth",
    "https://pipedrive.readme.io/docs/app-uninstallation",
  ],
  clientSecret: true,
  refreshes: true,
  revokes: true,
  routes: {
    // GET /oauth/authorize with client_id, redirect_uri (required) and state (v1/Oauth); the scopes are
    // the app's, set in Developer Hub, and none is sent.
    "GET https://oauth.pipedrive.com/oauth/authorize": authorizeRoute({
      redirectAllowed: (u) => u === REGISTERED,
    }),
    // POST /oauth/token, form body grant_type, code and redirect_uri, and the header
    // "Authorization: Basic <base64(client_id:client_secret)>" (v1/Oauth, getting the tokens); a refresh is
    // grant_type=refresh_token with the same header (refreshing the tokens). The answer carries
    // access_token, token_type, refresh_token, scope, expires_in and api_domain, the company's API origin.
    // A refresh answers a refresh_token too; the page does not say the earlier one stops working, so both
    // stay valid here ("reissued").
    "POST https://oauth.pipedrive.com/oauth/token": tokenRoute({
      clientAuth: "basic",
      body: "form",
      expiresIn: 3599,
      refreshToken: "reissued",
      // The scope answered is the app's registered set (here "base", which every app has), whatever was asked.
      scopeEcho: () => "base",
      extra: () => ({ api_domain: `https://${COMPANY}.pipedrive.com` }),
    }),
    // POST /oauth/revoke, RFC 7009, "authenticated via HTTP Basic Auth with the values of client_id and
    // client_secret" (app-uninstallation, token revocation).
    "POST https://oauth.pipedrive.com/oauth/revoke": rfc7009Route({ clientAuth: "basic", body: "form" }),
    // The company domain from api_domain; a missing or bad token is 401 (v1 reference, HTTP status codes:
    // "401 Unauthorized - invalid API token"). The body's shape is not relied on.
    [`GET https://${COMPANY}.pipedrive.com/api/v1/users/me`]: apiRoute({
      unauthorized: () => json(401, { success: false, error: "unauthorized access", errorCode: 401 }),
      ok: () => json(200, { success: true, data: { id: 1, name: "Ada", company_domain: COMPANY } }),
    }),
  },
};

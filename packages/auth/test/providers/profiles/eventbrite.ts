/**
 * Eventbrite (API v3): the server-side OAuth token flow of an app (API key and client secret).
 * - https://www.eventbrite.com/platform/docs/app-oauth-flow (authorize and token URLs, the server-side flow)
 * - https://www.eventbrite.com/developer/v3/api_overview/authentication/ (the token as "Authorization: Bearer")
 * - https://www.eventbrite.com/developer/v3/api_overview/errors/ (common errors: INVALID_AUTH, NO_AUTH)
 */
import { apiRoute, json, tokenRoute } from "../kit.js";
import { authorizeRoute, type OAuthProfile } from "../simulator.js";

// The app has one "Redirect URI ... You need to set this in the Eventbrite app settings", and users are sent
// back to it (app-oauth-flow, authenticating access for users of your app): the redirect_uri sent must be it.
const REGISTERED = "http://localhost:8994/callback";

export const eventbrite: OAuthProfile = {
  kind: "oauth2",
  recipe: "eventbrite",
  docs: [
    "https://www.eventbrite.com/platform/docs/app-oauth-flow",
    "https://www.eventbrite.com/developer/v3/api_overview/authentication/",
  ],
  clientSecret: true,
  // No refresh tokens: a token that ends (e.g. after a password change) needs the flow again
  // (app-oauth-flow, note on expiring tokens).
  refreshes: false,
  revokes: false,
  routes: {
    // GET /oauth/authorize?response_type=code&client_id=<API key>&redirect_uri=... (app-oauth-flow,
    // server-side application, step 1).
    "GET https://www.eventbrite.com/oauth/authorize": authorizeRoute({
      redirectAllowed: (u) => u === REGISTERED,
    }),
    // POST /oauth/token, application/x-www-form-urlencoded, with grant_type=authorization_code, client_id,
    // client_secret, code and redirect_uri; the answer is the user's OAuth token, with no expiry, refresh
    // token or scope (app-oauth-flow, server-side application, steps 3 and 4).
    "POST https://www.eventbrite.com/oauth/token": tokenRoute({
      clientAuth: "post",
      body: "form",
      grantTypes: ["authorization_code"],
      refreshToken: "none",
      scopeEcho: () => undefined,
    }),
    // "Authorization: Bearer MYTOKEN" (authentication). An incorrect token is INVALID_AUTH with status 400,
    // not 401 (errors, common errors: "INVALID_AUTH: Your authentication (usually OAuth token) is incorrect.
    // Status code 400."; NO_AUTH, no authentication at all, is the 401), in the documented error shape
    // { error, error_description, status_code }.
    "GET https://www.eventbriteapi.com/v3/users/me/": apiRoute({
      unauthorized: () =>
        json(400, {
          status_code: 400,
          error: "INVALID_AUTH",
          error_description: "The OAuth token you provided was invalid.",
        }),
      ok: () => json(200, { id: "1", name: "Ada", emails: [{ email: "ada@example.com" }] }),
    }),
  },
};

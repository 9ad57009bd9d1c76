/**
 * Typeform: OAuth applications registered in the Typeform admin panel.
 * - https://www.typeform.com/developers/get-started/applications/
 * - https://www.typeform.com/developers/get-started/scopes/
 */
import { apiRoute, json, tokenRoute } from "../kit.js";
import { authorizeRoute, type OAuthProfile } from "../simulator.js";

// "redirectUri: URL where the application should redirect after users log in", registered with the
// application; the authorization request's redirect_uri must be that URL (applications, steps 1 and 2).
const REGISTERED = "http://localhost:8993/callback";

export const typeformOAuth: OAuthProfile = {
  kind: "oauth2",
  recipe: "typeform",
  via: "oauth2",
  docs: [
    "https://www.typeform.com/developers/get-started/applications/",
    "https://www.typeform.com/developers/get-started/scopes/",
  ],
  clientSecret: true,
  // With the `offline` scope the token answer carries a refresh token (scopes, "offline").
  refreshes: true,
  // No revocation endpoint is documented; the user removes the app in Typeform.
  revokes: false,
  routes: {
    // urlAuthorize https://api.typeform.com/oauth/authorize: client_id, redirect_uri, scope (space-separated)
    // and state.
    "GET https://api.typeform.com/oauth/authorize": authorizeRoute({
      redirectAllowed: (u) => u === REGISTERED,
    }),
    // urlAccessToken https://api.typeform.com/oauth/token: a form POST with grant_type, code, client_id,
    // client_secret and redirect_uri. The answer has access_token, token_type, expires_in (a week by
    // default) and refresh_token. The page does not say whether a used refresh token stays valid; the
    // stand-in refuses it (the stricter reading), so the client must keep the new one.
    "POST https://api.typeform.com/oauth/token": tokenRoute({
      clientAuth: "post",
      body: "form",
      expiresIn: 604800,
      refreshToken: "rotating",
      scopeEcho: () => undefined,
    }),
    // "Authorization: bearer {your_access_token}"; a missing or bad token is 401 AUTHENTICATION_FAILED.
    "GET https://api.typeform.com/me": apiRoute({
      unauthorized: () =>
        json(401, {
          code: "AUTHENTICATION_FAILED",
          description: "Authentication credentials not found on the Request Headers",
        }),
      ok: () => json(200, { alias: "Ada", email: "ada@example.com", language: "en" }),
    }),
  },
};

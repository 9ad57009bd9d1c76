/**
 * Strava (API v3): OAuth 2.0 of an API application registered at strava.com/settings/api.
 * - https://developers.strava.com/docs/authentication/ (requesting access, token exchange, refreshing
 *   expired access tokens, accessing the API, deauthorization)
 */
import { apiRoute, json, tokenRoute } from "../kit.js";
import { authorizeRoute, type OAuthProfile } from "../simulator.js";

// redirect_uri "must be within the callback domain specified by the application. localhost and 127.0.0.1
// are white-listed" (authentication, details about requesting access): any port and path on those two
// hosts, over http; [::1] is not named, so it is refused.
const allowed = (uri: string | undefined): boolean => {
  if (uri === undefined) return false;
  try {
    const u = new URL(uri);
    return u.protocol === "http:" && (u.hostname === "localhost" || u.hostname === "127.0.0.1");
  } catch {
    return false;
  }
};

export const strava: OAuthProfile = {
  kind: "oauth2",
  recipe: "strava",
  docs: ["https://developers.strava.com/docs/authentication/"],
  clientSecret: true,
  refreshes: true,
  revokes: false,
  routes: {
    // GET /oauth/authorize with client_id, redirect_uri, response_type=code, approval_prompt and scope,
    // "Requested scopes, as a comma delimited string" (authentication, details about requesting access).
    "GET https://www.strava.com/oauth/authorize": authorizeRoute({
      redirectAllowed: allowed,
      scopeSeparator: ",",
    }),
    // POST /oauth/token with client_id, client_secret, code and grant_type; the answer has token_type,
    // expires_at, expires_in (six hours), refresh_token, access_token and a summary athlete, and no scope,
    // which comes on the redirect instead (token exchange). redirect_uri is not a parameter here.
    // A refresh is grant_type=refresh_token with the client again; "once a new refresh token code has been
    // returned, the older code will no longer work" (refreshing expired access tokens): rotating.
    "POST https://www.strava.com/oauth/token": tokenRoute({
      clientAuth: "post",
      body: "form",
      redirectUriRequired: false,
      expiresIn: 21600,
      refreshToken: "rotating",
      scopeEcho: () => undefined,
      extra: () => ({ expires_at: Math.floor(Date.now() / 1000) + 21600, athlete: { id: 1 } }),
    }),
    // "Authorization: Bearer #{access_token}" (accessing the API); an invalid or expired token is 401
    // Unauthorized. The body's shape is not relied on.
    "GET https://www.strava.com/api/v3/athlete": apiRoute({
      unauthorized: () =>
        json(401, {
          message: "Authorization Error",
          errors: [{ resource: "Athlete", field: "access_token", code: "invalid" }],
        }),
      ok: () => json(200, { id: 1, username: "ada", firstname: "Ada" }),
    }),
  },
};

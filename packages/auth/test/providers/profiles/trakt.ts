/**
 * Trakt: a user access token from an API application of the user's own; every API call carries the
 * application's client_id as trakt-api-key and trakt-api-version 2 beside the Bearer token.
 * - https://docs.trakt.tv/docs/required-headers
 * - https://docs.trakt.tv/reference/authentication (authorization code flow, GET /users/settings)
 * - https://docs.trakt.tv/reference/postoauthtoken (code and refresh token exchange)
 * - https://docs.trakt.tv/reference/postoauthrevoke (revoke an access_token)
 * - https://docs.trakt.tv/reference/postoauthdevicetoken (the access_token "is valid for 7 days", with a
 *   refresh_token to renew it)
 */
import { json, tokenRoute } from "../kit.js";
import { authorizeRoute, bearerOf, type OAuthProfile, params, type Route } from "../simulator.js";

// The redirect_uri is the "URI specified in your app settings" (postoauthtoken); the recipe's fixed one is
// the one registered.
const REGISTERED = "http://localhost:9013/callback";

// "You'll need to send some required headers when making API calls to identify your application":
// trakt-api-key (the client_id) and trakt-api-version 2 (docs/required-headers); GET /users/settings is
// "OAuth Required" (reference/authentication). The status codes and bodies of the refusals are the
// stand-in's own.
const settings: Route = (req, sim) => {
  if (req.headers["trakt-api-key"] !== sim.clientId) return json(403, { error: "invalid api key" });
  if (req.headers["trakt-api-version"] !== "2") return json(412, { error: "trakt-api-version 2 required" });
  if (sim.live(bearerOf(req)) === undefined) return json(401, { error: "invalid_token" });
  return json(200, { user: { username: "ada", ids: { slug: "ada", uuid: "u-1" } }, account: {} });
};

// POST /oauth/revoke: "Revoke an access_token", with JSON POST data token ("A valid OAuth access_token"),
// client_id and client_secret ("Get this from your app settings"), all three required
// (reference/postoauthrevoke); the content type is JSON (docs/required-headers: "set the content type to
// JSON"). A refresh token is not an access token. The statuses and bodies of the refusals and of the
// success are the stand-in's own: the page documents none.
const revoke: Route = (req, sim) => {
  if (!(req.headers["content-type"] ?? "").includes("application/json")) {
    return json(400, { error: "invalid_request" });
  }
  const p = params(req);
  if (p.client_id !== sim.clientId || p.client_secret !== sim.clientSecret) {
    return json(401, { error: "invalid_client" });
  }
  if (p.token === undefined || sim.live(p.token) === undefined) return json(401, { error: "invalid_token" });
  sim.revokeToken(p.token);
  return json(200, {});
};

export const trakt: OAuthProfile = {
  kind: "oauth2",
  recipe: "trakt",
  docs: [
    "https://docs.trakt.tv/docs/required-headers",
    "https://docs.trakt.tv/reference/authentication",
    "https://docs.trakt.tv/reference/postoauthtoken",
    "https://docs.trakt.tv/reference/postoauthrevoke",
    "https://docs.trakt.tv/reference/postoauthdevicetoken",
  ],
  clientSecret: true,
  refreshes: true,
  // The recipe's revoke_token: access sends the access token, the only token /oauth/revoke takes.
  revokes: true,
  routes: {
    // GET /oauth/authorize with response_type=code, client_id, redirect_uri and state; Trakt redirects back
    // with code and state (reference/authentication).
    "GET https://trakt.tv/oauth/authorize": authorizeRoute({ redirectAllowed: (u) => u === REGISTERED }),
    // A JSON body with client_id, client_secret, redirect_uri, code and grant_type (postoauthtoken); the
    // access_token is valid for 7 days and comes with a refresh_token (postoauthdevicetoken).
    "POST https://api.trakt.tv/oauth/token": tokenRoute({
      clientAuth: "post",
      body: "json",
      expiresIn: 604800,
      refreshToken: "reissued",
      scopeEcho: () => undefined,
      redirectUriRequired: true,
    }),
    "POST https://api.trakt.tv/oauth/revoke": revoke,
    "GET https://api.trakt.tv/users/settings": settings,
  },
};

/**
 * Twitch (Helix API): a user access token from an application of the user's own, registered in the
 * Twitch Developer Console; every API call carries the application's Client-Id beside the token.
 * - https://dev.twitch.tv/docs/authentication/getting-tokens-oauth/ (authorization code grant flow)
 * - https://dev.twitch.tv/docs/authentication/refresh-tokens/
 * - https://dev.twitch.tv/docs/authentication/revoke-tokens/
 * - https://dev.twitch.tv/docs/api/get-started/ and https://dev.twitch.tv/docs/api/reference/#get-users
 */
import { json, tokenRoute } from "../kit.js";
import { authorizeRoute, bearerOf, type OAuthProfile, params, type Route } from "../simulator.js";

// The redirect_uri "must exactly match one of the redirect URIs you registered with your app"
// (getting-tokens-oauth, authorization code grant flow); the recipe's fixed one is the one registered.
const REGISTERED = "http://localhost:9012/callback";

// Helix calls need "Authorization: Bearer <token>" and "Client-Id: <your client id>"; the Client-Id must be
// the id of the application the token was issued to, else 401 "Client ID and OAuth token do not match"
// (api/get-started; authentication). An invalid or expired token is 401 "Invalid OAuth token". GET /users
// with a user token and no parameters answers that user (api/reference, Get Users).
const users: Route = (req, sim) => {
  const clientId = req.headers["client-id"];
  const token = bearerOf(req);
  if (token === undefined) {
    return json(401, { error: "Unauthorized", status: 401, message: "OAuth token is missing" });
  }
  if (sim.live(token) === undefined) {
    return json(401, { error: "Unauthorized", status: 401, message: "Invalid OAuth token" });
  }
  if (clientId !== sim.clientId) {
    return json(401, {
      error: "Unauthorized",
      status: 401,
      message: "Client ID and OAuth token do not match",
    });
  }
  return json(200, { data: [{ id: "141981764", login: "twitchdev", display_name: "TwitchDev" }] });
};

// POST /oauth2/revoke with "x-www-form-urlencoded parameters" client_id ("Your app's client ID") and token
// ("The access token to revoke"), both required; success is "200 OK (with no body)", "400 Bad Request if the
// client ID is valid but the access token is not" ({"status":400,"message":"Invalid token"}), "404 Not
// Found if the client ID is not valid" ({"status":404,"message":"client does not exist"})
// (authentication/revoke-tokens). A refresh token is not an access token, so it is refused as invalid. The
// answer to another content type or a missing parameter is the stand-in's own (400, as for a bad token).
const revoke: Route = (req, sim) => {
  if (!(req.headers["content-type"] ?? "").includes("application/x-www-form-urlencoded")) {
    return json(400, { status: 400, message: "missing client id" });
  }
  const p = params(req);
  if (p.client_id === undefined) return json(400, { status: 400, message: "missing client id" });
  if (p.client_id !== sim.clientId) return json(404, { status: 404, message: "client does not exist" });
  if (p.token === undefined || sim.live(p.token) === undefined) {
    return json(400, { status: 400, message: "Invalid token" });
  }
  sim.revokeToken(p.token);
  return { status: 200 };
};

export const twitch: OAuthProfile = {
  kind: "oauth2",
  recipe: "twitch",
  docs: [
    "https://dev.twitch.tv/docs/authentication/getting-tokens-oauth/",
    "https://dev.twitch.tv/docs/authentication/refresh-tokens/",
    "https://dev.twitch.tv/docs/authentication/revoke-tokens/",
    "https://dev.twitch.tv/docs/api/get-started/",
  ],
  clientSecret: true,
  refreshes: true,
  // The recipe's revoke_token: access sends the access token, the only token /oauth2/revoke takes.
  revokes: true,
  routes: {
    // GET /oauth2/authorize with client_id, redirect_uri, response_type=code, a space-separated,
    // URL-encoded scope and state (getting-tokens-oauth); no PKCE parameters are documented.
    "GET https://id.twitch.tv/oauth2/authorize": authorizeRoute({ redirectAllowed: (u) => u === REGISTERED }),
    // POST /oauth2/token with client_id, client_secret, code, grant_type=authorization_code and
    // redirect_uri, form-encoded; the answer has access_token, expires_in, refresh_token, token_type
    // "bearer" and scope as a JSON array (getting-tokens-oauth). A refresh is grant_type=refresh_token with
    // the client again, and its answer's refresh token "may change", so the new one is kept
    // (refresh-tokens).
    "POST https://id.twitch.tv/oauth2/token": tokenRoute({
      clientAuth: "post",
      body: "form",
      expiresIn: 14124,
      refreshToken: "reissued",
      scopeEcho: (granted) => granted.join(" "),
      shape: (body) => ({
        ...body,
        token_type: "bearer",
        scope: typeof body.scope === "string" ? body.scope.split(" ").filter(Boolean) : [],
      }),
    }),
    "POST https://id.twitch.tv/oauth2/revoke": revoke,
    "GET https://api.twitch.tv/helix/users": users,
  },
};

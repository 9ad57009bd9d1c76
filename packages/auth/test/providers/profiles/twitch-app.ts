/**
 * Twitch (Helix API) with an app access token from the application's own client ID and secret (client
 * credentials grant, no user), for the twitch_app recipe; every API call carries the Client-Id beside it.
 * - https://dev.twitch.tv/docs/authentication/getting-tokens-oauth/#client-credentials-grant-flow
 * - https://dev.twitch.tv/docs/authentication/ (app access tokens; Client-Id with every request)
 * - https://dev.twitch.tv/docs/api/get-started/ and https://dev.twitch.tv/docs/api/reference/#get-top-games
 */
import { clientCredentialsRoute, json } from "../kit.js";
import { bearerOf, type ClientCredentialsProfile, type Route } from "../simulator.js";

// Helix calls need "Authorization: Bearer <token>" and "Client-Id: <your client id>", and the Client-Id must be
// the id of the application the token was issued to, else 401 "Client ID and OAuth token do not match"
// (dev.twitch.tv/docs/api/get-started, "Authentication"; dev.twitch.tv/docs/authentication). A missing,
// invalid or expired token is 401 with the Helix error body {error, status, message} ("Invalid OAuth token").
// Get Top Games takes an app access token or a user access token and no parameters (api/reference).
const topGames: Route = (req, sim) => {
  const token = bearerOf(req);
  if (token === undefined) {
    return json(401, { error: "Unauthorized", status: 401, message: "OAuth token is missing" });
  }
  if (sim.live(token) === undefined) {
    return json(401, { error: "Unauthorized", status: 401, message: "Invalid OAuth token" });
  }
  if (req.headers["client-id"] !== sim.clientId) {
    return json(401, {
      error: "Unauthorized",
      status: 401,
      message: "Client ID and OAuth token do not match",
    });
  }
  return json(200, {
    data: [{ id: "509658", name: "Just Chatting", box_art_url: "", igdb_id: "" }],
    pagination: { cursor: "eyJiIjpudWxsLCJhIjp7Ik9mZnNldCI6MjB9fQ==" },
  });
};

export const twitchApp: ClientCredentialsProfile = {
  kind: "client_credentials",
  recipe: "twitch_app",
  docs: [
    "https://dev.twitch.tv/docs/authentication/getting-tokens-oauth/#client-credentials-grant-flow",
    "https://dev.twitch.tv/docs/api/get-started/",
    "https://dev.twitch.tv/docs/api/reference/#get-top-games",
  ],
  routes: {
    // POST /oauth2/token with client_id, client_secret and grant_type=client_credentials in an
    // x-www-form-urlencoded body (not Basic); the answer is access_token, expires_in and token_type "bearer",
    // with no refresh token and no scope (getting-tokens-oauth, client credentials grant flow; its example
    // answer has exactly those three fields).
    "POST https://id.twitch.tv/oauth2/token": clientCredentialsRoute({
      clientAuth: "post",
      body: "form",
      scopes: [],
      scopeEcho: () => undefined,
      expiresIn: 5011271,
      tokenType: "bearer",
      // Unverified: the page documents no error answer for this grant. Twitch's id service answers with
      // {status, message} (as its /validate and /revoke errors do, authentication/validate-tokens); the
      // wrong-secret status 403 "invalid client secret" is from the community, not a Twitch page.
      errorReply: (_req, error) =>
        error === "invalid_client"
          ? json(403, { status: 403, message: "invalid client secret" })
          : json(400, { status: 400, message: error === "invalid_request" ? "missing client id" : error }),
    }),
    "GET https://api.twitch.tv/helix/games/top": topGames,
  },
};

/**
 * Spotify Web API with an app's client credentials (no user), for the spotify_app recipe.
 * - https://developer.spotify.com/documentation/web-api/tutorials/client-credentials-flow
 * - https://developer.spotify.com/documentation/web-api/concepts/access-token
 */
import { apiRoute, clientCredentialsRoute, json } from "../kit.js";
import type { ClientCredentialsProfile } from "../simulator.js";

export const spotifyApp: ClientCredentialsProfile = {
  kind: "client_credentials",
  recipe: "spotify_app",
  docs: [
    "https://developer.spotify.com/documentation/web-api/tutorials/client-credentials-flow",
    "https://developer.spotify.com/documentation/web-api/concepts/access-token",
  ],
  routes: {
    // POST /api/token: Content-Type application/x-www-form-urlencoded, grant_type=client_credentials, and
    // "Authorization: Basic <base64 encoded client_id:client_secret>" (both required); the answer:
    // access_token, token_type "bearer", expires_in 3600 (client-credentials-flow).
    "POST https://accounts.spotify.com/api/token": clientCredentialsRoute({
      clientAuth: "basic",
      body: "form",
      scopes: [],
      scopeEcho: () => undefined,
      expiresIn: 3600,
      tokenType: "bearer",
      // An error is a 400 JSON answer with error and error_description (the stand-in's own wording).
      errorReply: (_req, error) => json(400, { error, error_description: error }),
    }),
    // A catalogue endpoint (client-credentials-flow: "only endpoints that do not access user information can
    // be accessed"), the token as "Authorization: Bearer"; an expired or bad token is 401 (access-token).
    "GET https://api.spotify.com/v1/artists/4Z8W4fKeB5YxbusRsdQVPb": apiRoute({
      unauthorized: () => json(401, { error: { status: 401, message: "Invalid access token" } }),
      ok: () => json(200, { id: "4Z8W4fKeB5YxbusRsdQVPb", name: "Radiohead", type: "artist" }),
    }),
  },
};

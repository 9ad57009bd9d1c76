/**
 * Spotify Web API: authorization code with PKCE.
 * - https://developer.spotify.com/documentation/web-api/concepts/redirect_uri
 * - https://developer.spotify.com/documentation/web-api/tutorials/code-pkce-flow
 * - https://developer.spotify.com/documentation/web-api/tutorials/refreshing-tokens
 */
import { apiRoute, json, tokenRoute } from "../kit.js";
import { authorizeRoute, loopback, type OAuthProfile } from "../simulator.js";

export const spotify: OAuthProfile = {
  kind: "oauth2",
  recipe: "spotify",
  docs: [
    "https://developer.spotify.com/documentation/web-api/concepts/redirect_uri",
    "https://developer.spotify.com/documentation/web-api/tutorials/code-pkce-flow",
  ],
  clientSecret: true,
  refreshes: true,
  revokes: false,
  routes: {
    "GET https://accounts.spotify.com/authorize": authorizeRoute({
      // "localhost is not allowed as redirect URI"; a loopback address must be explicit (127.0.0.1 or [::1]),
      // and its port may be chosen at request time (concepts/redirect_uri).
      redirectAllowed: (u) => {
        const l = loopback(u);
        return l !== undefined && l.hostname !== "localhost" && l.pathname === "/callback";
      },
      pkceRequired: true,
    }),
    // POST /api/token, form body; a refresh may answer a new refresh token, the old one still usable until
    // then (refreshing-tokens): "reissued".
    "POST https://accounts.spotify.com/api/token": tokenRoute({
      clientAuth: "basic_or_post",
      body: "form",
      expiresIn: 3600,
      refreshToken: "reissued",
      scopeEcho: (granted) => granted.join(" "),
    }),
    "GET https://api.spotify.com/v1/me": apiRoute({
      unauthorized: () => json(401, { error: { status: 401, message: "The access token expired" } }),
      ok: () => json(200, { id: "ada", display_name: "Ada" }),
    }),
  },
};

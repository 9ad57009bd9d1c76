/**
 * X (Twitter) API v2: OAuth 2.0 authorization code with PKCE.
 * - https://docs.x.com/resources/fundamentals/authentication/oauth-2-0/authorization-code
 * - https://docs.x.com/resources/fundamentals/authentication/oauth-2-0/user-access-token
 */
import { apiRoute, json, rfc7009Route, tokenRoute } from "../kit.js";
import { authorizeRoute, type OAuthProfile } from "../simulator.js";

// The callback URL must exactly match one configured in the app settings (authorization-code).
const REGISTERED = "http://127.0.0.1:8976/callback";

export const x: OAuthProfile = {
  kind: "oauth2",
  recipe: "x",
  docs: [
    "https://docs.x.com/resources/fundamentals/authentication/oauth-2-0/authorization-code",
    "https://docs.x.com/resources/fundamentals/authentication/oauth-2-0/user-access-token",
  ],
  clientSecret: true,
  refreshes: true,
  revokes: true,
  routes: {
    // PKCE is required ("code_challenge ... required").
    "GET https://x.com/i/oauth2/authorize": authorizeRoute({
      redirectAllowed: (u) => u === REGISTERED,
      pkceRequired: true,
    }),
    // POST /2/oauth2/token: a confidential client authenticates with Basic; expires_in 7200; with
    // offline.access a refresh token that is replaced on every refresh (user-access-token).
    "POST https://api.x.com/2/oauth2/token": tokenRoute({
      clientAuth: "basic",
      body: "form",
      expiresIn: 7200,
      refreshToken: "rotating",
      scopeEcho: (granted) => granted.join(" "),
    }),
    // POST /2/oauth2/revoke with token=..., Basic for a confidential client.
    "POST https://api.x.com/2/oauth2/revoke": rfc7009Route({ clientAuth: "basic", body: "form" }),
    "GET https://api.x.com/2/users/me": apiRoute({
      unauthorized: () =>
        json(401, { title: "Unauthorized", type: "about:blank", status: 401, detail: "Unauthorized" }),
      ok: () => json(200, { data: { id: "1", username: "ada" } }),
    }),
  },
};

/**
 * Dropbox: the OAuth guide's code flow with offline access, and the user API.
 * - https://developers.dropbox.com/oauth-guide
 * - https://www.dropbox.com/developers/documentation/http/documentation#oauth2-authorize
 * - https://www.dropbox.com/developers/documentation/http/documentation#auth-token-revoke
 */
import { apiRoute, bearerRevokeRoute, json, tokenRoute } from "../kit.js";
import { authorizeRoute, type OAuthProfile } from "../simulator.js";

// redirect_uri "must exactly match one of the redirect URIs registered" in the App Console, port included;
// http only for localhost (oauth2-authorize, redirect_uri).
const REGISTERED = "http://localhost:8980/callback";

const expired = () =>
  json(401, { error_summary: "expired_access_token/", error: { ".tag": "expired_access_token" } });

export const dropbox: OAuthProfile = {
  kind: "oauth2",
  recipe: "dropbox",
  docs: ["https://developers.dropbox.com/oauth-guide"],
  clientSecret: true,
  refreshes: true,
  revokes: true,
  routes: {
    "GET https://www.dropbox.com/oauth2/authorize": authorizeRoute({
      redirectAllowed: (u) => u === REGISTERED,
    }),
    // POST /oauth2/token: client credentials as Basic or in the body; short-lived tokens (expires_in 14400)
    // and, with token_access_type=offline, a refresh token that stays the same on refresh (oauth-guide).
    "POST https://api.dropboxapi.com/oauth2/token": tokenRoute({
      clientAuth: "basic_or_post",
      body: "form",
      expiresIn: 14400,
      refreshToken: "reusable",
      scopeEcho: (granted) => granted.join(" "),
      extra: () => ({ account_id: "dbid:1", uid: "1" }),
    }),
    // POST /2/auth/token/revoke: the token itself as Bearer, no body; answers null.
    "POST https://api.dropboxapi.com/2/auth/token/revoke": bearerRevokeRoute(() => json(200, null)),
    "POST https://api.dropboxapi.com/2/users/get_current_account": apiRoute({
      unauthorized: expired,
      ok: () => json(200, { account_id: "dbid:1", email: "ada@example.com" }),
    }),
  },
};

/**
 * Wrike API v4 over an OAuth 2.0 app of your own (the oauth2 alternative of the wrike recipe).
 * - https://developers.wrike.com/oauth-20-authorization
 * - https://developers.wrike.com/overview
 */
import { apiRoute, json, tokenRoute } from "../kit.js";
import { authorizeRoute, type OAuthProfile } from "../simulator.js";

/** The data center host of the account that signs in (the EU one, to show it is not the default). */
export const WRIKE_HOST = "app-eu.wrike.com";

// The redirect_uri must be one of the redirect URIs set for the app in App Console (oauth-20-authorization,
// "Requesting authorization code").
const REGISTERED = "http://localhost:9013/callback";

function wrikeProfile(host: () => unknown): OAuthProfile {
  // The API answers on the account's own data center host ("Always use the host parameter obtained from
  // /oauth2/token call to construct API endpoint URLs", developers.wrike.com/faq).
  const named = host();
  const apiHost = typeof named === "string" ? named : WRIKE_HOST;
  return {
    kind: "oauth2",
    recipe: "wrike",
    via: "oauth2",
    docs: ["https://developers.wrike.com/oauth-20-authorization", "https://developers.wrike.com/overview"],
    clientSecret: true,
    refreshes: true,
    revokes: false,
    routes: {
      // GET /oauth2/authorize/v4 with client_id, response_type=code, redirect_uri, state and scope, a
      // comma-separated list (oauth-20-authorization).
      "GET https://login.wrike.com/oauth2/authorize/v4": authorizeRoute({
        redirectAllowed: (u) => u === REGISTERED,
        scopeSeparator: ",",
      }),
      // POST /oauth2/token with client_id, client_secret, grant_type and code (or refresh_token) as form
      // parameters; the answer: access_token, refresh_token, token_type bearer, expires_in 3600 and host,
      // the account's data center (oauth-20-authorization).
      "POST https://login.wrike.com/oauth2/token": tokenRoute({
        clientAuth: "post",
        body: "form",
        expiresIn: 3600,
        refreshToken: "reissued",
        redirectUriRequired: false,
        scopeEcho: () => undefined,
        extra: () => ({ host: host() }),
      }),
      // "Every API request must contain the Authorization header ... with the OAuth 2.0 access token"
      // (overview); the account's data lives on its host. The error body's shape is not relied on.
      [`GET https://${apiHost}/api/v4/contacts`]: apiRoute({
        unauthorized: () =>
          json(401, { errorDescription: "Access token is unknown or invalid", error: "not_authorized" }),
        ok: (_sim, req) =>
          req.url.searchParams.get("me") === "true"
            ? json(200, { kind: "contacts", data: [{ id: "KUAAAAAA", me: true }] })
            : json(200, { kind: "contacts", data: [] }),
      }),
    },
  };
}

export const wrikeOAuth: OAuthProfile = wrikeProfile(() => WRIKE_HOST);

/** The same provider naming another host in the token answer (a test of what login refuses). */
export const wrikeOAuthWithHost = (host: unknown): OAuthProfile => wrikeProfile(() => host);

/**
 * Slack: OAuth v2 installs and the Web API's auth.test / auth.revoke.
 * - https://docs.slack.dev/authentication/installing-with-oauth
 * - https://docs.slack.dev/reference/methods/oauth.v2.access
 * - https://docs.slack.dev/reference/methods/auth.test
 * - https://docs.slack.dev/reference/methods/auth.revoke
 * - https://docs.slack.dev/authentication/using-pkce and https://docs.slack.dev/changelog/2026/03/30/pkce
 *   (PKCE apps: localhost redirects, user scopes only)
 * - https://api.slack.com/docs/oauth ("Redirect URIs": host and port exactly as registered)
 */
import { apiRoute, json, tokenRoute } from "../kit.js";
import {
  authorizeRoute,
  bearerOf,
  loopback,
  type OAuthProfile,
  type ProviderState,
  type Route,
  type StaticKeyProfile,
} from "../simulator.js";

const DOCS = [
  "https://docs.slack.dev/authentication/installing-with-oauth",
  "https://docs.slack.dev/reference/methods/auth.test",
];

const BOT = "xoxb-1111-2222-simulated";

// Web API methods answer HTTP 200 with {"ok": false, "error": "invalid_auth"} to a bad token (auth.test).
const webApi = (
  ok: (sim: ProviderState) => Record<string, unknown>,
  accepts: (t?: string) => boolean = () => false,
) =>
  apiRoute({
    unauthorized: () => json(200, { ok: false, error: "invalid_auth" }),
    accepts: (t, sim) => accepts(t) || sim.live(t) !== undefined,
    ok: (sim) => json(200, { ok: true, ...ok(sim) }),
  });

const authTest = (accepts?: (t?: string) => boolean) =>
  webApi(
    () => ({ url: "https://simulated.slack.com/", team: "Sim", user: "ada", team_id: "T1", user_id: "U1" }),
    accepts,
  );

// The Redirect URL registered in the app's settings. "If provided, the redirect URL's host and port must
// exactly match the callback URL. The redirect URL's path must reference a subdirectory of the callback URL"
// (api.slack.com/docs/oauth, "Redirect URIs"; the v2 pages name no other rule), so a loopback redirect is
// the registered one, port included: no ephemeral port.
const REGISTERED = new URL("http://localhost:8970/callback");
const redirectAllowed = (uri: string | undefined): boolean => {
  const u = loopback(uri);
  if (u === undefined) return false;
  const path = REGISTERED.pathname;
  return u.host === REGISTERED.host && (u.pathname === path || u.pathname.startsWith(`${path}/`));
};

// Installing with OAuth: an http redirect URL is refused, except for PKCE apps at a localhost address
// ("Desktop redirects (custom URI schemes and localhost redirects for PKCE-enabled apps) cannot request bot
// scopes", docs.slack.dev/changelog/2026/03/30/pkce); user scopes go in `user_scope`, comma-separated.
const authorize: Route = (req, sim) => {
  const q = req.url.searchParams;
  const pkce = q.get("code_challenge") !== null;
  const redirect = q.get("redirect_uri") ?? undefined;
  if (!pkce && redirect !== undefined && !redirect.startsWith("https://")) {
    return {
      status: 400,
      headers: { "content-type": "text/plain" },
      body: "bad_redirect_uri: https required",
    };
  }
  if (pkce && q.get("scope")) {
    return {
      status: 400,
      headers: { "content-type": "text/plain" },
      body: "invalid_scope: PKCE apps cannot request bot scopes",
    };
  }
  return authorizeRoute({
    redirectAllowed,
    scopeSeparator: ",",
    scopeParam: "user_scope",
  })(req, sim);
};

export const slackOAuth: OAuthProfile = {
  kind: "oauth2",
  recipe: "slack",
  via: "oauth2",
  docs: DOCS,
  clientSecret: true,
  // Without token rotation enabled, Slack tokens do not expire and come without a refresh token.
  refreshes: false,
  revokes: true,
  routes: {
    "GET https://slack.com/oauth/v2/authorize": authorize,
    "POST https://slack.com/api/oauth.v2.access": tokenRoute({
      // oauth.v2.access: client_id and client_secret as Basic or in the body.
      clientAuth: "basic_or_post",
      body: "form",
      refreshToken: "none",
      scopeEcho: (granted) => granted.join(","),
      // The user token and its scopes are under authed_user; errors are HTTP 200 with ok: false.
      shape: (b) => ({
        ok: true,
        app_id: "A1",
        team: { id: "T1", name: "Sim" },
        authed_user: {
          id: "U1",
          scope: b.scope,
          access_token: `xoxp-${String(b.access_token)}`,
          token_type: "user",
        },
      }),
      errorReply: (_req, error) => json(200, { ok: false, error }),
    }),
    "POST https://slack.com/api/auth.test": apiRoute({
      unauthorized: () => json(200, { ok: false, error: "invalid_auth" }),
      token: (req) => bearerOf(req)?.replace(/^xoxp-/, ""),
      ok: () => json(200, { ok: true, team: "Sim", user: "ada", team_id: "T1", user_id: "U1" }),
    }),
    // auth.revoke takes the token itself and answers {"ok": true, "revoked": true}.
    "POST https://slack.com/api/auth.revoke": (req, sim) => {
      const token = bearerOf(req)?.replace(/^xoxp-/, "");
      if (sim.live(token) === undefined) return json(200, { ok: false, error: "invalid_auth" });
      sim.revokeToken(token as string);
      return json(200, { ok: true, revoked: true });
    },
  },
};

export const slackBotToken: StaticKeyProfile = {
  kind: "static_key",
  recipe: "slack",
  docs: DOCS,
  values: { bot_token: BOT },
  wrongValues: { bot_token: "xoxb-1111-2222-revoked" },
  routes: { "POST https://slack.com/api/auth.test": authTest((t) => t === BOT) },
};

/**
 * Intercom: public apps' OAuth and private app access tokens.
 * - https://developers.intercom.com/docs/build-an-integration/learn-more/authentication/setting-up-oauth
 * - https://developers.intercom.com/docs/build-an-integration/learn-more/authentication
 */
import { apiRoute, json, tokenRoute } from "../kit.js";
import { authorizeRoute, type OAuthProfile, type StaticKeyProfile } from "../simulator.js";

const DOCS = [
  "https://developers.intercom.com/docs/build-an-integration/learn-more/authentication/setting-up-oauth",
  "https://developers.intercom.com/docs/build-an-integration/learn-more/authentication",
];

const me = (accepts?: (t?: string) => boolean) =>
  apiRoute({
    unauthorized: () =>
      json(401, { type: "error.list", errors: [{ code: "unauthorized", message: "Access Token Invalid" }] }),
    ...(accepts ? { accepts: (t) => accepts(t) } : {}),
    ok: () => json(200, { type: "admin", id: "1", email: "ada@example.com" }),
  });

/** "Redirect URLs must use HTTPS" (setting-up-oauth): an http loopback redirect is refused. */
export const intercomOAuth: OAuthProfile = {
  kind: "oauth2",
  recipe: "intercom",
  via: "oauth2",
  docs: DOCS,
  clientSecret: true,
  refreshes: false,
  revokes: false,
  routes: {
    "GET https://app.intercom.com/oauth": authorizeRoute({
      redirectAllowed: (u) => u?.startsWith("https://") === true,
    }),
    "POST https://api.intercom.io/auth/eagle/token": tokenRoute({
      clientAuth: "post",
      body: "form",
      refreshToken: "none",
      scopeEcho: () => undefined,
    }),
    "GET https://api.intercom.io/me": me(),
  },
};

const TOKEN = `dG9rOm${"a".repeat(40)}`;

export const intercomToken: StaticKeyProfile = {
  kind: "static_key",
  recipe: "intercom",
  docs: DOCS,
  values: { access_token: TOKEN },
  wrongValues: { access_token: `dG9rOm${"b".repeat(40)}` },
  routes: { "GET https://api.intercom.io/me": me((t) => t === TOKEN) },
};

/**
 * HubSpot: OAuth (the date-versioned 2026-03 token API) and private app access tokens.
 * - https://developers.hubspot.com/changelog/v1-oauth-api-deprecation
 * - https://developers.hubspot.com/docs/api-reference/latest/authentication/manage-oauth-tokens
 * - https://developers.hubspot.com/docs/api-reference/latest/authentication/oauth-tokens/revoke-token
 * - https://developers.hubspot.com/changelog/new-oauth-v3-api-endpoints-and-standardized-error-responses
 * - https://developers.hubspot.com/docs/api/intro-to-auth
 */
import { apiRoute, json, rfc7009Route, tokenRoute } from "../kit.js";
import { authorizeRoute, type OAuthProfile, type SimReply, type StaticKeyProfile } from "../simulator.js";

const DOCS = [
  "https://developers.hubspot.com/changelog/v1-oauth-api-deprecation",
  "https://developers.hubspot.com/docs/api-reference/latest/authentication/oauth-tokens/revoke-token",
];

// "The redirect_uri is validated against the redirect URL set in the auth settings for the app"
// (developers.hubspot.com/changelog/upcoming-public-apps-will-require-a-redirect-url-in-the-auth-settings);
// "HubSpot will allow a redirect URI to be served over http ... if the host is localhost. All other hosts will
// continue to require a redirect URI served over https"
// (developers.hubspot.com/changelog/2018-03-05-oauth2-redirect-uri-served-over-http-localhost).
const REGISTERED = "http://localhost:8983/callback";

const details = (accepts?: (t?: string) => boolean) =>
  apiRoute({
    unauthorized: (): SimReply =>
      json(401, {
        status: "error",
        message: "Authentication credentials not found.",
        category: "INVALID_AUTHENTICATION",
      }),
    ...(accepts ? { accepts: (t) => accepts(t) } : {}),
    ok: () => json(200, { portalId: 1, timeZone: "UTC" }),
  });

export const hubspotOAuth: OAuthProfile = {
  kind: "oauth2",
  recipe: "hubspot",
  via: "oauth2",
  docs: DOCS,
  clientSecret: true,
  refreshes: true,
  revokes: true,
  routes: {
    "GET https://app.hubspot.com/oauth/authorize": authorizeRoute({
      redirectAllowed: (u) => u === REGISTERED,
    }),
    // POST /oauth/2026-03/token: code and refresh grants, client_id and client_secret in the form body; the
    // v1 /oauth/v1/token is sunset on 2027-02-16 (v1-oauth-api-deprecation) and is not served here.
    "POST https://api.hubapi.com/oauth/2026-03/token": tokenRoute({
      clientAuth: "post",
      body: "form",
      expiresIn: 1800,
      refreshToken: "reusable",
      scopeEcho: () => undefined,
      // RFC 6749 errors: {"error": "invalid_grant", ...} plus HubSpot's status and message
      // (new-oauth-v3-api-endpoints-and-standardized-error-responses).
      errorReply: (_req, error) =>
        json(400, {
          error,
          error_description: "simulated",
          status: "BAD_REFRESH_TOKEN",
          message: "simulated",
        }),
    }),
    // POST /oauth/2026-03/token/revoke: form body client_id, client_secret, token, token_type_hint.
    "POST https://api.hubapi.com/oauth/2026-03/token/revoke": rfc7009Route({
      clientAuth: "post",
      body: "form",
    }),
    "GET https://api.hubapi.com/account-info/v3/details": details(),
  },
};

const PAT = "pat-na1-00000000-0000-0000-0000-000000000000";

export const hubspotToken: StaticKeyProfile = {
  kind: "static_key",
  recipe: "hubspot",
  docs: ["https://developers.hubspot.com/docs/api/intro-to-auth"],
  values: { access_token: PAT },
  wrongValues: { access_token: "pat-na1-00000000-0000-0000-0000-000000000001" },
  routes: { "GET https://api.hubapi.com/account-info/v3/details": details((t) => t === PAT) },
};

/**
 * Atlassian Cloud: OAuth 2.0 (3LO) apps and api.atlassian.com, for the atlassian recipe and the 3LO
 * alternative of the jira and confluence recipes.
 * - https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/
 */
import { randomUUID } from "node:crypto";
import { apiRoute, json, tokenRoute } from "../kit.js";
import { authorizeRoute, type OAuthProfile, type Route } from "../simulator.js";

// The callback URL of the app in the developer console must match redirect_uri exactly (3LO apps, "Callback URL").
const REGISTERED = "http://localhost:8981/callback";

// The authorization URL carries audience=api.atlassian.com and prompt=consent (3LO apps, step 1).
const authorize: Route = (req, sim) => {
  if (req.url.searchParams.get("audience") !== "api.atlassian.com") {
    return { status: 400, headers: { "content-type": "text/plain" }, body: "audience required" };
  }
  return authorizeRoute({ redirectAllowed: (u) => u === REGISTERED })(req, sim);
};

const unauthorized = () => json(401, { code: 401, message: "Unauthorized" });

/**
 * The sites the grant reaches: "GET https://api.atlassian.com/oauth/token/accessible-resources" with the
 * access token answers [{id, url, name, scopes, avatarUrl}], and "id" is the cloudid of
 * https://api.atlassian.com/ex/jira/{cloudid}/{api} (3LO apps, "Make calls to the API using the access
 * token", steps 1 and 2). `sites` is what that answer lists (a test may give a malformed one).
 */
function atlassianProfile(recipe: string, api: Record<string, Route>, sites: () => unknown[]): OAuthProfile {
  return {
    kind: "oauth2",
    recipe,
    ...(recipe === "atlassian" ? {} : { via: "oauth2" as const }),
    docs: ["https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/"],
    clientSecret: true,
    refreshes: true,
    revokes: false,
    routes: {
      "GET https://auth.atlassian.com/authorize": authorize,
      // POST https://auth.atlassian.com/oauth/token: a JSON body with client_id and client_secret; with
      // offline_access a rotating refresh token comes with each answer (3LO apps, "Use a refresh token").
      "POST https://auth.atlassian.com/oauth/token": tokenRoute({
        clientAuth: "post",
        body: "json",
        expiresIn: 3600,
        refreshToken: "reissued",
        scopeEcho: (granted) => granted.join(" "),
        // A dead refresh token: 403 {"error": "invalid_grant"} ("Unknown or invalid refresh token").
        errorReply: (_req, error) =>
          json(error === "invalid_grant" ? 403 : 400, {
            error,
            error_description: "Unknown or invalid refresh token.",
          }),
      }),
      "GET https://api.atlassian.com/oauth/token/accessible-resources": apiRoute({
        unauthorized,
        ok: () => json(200, sites()),
      }),
      ...api,
    },
  };
}

/** One Jira and Confluence site, with a cloud id made for this run. */
export const CLOUD_ID = randomUUID();
const SITE = {
  id: CLOUD_ID,
  url: "https://acme.atlassian.net",
  name: "acme",
  scopes: ["read:jira-work", "read:jira-user", "read:confluence-user"],
  avatarUrl: "https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/rocket.png",
};

export const atlassian: OAuthProfile = atlassianProfile(
  "atlassian",
  {
    "GET https://api.atlassian.com/me": apiRoute({
      unauthorized,
      ok: () => json(200, { account_id: "1", email: "ada@example.com" }),
    }),
  },
  () => [SITE],
);

/** Jira's REST API through the gateway: /ex/jira/{cloudid}/rest/api/3/... (3LO apps, step 2). */
export const jiraApi = (cloudId: string): Record<string, Route> => ({
  [`GET https://api.atlassian.com/ex/jira/${cloudId}/rest/api/3/myself`]: apiRoute({
    unauthorized,
    ok: () => json(200, { accountId: "1", emailAddress: "ada@example.com", active: true }),
  }),
});

export const jiraOAuth: OAuthProfile = atlassianProfile("jira", jiraApi(CLOUD_ID), () => [SITE]);

/** A grant whose accessible-resources answer is the given list (a test of what login does with it). */
export const jiraOAuthWithSites = (sites: unknown[]): OAuthProfile =>
  atlassianProfile("jira", jiraApi(CLOUD_ID), () => sites);

export const confluenceOAuth: OAuthProfile = atlassianProfile(
  "confluence",
  {
    [`GET https://api.atlassian.com/ex/confluence/${CLOUD_ID}/wiki/rest/api/user/current`]: apiRoute({
      unauthorized,
      ok: () => json(200, { type: "known", accountId: "1", displayName: "Ada" }),
    }),
  },
  () => [SITE],
);

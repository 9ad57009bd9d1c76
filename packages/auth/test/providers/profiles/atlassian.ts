/**
 * Atlassian Cloud: OAuth 2.0 (3LO) apps and api.atlassian.com.
 * - https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/
 */
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

export const atlassian: OAuthProfile = {
  kind: "oauth2",
  recipe: "atlassian",
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
    "GET https://api.atlassian.com/me": apiRoute({
      unauthorized: () => json(401, { code: 401, message: "Unauthorized" }),
      ok: () => json(200, { account_id: "1", email: "ada@example.com" }),
    }),
  },
};

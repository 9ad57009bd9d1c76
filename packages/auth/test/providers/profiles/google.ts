/**
 * Google OAuth 2.0 for desktop apps, and the Google APIs behind the catalogue's Google recipes.
 * - https://developers.google.com/identity/protocols/oauth2/native-app
 * - https://developers.google.com/identity/protocols/oauth2/scopes
 * - https://developers.google.com/identity/protocols/oauth2/web-server#tokenrevoke
 */
import { apiRoute, json, rfc7009Route, tokenRoute } from "../kit.js";
import { authorizeRoute, loopback, type OAuthProfile } from "../simulator.js";

const DOCS = [
  "https://developers.google.com/identity/protocols/oauth2/native-app",
  "https://developers.google.com/identity/protocols/oauth2/scopes",
];

// "email" and "profile" are granted as the userinfo URLs, and openid is added (oauth2/scopes, Google Sign-In).
const FULL: Record<string, string> = {
  email: "https://www.googleapis.com/auth/userinfo.email",
  profile: "https://www.googleapis.com/auth/userinfo.profile",
};

/** One Google recipe: the shared Google endpoints and the recipe's own test resource. */
interface GoogleApiRules {
  /** The recipe's primitive is not oauth2 (a service-account recipe signed in through its oauth2 block). */
  via?: "oauth2";
  /** Values setup is given besides the client (a project id). */
  values?: Record<string, string>;
  /**
   * Query parameters the method requires: Google answers 400 INVALID_ARGUMENT without them (people.get's
   * personFields, "The request returns a 400 error if 'personFields' is not specified"; buckets.list's
   * project, a required query parameter on its reference page).
   */
  requiredQuery?: string[];
}

function googleProfile(recipe: string, testUrl: string, rules: GoogleApiRules = {}): OAuthProfile {
  const { via, values, requiredQuery = [] } = rules;
  return {
    kind: "oauth2",
    recipe,
    ...(values ? { values } : {}),
    ...(via ? { via } : {}),
    docs: DOCS,
    // A "Desktop app" client has a secret that the token request sends (native-app, step 5).
    clientSecret: true,
    refreshes: true,
    revokes: true,
    routes: {
      "GET https://accounts.google.com/o/oauth2/v2/auth": authorizeRoute({
        // Loopback IP address: "http://127.0.0.1:port or http://[::1]:port", any port, no registration for
        // Desktop clients (native-app, "Loopback IP address"); localhost is allowed too.
        redirectAllowed: (uri) => loopback(uri) !== undefined,
      }),
      "POST https://oauth2.googleapis.com/token": tokenRoute({
        clientAuth: "basic_or_post",
        body: "form",
        expiresIn: 3599,
        // A refresh answer carries no new refresh token (native-app, "Refreshing an access token").
        refreshToken: "reusable",
        scopeEcho: (granted) => {
          const out = granted.map((s) => FULL[s] ?? s);
          if (granted.some((s) => s in FULL) && !out.includes("openid")) out.push("openid");
          return out.join(" ");
        },
      }),
      // POST https://oauth2.googleapis.com/revoke with token=..., no client authentication needed
      // (web-server#tokenrevoke).
      "POST https://oauth2.googleapis.com/revoke": rfc7009Route({ clientAuth: "none", body: "form" }),
      [`GET ${testUrl}`]: apiRoute({
        unauthorized: () =>
          json(
            401,
            {
              error: {
                code: 401,
                status: "UNAUTHENTICATED",
                message: "Request had invalid authentication credentials.",
              },
            },
            { "www-authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
          ),
        ok: (_sim, req) => {
          const missing = requiredQuery.find((name) => !req.url.searchParams.get(name));
          if (missing !== undefined) {
            return json(400, {
              error: { code: 400, status: "INVALID_ARGUMENT", message: `Required parameter: ${missing}` },
            });
          }
          return json(200, { user: { displayName: "Ada" }, emailAddress: "ada@example.com" });
        },
      }),
    },
  };
}

export const googleProfiles: OAuthProfile[] = [
  googleProfile("google_drive", "https://www.googleapis.com/drive/v3/about"),
  googleProfile("google_sheets", "https://www.googleapis.com/drive/v3/about"),
  googleProfile("gmail", "https://gmail.googleapis.com/gmail/v1/users/me/profile"),
  googleProfile("google_calendar", "https://www.googleapis.com/calendar/v3/calendars/primary"),
  googleProfile("youtube", "https://www.googleapis.com/youtube/v3/channels"),
  // The service-account recipes inherit the OAuth block of their base: the same flow through { via: "oauth2" }.
  googleProfile("google_drive_sa", "https://www.googleapis.com/drive/v3/about", { via: "oauth2" }),
  googleProfile("google_sheets_sa", "https://www.googleapis.com/drive/v3/about", { via: "oauth2" }),
  googleProfile("google_docs", "https://www.googleapis.com/drive/v3/about"),
  googleProfile("google_slides", "https://www.googleapis.com/drive/v3/about"),
  googleProfile("google_forms", "https://www.googleapis.com/drive/v3/about"),
  googleProfile("google_tasks", "https://tasks.googleapis.com/tasks/v1/users/@me/lists"),
  googleProfile("google_contacts", "https://people.googleapis.com/v1/people/me", {
    requiredQuery: ["personFields"],
  }),
  googleProfile("google_bigquery", "https://bigquery.googleapis.com/bigquery/v2/projects"),
  googleProfile("google_cloud_storage", "https://storage.googleapis.com/storage/v1/b", {
    values: { project: "arcrun-sim-1" },
    requiredQuery: ["project"],
  }),
  googleProfile("google_analytics", "https://analyticsadmin.googleapis.com/v1beta/accountSummaries"),
  googleProfile("google_search_console", "https://www.googleapis.com/webmasters/v3/sites"),
  googleProfile("google_bigquery_sa", "https://bigquery.googleapis.com/bigquery/v2/projects", {
    via: "oauth2",
  }),
  googleProfile("google_cloud_storage_sa", "https://storage.googleapis.com/storage/v1/b", {
    via: "oauth2",
    values: { project: "arcrun-sim-1" },
    requiredQuery: ["project"],
  }),
  googleProfile("google_analytics_sa", "https://analyticsadmin.googleapis.com/v1beta/accountSummaries", {
    via: "oauth2",
  }),
  googleProfile("gmail_sa", "https://gmail.googleapis.com/gmail/v1/users/me/profile", { via: "oauth2" }),
];

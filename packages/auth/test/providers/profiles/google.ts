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
function googleProfile(recipe: string, testUrl: string, via?: "oauth2"): OAuthProfile {
  return {
    kind: "oauth2",
    recipe,
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
        ok: () => json(200, { user: { displayName: "Ada" }, emailAddress: "ada@example.com" }),
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
  googleProfile("google_drive_sa", "https://www.googleapis.com/drive/v3/about", "oauth2"),
  googleProfile("google_sheets_sa", "https://www.googleapis.com/drive/v3/about", "oauth2"),
  googleProfile("gmail_sa", "https://gmail.googleapis.com/gmail/v1/users/me/profile", "oauth2"),
];

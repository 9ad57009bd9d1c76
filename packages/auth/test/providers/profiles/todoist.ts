/**
 * Todoist (unified API v1): an OAuth app of the user's own, created in the App Management Console.
 * - https://developer.todoist.com/api/v1/authorization.md (the OAuth section: authorization request,
 *   token exchange, and the redirect URL configured for the app)
 */
import { apiRoute, json, tokenRoute } from "../kit.js";
import { authorizeRoute, type OAuthProfile, type Route } from "../simulator.js";

// The app has one OAuth redirect URL, configured in the App Management Console; the authorization request
// takes client_id, a comma-separated scope and state, and Todoist sends the user back to the configured
// URL (authorization.md, OAuth step 1). So a loopback sign-in needs that URL fixed, port included.
const REGISTERED = "http://localhost:8985/callback";

// The authorization request documents no redirect_uri parameter, and nothing says one is ignored: a
// redirect_uri other than the configured URL is refused (never silently replaced, which would hide a client
// that sends the wrong one); without one, the user comes back to the configured URL.
const authorize: Route = (req, sim) => {
  const sent = req.url.searchParams.get("redirect_uri");
  if (sent !== null && sent !== REGISTERED) {
    return { status: 400, headers: { "content-type": "text/plain" }, body: "redirect_uri mismatch" };
  }
  const url = new URL(req.url);
  url.searchParams.set("redirect_uri", REGISTERED);
  return authorizeRoute({ redirectAllowed: (u) => u === REGISTERED, scopeSeparator: "," })(
    { ...req, url },
    sim,
  );
};

export const todoist: OAuthProfile = {
  kind: "oauth2",
  recipe: "todoist",
  via: "oauth2",
  docs: ["https://developer.todoist.com/api/v1/authorization.md"],
  clientSecret: true,
  refreshes: false,
  revokes: false,
  routes: {
    "GET https://todoist.com/oauth/authorize": authorize,
    // POST https://todoist.com/oauth/access_token with client_id, client_secret and code (no redirect URI);
    // the answer is {access_token, token_type: "Bearer"}: no expiry, no refresh token, no scope
    // (authorization.md, OAuth step 3).
    "POST https://todoist.com/oauth/access_token": tokenRoute({
      clientAuth: "post",
      body: "form",
      grantTypes: ["authorization_code"],
      redirectUriRequired: false,
      refreshToken: "none",
      scopeEcho: () => undefined,
    }),
    // Calls carry "Authorization: Bearer $token" (authorization.md); a missing or bad token is 401
    // Unauthorized (the API reference's error statuses). The body's shape is not documented.
    "GET https://api.todoist.com/api/v1/user": apiRoute({
      unauthorized: () => json(401, {}),
      ok: () => json(200, { id: "1", email: "ada@example.com", full_name: "Ada" }),
    }),
  },
};

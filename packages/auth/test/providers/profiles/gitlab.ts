/**
 * GitLab.com: an OAuth application of the user's own (GitLab as an OAuth 2.0 identity provider) and the
 * REST API v4.
 * - https://docs.gitlab.com/api/oauth2/ (authorize, token, refresh, revoke)
 * - https://docs.gitlab.com/integration/oauth_provider/ (registering the application, token expiry)
 * - https://docs.gitlab.com/api/rest/authentication/ (how the API refuses a token)
 */
import { apiRoute, json, rfc7009Route, tokenRoute } from "../kit.js";
import { authorizeRoute, type OAuthProfile } from "../simulator.js";

// The application's Redirect URI is registered when it is created (oauth_provider, "Create a user-owned
// application"). GitLab's OAuth provider is the doorkeeper gem (api/oauth2), which compares the redirect
// with the registered one exactly, except that the port of a loopback IP address may vary (RFC 8252
// section 7.3; doorkeeper lib/doorkeeper/oauth/helpers/uri_checker.rb, URIChecker.matches?): register
// http://127.0.0.1/callback. "localhost" is a name, not a loopback IP, so it must match exactly.
const redirectAllowed = (uri: string | undefined): boolean => {
  if (uri === undefined) return false;
  try {
    const u = new URL(uri);
    return (
      u.protocol === "http:" &&
      u.hostname === "127.0.0.1" &&
      u.pathname === "/callback" &&
      u.search === "" &&
      u.username === ""
    );
  } catch {
    return false;
  }
};

export const gitlab: OAuthProfile = {
  kind: "oauth2",
  recipe: "gitlab",
  via: "oauth2",
  docs: ["https://docs.gitlab.com/api/oauth2/", "https://docs.gitlab.com/integration/oauth_provider/"],
  clientSecret: true,
  refreshes: true,
  revokes: true,
  routes: {
    // GET /oauth/authorize: client_id, redirect_uri, response_type=code, state, space-separated scope, and
    // code_challenge with code_challenge_method=S256 for PKCE (api/oauth2).
    "GET https://gitlab.com/oauth/authorize": authorizeRoute({ redirectAllowed }),
    // POST /oauth/token: client_id and client_secret in the form body (or as HTTP Basic, the password
    // flow's example), the code with the same redirect_uri, and the code_verifier for PKCE. Access tokens
    // expire after two hours (expires_in 7200; oauth_provider, "Access token expiration"). A refresh
    // "invalidates the existing access_token and refresh_token" and sends new ones (api/oauth2). The
    // example answers carry no scope.
    "POST https://gitlab.com/oauth/token": tokenRoute({
      clientAuth: "basic_or_post",
      body: "form",
      expiresIn: 7200,
      refreshToken: "rotating",
      scopeEcho: () => undefined,
      extra: () => ({ created_at: Math.floor(Date.now() / 1000) }),
    }),
    // POST /oauth/revoke with client_id, client_secret and token; 200 and an empty JSON hash (api/oauth2,
    // "Revoke a token").
    "POST https://gitlab.com/oauth/revoke": rfc7009Route({ clientAuth: "post", body: "form" }),
    // A missing or invalid token: 401 {"message": "401 Unauthorized"} (api/rest/authentication).
    "GET https://gitlab.com/api/v4/user": apiRoute({
      unauthorized: () => json(401, { message: "401 Unauthorized" }),
      ok: () => json(200, { id: 1, username: "ada", email: "ada@example.com" }),
    }),
  },
};

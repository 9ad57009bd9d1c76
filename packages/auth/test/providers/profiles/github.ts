/**
 * GitHub: OAuth apps, GitHub App user tokens, and personal access tokens on the REST API.
 * - https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
 * - https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors
 * - https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app
 * - https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens
 * - https://docs.github.com/en/rest/using-the-rest-api/getting-started-with-the-rest-api#user-agent
 */
import { apiRoute, formReply, json, type TokenRules, tokenRoute } from "../kit.js";
import {
  authorizeRoute,
  loopback,
  type OAuthProfile,
  type SimRequest,
  type StaticKeyProfile,
} from "../simulator.js";

const DOCS = [
  "https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps",
  "https://docs.github.com/en/rest/using-the-rest-api/getting-started-with-the-rest-api#user-agent",
];

// "By default, the response takes the following form: access_token=...&scope=repo%2Cgist&token_type=bearer
// ... Accept: application/json" gives JSON (authorizing-oauth-apps, step 2).
const wantsJson = (req: SimRequest) => (req.headers.accept ?? "").includes("application/json");
const githubReply = (req: SimRequest, body: Record<string, unknown>) =>
  wantsJson(req)
    ? json(200, body)
    : formReply(200, Object.fromEntries(Object.entries(body).map(([k, v]) => [k, String(v)])));

// Token request errors come back with HTTP 200 and an `error` field, e.g. bad_verification_code,
// incorrect_client_credentials (troubleshooting-oauth-app-access-token-request-errors).
const githubError = (req: SimRequest, error: string) =>
  githubReply(req, { error, error_description: `simulated ${error}` });

/**
 * "Requests with no User-Agent header will be rejected" (REST getting started, User-Agent): 403 with a
 * text body; a bad token is 401 {"message": "Bad credentials"}.
 */
const restApi = (accepts?: (token: string | undefined) => boolean) =>
  apiRoute({
    requiredHeaders: { "User-Agent": /\S/ },
    missingHeaderReply: () => ({
      status: 403,
      headers: { "content-type": "text/plain" },
      body: "Request forbidden by administrative rules. Please make sure your request has a User-Agent header",
    }),
    unauthorized: () => json(401, { message: "Bad credentials", status: "401" }),
    ...(accepts ? { accepts: (t) => accepts(t) } : {}),
    ok: () => json(200, { login: "octocat", id: 1 }),
  });

// "The redirect URL's host (excluding sub-domains) and port must exactly match the callback URL. The
// redirect URL's path must reference a subdirectory of the callback URL." Loopback: "The redirect_uri does
// not need to match the port specified in the callback URL for the app." (authorizing-oauth-apps,
// "Redirect URLs" and "Loopback redirect urls"). The registered callback here: http://127.0.0.1/callback.
const redirectAllowed = (uri: string | undefined) => {
  if (uri === undefined) return true;
  const u = loopback(uri);
  return u?.hostname === "127.0.0.1" && (u.pathname === "/callback" || u.pathname.startsWith("/callback/"));
};

const oauthRules: Pick<TokenRules, "clientAuth" | "body" | "errorReply" | "successReply"> = {
  // client_id and client_secret are body parameters of POST https://github.com/login/oauth/access_token.
  clientAuth: "post",
  body: "form_or_json",
  errorReply: githubError,
  successReply: githubReply,
};

/** An OAuth app: tokens that do not expire, no refresh token, scope "repo,gist" comma-separated. */
export const githubOAuthApp: OAuthProfile = {
  kind: "oauth2",
  recipe: "github",
  via: "oauth2",
  docs: DOCS,
  clientSecret: true,
  refreshes: false,
  revokes: false,
  routes: {
    "GET https://github.com/login/oauth/authorize": authorizeRoute({ redirectAllowed }),
    "POST https://github.com/login/oauth/access_token": tokenRoute({
      ...oauthRules,
      redirectUriRequired: false,
      refreshToken: "none",
      scopeEcho: (granted) => granted.join(","),
    }),
    "GET https://api.github.com/user": restApi(),
  },
};

/**
 * A GitHub App with expiring user tokens: `scope` is always "", expires_in 28800, a refresh token that is
 * replaced on every use ("Once you use a refresh token, that refresh token and the old user access token
 * will no longer work", refreshing-user-access-tokens). A bad code is `bad_verification_code` ("If the
 * verification code you pass is incorrect, expired, ...", troubleshooting-oauth-app-access-token-request-
 * errors). The error for a dead refresh token is on no docs.github.com page (refreshing-user-access-tokens
 * says only that the used token "will no longer work"); `bad_refresh_token` on HTTP 200 is what GitHub
 * answers as reported in github.com/orgs/community/discussions/24745 and handled by clients such as
 * coder/coder's external auth. It stays the simulator's answer because the recipe's reauth_errors names it.
 */
export const githubApp: OAuthProfile = {
  kind: "oauth2",
  recipe: "github",
  via: "oauth2",
  docs: [
    ...DOCS,
    "https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens",
  ],
  clientSecret: true,
  refreshes: true,
  revokes: false,
  routes: {
    "GET https://github.com/login/oauth/authorize": authorizeRoute({ redirectAllowed }),
    "POST https://github.com/login/oauth/access_token": tokenRoute({
      ...oauthRules,
      redirectUriRequired: false,
      refreshToken: "rotating",
      expiresIn: 28800,
      extra: () => ({ refresh_token_expires_in: 15897600 }),
      scopeEcho: () => "",
      deadCodeError: "bad_verification_code",
      deadGrantError: "bad_refresh_token",
    }),
    "GET https://api.github.com/user": restApi(),
  },
};

const PAT = `github_pat_${"a".repeat(22)}_${"b".repeat(59)}`;

/** A personal access token on the REST API: Bearer, and the User-Agent rule above. */
export const githubToken: StaticKeyProfile = {
  kind: "static_key",
  recipe: "github",
  docs: DOCS,
  values: { token: PAT },
  wrongValues: { token: `${PAT.slice(0, -1)}x` },
  routes: { "GET https://api.github.com/user": restApi((t) => t === PAT) },
};

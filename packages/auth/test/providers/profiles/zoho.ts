/**
 * Zoho CRM: OAuth 2.0 of a server-based client registered in the Zoho API Console, for an account in the US
 * data centre (accounts.zoho.com, www.zohoapis.com).
 * - https://www.zoho.com/accounts/protocol/oauth/web-apps/access-token.html (code exchange, redirect_uri)
 * - https://www.zoho.com/assist/api/generate-access-token.html (domain-specific accounts URLs, form body)
 * - https://www.zoho.com/assist/api/refresh-access-token.html (refresh answer: no new refresh token)
 * - https://www.zoho.com/developer/docs/vertical-solutions/api/v6/refresh.html (scope space-joined)
 */
import { apiRoute, json, tokenRoute } from "../kit.js";
import { authorizeRoute, type OAuthProfile, type SimRequest } from "../simulator.js";

const DC = "com";

// redirect_uri "has to be the same URI which is provided when registering the app in the API console.
// Should start with http:// or https://" (web-apps/access-token.html).
const REGISTERED = "http://localhost:8995/callback";

/** Zoho APIs take "Authorization: Zoho-oauthtoken <access token>". */
const zohoToken = (req: SimRequest): string | undefined =>
  /^Zoho-oauthtoken\s+(\S+)$/.exec(req.headers.authorization ?? "")?.[1];

export const zohoCrm: OAuthProfile = {
  kind: "oauth2",
  recipe: "zoho_crm",
  docs: [
    "https://www.zoho.com/accounts/protocol/oauth/web-apps/access-token.html",
    "https://www.zoho.com/assist/api/generate-access-token.html",
  ],
  clientSecret: true,
  refreshes: true,
  revokes: false,
  routes: {
    // The data centre's accounts server (generate-access-token: "You must use your domain-specific Zoho
    // Accounts URL"); scopes comma-separated, access_type=offline for a refresh token.
    [`GET https://accounts.zoho.${DC}/oauth/v2/auth`]: authorizeRoute({
      redirectAllowed: (u) => u === REGISTERED,
      scopeSeparator: ",",
    }),
    // POST {accounts}/oauth/v2/token with grant_type, client_id, client_secret, redirect_uri and code in the
    // form body (generate-access-token: "pass the below parameters in the body of your request"); the
    // answer has access_token, refresh_token, api_domain, token_type Bearer and expires_in 3600. A refresh
    // answers a new access token and no refresh token (refresh-access-token), with the scope space-joined
    // (vertical-solutions refresh sample). The pages above list no token errors; Zoho clients meet a dead
    // code or refresh token as HTTP 200 with {"error": "invalid_code"}, so errors are answered that way here
    // (the library reads the error field whatever the status).
    [`POST https://accounts.zoho.${DC}/oauth/v2/token`]: tokenRoute({
      clientAuth: "post",
      body: "form",
      expiresIn: 3600,
      refreshToken: "reusable",
      scopeEcho: (granted) => granted.join(" "),
      deadGrantError: "invalid_code",
      errorReply: (_req, error) => json(200, { error }),
      extra: () => ({ api_domain: `https://www.zohoapis.${DC}` }),
    }),
    // The CRM API on the data centre's api_domain, "Authorization: Zoho-oauthtoken <access_token>";
    // "Unauthorized requests or expired tokens will return a 401 error" (Zoho's APIs, e.g.
    // zoho.com/social/api/oauth-authentication.html). The body is not relied on.
    [`GET https://www.zohoapis.${DC}/crm/v7/users`]: apiRoute({
      token: zohoToken,
      unauthorized: () =>
        json(401, { code: "INVALID_TOKEN", details: {}, message: "invalid oauth token", status: "error" }),
      ok: (_sim, req) =>
        req.url.searchParams.get("type") === "CurrentUser"
          ? json(200, { users: [{ id: "1", full_name: "Ada", email: "ada@example.com" }] })
          : json(400, { code: "INVALID_DATA" }),
    }),
  },
};

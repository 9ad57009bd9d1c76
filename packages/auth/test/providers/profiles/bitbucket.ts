/**
 * Bitbucket Cloud: an OAuth consumer of the user's own workspace, on the 2.0 REST API.
 * - https://developer.atlassian.com/cloud/bitbucket/oauth-2 (endpoints, authorization code grant, refresh)
 * - https://support.atlassian.com/bitbucket-cloud/docs/use-oauth-on-bitbucket-cloud/ (consumer callback URL)
 */
import { apiRoute, json, tokenRoute } from "../kit.js";
import { authorizeRoute, type OAuthProfile } from "../simulator.js";

// The consumer's Callback URL "is required for OAuth 2.0 consumers. When making requests you can include a
// call back URL in the request: if you do include the URL in a request it must be appended to the same URL
// configured in the consumer" (use-oauth-on-bitbucket-cloud, create a consumer): the request's URL starts
// with the registered one, same host and port.
const REGISTERED = "http://localhost:8973/callback";
const redirectAllowed = (uri: string | undefined) =>
  uri === undefined || uri === REGISTERED || uri.startsWith(`${REGISTERED}/`);

export const bitbucket: OAuthProfile = {
  kind: "oauth2",
  recipe: "bitbucket",
  via: "oauth2",
  docs: ["https://developer.atlassian.com/cloud/bitbucket/oauth-2"],
  clientSecret: true,
  refreshes: true,
  revokes: false,
  routes: {
    // https://bitbucket.org/site/oauth2/authorize?client_id={client_id}&response_type=code; the consumer's
    // permissions are its scopes, set when it is created, not in the request (oauth-2, grant 4.1).
    "GET https://bitbucket.org/site/oauth2/authorize": authorizeRoute({ redirectAllowed }),
    // curl -X POST -u "client_id:secret" .../access_token -d grant_type=authorization_code -d code={code}:
    // the consumer authenticates with Basic, the code alone in a form body (oauth-2, grant 4.1). Access
    // tokens expire in two hours, then API calls answer 401, and a refresh is grant_type=refresh_token with
    // the refresh token (oauth-2, "Refresh tokens"). The answer names the granted permissions "scopes", not
    // "scope", with expires_in 7200, as the Bitbucket team confirms in
    // community.developer.atlassian.com/t/oauth2-token-lifetime-expiration-clarification/22136. The page does
    // not say the refresh token changes; here it stays the same. A dead refresh token is RFC 6749's
    // invalid_grant; one community answer shows invalid_request for a malformed one (not modelled: unsettled).
    "POST https://bitbucket.org/site/oauth2/access_token": tokenRoute({
      clientAuth: "basic",
      body: "form",
      redirectUriRequired: false,
      expiresIn: 7200,
      refreshToken: "reusable",
      scopeEcho: () => undefined,
      extra: () => ({ scopes: "account repository", state: "authorization_code" }),
    }),
    // GET /2.0/user; an expired or unknown token is 401 (oauth-2, "Making requests").
    "GET https://api.bitbucket.org/2.0/user": apiRoute({
      unauthorized: () =>
        json(401, {
          type: "error",
          error: { message: "Access token expired. Use your refresh token to obtain a new access token." },
        }),
      ok: () => json(200, { type: "user", uuid: "{00000000-0000-0000-0000-000000000001}", username: "ada" }),
    }),
  },
};

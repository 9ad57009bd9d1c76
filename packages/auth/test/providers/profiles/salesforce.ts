/**
 * Salesforce: the OAuth 2.0 web server flow of a connected app, and the org's My Domain host.
 * - https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm&type=5
 * - https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_refresh_token_flow.htm&type=5
 * - https://help.salesforce.com/s/articleView?id=sf.remoteaccess_revoke_token.htm&type=5
 * - https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_endpoints.htm&type=5
 */
import { apiRoute, json, rfc7009Route, tokenRoute } from "../kit.js";
import { authorizeRoute, type OAuthProfile } from "../simulator.js";

// redirect_uri is the "Callback URL" of the app's definition (web server flow, authorize parameters), and
// the callback URL "must use secure HTTP (HTTPS) or a custom URI scheme"
// (developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/intro_defining_remote_access_applications.htm)
// except localhost, which Salesforce's own CLI registers as http://localhost:1717/OauthRedirect
// (developer.salesforce.com/docs/atlas.en-us.sfdx_dev.meta/sfdx_dev/sfdx_dev_auth_connected_app.htm). No page
// speaks of a bare IP address: the exact match with the registered localhost URL is the whole rule here.
const REGISTERED = "http://localhost:8979/callback";

/**
 * An org reached through its login host: login.salesforce.com for production, test.salesforce.com for a
 * sandbox, or the org's My Domain (OAuth endpoints page: "If you're ... in a sandbox, use test.salesforce.com
 * instead of login.salesforce.com"). The API host is the org's My Domain, named by instance_url.
 */
function salesforceOrg(loginHost: string, myDomain: string, values: Record<string, string>): OAuthProfile {
  const login = `https://${loginHost}/services/oauth2`;
  const api = `https://${myDomain}.my.salesforce.com`;
  return {
    kind: "oauth2",
    recipe: "salesforce",
    docs: [
      "https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm&type=5",
      "https://help.salesforce.com/s/articleView?id=sf.remoteaccess_revoke_token.htm&type=5",
      "https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_endpoints.htm&type=5",
    ],
    clientSecret: true,
    refreshes: true,
    // The token answer has no expires_in: a token is renewed after a 401 (web server flow, response).
    refreshAhead: false,
    revokes: true,
    values,
    routes: {
      [`GET ${login}/authorize`]: authorizeRoute({ redirectAllowed: (u) => u === REGISTERED }),
      [`POST ${login}/token`]: tokenRoute({
        clientAuth: "basic_or_post",
        body: "form",
        // A refresh answers a new access token and no new refresh token (refresh token flow).
        refreshToken: "reusable",
        scopeEcho: (granted) => granted.join(" "),
        // instance_url is the org's API host; id, issued_at and signature come with every answer.
        extra: () => ({
          instance_url: api,
          id: `https://${loginHost}/id/00D/005`,
          issued_at: String(Date.now()),
          signature: "c2ln",
        }),
      }),
      // POST /services/oauth2/revoke with token=...; no client authentication (revoke token).
      [`POST ${login}/revoke`]: rfc7009Route({ clientAuth: "none", body: "form" }),
      [`GET ${api}/services/oauth2/userinfo`]: apiRoute({
        unauthorized: () =>
          json(401, [{ message: "Session expired or invalid", errorCode: "INVALID_SESSION_ID" }]),
        ok: () => json(200, { sub: `https://${loginHost}/id/00D/005`, organization_id: "00D" }),
      }),
    },
  };
}

/** A production org: login_host left at its default, login.salesforce.com. */
export const salesforce: OAuthProfile = salesforceOrg("login.salesforce.com", "acme", { my_domain: "acme" });

/** A sandbox: sign-in at test.salesforce.com, API at <name>--<sandbox>.sandbox.my.salesforce.com. */
export const salesforceSandbox: OAuthProfile = salesforceOrg("test.salesforce.com", "acme--dev.sandbox", {
  my_domain: "acme--dev.sandbox",
  login_host: "test.salesforce.com",
});

/**
 * Mailchimp Marketing API over an OAuth 2 app of your own (the oauth2 alternative of the mailchimp recipe):
 * login.mailchimp.com for the sign-in and the metadata, <dc>.api.mailchimp.com for the API.
 * - https://mailchimp.com/developer/marketing/guides/access-user-data-oauth-2/
 * - https://mailchimp.com/developer/marketing/docs/fundamentals/
 */
import { apiRoute, json, tokenRoute } from "../kit.js";
import { authorizeRoute, type OAuthProfile, type SimRequest } from "../simulator.js";

/** The data centre of the account that signs in. */
export const MAILCHIMP_DC = "us19";

// The app's registered Redirect URI; a local app registers 127.0.0.1, not localhost (access-user-data-oauth-2,
// "What you'll need"), and the code goes only to the registered URI.
const REGISTERED = "http://127.0.0.1:9012/callback";

/** The metadata endpoint takes the token as "Authorization: OAuth <access_token>" (access-user-data-oauth-2). */
const oauthToken = (req: SimRequest): string | undefined =>
  /^OAuth\s+(\S+)$/.exec(req.headers.authorization ?? "")?.[1];

function mailchimpProfile(metadata: () => Record<string, unknown>): OAuthProfile {
  return {
    kind: "oauth2",
    recipe: "mailchimp",
    via: "oauth2",
    docs: [
      "https://mailchimp.com/developer/marketing/guides/access-user-data-oauth-2/",
      "https://mailchimp.com/developer/marketing/docs/fundamentals/",
    ],
    clientSecret: true,
    // "Access tokens do not expire" and no refresh token is issued (access-user-data-oauth-2): a token ends
    // only when the user removes the app.
    refreshes: false,
    refreshAhead: false,
    // No revocation endpoint is documented.
    revokes: false,
    routes: {
      // GET /oauth2/authorize with response_type=code, client_id and redirect_uri; no scope parameter exists.
      "GET https://login.mailchimp.com/oauth2/authorize": authorizeRoute({
        redirectAllowed: (u) => u === REGISTERED,
      }),
      // POST /oauth2/token, a form body with grant_type=authorization_code, client_id, client_secret,
      // redirect_uri and code; the answer is access_token, expires_in 0 and scope null (the token never
      // expires), with no refresh token.
      "POST https://login.mailchimp.com/oauth2/token": tokenRoute({
        clientAuth: "post",
        body: "form",
        expiresIn: 0,
        refreshToken: "none",
        grantTypes: ["authorization_code"],
        scopeEcho: () => undefined,
        extra: () => ({ scope: null }),
      }),
      // GET /oauth2/metadata with "Authorization: OAuth <token>" answers the account's dc (the server prefix),
      // with api_endpoint https://<dc>.api.mailchimp.com and login_url (access-user-data-oauth-2).
      "GET https://login.mailchimp.com/oauth2/metadata": apiRoute({
        token: oauthToken,
        unauthorized: () => json(401, { error: "invalid_token" }),
        ok: () => json(200, metadata()),
      }),
      // The API of the account's data centre; the token in "Authorization: Bearer" (fundamentals,
      // "Authentication"); a missing or bad token is 401 with a problem-details body.
      [`GET https://${MAILCHIMP_DC}.api.mailchimp.com/3.0/ping`]: apiRoute({
        unauthorized: () =>
          json(401, {
            type: "https://mailchimp.com/developer/marketing/docs/errors/",
            title: "API Key Invalid",
            status: 401,
            detail: "Your API key may be invalid, or you've attempted to access the wrong datacenter.",
          }),
        ok: () => json(200, { health_status: "Everything's Chimpy!" }),
      }),
    },
  };
}

const METADATA = {
  dc: MAILCHIMP_DC,
  role: "owner",
  accountname: "Sim Co",
  user_id: 1,
  login_url: "https://login.mailchimp.com",
  api_endpoint: `https://${MAILCHIMP_DC}.api.mailchimp.com`,
};

export const mailchimpOAuth: OAuthProfile = mailchimpProfile(() => METADATA);

/** The same provider with a metadata answer whose dc is the given value (a test of what login refuses). */
export const mailchimpOAuthWithDc = (dc: unknown): OAuthProfile =>
  mailchimpProfile(() => ({ ...METADATA, dc }));

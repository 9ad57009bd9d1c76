/**
 * Docusign eSignature REST API v2.1 over Confidential Authorization Code Grant, for the docusign (production)
 * and docusign_demo (developer environment) recipes.
 * - https://developers.docusign.com/platform/auth/confidential-authcode-get-token
 * - https://developers.docusign.com/platform/auth/reference/obtain-access-token
 * - https://developers.docusign.com/platform/auth/reference/user-info
 * - https://developers.docusign.com/platform/api-endpoint-base-paths/
 */
import { randomUUID } from "node:crypto";
import { apiRoute, json, tokenRoute } from "../kit.js";
import { authorizeRoute, type OAuthProfile } from "../simulator.js";

/** The user's account, with an id made for this run. */
export const DOCUSIGN_ACCOUNT_ID = randomUUID();

// The redirect_uri must be one the integration key lists (confidential-authcode-get-token, prerequisites).
const REGISTERED = "http://localhost:9014/callback";

interface Env {
  recipe: "docusign" | "docusign_demo";
  /** The authentication service of the environment. */
  auth: string;
  /** The API server the account's base_uri names. */
  server: string;
}

const PRODUCTION: Env = { recipe: "docusign", auth: "account.docusign.com", server: "na3.docusign.net" };
const DEMO: Env = { recipe: "docusign_demo", auth: "account-d.docusign.com", server: "demo.docusign.net" };

const unauthorized = () =>
  json(401, {
    errorCode: "AUTHORIZATION_INVALID_TOKEN",
    message: "The access token provided is expired, revoked or malformed.",
  });

function docusignProfile(env: Env, accounts: () => unknown[]): OAuthProfile {
  return {
    kind: "oauth2",
    recipe: env.recipe,
    docs: [
      "https://developers.docusign.com/platform/auth/confidential-authcode-get-token",
      "https://developers.docusign.com/platform/auth/reference/user-info",
    ],
    clientSecret: true,
    refreshes: true,
    revokes: false,
    routes: {
      // GET /oauth/auth with response_type=code, scope, client_id and redirect_uri; an optional PKCE
      // code_challenge is checked at the exchange (confidential-authcode-get-token).
      [`GET https://${env.auth}/oauth/auth`]: authorizeRoute({ redirectAllowed: (u) => u === REGISTERED }),
      // POST /oauth/token, Content-Type application/x-www-form-urlencoded, "Authorization: Basic" of the
      // integration key and secret key, grant_type=authorization_code and code, or grant_type=refresh_token
      // and refresh_token (obtain-access-token). The answer: access_token, token_type Bearer, refresh_token
      // and expires_in 28800; a refresh answers a new refresh token too.
      [`POST https://${env.auth}/oauth/token`]: tokenRoute({
        clientAuth: "basic",
        body: "form",
        expiresIn: 28800,
        refreshToken: "reissued",
        redirectUriRequired: false,
        scopeEcho: () => undefined,
      }),
      // GET /oauth/userinfo with the access token: sub, name, email and accounts, each with account_id,
      // is_default, account_name and base_uri (user-info).
      [`GET https://${env.auth}/oauth/userinfo`]: apiRoute({
        unauthorized,
        ok: () =>
          json(200, {
            sub: "4799e5e9-0000-0000-0000-cf4713bbcacc",
            name: "Ada Lovelace",
            email: "ada@example.com",
            accounts: accounts(),
          }),
      }),
      // eSignature v2.1 at {base_uri}/restapi/v2.1/accounts/{account_id} (api-endpoint-base-paths);
      // Folders: list of the account. Another account id is not this user's.
      [`GET https://${env.server}/restapi/v2.1/accounts/${DOCUSIGN_ACCOUNT_ID}/folders`]: apiRoute({
        unauthorized,
        ok: () => json(200, { folders: [{ folderId: "1", name: "Inbox", type: "inbox" }] }),
      }),
    },
  };
}

const account = (env: Env) => ({
  account_id: DOCUSIGN_ACCOUNT_ID,
  is_default: true,
  account_name: "Sim Co",
  base_uri: `https://${env.server}`,
});

/** Another account the user belongs to, listed first and not the default: its id reaches no route here. */
const other = (env: Env) => ({
  account_id: randomUUID(),
  is_default: false,
  account_name: "Other Co",
  base_uri: `https://${env.server}`,
});

export const docusign: OAuthProfile = docusignProfile(PRODUCTION, () => [
  other(PRODUCTION),
  account(PRODUCTION),
]);
export const docusignDemo: OAuthProfile = docusignProfile(DEMO, () => [other(DEMO), account(DEMO)]);

/** The developer environment with a userinfo answer whose default account has this base_uri (refusals). */
export const docusignDemoWithBaseUri = (baseUri: unknown): OAuthProfile =>
  docusignProfile(DEMO, () => [other(DEMO), { ...account(DEMO), base_uri: baseUri }]);

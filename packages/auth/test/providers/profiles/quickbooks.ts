/**
 * QuickBooks Online: the Intuit OAuth 2.0 server and the Accounting API, for the quickbooks (production) and
 * quickbooks_sandbox recipes.
 * - https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0
 * - https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/set-redirect-uri
 */
import { apiRoute, json, tokenRoute } from "../kit.js";
import { authorizeRoute, type OAuthProfile, type Route } from "../simulator.js";

/** The connected company's id, as Intuit puts it on the redirect. */
export const REALM_ID = "9130350000000001";

/**
 * After consent the redirect carries code, state and realmId, the company the tokens are tied to (oauth-2.0,
 * step 11). `realm` lets a test send another value (or none).
 */
function authorize(
  redirectAllowed: (uri: string | undefined) => boolean,
  realm: () => string | undefined,
): Route {
  return async (req, sim) => {
    const reply = await authorizeRoute({ redirectAllowed })(req, sim);
    const location = reply.headers?.location;
    const id = realm();
    if (reply.status !== 302 || location === undefined || id === undefined) return reply;
    const to = new URL(location);
    to.searchParams.set("realmId", id);
    return { ...reply, headers: { ...reply.headers, location: to.href } };
  };
}

// Intuit's fault for a missing, expired or revoked token: 401 (the body's shape is not relied on).
const unauthorized = () =>
  json(401, {
    fault: { error: [{ message: "message=AuthenticationFailed; errorCode=003200; statusCode=401" }] },
    type: "AUTHENTICATION",
  });

function quickbooksProfile(
  recipe: "quickbooks" | "quickbooks_sandbox",
  redirectAllowed: (uri: string | undefined) => boolean,
  realm: () => string | undefined,
): OAuthProfile {
  const api = recipe === "quickbooks" ? "quickbooks.api.intuit.com" : "sandbox-quickbooks.api.intuit.com";
  return {
    kind: "oauth2",
    recipe,
    docs: [
      "https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0",
      "https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/set-redirect-uri",
    ],
    clientSecret: true,
    refreshes: true,
    // The recipe names no revocation endpoint (Intuit's takes a JSON body the recipe's form requests are not).
    revokes: false,
    routes: {
      "GET https://appcenter.intuit.com/connect/oauth2": authorize(redirectAllowed, realm),
      // POST /oauth2/v1/tokens/bearer, form body grant_type, code and redirect_uri, the client in
      // "Authorization: Basic" (oauth-2.0, "Exchange the authorization code"). The access token lasts an hour;
      // a refresh answers a refresh token that may be a new one, to be kept from then on ("reissued").
      "POST https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer": tokenRoute({
        clientAuth: "basic",
        body: "form",
        expiresIn: 3600,
        refreshToken: "reissued",
        scopeEcho: () => undefined,
        extra: () => ({ x_refresh_token_expires_in: 8726400 }),
      }),
      // Every call names the company: /v3/company/<realmId>/... (oauth-2.0, step 11); another company's id
      // is not this grant's.
      [`GET https://${api}/v3/company/${REALM_ID}/preferences`]: apiRoute({
        unauthorized,
        ok: (_sim, req) =>
          (req.headers.accept ?? "").includes("application/json")
            ? json(200, { Preferences: { Id: "1" } })
            : { status: 200, headers: { "content-type": "application/xml" }, body: "<IntuitResponse/>" },
      }),
    },
  };
}

/**
 * Production apps: "The Intuit OAuth 2.0 Server can only redirect to URIs beginning with https. IP addresses
 * aren't allowed" (set-redirect-uri). The authorization route comes first: the suite probes it.
 */
export const quickbooks: OAuthProfile = quickbooksProfile(
  "quickbooks",
  (u) => u?.startsWith("https://") === true,
  () => REALM_ID,
);

// Sandbox apps: "You can add localhost (no HTTPS) as a URI for sandbox environments", and only registered
// URIs are redirected to (set-redirect-uri); the recipe registers http://localhost:9011/callback.
const SANDBOX_REDIRECT = "http://localhost:9011/callback";

export const quickbooksSandbox: OAuthProfile = quickbooksProfile(
  "quickbooks_sandbox",
  (u) => u === SANDBOX_REDIRECT,
  () => REALM_ID,
);

/** The sandbox with a redirect whose realmId is the given value, or absent (a test of what login does). */
export const quickbooksSandboxWithRealm = (realm: string | undefined): OAuthProfile =>
  quickbooksProfile(
    "quickbooks_sandbox",
    (u) => u === SANDBOX_REDIRECT,
    () => realm,
  );

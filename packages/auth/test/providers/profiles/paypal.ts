/**
 * PayPal REST APIs with a REST API app's client ID and secret (client credentials), for the paypal (live)
 * and paypal_sandbox recipes.
 * - https://developer.paypal.com/api/rest/authentication/
 * - https://developer.paypal.com/reference/get-an-access-token
 * - https://developer.paypal.com/docs/api/webhooks/v1/ (List webhooks)
 * - github.com/paypal/paypal-rest-api-specifications openapi/notifications_webhooks_v1.json (its scope)
 */
import { apiRoute, clientCredentialsRoute, json } from "../kit.js";
import { bearerOf, type ClientCredentialsProfile } from "../simulator.js";

// The scope GET /v1/notifications/webhooks requires (its security in notifications_webhooks_v1.json).
const WEBHOOKS_SCOPE = "https://uri.paypal.com/services/applications/webhooks";

function paypalProfile(recipe: "paypal" | "paypal_sandbox", host: string): ClientCredentialsProfile {
  return {
    kind: "client_credentials",
    recipe,
    docs: [
      "https://developer.paypal.com/api/rest/authentication/",
      "https://developer.paypal.com/docs/api/webhooks/v1/",
    ],
    routes: {
      // POST /v1/oauth2/token: the client ID and secret as "Authorization: Basic", the form body
      // grant_type=client_credentials (authentication); the answer has scope (space-separated URIs),
      // access_token, token_type Bearer, app_id, expires_in (seconds) and nonce. A wrong secret is 401
      // invalid_client ("Client Authentication failed").
      [`POST https://${host}/v1/oauth2/token`]: clientCredentialsRoute({
        clientAuth: "basic",
        body: "form",
        scopes: ["https://uri.paypal.com/services/invoicing", WEBHOOKS_SCOPE],
        scopeEcho: (granted) => granted.join(" "),
        expiresIn: 32400,
        extra: () => ({ app_id: "APP-80W284485P519543T", nonce: `${new Date().toISOString()}sim` }),
        errorReply: (_req, error) =>
          json(error === "invalid_client" ? 401 : 400, {
            error,
            error_description:
              error === "invalid_client" ? "Client Authentication failed" : "invalid request",
          }),
      }),
      // GET /v1/notifications/webhooks lists the app's webhooks (200, a webhooks array), for a token with the
      // webhooks scope (notifications_webhooks_v1.json); a missing, expired or unknown token is 401
      // invalid_token (the body's shape is not relied on), and a token without the scope is 403
      // NOT_AUTHORIZED, "Authorization failed due to insufficient permissions." (the error_403 definition,
      // e.g. developer.paypal.com/api/pricing/v2/definitions/error_403; api/rest/troubleshooting/rest_not_authorized).
      [`GET https://${host}/v1/notifications/webhooks`]: apiRoute({
        unauthorized: () =>
          json(401, { error: "invalid_token", error_description: "Token signature verification failed" }),
        ok: (sim, req) =>
          sim.live(bearerOf(req))?.scopes.includes(WEBHOOKS_SCOPE)
            ? json(200, { webhooks: [] })
            : json(403, {
                name: "NOT_AUTHORIZED",
                message: "Authorization failed due to insufficient permissions.",
              }),
      }),
    },
  };
}

export const paypal: ClientCredentialsProfile = paypalProfile("paypal", "api-m.paypal.com");
export const paypalSandbox: ClientCredentialsProfile = paypalProfile(
  "paypal_sandbox",
  "api-m.sandbox.paypal.com",
);

/**
 * The Auth0 Management API v2 with a Machine-to-Machine application (client credentials), for the
 * auth0_management recipe.
 * - https://auth0.com/docs/secure/tokens/access-tokens/management-api-access-tokens/get-management-api-access-tokens-for-production
 * - https://auth0.com/docs/secure/tokens/access-tokens/management-api-access-tokens (token lifetime)
 * - https://auth0.com/docs/api/management/v2/clients/get-clients
 */
import { apiRoute, clientCredentialsRoute, json } from "../kit.js";
import { bearerOf, type ClientCredentialsProfile } from "../simulator.js";

const DOMAIN = "acme.us.auth0.com";

export const auth0Management: ClientCredentialsProfile = {
  kind: "client_credentials",
  recipe: "auth0_management",
  docs: [
    "https://auth0.com/docs/secure/tokens/access-tokens/management-api-access-tokens/get-management-api-access-tokens-for-production",
    "https://auth0.com/docs/api/management/v2/clients/get-clients",
  ],
  values: { domain: DOMAIN },
  routes: {
    // POST https://{yourDomain}/oauth/token, grant_type=client_credentials with client_id and client_secret,
    // and audience the Management API's identifier https://{yourDomain}/api/v2/ (for-production); another
    // audience gets no Management API token (403 access_denied here). The answer: access_token, the scopes
    // granted to the application, expires_in and token_type; "A Management API token is valid for 24 hours"
    // (management-api-access-tokens).
    [`POST https://${DOMAIN}/oauth/token`]: clientCredentialsRoute({
      // The page sends client_id and client_secret as body parameters, form or JSON; the Authentication API
      // also takes them as Basic, so neither is refused here.
      clientAuth: "basic_or_post",
      body: "form_or_json",
      requiredParams: () => ({ audience: `https://${DOMAIN}/api/v2/` }),
      scopes: ["read:clients", "read:users"],
      scopeEcho: (granted) => granted.join(" "),
      expiresIn: 86400,
      errorReply: (_req, error) =>
        json(error === "invalid_client" ? 401 : error === "access_denied" ? 403 : 400, {
          error,
          error_description: error === "access_denied" ? "Service not enabled within domain" : error,
        }),
    }),
    // GET /api/v2/clients needs the read:clients scope (get-clients, "Scopes"); without a valid token 401,
    // without the scope 403 insufficient_scope.
    [`GET https://${DOMAIN}/api/v2/clients`]: apiRoute({
      unauthorized: () =>
        json(401, {
          statusCode: 401,
          error: "Unauthorized",
          message: "Invalid token",
          errorCode: "invalid_token",
        }),
      ok: (sim, req) =>
        sim.live(bearerOf(req))?.scopes.includes("read:clients")
          ? json(200, [{ client_id: "abc" }])
          : json(403, {
              statusCode: 403,
              error: "Forbidden",
              message: "Insufficient scope, expected any of: read:clients",
              errorCode: "insufficient_scope",
            }),
    }),
  },
};

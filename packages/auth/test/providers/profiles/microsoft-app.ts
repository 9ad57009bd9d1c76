/**
 * Microsoft Graph with an app registration's client credentials (no user), for the microsoft_graph_app recipe.
 * - https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow
 * - https://learn.microsoft.com/en-us/graph/api/user-list (application permission User.Read.All)
 */
import { apiRoute, clientCredentialsRoute, json } from "../kit.js";
import type { ClientCredentialsProfile, SimRequest } from "../simulator.js";

export const TENANT = "contoso.onmicrosoft.com";

/** Entra's error answer: error, error_description with its AADSTS code, and error_codes. */
const entraError = (_req: SimRequest, error: string) =>
  json(error === "invalid_client" ? 401 : 400, {
    error,
    error_description:
      error === "invalid_client"
        ? "AADSTS7000215: Invalid client secret provided."
        : "AADSTS1002012: The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.",
    error_codes: [error === "invalid_client" ? 7000215 : 1002012],
  });

export const microsoftGraphApp: ClientCredentialsProfile = {
  kind: "client_credentials",
  recipe: "microsoft_graph_app",
  docs: [
    "https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow",
    "https://learn.microsoft.com/en-us/graph/api/user-list",
  ],
  values: { tenant: TENANT },
  routes: {
    // POST /{tenant}/oauth2/v2.0/token, form body: client_id, scope (the resource's .default, here Graph's),
    // client_secret and grant_type=client_credentials; the answer: token_type Bearer, expires_in 3599 and
    // access_token (v2-oauth2-client-creds-grant-flow, "First case: Access token request with a shared
    // secret"). Another scope is refused (AADSTS1002012), a wrong secret with invalid_client.
    [`POST https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`]: clientCredentialsRoute({
      clientAuth: "post",
      body: "form",
      requiredParams: () => ({ scope: "https://graph.microsoft.com/.default" }),
      scopes: ["User.Read.All"],
      scopeEcho: () => undefined,
      expiresIn: 3599,
      extra: () => ({ ext_expires_in: 3599 }),
      errorReply: (req, error) => entraError(req, error === "access_denied" ? "invalid_scope" : error),
    }),
    // GET /users with the app's token: the application permission User.Read.All (user-list, "Permissions").
    "GET https://graph.microsoft.com/v1.0/users": apiRoute({
      unauthorized: () =>
        json(401, {
          error: { code: "InvalidAuthenticationToken", message: "Access token validation failure." },
        }),
      ok: () => json(200, { value: [{ id: "87d349ed-44d7-43e1-9a83-5f2406dee5bd" }] }),
    }),
  },
};

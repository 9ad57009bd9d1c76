/**
 * Microsoft Entra ID (v2.0 endpoints) and Microsoft Graph.
 * - https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow
 * - https://learn.microsoft.com/en-us/entra/identity-platform/reply-url
 * - https://learn.microsoft.com/en-us/answers/questions/806413/scope-offline-access-isnt-being-returned-in-the-to
 * - https://learn.microsoft.com/en-us/graph/errors
 * - https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols#endpoints
 */
import { apiRoute, json, tokenRoute } from "../kit.js";
import { authorizeRoute, loopback, type OAuthProfile, type SimReply } from "../simulator.js";

const OIDC = new Set(["openid", "profile", "email"]);
const TENANT = "11111111-2222-3333-4444-555555555555";

/**
 * A registration for any account type (the common endpoint), or a single-tenant one: its endpoints are
 * under its tenant, and /common answers AADSTS50194 ("... is not configured as a multi-tenant application").
 */
function graphProfile(
  tenant: "common" | typeof TENANT,
  recipe = "microsoft_graph",
  testPath = "/me",
): OAuthProfile {
  const LOGIN = `https://login.microsoftonline.com/${tenant}/oauth2/v2.0`;
  const wrongTenant = (): SimReply =>
    json(400, {
      error: "invalid_request",
      error_description: "AADSTS50194: Application is not configured as a multi-tenant application.",
    });
  return {
    kind: "oauth2",
    recipe,
    ...(tenant === "common" ? {} : { values: { tenant } }),
    docs: [
      "https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow",
      "https://learn.microsoft.com/en-us/entra/identity-platform/reply-url",
    ],
    // A "Mobile and desktop applications" registration is a public client: "Public clients ... must not use
    // secrets" (v2-oauth2-auth-code-flow, redeem a code); a secret sent anyway fails with AADSTS700025.
    clientSecret: false,
    refreshes: true,
    revokes: false,
    routes: {
      [`GET ${LOGIN}/authorize`]: authorizeRoute({
        // reply-url, "Localhost exceptions": for http://localhost the port is ignored, the path must match the
        // registered http://localhost/callback.
        redirectAllowed: (uri) => {
          const u = loopback(uri);
          return u?.hostname === "localhost" && u.pathname === "/callback";
        },
      }),
      [`POST ${LOGIN}/token`]: tokenRoute({
        clientAuth: "public",
        body: "form",
        // "expires_in": 3599 as a number; refresh tokens "replace themselves with a fresh token upon every use"
        // while the old one stays valid until it expires (v2-oauth2-auth-code-flow, refresh).
        expiresIn: 3599,
        refreshToken: "reissued",
        // offline_access "is never returned as a scope" (Q&A 806413); Graph scopes come back as
        // https://graph.microsoft.com/<Scope> (the response example of v2-oauth2-auth-code-flow).
        scopeEcho: (granted) =>
          granted
            .filter((s) => s !== "offline_access")
            .map((s) => (OIDC.has(s) ? s : `https://graph.microsoft.com/${s}`))
            .join(" "),
        errorReply: (_req, error) =>
          json(error === "invalid_client" ? 401 : 400, { error, error_description: "AADSTS simulated" }),
      }),
      [`GET https://graph.microsoft.com/v1.0${testPath}`]: apiRoute({
        // Graph answers 401 InvalidAuthenticationToken to an expired or revoked token (graph/errors).
        unauthorized: () =>
          json(
            401,
            {
              error: {
                code: "InvalidAuthenticationToken",
                message: "Access token has expired or is not yet valid.",
              },
            },
            { "www-authenticate": 'Bearer realm="", error="invalid_token"' },
          ),
        ok: () => json(200, { id: "1", displayName: "Ada" }),
      }),
      ...(tenant === "common"
        ? {}
        : {
            "GET https://login.microsoftonline.com/common/oauth2/v2.0/authorize": wrongTenant,
            "POST https://login.microsoftonline.com/common/oauth2/v2.0/token": wrongTenant,
          }),
    },
  };
}

export const microsoftGraph = graphProfile("common");
export const microsoftGraphSingleTenant = graphProfile(TENANT);

/**
 * The Microsoft 365 recipes that extend microsoft_graph: the same Entra endpoints and rules, each with its own
 * scopes and the Graph resource its test request reads (graph/api/resources/*, linked from each recipe).
 */
export const microsoftGraphFamily: OAuthProfile[] = [
  graphProfile("common", "outlook", "/me"),
  graphProfile("common", "onedrive", "/me/drive"),
  graphProfile("common", "microsoft_teams", "/me/joinedTeams"),
  graphProfile("common", "microsoft_todo", "/me/todo/lists"),
  graphProfile("common", "onenote", "/me/onenote/notebooks"),
  graphProfile("common", "sharepoint", "/sites/root"),
];

/**
 * FreshBooks: OAuth 2.0 authorization code grant of an app registered in the developer portal.
 * - https://www.freshbooks.com/api/authentication (basic flow, redirect URI limitations)
 * - https://www.freshbooks.com/api/get-authenticated-on-the-freshbooks-api (token lifetimes, refresh)
 */
import { apiRoute, json, tokenRoute } from "../kit.js";
import { authorizeRoute, type OAuthProfile } from "../simulator.js";

/**
 * "For security reasons, redirect URIs must specify HTTPS as their protocol" (authentication, redirect URI
 * limitations): an http loopback redirect is refused. The authorization route comes first: the suite probes it.
 */
export const freshbooks: OAuthProfile = {
  kind: "oauth2",
  recipe: "freshbooks",
  docs: [
    "https://www.freshbooks.com/api/authentication",
    "https://www.freshbooks.com/api/get-authenticated-on-the-freshbooks-api",
  ],
  clientSecret: true,
  refreshes: true,
  revokes: false,
  routes: {
    "GET https://auth.freshbooks.com/oauth/authorize": authorizeRoute({
      redirectAllowed: (u) => u?.startsWith("https://") === true,
    }),
    // The code, client id, client secret and the redirect URI the user followed (authentication, basic flow
    // step 4); the access token lasts 12 hours, and the refresh token "never expires, but can only be used
    // once", each refresh answering a new one (get-authenticated: rotating).
    "POST https://api.freshbooks.com/auth/oauth/token": tokenRoute({
      clientAuth: "post",
      // The pages show multipart form fields only; which encodings the endpoint takes is not settled.
      body: "form_or_json",
      expiresIn: 43200,
      refreshToken: "rotating",
      scopeEcho: (granted) => granted.join(" "),
    }),
    // Calls carry the Bearer token (authentication, basic flow step 6).
    "GET https://api.freshbooks.com/auth/api/v1/users/me": apiRoute({
      ok: () => json(200, { response: { id: 1, email: "ada@example.com" } }),
    }),
  },
};

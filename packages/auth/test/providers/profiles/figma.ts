/**
 * Figma: OAuth apps and personal access tokens on the REST API.
 * - https://developers.figma.com/docs/rest-api/authentication
 * - https://developers.figma.com/docs/rest-api/oauth-apps/ (token and refresh endpoints)
 * - https://developers.figma.com/docs/rest-api/personal-access-tokens/
 * - https://developers.figma.com/docs/rest-api/errors/
 */
import { apiRoute, json, tokenRoute } from "../kit.js";
import { authorizeRoute, type OAuthProfile, type StaticKeyProfile } from "../simulator.js";

const DOCS = [
  "https://developers.figma.com/docs/rest-api/authentication",
  "https://developers.figma.com/docs/rest-api/personal-access-tokens/",
];

// The OAuth app's callback URL is registered in its settings and must match exactly.
const REGISTERED = "http://localhost:8982/callback";

// "403 ... Invalid token" is how the REST API answers a token it does not accept (rest-api/errors).
const me = (accepts?: (t?: string) => boolean, token?: (h: string | undefined) => string | undefined) =>
  apiRoute({
    unauthorized: () => json(403, { status: 403, err: "Invalid token" }),
    ...(token ? { token: (req) => token(req.headers["x-figma-token"] as string | undefined) } : {}),
    ...(accepts ? { accepts: (t) => accepts(t) } : {}),
    ok: () => json(200, { id: "1", handle: "ada", email: "ada@example.com" }),
  });

export const figmaOAuth: OAuthProfile = {
  kind: "oauth2",
  recipe: "figma",
  via: "oauth2",
  docs: DOCS,
  clientSecret: true,
  refreshes: true,
  revokes: false,
  routes: {
    "GET https://www.figma.com/oauth": authorizeRoute({ redirectAllowed: (u) => u === REGISTERED }),
    // POST https://api.figma.com/v1/oauth/token exchanges the code only, client credentials as Basic.
    "POST https://api.figma.com/v1/oauth/token": tokenRoute({
      clientAuth: "basic",
      body: "form",
      grantTypes: ["authorization_code"],
      expiresIn: 7776000,
      refreshToken: "reusable",
      scopeEcho: () => undefined,
      extra: () => ({ user_id_string: "1" }),
    }),
    // A refresh goes to its own endpoint, POST https://api.figma.com/v1/oauth/refresh (client as Basic,
    // form body), and answers a new access token and its expiry without a new refresh token. The endpoint is
    // listed on developers.figma.com/docs/rest-api/oauth-apps/, whose text was not reachable here; the answer's
    // shape is as arcticjs.dev/providers/figma describes it ("Figma only returns an access token and its
    // expiration").
    "POST https://api.figma.com/v1/oauth/refresh": tokenRoute({
      clientAuth: "basic",
      body: "form",
      grantTypes: ["refresh_token"],
      expiresIn: 7776000,
      refreshToken: "reusable",
      scopeEcho: () => undefined,
    }),
    "GET https://api.figma.com/v1/me": me(),
  },
};

const PAT = `figd_${"x".repeat(40)}`;

export const figmaToken: StaticKeyProfile = {
  kind: "static_key",
  recipe: "figma",
  docs: DOCS,
  values: { token: PAT },
  wrongValues: { token: `figd_${"y".repeat(40)}` },
  // A personal access token goes in X-Figma-Token (personal-access-tokens).
  routes: {
    "GET https://api.figma.com/v1/me": me(
      (t) => t === PAT,
      (h) => h,
    ),
  },
};

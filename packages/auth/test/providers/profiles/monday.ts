/**
 * monday.com: OAuth apps of the Developer Center and personal API tokens on the GraphQL API (POST /v2).
 * - https://developer.monday.com/apps/docs/oauth
 * - https://developer.monday.com/api-reference/docs/authentication
 * - https://developer.monday.com/api-reference/docs/error-handling
 */
import { randomBytes } from "node:crypto";
import { apiRoute, json, tokenRoute } from "../kit.js";
import {
  authorizeRoute,
  type OAuthProfile,
  type SimReply,
  type SimRequest,
  type StaticKeyProfile,
} from "../simulator.js";

const DOCS = [
  "https://developer.monday.com/apps/docs/oauth",
  "https://developer.monday.com/api-reference/docs/authentication",
  "https://developer.monday.com/api-reference/docs/error-handling",
];

// "Configure your scopes and redirect URLs ... in the OAuth tab in the Developer Center" (apps/docs/oauth):
// redirect_uri must be one of the app's redirect URLs.
const REGISTERED = "http://localhost:8992/callback";

// The token goes in the Authorization header, as is (authentication: "Authorization: <token>"); OAuth
// tokens are used the same way, and a "Bearer" prefix is taken too.
const tokenOf = (req: SimRequest) => req.headers.authorization?.replace(/^Bearer\s+/i, "");

/** POST https://api.monday.com/v2 with a JSON body: `me` is served, each field or alias of it answered. */
function graphql(req: SimRequest, accountId: number): SimReply {
  if (!(req.headers["content-type"] ?? "").includes("application/json")) {
    return json(400, { error_message: "Unsupported content type" });
  }
  const query = String((JSON.parse(req.body || "{}") as { query?: unknown }).query ?? "");
  const fields = /me\s*\{([^}]*)\}/.exec(query)?.[1];
  if (fields === undefined) return json(200, { errors: [{ message: "Parse error on query" }] });
  const me: Record<string, string> = {};
  for (const m of fields.matchAll(/(?:(\w+)\s*:\s*)?(\w+)/g)) {
    const name = m[2] ?? "";
    me[m[1] ?? name] = name === "__typename" ? "User" : `sim-${name}`;
  }
  return json(200, { data: { me }, account_id: accountId });
}

// "Response will be 200 – OK for application-level errors"; the body holds an errors array and each error
// an extensions.code (error-handling, "Error format"). A token that is not valid is such an error here:
// only the body says so, which is why the recipe's test checks it.
const refused = (): SimReply =>
  json(200, {
    errors: [{ message: "Not Authenticated", extensions: { code: "UNAUTHENTICATED", status_code: 401 } }],
    account_id: null,
  });

export const mondayOAuth: OAuthProfile = {
  kind: "oauth2",
  recipe: "monday",
  via: "oauth2",
  docs: DOCS,
  clientSecret: true,
  // The classic OAuth flow gives a token that does not expire, without a refresh token; there is no
  // revocation endpoint (the user uninstalls the app).
  refreshes: false,
  revokes: false,
  routes: {
    // GET https://auth.monday.com/oauth2/authorize: client_id, redirect_uri, scope (space-separated), state.
    "GET https://auth.monday.com/oauth2/authorize": authorizeRoute({
      redirectAllowed: (u) => u === REGISTERED,
    }),
    // POST https://auth.monday.com/oauth2/token with client_id, client_secret, code and redirect_uri; the
    // answer is {access_token, token_type: "Bearer", scope}, no expires_in and no refresh_token.
    "POST https://auth.monday.com/oauth2/token": tokenRoute({
      clientAuth: "post",
      body: "form_or_json",
      grantTypes: ["authorization_code"],
      refreshToken: "none",
      scopeEcho: (granted) => granted.join(" "),
    }),
    "POST https://api.monday.com/v2": apiRoute({
      token: tokenOf,
      unauthorized: refused,
      ok: (_sim, req) => graphql(req, 1),
    }),
  },
};

const TOKEN = `eyJhbGciOiJIUzI1NiJ9.${randomBytes(24).toString("base64url")}`;

export const mondayToken: StaticKeyProfile = {
  kind: "static_key",
  recipe: "monday",
  docs: DOCS,
  values: { token: TOKEN },
  wrongValues: { token: `${TOKEN.slice(0, -1)}${TOKEN.endsWith("A") ? "B" : "A"}` },
  routes: {
    "POST https://api.monday.com/v2": apiRoute({
      token: tokenOf,
      accepts: (t) => t === TOKEN,
      unauthorized: refused,
      ok: (_sim, req) => graphql(req, 1),
    }),
  },
};

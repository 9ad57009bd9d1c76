/**
 * Linear: OAuth2 applications and personal API keys on the GraphQL API.
 * - https://linear.app/developers/oauth-2-0-authentication
 * - https://linear.app/developers/graphql
 */
import { randomBytes } from "node:crypto";
import { apiRoute, bearerRevokeRoute, json, tokenRoute } from "../kit.js";
import {
  authorizeRoute,
  bearerOf,
  type OAuthProfile,
  type SimReply,
  type SimRequest,
  type StaticKeyProfile,
} from "../simulator.js";

const DOCS = [
  "https://linear.app/developers/oauth-2-0-authentication",
  "https://linear.app/developers/graphql",
];

// The app's callback URLs are configured in its settings and redirect_uri is required ("Create an OAuth2
// application ... configure the redirect callback URLs"; "redirect_uri (required)"). The stand-in takes the
// registered one exactly.
const REGISTERED = "http://localhost:8991/callback";

/**
 * POST https://api.linear.app/graphql: the answer to a query as GraphQL gives it. Only `viewer` is served:
 * each selected field (or alias) of it is answered, `__typename` with "User".
 */
function graphql(req: SimRequest): SimReply {
  if (!(req.headers["content-type"] ?? "").includes("application/json")) {
    return json(400, { errors: [{ message: "Must provide query string." }] });
  }
  const query = String((JSON.parse(req.body || "{}") as { query?: unknown }).query ?? "");
  const fields = /viewer\s*\{([^}]*)\}/.exec(query)?.[1];
  if (fields === undefined) return json(400, { errors: [{ message: "Cannot query this field here" }] });
  const viewer: Record<string, string> = {};
  for (const m of fields.matchAll(/(?:(\w+)\s*:\s*)?(\w+)/g)) {
    const name = m[2] ?? "";
    viewer[m[1] ?? name] = name === "__typename" ? "User" : `sim-${name}`;
  }
  return json(200, { data: { viewer } });
}

// A refused key or token: {"errors": [{"message": "Authentication required, not authenticated",
// "extensions": {"code": "AUTHENTICATION_ERROR"}}]}. The graphql page does not settle the status (clients
// report 401, some 400 or 200), so the recipe's test checks the body; the stand-in answers 401, which is
// also what lets an expired OAuth token be refreshed.
const refused = (): SimReply =>
  json(401, {
    data: null,
    errors: [
      {
        message: "Authentication required, not authenticated",
        extensions: { type: "authentication error", code: "AUTHENTICATION_ERROR" },
      },
    ],
  });

export const linearOAuth: OAuthProfile = {
  kind: "oauth2",
  recipe: "linear",
  via: "oauth2",
  docs: DOCS,
  clientSecret: true,
  // Apps created from October 2025 (all apps from April 2026) get 24-hour access tokens and refresh tokens
  // ("Migrate to using refresh tokens").
  refreshes: true,
  revokes: true,
  routes: {
    // GET https://linear.app/oauth/authorize: client_id, redirect_uri, response_type=code and scope, all
    // required; scope is comma-separated; PKCE (S256) is supported.
    "GET https://linear.app/oauth/authorize": (req, sim) =>
      req.url.searchParams.get("scope")
        ? authorizeRoute({ redirectAllowed: (u) => u === REGISTERED, scopeSeparator: "," })(req, sim)
        : { status: 400, headers: { "content-type": "text/plain" }, body: "scope required" },
    // POST https://api.linear.app/oauth/token, "Content-Type header should be
    // application/x-www-form-urlencoded", client_id and client_secret in the body. The answer:
    // {access_token, token_type: "Bearer", expires_in, scope: "read write"}, space-separated, and with the
    // refresh token system a refresh_token that is replaced on each refresh.
    "POST https://api.linear.app/oauth/token": tokenRoute({
      clientAuth: "post",
      body: "form",
      expiresIn: 86399,
      refreshToken: "rotating",
      scopeEcho: (granted) => granted.join(" "),
    }),
    // POST https://api.linear.app/oauth/revoke with the access token as "Authorization: Bearer".
    "POST https://api.linear.app/oauth/revoke": bearerRevokeRoute(),
    // OAuth tokens go as "Authorization: Bearer <token>" (oauth-2-0-authentication, "Make an API request").
    "POST https://api.linear.app/graphql": apiRoute({
      unauthorized: refused,
      ok: (_sim, req) => graphql(req),
    }),
  },
};

const KEY = `lin_api_${randomBytes(20).toString("hex")}`;

/**
 * A personal API key goes as "Authorization: <API_KEY>", without "Bearer" (graphql, "Personal API keys");
 * with the prefix it is refused like a wrong key.
 */
export const linearKey: StaticKeyProfile = {
  kind: "static_key",
  recipe: "linear",
  docs: DOCS,
  values: { api_key: KEY },
  wrongValues: { api_key: `${KEY.slice(0, -1)}${KEY.endsWith("0") ? "1" : "0"}` },
  routes: {
    "POST https://api.linear.app/graphql": apiRoute({
      token: (req) => (bearerOf(req) === undefined ? req.headers.authorization : undefined),
      accepts: (t) => t === KEY,
      unauthorized: refused,
      ok: (_sim, req) => graphql(req),
    }),
  },
};

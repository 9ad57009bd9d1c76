/**
 * Notion: public connections (OAuth) and internal integration tokens.
 * - https://developers.notion.com/docs/authorization
 * - https://developers.notion.com/reference/create-a-token
 * - https://developers.notion.com/reference/refresh-a-token
 * - https://developers.notion.com/reference/revoke-token
 * - https://developers.notion.com/reference/versioning
 */
import { apiRoute, json, missingHeader, tokenRoute } from "../kit.js";
import {
  authorizeRoute,
  basicOf,
  type OAuthProfile,
  params,
  type Route,
  type StaticKeyProfile,
} from "../simulator.js";

const DOCS = [
  "https://developers.notion.com/reference/create-a-token",
  "https://developers.notion.com/reference/revoke-token",
  "https://developers.notion.com/reference/versioning",
];

// Every API request needs a Notion-Version header (reference/versioning): 400 missing_version without one.
const VERSION = { "Notion-Version": /^\d{4}-\d{2}-\d{2}$/ };
const notionError = (status: number, code: string) =>
  json(status, { object: "error", status, code, message: code });

const usersMe = (accepts?: (t?: string) => boolean) =>
  apiRoute({
    requiredHeaders: VERSION,
    missingHeaderReply: () => notionError(400, "missing_version"),
    unauthorized: () => notionError(401, "unauthorized"),
    ...(accepts ? { accepts: (t) => accepts(t) } : {}),
    ok: () => json(200, { object: "user", id: "u1", type: "bot", bot: {} }),
  });

// The integration's settings list its redirect URIs; the authorization URL's redirect_uri must be one of
// them, and then the token request repeats it (create-a-token, "Redirect URI requirements").
const REGISTERED = "http://localhost:8978/callback";

// POST /v1/oauth/revoke: Basic client authentication, a Notion-Version header ("required") and a JSON body
// with the token (revoke-token).
const revoke: Route = (req, sim) => {
  if (missingHeader(req, VERSION)) return notionError(400, "missing_version");
  const basic = basicOf(req);
  if (basic?.id !== sim.clientId || basic.secret !== sim.clientSecret)
    return notionError(401, "unauthorized");
  if (!(req.headers["content-type"] ?? "").includes("application/json"))
    return notionError(400, "invalid_request");
  const token = params(req).token;
  if (!token) return notionError(400, "validation_error");
  sim.revokeToken(token);
  return json(200, { request_id: "r1" });
};

export const notionOAuth: OAuthProfile = {
  kind: "oauth2",
  recipe: "notion",
  via: "oauth2",
  docs: DOCS,
  clientSecret: true,
  refreshes: true,
  // The token answer has no expires_in (create-a-token): a refresh happens after a 401 only.
  refreshAhead: false,
  revokes: true,
  routes: {
    "GET https://api.notion.com/v1/oauth/authorize": authorizeRoute({
      redirectAllowed: (u) => u === REGISTERED,
    }),
    // POST /v1/oauth/token: Basic authentication, a JSON body; refresh with grant_type refresh_token at the
    // same endpoint (refresh-a-token), whose answer carries a refresh token again.
    "POST https://api.notion.com/v1/oauth/token": tokenRoute({
      clientAuth: "basic",
      body: "json",
      refreshToken: "reissued",
      scopeEcho: () => undefined,
      extra: () => ({ bot_id: "b1", workspace_id: "w1", workspace_name: "Sim", owner: { type: "user" } }),
    }),
    "POST https://api.notion.com/v1/oauth/revoke": revoke,
    "GET https://api.notion.com/v1/users/me": usersMe(),
  },
};

const TOKEN = `ntn_${"1".repeat(46)}`;

export const notionToken: StaticKeyProfile = {
  kind: "static_key",
  recipe: "notion",
  docs: DOCS,
  values: { token: TOKEN },
  wrongValues: { token: `ntn_${"2".repeat(46)}` },
  routes: { "GET https://api.notion.com/v1/users/me": usersMe((t) => t === TOKEN) },
};

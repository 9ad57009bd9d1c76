/**
 * Reddit: OAuth2 for installed or web apps, and the OAuth API host.
 * - https://github.com/reddit-archive/reddit/wiki/OAuth2
 * - https://github.com/reddit-archive/reddit/wiki/API (rules: User-Agent)
 * - https://github.com/reddit-archive/reddit/issues/1793 (the token endpoint answers 429 to generic agents)
 */
import { apiRoute, json, rfc7009Route, tokenRoute } from "../kit.js";
import { authorizeRoute, type OAuthProfile, type SimReply } from "../simulator.js";

// "Change your client's User-Agent string to something unique and descriptive ... <platform>:<app ID>:<version
// string> (by /u/<reddit username>)"; default agents such as node's or curl's are throttled: 429.
const DESCRIPTIVE = /^[^:\s]+:[^:\s]+:[^\s]+ \(by [^)]+\)$/;
const tooMany = (): SimReply => json(429, { message: "Too Many Requests", error: 429 });

// "redirect_uri ... must match the one registered" (OAuth2 wiki, authorization parameters).
const REGISTERED = "http://127.0.0.1:8977/callback";

export const reddit: OAuthProfile = {
  kind: "oauth2",
  recipe: "reddit",
  docs: [
    "https://github.com/reddit-archive/reddit/wiki/OAuth2",
    "https://github.com/reddit-archive/reddit/wiki/API",
  ],
  clientSecret: true,
  refreshes: true,
  revokes: true,
  routes: {
    "GET https://www.reddit.com/api/v1/authorize": authorizeRoute({
      redirectAllowed: (u) => u === REGISTERED,
    }),
    // POST /api/v1/access_token with HTTP Basic client credentials; duration=permanent gives a refresh token
    // that stays the same on refresh; expires_in 3600.
    "POST https://www.reddit.com/api/v1/access_token": (req, sim) => {
      if (!DESCRIPTIVE.test(req.headers["user-agent"] ?? "")) return tooMany();
      return tokenRoute({
        clientAuth: "basic",
        body: "form",
        expiresIn: 3600,
        refreshToken: "reusable",
        scopeEcho: (granted) => granted.join(" "),
      })(req, sim);
    },
    // POST /api/v1/revoke_token with Basic client credentials and token=..., token_type_hint.
    "POST https://www.reddit.com/api/v1/revoke_token": (req, sim) => {
      if (!DESCRIPTIVE.test(req.headers["user-agent"] ?? "")) return tooMany();
      return rfc7009Route({ clientAuth: "basic", body: "form" })(req, sim);
    },
    "GET https://oauth.reddit.com/api/v1/me": apiRoute({
      requiredHeaders: { "User-Agent": DESCRIPTIVE },
      missingHeaderReply: tooMany,
      unauthorized: () => json(401, { message: "Unauthorized", error: 401 }),
      ok: () => json(200, { name: "ada", id: "t2_1" }),
    }),
  },
};

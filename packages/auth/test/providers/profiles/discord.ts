/**
 * Discord: a user's OAuth2 grant of the user's own application, on the HTTP API.
 * - https://discord.com/developers/docs/topics/oauth2 (URLs, authorization code grant, token revocation)
 * - https://discord.com/developers/docs/reference#user-agent
 * - https://discord.com/.well-known/oauth-authorization-server (PKCE S256, client authentication methods)
 * - https://discord.com/developers/docs/topics/opcodes-and-status-codes#http (401 UNAUTHORIZED)
 */
import { apiRoute, json, rfc7009Route, tokenRoute } from "../kit.js";
import { authorizeRoute, type OAuthProfile, type SimReply } from "../simulator.js";

// "redirect_uri is whatever URL you registered when creating your application" (oauth2, authorization URL
// example): one registered URI, port and path included.
const REGISTERED = "http://localhost:8971/callback";

// "Clients using the HTTP API must provide a valid User Agent which specifies information about the client
// library and version in the following format: User-Agent: DiscordBot ($url, $versionNumber)"; "Client
// requests that do not have a valid User Agent specified may be blocked and return a Cloudflare error"
// (reference#user-agent). The token and revocation URLs are under https://discord.com/api too.
const USER_AGENT = { "User-Agent": /^DiscordBot \(\S+, [^)]+\)/ };
const cloudflareBlock = (): SimReply => ({
  status: 403,
  headers: { "content-type": "text/html" },
  body: "<title>Attention Required! | Cloudflare</title>",
});

export const discord: OAuthProfile = {
  kind: "oauth2",
  recipe: "discord",
  via: "oauth2",
  docs: [
    "https://discord.com/developers/docs/topics/oauth2",
    "https://discord.com/developers/docs/reference#user-agent",
  ],
  clientSecret: true,
  refreshes: true,
  revokes: true,
  routes: {
    // scope is "separated by url encoded spaces" (oauth2, authorization URL example); the server metadata
    // lists code_challenge_methods_supported ["S256"] (.well-known/oauth-authorization-server).
    "GET https://discord.com/oauth2/authorize": authorizeRoute({ redirectAllowed: (u) => u === REGISTERED }),
    // "All calls to the OAuth2 endpoints require either HTTP Basic authentication or client_id and
    // client_secret supplied in the form data body"; the token URL "will only accept a content type of
    // application/x-www-form-urlencoded. JSON content is not permitted"; the exchange repeats redirect_uri;
    // the answer is {access_token, token_type: "Bearer", expires_in: 604800, refresh_token, scope:
    // "identify"} and a refresh answers a fresh one of the same shape (oauth2, access token response).
    // Whether the used refresh token keeps working is not written there; the simulator refuses it, the
    // stricter reading. A dead grant is RFC 6749's invalid_grant.
    "POST https://discord.com/api/oauth2/token": tokenRoute({
      clientAuth: "basic_or_post",
      body: "form",
      requiredHeaders: USER_AGENT,
      errorReply: (req, error) =>
        req.headers["user-agent"] === undefined || !USER_AGENT["User-Agent"].test(req.headers["user-agent"])
          ? cloudflareBlock()
          : json(400, { error }),
      expiresIn: 604800,
      refreshToken: "rotating",
      scopeEcho: (granted) => granted.join(" "),
    }),
    // POST token (and optional token_type_hint), form-encoded, client authenticated as at the token URL;
    // revoking one token revokes every token of that authorization (oauth2, token revocation example).
    "POST https://discord.com/api/oauth2/token/revoke": rfc7009Route({
      clientAuth: "basic_or_post",
      body: "form",
      requiredHeaders: USER_AGENT,
    }),
    // GET /users/@me with the identify scope; a missing or invalid Authorization header is 401
    // UNAUTHORIZED with {"message": "401: Unauthorized", "code": 0} (opcodes-and-status-codes#http).
    "GET https://discord.com/api/v10/users/@me": apiRoute({
      requiredHeaders: USER_AGENT,
      missingHeaderReply: cloudflareBlock,
      unauthorized: () => json(401, { message: "401: Unauthorized", code: 0 }),
      ok: () => json(200, { id: "80351110224678912", username: "ada", discriminator: "0" }),
    }),
  },
};

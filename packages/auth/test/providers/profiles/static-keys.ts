/**
 * Static-key services: each entry is the recipe's test request as the provider serves it, with the header
 * the provider reads the key from, the other headers it requires, and how it refuses a wrong key. The page
 * each rule comes from is cited on the entry.
 */
import { randomBytes } from "node:crypto";
import { apiRoute, json } from "../kit.js";
import { basicOf, bearerOf, type SimReply, type SimRequest, type StaticKeyProfile } from "../simulator.js";

interface KeyRule {
  recipe: string;
  docs: string;
  /** The secret's key in the recipe, and a value of the provider's format (generated per run). */
  key: string;
  value: string;
  /** "METHOD https://host/path" of the recipe's test request. */
  route: string;
  /** Where the provider reads the key. */
  read(req: SimRequest): string | undefined;
  requiredHeaders?: Record<string, RegExp>;
  missingHeaderReply?(name: string): SimReply;
  /** The provider's answer to a wrong key. */
  refuse(): SimReply;
  /** Other values the recipe asks for (a site, an account id, a user name). */
  extra?: Record<string, string>;
  /** What `read` must return for the right key, when it is not the key alone (Basic "user:key"). */
  expected?: string;
  /** The body of the answer to the right key, where the recipe checks it. */
  okBody?: Record<string, unknown>;
}

const rnd = (n: number) => randomBytes(n).toString("hex");
const header = (name: string) => (req: SimRequest) => {
  const v = req.headers[name.toLowerCase()];
  return typeof v === "string" ? v : undefined;
};
const bearer401 =
  (body: unknown = { error: { message: "Invalid API key" } }) =>
  () =>
    json(401, body);
const basicPair = (req: SimRequest) => {
  const b = basicOf(req);
  return b ? `${b.id}:${b.secret}` : undefined;
};
const SID = `AC${rnd(16)}`;
const ZENDESK_USER = "ada@example.com/token";
const EMAIL = "ada@example.com";
const K = {
  mailgun: `key-${rnd(16)}`,
  twilio: rnd(16),
  trello: `ATTA${rnd(24)}`,
  zendesk: rnd(20),
  jira: `ATATT${rnd(20)}`,
  confluence: `ATATT${rnd(20)}`,
  bitbucket: `ATATT${rnd(20)}`,
};

const RULES: KeyRule[] = [
  {
    // "Authorization: Bearer OPENAI_API_KEY"; a wrong key is 401 invalid_api_key.
    recipe: "openai",
    docs: "https://platform.openai.com/docs/api-reference/authentication",
    key: "api_key",
    value: `sk-proj-${rnd(24)}`,
    route: "GET https://api.openai.com/v1/models",
    read: bearerOf,
    refuse: bearer401({ error: { code: "invalid_api_key", type: "invalid_request_error" } }),
  },
  {
    // x-api-key carries the key and anthropic-version is required on every request (api/overview,
    // api/versioning); a wrong key is 401 authentication_error.
    recipe: "anthropic",
    docs: "https://docs.anthropic.com/en/api/overview",
    key: "api_key",
    value: `sk-ant-api03-${rnd(32)}`,
    route: "GET https://api.anthropic.com/v1/models",
    read: header("x-api-key"),
    requiredHeaders: { "anthropic-version": /^\d{4}-\d{2}-\d{2}$/ },
    missingHeaderReply: () =>
      json(400, {
        type: "error",
        error: { type: "invalid_request_error", message: "anthropic-version header is required" },
      }),
    refuse: () =>
      json(401, { type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } }),
  },
  {
    // Bearer secret or restricted key; an invalid key is 401 (api/authentication).
    recipe: "stripe",
    docs: "https://docs.stripe.com/api/authentication",
    key: "secret_key",
    value: `sk_test_${rnd(24)}`,
    route: "GET https://api.stripe.com/v1/balance",
    read: bearerOf,
    refuse: bearer401({ error: { type: "invalid_request_error", message: "Invalid API Key provided" } }),
  },
  {
    // A personal access token in the PRIVATE-TOKEN header; 401 "401 Unauthorized" otherwise.
    recipe: "gitlab",
    docs: "https://docs.gitlab.com/api/rest/authentication/",
    key: "token",
    value: `glpat-${rnd(10)}`,
    route: "GET https://gitlab.com/api/v4/user",
    read: header("PRIVATE-TOKEN"),
    refuse: bearer401({ message: "401 Unauthorized" }),
  },
  {
    // "Authorization: DeepL-Auth-Key <key>"; free keys use api-free.deepl.com; a wrong key is 403.
    recipe: "deepl",
    docs: "https://developers.deepl.com/docs/getting-started/auth",
    key: "auth_key",
    value: `${rnd(16)}:fx`,
    extra: { endpoint: "api-free" },
    route: "GET https://api-free.deepl.com/v2/usage",
    read: (req) => /^DeepL-Auth-Key (.+)$/.exec(req.headers.authorization ?? "")?.[1],
    refuse: () => json(403, { message: "Authorization failed" }),
  },
  {
    // X-Postmark-Server-Token, and "Accept: application/json" is required (api/overview#authentication).
    recipe: "postmark",
    docs: "https://postmarkapp.com/developer/api/overview#authentication",
    key: "server_token",
    value: `${rnd(4)}-${rnd(2)}-${rnd(2)}-${rnd(2)}-${rnd(6)}`,
    route: "GET https://api.postmarkapp.com/server",
    read: header("X-Postmark-Server-Token"),
    requiredHeaders: { Accept: /application\/json/ },
    missingHeaderReply: () => json(406, { ErrorCode: 0, Message: "Accept header must be application/json" }),
    refuse: () =>
      json(401, {
        ErrorCode: 10,
        Message: "The Server Token you provided in the X-Postmark-Server-Token request header was invalid.",
      }),
  },
  {
    // x-goog-api-key; a key that is not valid answers 400 API_KEY_INVALID, not 401 (gemini-api/docs/api-key).
    recipe: "gemini",
    docs: "https://ai.google.dev/gemini-api/docs/api-key",
    key: "api_key",
    value: `AIza${rnd(17)}`,
    route: "GET https://generativelanguage.googleapis.com/v1beta/models",
    read: header("x-goog-api-key"),
    refuse: () =>
      json(400, {
        error: {
          code: 400,
          message: "API key not valid. Please pass a valid API key.",
          status: "INVALID_ARGUMENT",
        },
      }),
  },
  {
    // xi-api-key header (api-reference/authentication).
    recipe: "elevenlabs",
    docs: "https://elevenlabs.io/docs/api-reference/authentication",
    key: "api_key",
    value: `sk_${rnd(24)}`,
    route: "GET https://api.elevenlabs.io/v1/user",
    read: header("xi-api-key"),
    refuse: bearer401({ detail: { status: "invalid_api_key" } }),
  },
  {
    // POST /v1/check-api-key answers {"valid": true|false} (docs.cohere.com/reference/checkapikey; whether a
    // bad key is 200 {"valid": false} or a 401 is uncertain, and the recipe's body check covers both).
    recipe: "cohere",
    docs: "https://docs.cohere.com/reference/checkapikey",
    key: "api_key",
    value: rnd(20),
    route: "POST https://api.cohere.com/v1/check-api-key",
    read: bearerOf,
    okBody: { valid: true, organization_id: "org" },
    refuse: () => json(200, { valid: false }),
  },
  {
    // Api-Key header (reference/api/authentication).
    recipe: "pinecone",
    docs: "https://docs.pinecone.io/reference/api/authentication",
    key: "api_key",
    value: `pcsk_${rnd(20)}`,
    route: "GET https://api.pinecone.io/indexes",
    read: header("Api-Key"),
    refuse: bearer401({ error: { code: "UNAUTHENTICATED", message: "Invalid API Key" } }),
  },
  {
    // api-key header (getting-started); 401 "Key not found".
    recipe: "brevo",
    docs: "https://developers.brevo.com/docs/getting-started",
    key: "api_key",
    value: `xkeysib-${rnd(24)}`,
    route: "GET https://api.brevo.com/v3/account",
    read: header("api-key"),
    refuse: bearer401({ code: "unauthorized", message: "Key not found" }),
  },
  {
    // A personal token in Authorization without a scheme (authentication).
    recipe: "clickup",
    docs: "https://developer.clickup.com/docs/authentication",
    key: "token",
    value: `pk_${rnd(20)}`,
    route: "GET https://api.clickup.com/api/v2/user",
    read: (req) => req.headers.authorization,
    refuse: bearer401({ err: "Token invalid", ECODE: "OAUTH_025" }),
  },
  {
    // HTTP Basic with the user name "api" and the API key as password (api-reference/authentication).
    recipe: "mailgun",
    docs: "https://documentation.mailgun.com/docs/mailgun/api-reference/authentication/",
    key: "api_key",
    value: K.mailgun,
    extra: { username: "api" },
    expected: `api:${K.mailgun}`,
    route: "GET https://api.mailgun.net/v4/domains",
    read: basicPair,
    refuse: () => json(401, { message: "Invalid private key" }),
  },
  {
    // HTTP Basic with the Account SID and the Auth Token; the account URL names the SID (requests-to-twilio).
    recipe: "twilio",
    docs: "https://www.twilio.com/docs/usage/requests-to-twilio",
    key: "auth_token",
    value: K.twilio,
    extra: { account_sid: SID },
    expected: `${SID}:${K.twilio}`,
    route: `GET https://api.twilio.com/2010-04-01/Accounts/${SID}.json`,
    read: basicPair,
    refuse: () => json(401, { code: 20003, message: "Authenticate", status: 401 }),
  },
  {
    // The key and the token as query parameters key= and token= (rest-api/authorization).
    recipe: "trello",
    docs: "https://developer.atlassian.com/cloud/trello/guides/rest-api/authorization/",
    key: "token",
    value: K.trello,
    extra: { api_key: "trello-key" },
    expected: `trello-key:${K.trello}`,
    route: "GET https://api.trello.com/1/members/me",
    read: (req) => `${req.url.searchParams.get("key")}:${req.url.searchParams.get("token")}`,
    refuse: () => ({ status: 401, headers: { "content-type": "text/plain" }, body: "invalid token" }),
  },
  {
    // "{email_address}/token:{api_token}" as HTTP Basic on the account's subdomain (security-and-auth).
    recipe: "zendesk",
    docs: "https://developer.zendesk.com/api-reference/introduction/security-and-auth/",
    key: "api_token",
    value: K.zendesk,
    extra: { subdomain: "acme", email_token: ZENDESK_USER },
    expected: `${ZENDESK_USER}:${K.zendesk}`,
    route: "GET https://acme.zendesk.com/api/v2/users/me",
    read: basicPair,
    refuse: () => json(401, { error: "Couldn't authenticate you" }),
  },
  {
    // "Authorization: Bot <token>" for a bot (reference#authentication).
    recipe: "discord",
    docs: "https://discord.com/developers/docs/reference#authentication",
    key: "bot_token",
    value: `${rnd(12)}.${rnd(3)}.${rnd(14)}`,
    route: "GET https://discord.com/api/v10/users/@me",
    read: (req) => /^Bot (.+)$/.exec(req.headers.authorization ?? "")?.[1],
    // "Clients using the HTTP API must provide a valid User Agent ... DiscordBot ($url, $versionNumber)";
    // others "may be blocked and return a Cloudflare error" (reference#user-agent).
    requiredHeaders: { "User-Agent": /^DiscordBot \(\S+, [^)]+\)/ },
    missingHeaderReply: () => ({ status: 403, headers: { "content-type": "text/html" }, body: "Cloudflare" }),
    refuse: () => json(401, { message: "401: Unauthorized", code: 0 }),
  },
  {
    // Email and API token as HTTP Basic on the site's host (basic-auth-for-rest-apis).
    recipe: "jira",
    docs: "https://developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/",
    key: "api_token",
    value: K.jira,
    extra: { site: "acme", email: EMAIL },
    expected: `${EMAIL}:${K.jira}`,
    route: "GET https://acme.atlassian.net/rest/api/3/myself",
    read: basicPair,
    refuse: () => json(401, { errorMessages: ["Client must be authenticated to access this resource."] }),
  },
  {
    // Email and API token as HTTP Basic on the site's host (basic-auth-for-rest-apis).
    recipe: "confluence",
    docs: "https://developer.atlassian.com/cloud/confluence/basic-auth-for-rest-apis/",
    key: "api_token",
    value: K.confluence,
    extra: { site: "acme", email: EMAIL },
    expected: `${EMAIL}:${K.confluence}`,
    route: "GET https://acme.atlassian.net/wiki/rest/api/user/current",
    read: basicPair,
    refuse: () => json(401, { statusCode: 401, message: "Unauthorized" }),
  },
  {
    // Email and API token as HTTP Basic (rest/intro#authentication).
    recipe: "bitbucket",
    docs: "https://developer.atlassian.com/cloud/bitbucket/rest/intro/#authentication",
    key: "api_token",
    value: K.bitbucket,
    extra: { email: EMAIL },
    expected: `${EMAIL}:${K.bitbucket}`,
    route: "GET https://api.bitbucket.org/2.0/user",
    read: basicPair,
    refuse: () => json(401, { type: "error", error: { message: "Unauthorized" } }),
  },
  {
    // X-Shopify-Access-Token on the shop's host and API version (admin-rest#authentication).
    recipe: "shopify",
    docs: "https://shopify.dev/docs/api/admin-rest#authentication",
    key: "access_token",
    value: `shpat_${rnd(16)}`,
    extra: { shop: "acme" },
    route: "GET https://acme.myshopify.com/admin/api/2026-07/shop.json",
    read: header("X-Shopify-Access-Token"),
    refuse: () =>
      json(401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" }),
  },
  {
    // "Authorization: Token token=<key>" and the versioned Accept header (developer.pagerduty.com
    // docs/authentication, docs/versioning); a wrong key is 401.
    recipe: "pagerduty",
    docs: "https://developer.pagerduty.com/docs/authentication",
    key: "api_key",
    value: `u+${rnd(10)}`,
    route: "GET https://api.pagerduty.com/abilities",
    read: (req) => /^Token token=(.+)$/.exec(req.headers.authorization ?? "")?.[1],
    requiredHeaders: { Accept: /application\/vnd\.pagerduty\+json;version=2/ },
    missingHeaderReply: () => json(406, { error: { message: "Not Acceptable", code: 2000 } }),
    refuse: () => json(401, { error: { message: "Unauthorized", code: 2006 } }),
  },
  ...(
    [
      // Bearer tokens on the recipe's "who am I" request, 401 otherwise; each cites its authentication page.
      [
        "airtable",
        "https://airtable.com/developers/web/api/authentication",
        "token",
        "GET https://api.airtable.com/v0/meta/whoami",
      ],
      [
        "sendgrid",
        "https://www.twilio.com/docs/sendgrid/api-reference/how-to-use-the-sendgrid-v3-api/authentication",
        "api_key",
        "GET https://api.sendgrid.com/v3/scopes",
      ],
      ["mistral", "https://docs.mistral.ai/api/", "api_key", "GET https://api.mistral.ai/v1/models"],
      [
        "groq",
        "https://console.groq.com/docs/api-reference",
        "api_key",
        "GET https://api.groq.com/openai/v1/models",
      ],
      [
        "huggingface",
        "https://huggingface.co/docs/hub/security-tokens",
        "token",
        "GET https://huggingface.co/api/whoami-v2",
      ],
      [
        "vercel",
        "https://vercel.com/docs/rest-api#authentication",
        "token",
        "GET https://api.vercel.com/v2/user",
      ],
      [
        "netlify",
        "https://docs.netlify.com/api/get-started/#authentication",
        "token",
        "GET https://api.netlify.com/api/v1/user",
      ],
      [
        "resend",
        "https://resend.com/docs/api-reference/introduction#authentication",
        "api_key",
        "GET https://api.resend.com/domains",
      ],
      [
        "replicate",
        "https://replicate.com/docs/reference/http",
        "api_token",
        "GET https://api.replicate.com/v1/account",
      ],
      [
        "openrouter",
        "https://openrouter.ai/docs/api-reference/authentication",
        "api_key",
        "GET https://openrouter.ai/api/v1/key",
      ],
      [
        "digitalocean",
        "https://docs.digitalocean.com/reference/api/",
        "token",
        "GET https://api.digitalocean.com/v2/account",
      ],
      [
        "sentry",
        "https://docs.sentry.io/api/auth/",
        "auth_token",
        "GET https://sentry.io/api/0/organizations/",
      ],
      [
        "todoist",
        "https://developer.todoist.com/api/v1/",
        "token",
        "GET https://api.todoist.com/api/v1/user",
      ],
      [
        "asana",
        "https://developers.asana.com/docs/authentication",
        "token",
        "GET https://app.asana.com/api/1.0/users/me",
      ],
      [
        "supabase",
        "https://supabase.com/docs/reference/api/introduction",
        "access_token",
        "GET https://api.supabase.com/v1/projects",
      ],
      [
        "typeform",
        "https://www.typeform.com/developers/get-started/personal-access-token/",
        "token",
        "GET https://api.typeform.com/me",
      ],
      [
        "calendly",
        "https://developer.calendly.com/authentication",
        "token",
        "GET https://api.calendly.com/users/me",
      ],
      [
        "line_messaging",
        "https://developers.line.biz/en/reference/messaging-api/",
        "channel_access_token",
        "GET https://api.line.me/v2/bot/info",
      ],
    ] as const
  ).map(
    ([recipe, docs, key, route]): KeyRule => ({
      recipe,
      docs,
      key,
      value: `key-${rnd(20)}`,
      route,
      read: bearerOf,
      refuse: bearer401(),
    }),
  ),
  // h12-r4: cloud, databases, monitoring, secrets and data APIs.
  {
    // A personal access token as Bearer (linode-api/reference/get-started); an invalid or expired token is
    // 401 (linode-api/reference/401), errors as { errors: [{ reason }] }.
    recipe: "linode",
    docs: "https://techdocs.akamai.com/linode-api/reference/401",
    key: "token",
    value: rnd(32),
    route: "GET https://api.linode.com/v4/profile",
    read: bearerOf,
    refuse: bearer401({ errors: [{ reason: "Invalid Token" }] }),
  },
  {
    // "Authorization: Bearer ${VULTR_API_KEY}" on api.vultr.com/v2 (current-user/rotate-api-key); a key that
    // is not valid is 401.
    recipe: "vultr",
    docs: "https://docs.vultr.com/platform/other/api/current-user/rotate-api-key",
    key: "api_key",
    value: rnd(18).toUpperCase(),
    route: "GET https://api.vultr.com/v2/account",
    read: bearerOf,
    refuse: bearer401({ error: "Invalid API token.", status: 401 }),
  },
  {
    // "Authorization: Bearer $API_TOKEN" (cloud/api/getting-started/generating-api-token); an unknown token is
    // 401 "unable to authenticate" (the error clients report, e.g. PowerShell-HetznerCloud#24).
    recipe: "hetzner_cloud",
    docs: "https://docs.hetzner.com/cloud/api/getting-started/generating-api-token/",
    key: "token",
    value: rnd(32),
    route: "GET https://api.hetzner.cloud/v1/servers",
    read: bearerOf,
    refuse: bearer401({ error: { code: "unauthorized", message: "unable to authenticate" } }),
  },
  {
    // The secret part of the API key in X-Auth-Token, every API under api.scaleway.com/{product}/{version}
    // (developers/api quickstart); a wrong key is 401.
    recipe: "scaleway",
    docs: "https://www.scaleway.com/en/developers/api/",
    key: "secret_key",
    value: `${rnd(4)}-${rnd(2)}-${rnd(2)}-${rnd(2)}-${rnd(6)}`,
    route: "GET https://api.scaleway.com/instance/v1/zones/fr-par-1/servers",
    read: header("X-Auth-Token"),
    refuse: bearer401({ message: "authentication is denied", type: "denied_authentication" }),
  },
  {
    // "Authorization: Bearer $NEON_API_KEY" on console.neon.tech/api/v2 (reference/api/get-started); GET /auth
    // answers for every key type (reference/api/users/get-auth-details).
    recipe: "neon",
    docs: "https://neon.com/docs/reference/api/get-started",
    key: "api_key",
    value: `napi_${rnd(32)}`,
    route: "GET https://console.neon.tech/api/v2/auth",
    read: bearerOf,
    okBody: { account_id: "acc", auth_method: "api_key_user" },
    refuse: bearer401({ code: "", message: "authentication required" }),
  },
  ((value = `${rnd(4)}-${rnd(2)}-${rnd(2)}-${rnd(2)}-${rnd(6)}`): KeyRule => ({
    // HTTP Basic with the account e-mail as user and the API key as password (developer-api/authentication).
    recipe: "upstash",
    docs: "https://upstash.com/docs/devops/developer-api/authentication",
    key: "api_key",
    value,
    extra: { email: EMAIL },
    expected: `${EMAIL}:${value}`,
    route: "GET https://api.upstash.com/v2/redis/databases",
    read: basicPair,
    refuse: () => json(401, { error: "Unauthorized" }),
  }))(),
  ((value = `pscale_tkn_${rnd(20)}`): KeyRule => ({
    // "Authorization: <SERVICE_TOKEN_ID>:<SERVICE_TOKEN>", no scheme (api/reference/service-tokens); a token
    // that does not match is 401.
    recipe: "planetscale",
    docs: "https://planetscale.com/docs/api/reference/service-tokens",
    key: "service_token",
    value,
    extra: { service_token_id: "tok4x2y9z" },
    expected: `tok4x2y9z:${value}`,
    route: "GET https://api.planetscale.com/v1/organizations",
    read: (req) => req.headers.authorization,
    refuse: bearer401({ code: "unauthorized", message: "Unauthorized" }),
  }))(),
  {
    // "Authorization: Bearer TOKEN" on api.turso.tech (api-reference/authentication); GET /v1/auth/validate
    // checks the token (api-reference/tokens/validate).
    recipe: "turso",
    docs: "https://docs.turso.tech/api-reference/authentication",
    key: "api_token",
    value: `eyJ${rnd(24)}.${rnd(24)}.${rnd(24)}`,
    route: "GET https://api.turso.tech/v1/auth/validate",
    read: bearerOf,
    okBody: { exp: -1 },
    refuse: bearer401({ error: "token is invalid" }),
  },
  {
    // "Authorization: GenieKey <key>" on api.opsgenie.com or api.eu.opsgenie.com; GET /v2/account answers the
    // account (docs/account-api); a key that is not known is 401 (v2 error body: message, took, requestId).
    recipe: "opsgenie",
    docs: "https://docs.opsgenie.com/docs/account-api",
    key: "api_key",
    value: `${rnd(4)}-${rnd(2)}-${rnd(2)}-${rnd(2)}-${rnd(6)}`,
    extra: { api_host: "api.eu" },
    route: "GET https://api.eu.opsgenie.com/v2/account",
    read: (req) => /^GenieKey (.+)$/.exec(req.headers.authorization ?? "")?.[1],
    refuse: () => json(401, { message: "Could not authenticate", took: 0.001, requestId: "r" }),
  },
  {
    // Bearer tokens of several kinds (reference-link/api), each with its own prefix
    // (docs/Auth-token-formats); GET /v3/me describes the token in use.
    recipe: "doppler",
    docs: "https://docs.doppler.com/reference-link/api",
    key: "token",
    value: `dp.pt.${rnd(21)}`,
    route: "GET https://api.doppler.com/v3/me",
    read: bearerOf,
    refuse: bearer401({ messages: ["Invalid Auth token"], success: false }),
  },
  {
    // "Authorization: Bearer <YOUR_API_KEY>"; a request without a valid key is 401 with type
    // authentication_error and a list of errors (api-docs.incident.io, "Errors"). GET /v1/identity shows the
    // key's roles (api-reference/utilities-v1/identity).
    recipe: "incident_io",
    docs: "https://api-docs.incident.io",
    key: "api_key",
    value: `inc_${rnd(24)}`,
    route: "GET https://api.incident.io/v1/identity",
    read: bearerOf,
    okBody: { identity: { name: "arcrun", roles: ["viewer"] } },
    refuse: bearer401({
      type: "authentication_error",
      status: 401,
      request_id: "r",
      errors: [{ code: "invalid_authorization_material", message: "Invalid API key" }],
    }),
  },
  {
    // Bearer API key plus the account ID in X-Checkly-Account (docs/api: "using the Bearer auth method in the
    // Authorization header and using the account ID"); a bad key is 401 "Bad Token" (the API reference's 401
    // example, api-reference/triggers/delete-the-check-trigger). What a missing account header answers is not
    // documented; the stand-in refuses it like a bad token.
    recipe: "checkly",
    docs: "https://www.checklyhq.com/docs/api/",
    key: "api_key",
    value: `cu_${rnd(16)}`,
    extra: { account_id: `${rnd(4)}-${rnd(2)}-${rnd(2)}-${rnd(2)}-${rnd(6)}` },
    route: "GET https://api.checklyhq.com/v1/checks",
    read: bearerOf,
    requiredHeaders: { "X-Checkly-Account": /^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/ },
    missingHeaderReply: () =>
      json(401, { statusCode: 401, error: "Unauthorized", message: "Bad Token", attributes: {} }),
    refuse: () => json(401, { statusCode: 401, error: "Unauthorized", message: "Bad Token", attributes: {} }),
  },
  {
    // "Authorization: OAuth <key>", case-sensitive ("It's OAuth and not Oauth") (doers.statuspage.io
    // api/authentication); an unknown key is 401.
    recipe: "statuspage",
    docs: "https://doers.statuspage.io/api/authentication/",
    key: "api_key",
    value: rnd(32),
    route: "GET https://api.statuspage.io/v1/pages",
    read: (req) => /^OAuth (.+)$/.exec(req.headers.authorization ?? "")?.[1],
    refuse: bearer401({ error: "Could not authenticate" }),
  },
  {
    // X-Api-Key header with a project key (docs/api, "Authentication"); a wrong key is 401.
    recipe: "healthchecks_io",
    docs: "https://healthchecks.io/docs/api/",
    key: "api_key",
    value: rnd(16),
    route: "GET https://healthchecks.io/api/v3/checks/",
    read: header("X-Api-Key"),
    refuse: bearer401({ error: "wrong api key" }),
  },
  {
    // The instance's secret key as Bearer on api.clerk.com/v1 (reference/backend/overview); an unknown key is
    // 401 with Clerk's errors[] body.
    recipe: "clerk",
    docs: "https://clerk.com/docs/reference/backend/overview",
    key: "secret_key",
    value: `sk_test_${rnd(20)}`,
    route: "GET https://api.clerk.com/v1/users",
    read: bearerOf,
    refuse: bearer401({ errors: [{ message: "Invalid authentication", code: "authentication_invalid" }] }),
  },
  {
    // API keys (sk_...) as Bearer; "requests made without authentication or using an incorrect key will
    // return a 401 error" (reference/api-authentication).
    recipe: "workos",
    docs: "https://workos.com/docs/reference/api-authentication",
    key: "api_key",
    value: `sk_test_${rnd(20)}`,
    route: "GET https://api.workos.com/organizations",
    read: bearerOf,
    refuse: bearer401({ message: "Unauthorized" }),
  },
  ((value = `secret-test-${rnd(16)}`): KeyRule => ({
    // HTTP Basic with project_id:secret; test environments at test.stytch.com, live at api.stytch.com
    // (workspace-management/api-keys); wrong credentials are 401 unauthorized_credentials.
    recipe: "stytch",
    docs: "https://stytch.com/docs/resources/workspace-management/api-keys",
    key: "secret",
    value,
    extra: { environment: "test", project_id: "project-test-6c5f3d1e-0000-4a4b-9c9d-000000000001" },
    expected: `project-test-6c5f3d1e-0000-4a4b-9c9d-000000000001:${value}`,
    route: "POST https://test.stytch.com/v1/users/search",
    read: basicPair,
    refuse: () =>
      json(401, {
        status_code: 401,
        error_type: "unauthorized_credentials",
        error_message: "Unauthorized credentials.",
      }),
  }))(),
  {
    // The API Read Access Token as Bearer, usable on v3 and v4 (docs/authentication-application); an invalid
    // key is HTTP 401 with status_code 7 (documentation/api/status-codes).
    recipe: "tmdb",
    docs: "https://developer.themoviedb.org/docs/authentication-application",
    key: "read_access_token",
    value: `eyJhbGciOiJIUzI1NiJ9.${rnd(24)}.${rnd(16)}`,
    route: "GET https://api.themoviedb.org/3/authentication",
    read: bearerOf,
    okBody: { success: true, status_code: 1, status_message: "Success." },
    refuse: bearer401({
      success: false,
      status_code: 7,
      status_message: "Invalid API key: You must be granted a valid key.",
    }),
  },
  {
    // The key in the appid query parameter (openweathermap.org/appid); a wrong key is 401 with
    // { cod: 401, message: "Invalid API key. Please see https://openweathermap.org/faq#error401 ..." }.
    recipe: "openweathermap",
    docs: "https://openweathermap.org/faq#error401",
    key: "api_key",
    value: rnd(16),
    route: "GET https://api.openweathermap.org/data/2.5/weather",
    read: (req) =>
      req.url.searchParams.get("q") === "London"
        ? (req.url.searchParams.get("appid") ?? undefined)
        : undefined,
    refuse: bearer401({
      cod: 401,
      message: "Invalid API key. Please see https://openweathermap.org/faq#error401 for more info.",
    }),
  },
  {
    // api_key query parameter on api.nasa.gov (api.nasa.gov, "Authentication"); keys are api.data.gov keys,
    // and api.data.gov answers a key it does not know with 403 API_KEY_INVALID.
    recipe: "nasa",
    docs: "https://api.nasa.gov/",
    key: "api_key",
    value: rnd(20),
    route: "GET https://api.nasa.gov/planetary/apod",
    read: (req) => req.url.searchParams.get("api_key") ?? undefined,
    refuse: () =>
      json(403, {
        error: {
          code: "API_KEY_INVALID",
          message: "An invalid api_key was supplied. Get one at https://api.nasa.gov:443",
        },
      }),
  },
  {
    // access_token query parameter; GET /tokens/v2 retrieves the token and says TokenValid in code
    // (api/accounts/tokens, "Retrieve a token"); a deleted or unknown token is 401 (help/troubleshooting/
    // token-errors).
    recipe: "mapbox",
    docs: "https://docs.mapbox.com/api/accounts/tokens/",
    key: "access_token",
    value: `pk.eyJ1IjoiYWRhIn0.${rnd(12)}`,
    route: "GET https://api.mapbox.com/tokens/v2",
    read: (req) => req.url.searchParams.get("access_token") ?? undefined,
    okBody: { code: "TokenValid", token: { usage: "pk", user: "ada" } },
    refuse: bearer401({ message: "Unauthorized" }),
  },
  {
    // x-cg-pro-api-key header on pro-api.coingecko.com, /ping as the example (reference/authentication, Pro
    // API); a request without a valid key is 401.
    recipe: "coingecko",
    docs: "https://docs.coingecko.com/reference/authentication",
    key: "api_key",
    value: `CG-${rnd(12)}`,
    route: "GET https://pro-api.coingecko.com/api/v3/ping",
    read: header("x-cg-pro-api-key"),
    refuse: bearer401({ status: { error_code: 10002, error_message: "Invalid API Key" } }),
  },
  {
    // X-Vault-Token on the server's /v1 API; GET auth/token/lookup-self describes the calling token
    // (api-docs/auth/token); a token Vault does not know is 403 "permission denied".
    recipe: "hashicorp_vault",
    docs: "https://developer.hashicorp.com/vault/api-docs/auth/token",
    key: "token",
    value: `hvs.${rnd(24)}`,
    extra: { address: "vault.acme.example" },
    route: "GET https://vault.acme.example/v1/auth/token/lookup-self",
    read: header("X-Vault-Token"),
    refuse: () => json(403, { errors: ["permission denied"] }),
  },
  {
    // X-Api-Key header (also apiKey query or Authorization); "If you don't append your API key correctly, or
    // your API key is invalid, you will receive a 401" (docs/authentication), with code apiKeyInvalid.
    recipe: "newsapi",
    docs: "https://newsapi.org/docs/authentication",
    key: "api_key",
    value: rnd(16),
    route: "GET https://newsapi.org/v2/top-headlines/sources",
    read: header("X-Api-Key"),
    refuse: bearer401({
      status: "error",
      code: "apiKeyInvalid",
      message: "Your API key is invalid or incorrect.",
    }),
  },
  {
    // "All Geocoding API requests must include the API key as a parameter" (geocoding/get-api-key); a key
    // Google does not accept is answered 200 with status REQUEST_DENIED ("The provided API key is invalid.",
    // geocoding status codes), so the recipe checks status OK.
    recipe: "google_maps",
    docs: "https://developers.google.com/maps/documentation/geocoding/get-api-key",
    key: "api_key",
    value: `AIza${rnd(17)}`,
    route: "GET https://maps.googleapis.com/maps/api/geocode/json",
    read: (req) => req.url.searchParams.get("key") ?? undefined,
    okBody: { status: "OK", results: [] },
    refuse: () =>
      json(200, { status: "REQUEST_DENIED", error_message: "The provided API key is invalid.", results: [] }),
  },
  {
    // X-Appwrite-Project (required) and X-Appwrite-Key (server API key) on every request (docs/apis/rest,
    // "Headers"); a key that is not the project's is 401. The page does not say what a request without the
    // project header answers, nor the error types: the stand-in refuses it, with Appwrite's message/code/type
    // error shape.
    recipe: "appwrite",
    docs: "https://appwrite.io/docs/apis/rest",
    key: "api_key",
    value: `standard_${rnd(32)}`,
    extra: { region: "fra", project_id: "acme-project" },
    route: "GET https://fra.cloud.appwrite.io/v1/users",
    read: header("X-Appwrite-Key"),
    requiredHeaders: { "X-Appwrite-Project": /^acme-project$/ },
    missingHeaderReply: () =>
      json(404, { message: "Project not found", code: 404, type: "project_not_found" }),
    refuse: bearer401({ message: "Invalid API key", code: 401, type: "user_unauthorized" }),
  },
  {
    // "Authorization: Client-ID YOUR_ACCESS_KEY" for public actions, Accept-Version: v1 (documentation,
    // "Public Actions", "Version"); 401 is "Invalid Access Token" (documentation, "Error messages"), in the
    // documented { errors: [...] } shape (the message text is the stand-in's).
    recipe: "unsplash",
    docs: "https://unsplash.com/documentation#public-actions",
    key: "access_key",
    value: rnd(21),
    route: "GET https://api.unsplash.com/photos",
    read: (req) => /^Client-ID (.+)$/.exec(req.headers.authorization ?? "")?.[1],
    refuse: bearer401({ errors: ["OAuth error: The access token is invalid"] }),
  },
  {
    // The key is the whole Authorization header, no scheme (api/documentation, "Authorization"). The page does
    // not show the answer to a wrong key; the stand-in refuses it with 401.
    recipe: "pexels",
    docs: "https://www.pexels.com/api/documentation/#authorization",
    key: "api_key",
    value: rnd(28),
    route: "GET https://api.pexels.com/v1/curated",
    read: (req) => req.headers.authorization,
    refuse: bearer401({ error: "Unauthorized" }),
  },
  {
    // "pass the key via the apiKey parameter" (identity-and-access-management, plat-using-apikeys); HERE's
    // services answer a key they do not accept with 401 (IAM's 401300 "invalid credentials"); the body text is
    // the stand-in's.
    recipe: "here",
    docs: "https://docs.here.com/identity-and-access-management/docs/plat-using-apikeys",
    key: "api_key",
    value: rnd(21),
    route: "GET https://geocode.search.hereapi.com/v1/geocode",
    read: (req) => req.url.searchParams.get("apiKey") ?? undefined,
    refuse: bearer401({ error: "Unauthorized", error_description: "apiKey invalid. apiKey not found." }),
  },
  {
    // The key in the key query parameter, checked with the world map tile (my-tomtom/api-key-management,
    // "Start using your API key"); TomTom answers a key it does not accept with 403 Forbidden (the body is the
    // stand-in's).
    recipe: "tomtom",
    docs: "https://developer.tomtom.com/platform/documentation/my-tomtom/api-key-management",
    key: "api_key",
    value: rnd(16),
    route: "GET https://api.tomtom.com/map/1/tile/basic/main/0/0/0.png",
    read: (req) => req.url.searchParams.get("key") ?? undefined,
    refuse: () =>
      json(403, {
        detailedError: { code: "Forbidden", message: "You are not allowed to access this endpoint" },
      }),
  },
];

function keyProfile(rule: KeyRule): StaticKeyProfile {
  return {
    kind: "static_key",
    recipe: rule.recipe,
    docs: [rule.docs],
    values: { [rule.key]: rule.value, ...rule.extra },
    // The same key with its last character changed: well-formed, and not the provider's.
    wrongValues: {
      [rule.key]: `${rule.value.slice(0, -1)}${rule.value.endsWith("0") ? "1" : "0"}`,
      ...rule.extra,
    },
    routes: {
      [rule.route]: apiRoute({
        ...(rule.requiredHeaders ? { requiredHeaders: rule.requiredHeaders } : {}),
        ...(rule.missingHeaderReply ? { missingHeaderReply: rule.missingHeaderReply } : {}),
        token: rule.read,
        accepts: (t) => t === (rule.expected ?? rule.value),
        unauthorized: rule.refuse,
        ok: () => json(200, rule.okBody ?? { ok: true }),
      }),
    },
  };
}

export const staticKeyProfiles: StaticKeyProfile[] = RULES.map(keyProfile);

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
  plivo: rnd(20),
  vonage: rnd(8),
  mailjet: rnd(16),
  woocommerce: `cs_${rnd(20)}`,
  jenkins: rnd(17),
  uploadcare: rnd(10),
  sinch: rnd(12),
  razorpay: rnd(12),
};
const PLIVO_ID = `MA${rnd(9).toUpperCase()}`;
const VONAGE_KEY = rnd(4);
const MAILJET_KEY = rnd(16);
const WOO_KEY = `ck_${rnd(20)}`;
const TOGGL_TOKEN = rnd(16);
const UPLOADCARE_PUB = rnd(10);
const SINCH_PROJECT = `${rnd(4)}-${rnd(2)}-${rnd(2)}`;
const SINCH_KEY = `${rnd(4)}-${rnd(2)}`;
const RAZORPAY_ID = `rzp_test_${rnd(7)}`;

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
      // The 401 for a wrong key is from the SDK error-handling guide cited here. The path is the recipe's,
      // not checked against a reference: the multi-provider cookbook calls /v1/models with the API key,
      // while the List Models reference (docs.perplexity.ai/api-reference/gateway-models-get) shows the
      // gateway's /router/v1/models. To verify against the live API.
      [
        "perplexity",
        "https://docs.perplexity.ai/guides/perplexity-sdk-error-handling",
        "api_key",
        "GET https://api.perplexity.ai/v1/models",
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
    // The status is the documented one; the body is the stand-in's own (the page shows none), and the
    // suite checks only that a wrong key is refused, never the body.
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
    // The status is the documented one; the body is the stand-in's own (the page shows none), and the
    // suite checks only that a wrong key is refused, never the body.
    refuse: bearer401({ message: "authentication is denied", type: "denied_authentication" }),
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
    // The status is the documented one; the body is the stand-in's own (the page shows none), and the
    // suite checks only that a wrong key is refused, never the body.
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
    // The status is the documented one; the body is the stand-in's own (the page shows none), and the
    // suite checks only that a wrong key is refused, never the body.
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
    // The status is the documented one; the body is the stand-in's own (the page shows none), and the
    // suite checks only that a wrong key is refused, never the body.
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
  // h12-r3: messaging and marketing.
  {
    // "Authorization: Bearer" on the account's own server; an invalid token is 401 {"error": "The access
    // token is invalid"} (docs.joinmastodon.org/methods/accounts/#verify_credentials, entities/Error).
    recipe: "mastodon",
    docs: "https://docs.joinmastodon.org/methods/accounts/#verify_credentials",
    key: "access_token",
    value: rnd(22),
    extra: { instance: "social.example.org" },
    route: "GET https://social.example.org/api/v1/accounts/verify_credentials",
    read: bearerOf,
    refuse: () => json(401, { error: "The access token is invalid" }),
  },
  {
    // "All requests to Plivo API are authenticated with BasicAuth using your AUTH ID and AUTH TOKEN"; the
    // example reads /v1/Account/{auth_id}/, and 401 is "Authentication failed" (docs/account/api/overview).
    recipe: "plivo",
    docs: "https://www.plivo.com/docs/account/api/overview",
    key: "auth_token",
    value: K.plivo,
    extra: { auth_id: PLIVO_ID },
    expected: `${PLIVO_ID}:${K.plivo}`,
    route: `GET https://api.plivo.com/v1/Account/${PLIVO_ID}/`,
    read: basicPair,
    refuse: () => json(401, { error: "Authentication failed" }),
  },
  {
    // API key and secret as HTTP Basic on rest.nexmo.com/account/get-balance (account/code-snippets/
    // account-balance: curl -u "$VONAGE_API_KEY:$VONAGE_API_SECRET"); a wrong pair is 401.
    recipe: "vonage",
    docs: "https://developer.vonage.com/en/account/code-snippets/account-balance",
    key: "api_secret",
    value: K.vonage,
    extra: { api_key: VONAGE_KEY },
    expected: `${VONAGE_KEY}:${K.vonage}`,
    route: "GET https://rest.nexmo.com/account/get-balance",
    read: basicPair,
    refuse: () => json(401, { title: "Unauthorized" }),
  },
  {
    // Bearer API key on GET /api/v1/api-key: 200 {"success": true, "teamName"}, and "A 401 Unauthorized will
    // be returned if the API key is invalid" with {"success": false, "message": "Invalid API key"}
    // (loops.so/docs/api-reference/api-key).
    recipe: "loops",
    docs: "https://loops.so/docs/api-reference/api-key",
    key: "api_key",
    value: rnd(16),
    route: "GET https://app.loops.so/api/v1/api-key",
    read: bearerOf,
    okBody: { success: true, teamName: "Acme" },
    refuse: () => json(401, { success: false, message: "Invalid API key", error: "Invalid API key" }),
  },
  {
    // The key in the Api-Token header on <account>.api-us1.com, e.g. /api/3/users/me (docs/authentication);
    // 403 is "The request could not be authenticated" (developers.activecampaign.com/reference/errors).
    recipe: "activecampaign",
    docs: "https://developers.activecampaign.com/docs/authentication",
    key: "api_key",
    value: rnd(32),
    extra: { account: "acme" },
    route: "GET https://acme.api-us1.com/api/3/users/me",
    read: header("Api-Token"),
    refuse: () => json(403, { message: "Forbidden" }),
  },
  {
    // "Authorization: Bearer" on https://connect.mailerlite.com/api; JSON requests must send
    // "Accept: application/json" (developers.mailerlite.com/docs, "Getting started", "Authentication");
    // an invalid token is 401 ("Response codes" on the same page).
    recipe: "mailerlite",
    docs: "https://developers.mailerlite.com/docs/#authentication",
    key: "api_token",
    value: `eyJ0${rnd(30)}`,
    route: "GET https://connect.mailerlite.com/api/groups",
    read: bearerOf,
    requiredHeaders: { Accept: /application\/json/ },
    refuse: () => json(401, { message: "Unauthenticated." }),
  },
  {
    // The V4 API key goes in the X-Kit-Api-Key header; GET /v4/account returns the account
    // (developers.kit.com/api-reference/authentication); a wrong key is 401.
    recipe: "kit",
    docs: "https://developers.kit.com/api-reference/authentication",
    key: "api_key",
    value: `kit_${rnd(16)}`,
    route: "GET https://api.kit.com/v4/account",
    read: header("X-Kit-Api-Key"),
    refuse: () => json(401, { errors: ["The API key is invalid"] }),
  },
  {
    // "Authenticate each request by setting the Authorization header with a valid API key. We accept just the
    // API key" (developers.sparkpost.com/api/, "Authentication"); a wrong key is 401.
    recipe: "sparkpost",
    docs: "https://developers.sparkpost.com/api/#header-authentication",
    key: "api_key",
    value: rnd(20),
    route: "GET https://api.sparkpost.com/api/v1/account",
    read: (req) => req.headers.authorization,
    refuse: () => json(401, { errors: [{ message: "Unauthorized." }] }),
  },
  {
    // "All Email API endpoints requests are authenticated using HTTPS Basic Auth ... The username is your API
    // Key and the password is your API Secret Key" (dev.mailjet.com/reference/overview/authentication/).
    recipe: "mailjet",
    docs: "https://dev.mailjet.com/reference/overview/authentication/",
    key: "secret_key",
    value: K.mailjet,
    extra: { api_key: MAILJET_KEY },
    expected: `${MAILJET_KEY}:${K.mailjet}`,
    route: "GET https://api.mailjet.com/v3/REST/myprofile",
    read: basicPair,
    refuse: () => json(401, { ErrorMessage: "API key authentication/authorization failure" }),
  },
  // h12-r3: commerce and finance.
  {
    // Over HTTPS the consumer key and secret are HTTP Basic (developer.woocommerce.com docs/apis/rest-api/
    // authentication); a wrong pair is 401 woocommerce_rest_authentication_error (WC_REST_Authentication,
    // woocommerce.com/wc-apidocs/files/woocommerce-includes-class-wc-rest-authentication.html).
    recipe: "woocommerce",
    docs: "https://developer.woocommerce.com/docs/apis/rest-api/authentication/",
    key: "consumer_secret",
    value: K.woocommerce,
    extra: { site: "shop.example.com", consumer_key: WOO_KEY },
    expected: `${WOO_KEY}:${K.woocommerce}`,
    route: "GET https://shop.example.com/wp-json/wc/v3/system_status",
    read: basicPair,
    refuse: () =>
      json(401, {
        code: "woocommerce_rest_authentication_error",
        message: "Consumer secret is invalid.",
        data: { status: 401 },
      }),
  },
  {
    // "Most of our REST endpoints ... use the X-Auth-Token header" with a store-level API account's access
    // token, and the store hash in the path (developer.bigcommerce.com docs/start/authentication); 401 otherwise.
    recipe: "bigcommerce",
    docs: "https://developer.bigcommerce.com/docs/start/authentication",
    key: "access_token",
    value: rnd(16),
    extra: { store_hash: "abc123" },
    route: "GET https://api.bigcommerce.com/stores/abc123/v2/store",
    read: header("X-Auth-Token"),
    refuse: () => json(401, { status: 401, title: "Unauthorized" }),
  },
  // h12-r3: productivity.
  {
    // "Each API request requires passing in an access token as the Bearer value in your authorization header"
    // (developers.smartsheet.com api/smartsheet/guides/basics/authentication); an invalid token is 401.
    recipe: "smartsheet",
    docs: "https://developers.smartsheet.com/api/smartsheet/guides/basics/authentication",
    key: "access_token",
    value: rnd(18),
    route: "GET https://api.smartsheet.com/2.0/users/me",
    read: bearerOf,
    refuse: () => json(401, { errorCode: 1002, message: "Your Access Token is invalid." }),
  },
  {
    // HTTP Basic with the API token as user and the string "api_token" as password
    // (engineering.toggl.com/docs/authentication); a wrong token is 403.
    recipe: "toggl",
    docs: "https://engineering.toggl.com/docs/authentication",
    key: "api_token",
    value: TOGGL_TOKEN,
    extra: { password: "api_token" },
    expected: `${TOGGL_TOKEN}:api_token`,
    route: "GET https://api.track.toggl.com/api/v9/me",
    read: basicPair,
    refuse: () => ({
      status: 403,
      headers: { "content-type": "text/plain" },
      body: "Incorrect username and/or password",
    }),
  },
  {
    // The API key in the X-Api-Key header; GET /v1/user is the current user (docs.clockify.me,
    // "Authentication"); a wrong key is 401.
    recipe: "clockify",
    docs: "https://docs.clockify.me/#section/Authentication",
    key: "api_key",
    value: rnd(24),
    route: "GET https://api.clockify.me/api/v1/user",
    read: header("X-Api-Key"),
    refuse: () =>
      json(401, { message: "Full authentication is required to access this resource", code: 1000 }),
  },
  {
    // "For historical reasons, Gitea needs the word token included before the API key token in an
    // authorization header" (docs.gitea.com/development/api-usage); GET /api/v1/user is the token's user.
    recipe: "gitea",
    docs: "https://docs.gitea.com/development/api-usage",
    key: "token",
    value: rnd(20),
    extra: { instance: "git.example.org" },
    route: "GET https://git.example.org/api/v1/user",
    read: (req) => /^token (.+)$/.exec(req.headers.authorization ?? "")?.[1],
    refuse: () => json(401, { message: "Unauthorized" }),
  },
  {
    // A permanent token "as the Bearer attribute of the Authorization header" on the instance's own host
    // (youtrack/devportal/authentication-with-permanent-token.html); an invalid token is 401.
    recipe: "youtrack",
    docs: "https://www.jetbrains.com/help/youtrack/devportal/authentication-with-permanent-token.html",
    key: "token",
    value: `perm:${rnd(6)}.${rnd(4)}.${rnd(15)}`,
    extra: { instance: "acme.youtrack.cloud" },
    route: "GET https://acme.youtrack.cloud/api/users/me",
    read: bearerOf,
    refuse: () => json(401, { error: "Unauthorized" }),
  },
  {
    // "use HTTP BASIC authentication to specify the user name and the API token"
    // (jenkins.io/doc/book/system-administration/authenticating-scripted-clients/); a wrong token is 401.
    recipe: "jenkins",
    docs: "https://www.jenkins.io/doc/book/system-administration/authenticating-scripted-clients/",
    key: "api_token",
    value: K.jenkins,
    extra: { instance: "ci.example.org", username: "ada" },
    expected: `ada:${K.jenkins}`,
    route: "GET https://ci.example.org/me/api/json",
    read: basicPair,
    refuse: () => ({
      status: 401,
      headers: { "content-type": "text/html" },
      body: "Invalid password/token for user: ada",
    }),
  },
  {
    // "Authorization: Bearer {token}" on every request (dev.bitly.com, "Authentication"); GET /v4/user is the
    // token's user. A token that is not valid is refused with 403 FORBIDDEN.
    recipe: "bitly",
    docs: "https://dev.bitly.com/docs/getting-started/authentication/",
    key: "access_token",
    value: rnd(20),
    route: "GET https://api-ssl.bitly.com/v4/user",
    read: bearerOf,
    refuse: () =>
      json(403, {
        message: "FORBIDDEN",
      }),
  },
  {
    // The API key in the APIKEY header; GET /user is the key's account (api.jotform.com/docs, "Authentication");
    // a wrong key is 401.
    recipe: "jotform",
    docs: "https://api.jotform.com/docs/#authentication",
    key: "api_key",
    value: rnd(16),
    route: "GET https://api.jotform.com/user",
    read: header("APIKEY"),
    refuse: () =>
      json(401, { responseCode: 401, message: "You're not authorized to use (/user)", content: "" }),
  },
  {
    // A private or draft app's access token as "Authorization: bearer" (api.surveymonkey.com/v3/docs,
    // "Authentication"); GET /v3/users/me is its user; an invalid token is 401.
    recipe: "surveymonkey",
    docs: "https://api.surveymonkey.com/v3/docs#authentication",
    key: "access_token",
    value: rnd(24),
    route: "GET https://api.surveymonkey.com/v3/users/me",
    read: (req) => /^bearer (.+)$/i.exec(req.headers.authorization ?? "")?.[1],
    refuse: () => json(401, { error: { id: "1014", name: "Authorization Error" } }),
  },
  // h12-r3: finance.
  {
    // A personal API token "with Authorization: Bearer token in your API calls" (docs.wise.com guides/developer/
    // auth-and-security); GET /v2/profiles lists the token's profiles; an invalid token is 401.
    recipe: "wise",
    docs: "https://docs.wise.com/guides/developer/auth-and-security/personal-api-token",
    key: "api_token",
    value: `${rnd(4)}-${rnd(2)}-${rnd(2)}-${rnd(2)}-${rnd(6)}`,
    route: "GET https://api.wise.com/v2/profiles",
    read: bearerOf,
    refuse: () => json(401, { error: "invalid_token", error_description: "Invalid token" }),
  },
  {
    // "Call the Mercury API endpoints with the access token using the Bearer Authentication"
    // (docs.mercury.com/docs/using-the-access-token, docs/getting-started); tokens start with secret-token:.
    recipe: "mercury",
    docs: "https://docs.mercury.com/docs/getting-started",
    key: "api_token",
    value: `secret-token:mercury_production_rma_${rnd(16)}`,
    route: "GET https://api.mercury.com/api/v1/accounts",
    read: bearerOf,
    refuse: () => json(401, { errors: { message: "Unauthorized" } }),
  },
  {
    // "Authorization: Bearer {{your user_token}}" (developer.brex.com/docs/authentication); GET /v2/users/me is
    // the token's user (docs/quickstart); an invalid token is 401.
    recipe: "brex",
    docs: "https://developer.brex.com/docs/authentication",
    key: "user_token",
    value: `bxt_${rnd(18)}`,
    route: "GET https://platform.brexapis.com/v2/users/me",
    read: bearerOf,
    refuse: () => json(401, { message: "Unauthorized" }),
  },
  {
    // "Authorization: ShippoToken <key>"; a missing, deleted or expired key is 401 {"detail": "Token does not
    // exist"} (docs.goshippo.com/docs/guides_general/authentication, docs/partner_integration/prereqs).
    recipe: "shippo",
    docs: "https://docs.goshippo.com/docs/guides_general/authentication",
    key: "api_key",
    value: `shippo_test_${rnd(20)}`,
    route: "GET https://api.goshippo.com/addresses",
    read: (req) => /^ShippoToken (.+)$/.exec(req.headers.authorization ?? "")?.[1],
    refuse: () => json(401, { detail: "Token does not exist" }),
  },
  {
    // "pass your Paddle API key using the Authorization header and the Bearer prefix" (api-reference/about/
    // authentication); /event-types "returns data without requiring any entity permissions" and Paddle-Version
    // pins the version (api-reference/about). Paddle answers a token it cannot verify with 403
    // (errors/shared/authentication_malformed, errors/shared/invalid_client_token).
    recipe: "paddle",
    docs: "https://developer.paddle.com/api-reference/about/authentication",
    key: "api_key",
    value: `pdl_sdbx_apikey_${rnd(13)}_${rnd(11)}`,
    route: "GET https://api.paddle.com/event-types",
    read: bearerOf,
    refuse: () =>
      json(403, {
        error: {
          type: "request_error",
          code: "invalid_token",
          detail: "Invalid, revoked or expired API key.",
        },
      }),
  },
  {
    // "Authorization: Bearer dub_xxxxxx" (dub.co/docs/api-reference/introduction, .../authentication); 401 is
    // "The request requires user authentication" (same page, "Response codes").
    recipe: "dub",
    docs: "https://dub.co/docs/api-reference/authentication",
    key: "api_key",
    value: `dub_${rnd(12)}`,
    route: "GET https://api.dub.co/links",
    read: bearerOf,
    refuse: () => json(401, { error: { code: "unauthorized", message: "Unauthorized: Invalid API key." } }),
  },
  {
    // "Pass the token in the Authorization header" as Bearer; GET /v1/oauth-token describes the token
    // (developers.miro.com/reference/use-access-token-for-rest-api-requests); an invalid token is 401.
    recipe: "miro",
    docs: "https://developers.miro.com/reference/use-access-token-for-rest-api-requests",
    key: "access_token",
    value: `eyJtaXJv${rnd(20)}`,
    route: "GET https://api.miro.com/v1/oauth-token",
    read: bearerOf,
    refuse: () => json(401, { status: 401, type: "error" }),
  },
  {
    // "include it in the Authorization header of every request: Authorization: Bearer <your-token>"
    // (developer.productboard.com/reference/api-token, reference/getting-started: GET /v2/notes); 401 otherwise.
    recipe: "productboard",
    docs: "https://developer.productboard.com/reference/api-token",
    key: "access_token",
    value: `eyJ0${rnd(24)}`,
    route: "GET https://api.productboard.com/v2/notes",
    read: bearerOf,
    refuse: () => json(401, { errors: [{ code: "unauthorized", title: "Unauthorized" }] }),
  },
  {
    // "Bearer authentication of the form Bearer <token>" on GET /v2/publications, which lists the publications
    // of the key (developers.beehiiv.com/api-reference/publications/index); 401 otherwise.
    recipe: "beehiiv",
    docs: "https://developers.beehiiv.com/api-reference/publications/index",
    key: "api_key",
    value: rnd(32),
    route: "GET https://api.beehiiv.com/v2/publications",
    read: bearerOf,
    refuse: () => json(401, { errors: [{ status: 401, code: "unauthorized" }] }),
  },
  {
    // "Every request MUST contain the Accept header identifying the REST API version"; with Uploadcare.Simple
    // the auth-param is public_key:secret_key (uploadcare.com/docs/api/rest/authentication, project/info);
    // a wrong key is 401.
    recipe: "uploadcare",
    docs: "https://uploadcare.com/docs/api/rest/authentication/",
    key: "secret_key",
    value: K.uploadcare,
    extra: { public_key: UPLOADCARE_PUB },
    expected: `${UPLOADCARE_PUB}:${K.uploadcare}`,
    route: "GET https://api.uploadcare.com/project/",
    read: (req) => /^Uploadcare\.Simple (.+)$/.exec(req.headers.authorization ?? "")?.[1],
    requiredHeaders: { Accept: /^application\/vnd\.uploadcare-v0\.\d+\+json$/ },
    missingHeaderReply: () => json(406, { detail: "Incorrect Accept header provided." }),
    refuse: () => json(401, { detail: "Incorrect authentication credentials." }),
  },
  {
    // An API key "as a bearer token. Authorization: Bearer tly-xxxx" (developers.tally.so/api-reference/
    // api-keys); GET /users/me answers 401 Unauthorized otherwise (api-reference/endpoint/users/me/get).
    recipe: "tally",
    docs: "https://developers.tally.so/api-reference/api-keys",
    key: "api_key",
    value: `tly-${rnd(16)}`,
    route: "GET https://api.tally.so/users/me",
    read: bearerOf,
    refuse: () => json(401, { message: "Unauthorized" }),
  },
  {
    // "HTTP Basic authentication works on all Sinch REST APIs": the username is the key ID and the password
    // the key secret (developers.sinch.com/docs/numbers/api-reference/authentication/basic); 401 otherwise.
    recipe: "sinch",
    docs: "https://developers.sinch.com/docs/numbers/api-reference/authentication/basic",
    key: "key_secret",
    value: K.sinch,
    extra: { project_id: SINCH_PROJECT, key_id: SINCH_KEY },
    expected: `${SINCH_KEY}:${K.sinch}`,
    route: `GET https://numbers.api.sinch.com/v1/projects/${SINCH_PROJECT}/activeNumbers`,
    read: basicPair,
    refuse: () => json(401, { error: { code: 401, message: "Unauthorized", status: "UNAUTHENTICATED" } }),
  },
  {
    // "Use the token for HTTP bearer authentication by sending the token in the HTTP Authorization header using
    // the Bearer scheme" (docs.sonarsource.com/sonarcloud/managing-your-account/managing-tokens/).
    // api/authentication/validate reports {"valid": ...}; whether a wrong token is 200 {"valid": false} or a 401
    // is not settled by the page, and the recipe's body check refuses both.
    recipe: "sonarcloud",
    docs: "https://docs.sonarsource.com/sonarcloud/managing-your-account/managing-tokens/",
    key: "token",
    value: rnd(20),
    route: "GET https://sonarcloud.io/api/authentication/validate",
    read: bearerOf,
    okBody: { valid: true },
    refuse: () => json(200, { valid: false }),
  },
  {
    // "curl https://api.gumroad.com/v2/user -H 'Authorization: Bearer YOUR_ACCESS_TOKEN'"; every answer says
    // "success": true or false (gumroad.com/api; the same in antiwork/gumroad's API overview). A wrong token is
    // 401 {"success": false}.
    recipe: "gumroad",
    docs: "https://gumroad.com/api",
    key: "access_token",
    value: rnd(21),
    route: "GET https://api.gumroad.com/v2/user",
    read: bearerOf,
    okBody: { success: true, user: { name: "Ada" } },
    refuse: () => json(401, { success: false, message: "The access token is invalid." }),
  },
  {
    // "All requests to the Customer.io App API use an App API Key ... provide your key as a Bearer token in a
    // HTTP Authorization header"; US api.customer.io, EU api-eu.customer.io (docs.customer.io/integrations/api/
    // app/); 401 "Unauthorized - No valid API key provided" (customer.io/docs/api, "Errors").
    recipe: "customer_io",
    docs: "https://docs.customer.io/integrations/api/app/",
    key: "app_api_key",
    value: rnd(16),
    route: "GET https://api.customer.io/v1/segments",
    read: bearerOf,
    refuse: () => json(401, { meta: { error: "Unauthorized request" } }),
  },
  {
    // The GraphQL API authenticates "via a Personal API Key that's associated with your Zenhub account", sent in
    // the Authorization header as a Bearer token (developers.zenhub.com graphql-api-docs/getting-started); a
    // wrong key is 401.
    recipe: "zenhub",
    docs: "https://developers.zenhub.com/graphql-api-docs/getting-started/index.html",
    key: "api_key",
    value: `zh_${rnd(20)}`,
    route: "POST https://api.zenhub.com/public/graphql",
    read: bearerOf,
    okBody: { data: { viewer: { id: "Z2lkOi8v" } } },
    refuse: () => json(401, { errors: [{ message: "Unauthorized" }] }),
  },
  {
    // The application token is the token parameter of every call; GET /1/sounds.json?token=... lists the sounds
    // with "status": 1, and an invalid token is a 4xx with "status": 0 and an errors list (pushover.net/api,
    // "Sounds" and "Response"; the pushoverr client's get_pushover_sounds makes the same call).
    recipe: "pushover",
    docs: "https://pushover.net/api",
    key: "token",
    value: rnd(15),
    route: "GET https://api.pushover.net/1/sounds.json",
    read: (req) => req.url.searchParams.get("token") ?? undefined,
    okBody: { sounds: { pushover: "Pushover (default)" }, status: 1, request: "r1" },
    refuse: () =>
      json(400, { token: "invalid", errors: ["application token is invalid"], status: 0, request: "r2" }),
  },
  {
    // "All Razorpay APIs are authenticated using Basic Auth ... base64 encoded string of YOUR_KEY_ID:YOUR_KEY_SECRET"
    // (razorpay.com/docs/api/authentication); wrong credentials are 401 (docs/api, error lists: "The API
    // credentials passed in the API call differ from the ones generated on the Dashboard").
    recipe: "razorpay",
    docs: "https://razorpay.com/docs/api/authentication",
    key: "key_secret",
    value: K.razorpay,
    extra: { key_id: RAZORPAY_ID },
    expected: `${RAZORPAY_ID}:${K.razorpay}`,
    route: "GET https://api.razorpay.com/v1/payments",
    read: basicPair,
    refuse: () => json(401, { error: { code: "BAD_REQUEST_ERROR", description: "Authentication failed" } }),
  },
  {
    // "Authorization: API-Key {{api_key}}" (developers.pandadoc.com/reference/authentication, auth-overview);
    // a wrong key is 401.
    recipe: "pandadoc",
    docs: "https://developers.pandadoc.com/reference/authentication",
    key: "api_key",
    value: rnd(20),
    route: "GET https://api.pandadoc.com/public/v1/documents",
    read: (req) => /^API-Key (.+)$/.exec(req.headers.authorization ?? "")?.[1],
    refuse: () =>
      json(401, { type: "authentication_error", detail: "Authentication credentials were not provided." }),
  },
  {
    // "Every API request must contain the Authorization header (preferred option) or the access_token parameter"
    // (developers.wrike.com/docs/overview); GET /contacts?me=true is the token's own contact; 401 otherwise.
    recipe: "wrike",
    docs: "https://developers.wrike.com/docs/overview",
    key: "access_token",
    value: `eyJ0dCI6${rnd(20)}`,
    route: "GET https://www.wrike.com/api/v4/contacts",
    read: (req) => (req.url.searchParams.get("me") === "true" ? bearerOf(req) : undefined),
    refuse: () =>
      json(401, { errorDescription: "Access token is unknown or invalid", error: "not_authorized" }),
  },
  {
    // The personal API token in the X-Api-Key header (everhour.docs.apiary.io; the header name also in the
    // Everhour guides of unifyapps.com/docs and nango.dev); GET /users/me is its user; a wrong token is 401.
    recipe: "everhour",
    docs: "https://everhour.docs.apiary.io/",
    key: "api_token",
    value: `${rnd(4)}-${rnd(2)}-${rnd(3)}-${rnd(8)}`,
    route: "GET https://api.everhour.com/users/me",
    read: header("X-Api-Key"),
    refuse: () => json(401, { code: 401, message: "Invalid API key" }),
  },
];

/**
 * Issue 12's catalogue additions (AI, search, data and developer tools). Each entry cites the page its rules
 * come from; where a provider documents only the status of a refusal, the body is the provider's error shape
 * as its API reference shows it.
 */
const DD = { api: rnd(16), app: rnd(20) };
const K_FRESHDESK = rnd(10);
const K_MAILCHIMP = `${rnd(16)}-us19`;
const K_MIXPANEL = rnd(16);
const K_SERVICENOW = rnd(12);
const K_MUX = rnd(30);
const K_CLOUDINARY = rnd(14);
const K_IMAGEKIT = `private_${Buffer.from(randomBytes(18)).toString("base64url")}=`;
const K_EASYPOST = `EZTK${rnd(16)}`;
const K_CRONITOR = rnd(16);
const K_WAKATIME = `waka_${rnd(4)}-${rnd(2)}-${rnd(2)}-${rnd(2)}-${rnd(6)}`;
const K_CLOSE = `api_${rnd(12)}.${rnd(12)}`;
const K_LOB = `test_${rnd(16)}`;
const K_LEMLIST = rnd(16);

const CATALOGUE_RULES: KeyRule[] = [
  {
    // "Authorization: Bearer $TOGETHER_API_KEY" on every request (API reference examples); an OpenAI-style
    // 401 for a key that is not valid.
    recipe: "together",
    docs: "https://docs.together.ai/reference/get-fine-tunes-models-supported",
    key: "api_key",
    value: rnd(32),
    route: "GET https://api.together.ai/v1/models",
    read: bearerOf,
    refuse: bearer401({ error: { message: "Invalid API key provided", type: "invalid_request_error" } }),
  },
  {
    // The Gateway REST API's security scheme is BearerAuth (api-reference/list-accounts); 401 otherwise.
    recipe: "fireworks",
    docs: "https://docs.fireworks.ai/api-reference/list-accounts",
    key: "api_key",
    value: `fw_${rnd(16)}`,
    route: "GET https://api.fireworks.ai/v1/accounts",
    read: bearerOf,
    refuse: bearer401({ error: "unauthorized" }),
  },
  {
    // Bearer auth (api/deepseek-api); "401 - Authentication Fails: wrong API key" (quick_start/error_codes).
    recipe: "deepseek",
    docs: "https://api-docs.deepseek.com/api/list-models",
    key: "api_key",
    value: `sk-${rnd(16)}`,
    route: "GET https://api.deepseek.com/models",
    read: bearerOf,
    refuse: bearer401({ error: { message: "Authentication Fails", type: "authentication_error" } }),
  },
  {
    // "Authorization: Bearer <XAI_API_KEY>"; an incorrect API key is 400 Bad Request, a missing or malformed
    // authorization 401 (docs.x.ai key-information/debugging).
    recipe: "xai",
    docs: "https://docs.x.ai/docs/key-information/debugging",
    key: "api_key",
    value: `xai-${rnd(24)}`,
    route: "GET https://api.x.ai/v1/models",
    read: bearerOf,
    refuse: () =>
      json(400, { code: "Client specified an invalid argument", error: "Incorrect API key provided" }),
  },
  {
    // "Authorization: Token <YOUR_DEEPGRAM_API_KEY>"; /v1/auth/token "will return an invalid credentials error
    // if your key is invalid" (docs/authenticating).
    recipe: "deepgram",
    docs: "https://developers.deepgram.com/docs/authenticating",
    key: "api_key",
    value: rnd(20),
    route: "GET https://api.deepgram.com/v1/auth/token",
    read: (req) => /^Token (.+)$/.exec(req.headers.authorization ?? "")?.[1],
    refuse: bearer401({ err_code: "INVALID_AUTH", err_msg: "Invalid credentials." }),
  },
  {
    // The key itself in Authorization, no scheme; 401 when it is missing or not valid (api-reference/overview).
    recipe: "assemblyai",
    docs: "https://www.assemblyai.com/docs/api-reference/overview",
    key: "api_key",
    value: rnd(16),
    route: "GET https://api.assemblyai.com/v2/transcript",
    read: (req) => req.headers.authorization,
    refuse: bearer401({ error: "Authentication error, API token missing/invalid" }),
  },
  {
    // "Authorization: Bearer CEREBRAS_API_KEY" (api-reference/authentication); 401 wrong_api_key otherwise.
    recipe: "cerebras",
    docs: "https://inference-docs.cerebras.ai/api-reference/authentication",
    key: "api_key",
    value: `csk-${rnd(20)}`,
    route: "GET https://api.cerebras.ai/v1/models",
    read: bearerOf,
    refuse: bearer401({ message: "Wrong API Key", type: "invalid_request_error", code: "wrong_api_key" }),
  },
  {
    // "Authorization: Bearer tvly-YOUR_API_KEY" (api-reference/introduction); GET /usage answers the key's
    // usage (documentation/api-reference/endpoint/usage), 401 for a key that is not valid.
    recipe: "tavily",
    docs: "https://docs.tavily.com/api-reference/introduction",
    key: "api_key",
    value: `tvly-${rnd(16)}`,
    route: "GET https://api.tavily.com/usage",
    read: bearerOf,
    refuse: bearer401({ detail: { error: "Unauthorized: missing or invalid API key." } }),
  },
  {
    // The private key only as the api_key query parameter; the Account API is free (serpapi.com/account-api).
    recipe: "serpapi",
    docs: "https://serpapi.com/account-api",
    key: "api_key",
    value: rnd(32),
    route: "GET https://serpapi.com/account.json",
    read: (req) => req.url.searchParams.get("api_key") ?? undefined,
    refuse: bearer401({
      error: "Invalid API key. Your API key should be here: https://serpapi.com/manage-api-key",
    }),
  },
  {
    // "the token in the request header with the name Circle-Token" (api-developers-guide); 401 otherwise.
    recipe: "circleci",
    docs: "https://circleci.com/docs/guides/toolkit/api-developers-guide",
    key: "token",
    value: `CCIPAT_${rnd(20)}`,
    route: "GET https://circleci.com/api/v2/me",
    read: header("Circle-Token"),
    refuse: bearer401({ message: "You must log in first." }),
  },
  {
    // "Authorization: Bearer $TOKEN" for the REST and GraphQL APIs (docs/apis); GET /v2/access-token
    // describes the token in use (apis/rest-api/access-token); 401 for a token that is not valid.
    recipe: "buildkite",
    docs: "https://buildkite.com/docs/apis",
    key: "token",
    value: `bkua_${rnd(20)}`,
    route: "GET https://api.buildkite.com/v2/access-token",
    read: bearerOf,
    refuse: bearer401({ message: "Authentication required. Please supply a valid API Access Token" }),
  },
  {
    // "Authorization: Bearer" with the API key (render.com/api, "Make your first request"); 401 otherwise.
    recipe: "render",
    docs: "https://render.com/api",
    key: "api_key",
    value: `rnd_${rnd(16)}`,
    route: "GET https://api.render.com/v1/services",
    read: bearerOf,
    refuse: bearer401({ message: "unauthorized" }),
  },
  {
    // "Authorization ... Bearer {token}" (platform-api-quickstart); clients must ask for version 3 in the
    // Accept header (platform-api-reference#clients); a bad token is 401 id "unauthorized".
    recipe: "heroku",
    docs: "https://devcenter.heroku.com/articles/platform-api-reference#clients",
    key: "api_key",
    value: `HRKU-${rnd(16)}`,
    route: "GET https://api.heroku.com/account",
    read: bearerOf,
    requiredHeaders: { Accept: /application\/vnd\.heroku\+json; version=3/ },
    missingHeaderReply: () =>
      json(400, {
        id: "missing_version",
        message: "Please specify a version along with Heroku's API MIME type.",
      }),
    refuse: bearer401({ id: "unauthorized", message: "Invalid credentials provided." }),
  },
  {
    // Personal or service access tokens in Authorization, no scheme (docs/api#authentication); 401 "Invalid
    // access token" (api/other/get-caller-identity).
    recipe: "launchdarkly",
    docs: "https://launchdarkly.com/docs/api/other/get-caller-identity",
    key: "access_token",
    value: `api-${rnd(16)}`,
    route: "GET https://app.launchdarkly.com/api/v2/caller-identity",
    read: (req) => req.headers.authorization,
    refuse: bearer401({ code: "unauthorized", message: "Invalid access token" }),
  },
  {
    // A personal API key as a Bearer token on the region's private host (docs/api); 401 otherwise.
    recipe: "posthog",
    docs: "https://posthog.com/docs/api",
    key: "personal_api_key",
    value: `phx_${rnd(20)}`,
    extra: { region: "eu" },
    route: "GET https://eu.posthog.com/api/users/@me/",
    read: bearerOf,
    refuse: bearer401({
      type: "authentication_error",
      code: "authentication_failed",
      detail: "Personal API key found in request Authorization header is invalid.",
    }),
  },
  {
    // X-Honeycomb-Team; GET /1/auth describes any valid ingest or configuration key (api-docs.honeycomb.io
    // api/auth); 401 otherwise.
    recipe: "honeycomb",
    docs: "https://api-docs.honeycomb.io/api/auth",
    key: "api_key",
    value: `hcaik_${rnd(20)}`,
    route: "GET https://api.honeycomb.io/1/auth",
    read: header("X-Honeycomb-Team"),
    refuse: bearer401({ error: "unknown API key - check your credentials" }),
  },
  {
    // DD-API-KEY and DD-APPLICATION-KEY on the site's API host; /api/v2/validate_keys checks both, "401 or
    // 403 otherwise" (key-management/validate-api-and-application-keys).
    recipe: "datadog",
    docs: "https://docs.datadoghq.com/api/latest/key-management/validate-api-and-application-keys/",
    key: "api_key",
    value: DD.api,
    extra: { site: "datadoghq.eu", app_key: DD.app },
    expected: `${DD.api}:${DD.app}`,
    route: "GET https://api.datadoghq.eu/api/v2/validate_keys",
    read: (req) => `${header("DD-API-KEY")(req)}:${header("DD-APPLICATION-KEY")(req)}`,
    refuse: () => json(403, { errors: ["Forbidden"] }),
  },
  {
    // NerdGraph: POST /graphql with the user key in the API-Key header, not Authorization; a missing or
    // wrong key is 401 (newrelic.com FAQ "Send a NerdGraph Request with curl").
    recipe: "new_relic",
    docs: "https://newrelic.com/info/faq/how-do-i-make-a-new-relic-nerdgraph-api-request-with-curl-show-the-endpoint-and-headers-ebc73f",
    key: "user_key",
    value: `NRAK-${rnd(13)}`,
    route: "POST https://api.newrelic.com/graphql",
    read: header("API-Key"),
    requiredHeaders: { "Content-Type": /application\/json/ },
    refuse: bearer401({ errors: [{ message: "Invalid API key" }] }),
  },
  {
    // "Authorization: Bearer $token"; a token that is not valid answers the AccessTokenInvalid error
    // (references/authentication), 401 on the management API.
    recipe: "contentful",
    docs: "https://contentful.com/developers/docs/references/authentication/",
    key: "token",
    value: `CFPAT-${rnd(20)}`,
    route: "GET https://api.contentful.com/users/me",
    read: bearerOf,
    refuse: bearer401({
      sys: { type: "Error", id: "AccessTokenInvalid" },
      message: "The access token you sent could not be found or is invalid.",
    }),
  },
  {
    // "Authorization: Bearer <token>" on every API request (docs/http-auth); 401 otherwise.
    recipe: "sanity",
    docs: "https://sanity.io/docs/http-auth",
    key: "token",
    value: `sk${rnd(30)}`,
    route: "GET https://api.sanity.io/v2021-06-07/users/me",
    read: bearerOf,
    refuse: bearer401({ statusCode: 401, error: "Unauthorized", message: "Session not found" }),
  },
  {
    // "Authorization: SSWS <key>" on the org's domain (okta-management/guides/overview); an invalid token
    // is 401 E0000011.
    recipe: "okta",
    docs: "https://developer.okta.com/docs/api/openapi/okta-management/guides/overview",
    key: "api_token",
    value: `00${rnd(20)}`,
    extra: { domain: "acme.okta.com" },
    route: "GET https://acme.okta.com/api/v1/users/me",
    read: (req) => /^SSWS (.+)$/.exec(req.headers.authorization ?? "")?.[1],
    refuse: bearer401({ errorCode: "E0000011", errorSummary: "Invalid token provided" }),
  },
  {
    // HTTP Basic with the API key as user name and "X" as password, on the helpdesk's subdomain
    // (developers.freshdesk.com/api/#authentication); 401 invalid_credentials otherwise.
    recipe: "freshdesk",
    docs: "https://developers.freshdesk.com/api/#authentication",
    key: "api_key",
    value: K_FRESHDESK,
    extra: { domain: "acme", password: "X" },
    expected: `${K_FRESHDESK}:X`,
    route: "GET https://acme.freshdesk.com/api/v2/agents/me",
    read: basicPair,
    refuse: bearer401({
      code: "invalid_credentials",
      message: "You have to be logged in to perform this action.",
    }),
  },
  {
    // HTTP Basic with any user name and the API key as password, on the server prefix's host; /ping is the
    // health check (marketing/docs/fundamentals); a bad key is 401 "API Key Invalid".
    recipe: "mailchimp",
    docs: "https://mailchimp.com/developer/marketing/docs/fundamentals/",
    key: "api_key",
    value: K_MAILCHIMP,
    extra: { server_prefix: "us19", username: "anystring" },
    expected: `anystring:${K_MAILCHIMP}`,
    route: "GET https://us19.api.mailchimp.com/3.0/ping",
    read: basicPair,
    refuse: bearer401({
      title: "API Key Invalid",
      status: 401,
      detail: "Your API key may be invalid, or you've attempted to access the wrong datacenter.",
    }),
  },
  {
    // "The API token must be provided in the x-api-token header for all requests" on the company domain
    // (core-api-concepts-authentication); 401 "unauthorized access" otherwise.
    recipe: "pipedrive",
    docs: "https://pipedrive.readme.io/docs/core-api-concepts-authentication",
    key: "api_token",
    value: rnd(20),
    extra: { company_domain: "acme" },
    route: "GET https://acme.pipedrive.com/api/v1/users/me",
    read: header("x-api-token"),
    refuse: bearer401({ success: false, error: "unauthorized access", errorCode: 401 }),
  },
  {
    // Bearer site or workspace token; /v2/token/introspect answers for either, 401 not_authorized otherwise
    // (data/reference/token/introspect).
    recipe: "webflow",
    docs: "https://developers.webflow.com/data/reference/token/introspect",
    key: "token",
    value: rnd(32),
    route: "GET https://api.webflow.com/v2/token/introspect",
    read: bearerOf,
    refuse: bearer401({ code: "not_authorized", message: "Request not authorized" }),
  },
  {
    // "You MUST send the token for each request in the Authorization header ... preceded by Bearer"
    // (dev.frontapp.com/docs/authentication); 401 otherwise.
    recipe: "front",
    docs: "https://dev.frontapp.com/docs/authentication",
    key: "token",
    value: rnd(32),
    route: "GET https://api2.frontapp.com/me",
    read: bearerOf,
    refuse: bearer401({ _error: { status: 401, title: "Unauthorized", message: "Invalid token" } }),
  },
  {
    // "Authorization: Bearer fc-YOUR-API-KEY" on every request (docs.firecrawl.dev/authentication); the
    // credit-usage endpoint is bearerAuth (api-reference/endpoint/credit-usage); 401 otherwise.
    recipe: "firecrawl",
    docs: "https://docs.firecrawl.dev/authentication",
    key: "api_key",
    value: `fc-${rnd(16)}`,
    route: "GET https://api.firecrawl.dev/v2/team/credit-usage",
    read: bearerOf,
    refuse: bearer401({ success: false, error: "Unauthorized: Invalid token" }),
  },
  {
    // The token as "Authorization: Bearer <token>" (or the token query parameter, which the recipe does not
    // use) (platform/integrations/api); 401 token-not-valid otherwise.
    recipe: "apify",
    docs: "https://docs.apify.com/platform/integrations/api",
    key: "token",
    value: `apify_api_${rnd(18)}`,
    route: "GET https://api.apify.com/v2/users/me",
    read: bearerOf,
    refuse: bearer401({ error: { type: "token-not-valid", message: "Authentication token is not valid." } }),
  },
  {
    // x-algolia-application-id and x-algolia-api-key on https://{APPLICATION_ID}.algolia.net (rest-api
    // "Authentication", "Base URLs"); a wrong key is 403 "Invalid Application-ID or API key".
    recipe: "algolia",
    docs: "https://www.algolia.com/doc/rest-api/search",
    key: "api_key",
    value: rnd(16),
    extra: { application_id: "ABCDE12345" },
    route: "GET https://abcde12345.algolia.net/1/indexes",
    read: header("x-algolia-api-key"),
    requiredHeaders: { "x-algolia-application-id": /^ABCDE12345$/ },
    missingHeaderReply: () => json(403, { message: "Invalid Application-ID or API key", status: 403 }),
    refuse: () => json(403, { message: "Invalid Application-ID or API key", status: 403 }),
  },
  {
    // The api-key header on the cluster endpoint, REST on port 6333 (cloud/authentication,
    // cloud/cluster-access); without a key, or with one that is neither key nor JWT, Qdrant's auth answers
    // 401 (qdrant src/common/auth: "Must provide an API key ...", "Invalid API key or JWT").
    recipe: "qdrant",
    docs: "https://qdrant.tech/documentation/cloud/authentication/",
    key: "api_key",
    value: rnd(20),
    extra: { cluster_host: "xyz-example.eu-central.aws.cloud.qdrant.io" },
    route: "GET https://xyz-example.eu-central.aws.cloud.qdrant.io:6333/collections",
    read: header("api-key"),
    refuse: () => ({
      status: 401,
      headers: { "content-type": "text/plain" },
      body: "Invalid API key or JWT",
    }),
  },
  {
    // "Service Account authentication is performed via HTTP Basic Auth" with the service account's user
    // name and secret; the docs' example is GET https://mixpanel.com/api/app/me (reference/service-accounts).
    recipe: "mixpanel",
    docs: "https://developer.mixpanel.com/reference/service-accounts",
    key: "secret",
    value: K_MIXPANEL,
    extra: { username: "robot.abc123.mp-service-account" },
    expected: `robot.abc123.mp-service-account:${K_MIXPANEL}`,
    route: "GET https://mixpanel.com/api/app/me",
    read: basicPair,
    refuse: bearer401({ status: "error", error: "Unauthorized" }),
  },
  {
    // "include the Public API Token ... with the Authorization Header ... Bearer Token" (segment/api/public-api);
    // 401 for a token that is not valid.
    recipe: "segment",
    docs: "https://www.twilio.com/docs/segment/api/public-api",
    key: "token",
    value: `sgp_${rnd(20)}`,
    route: "GET https://api.segmentapis.com/",
    read: bearerOf,
    refuse: bearer401({ errors: [{ type: "unauthorized", message: "Unauthorized" }] }),
  },
  {
    // "Authorization: Bearer $TOKEN" (uptime/api/getting-started-with-uptime-api); 401 otherwise.
    recipe: "betterstack",
    docs: "https://betterstack.com/docs/uptime/api/getting-started-with-uptime-api/",
    key: "token",
    value: rnd(24),
    route: "GET https://uptime.betterstack.com/api/v2/monitors",
    read: bearerOf,
    refuse: bearer401({ errors: "Invalid Team API token. Please ensure you're using the correct token." }),
  },
  {
    // The API key in Authorization (api-reference, "Authentication"); GET /v1/user/account answers 401 for a
    // key that is not valid (v1/user/account responses).
    recipe: "stability",
    docs: "https://platform.stability.ai/docs/api-reference",
    key: "api_key",
    value: `sk-${rnd(24)}`,
    route: "GET https://api.stability.ai/v1/user/account",
    read: bearerOf,
    refuse: bearer401({ id: "unauthorized", name: "unauthorized", message: "invalid API key" }),
  },
  {
    // HTTP Basic with a user's name and password on the instance (ServiceNow staff on the community forum,
    // servicenow.com/community/.../rest-api-format-for-creating-a-session-using-basic); a wrong password is
    // 401 "User Not Authenticated".
    recipe: "servicenow",
    docs: "https://www.servicenow.com/docs/r/platform-security/authentication/api-authentication.html",
    key: "password",
    value: K_SERVICENOW,
    extra: { instance: "acme", username: "integration.user" },
    expected: `integration.user:${K_SERVICENOW}`,
    route: "GET https://acme.service-now.com/api/now/table/sys_user",
    read: basicPair,
    refuse: bearer401({
      error: { message: "User Not Authenticated", detail: "Required to provide Auth information" },
      status: "failure",
    }),
  },
  {
    // v2 takes the API key as "Authorization: Bearer" (api-reference/v2/v1-v2-differences, "Authentication
    // changes"); 401 for a key that is not valid.
    recipe: "cal_com",
    docs: "https://cal.com/docs/api-reference/v2/v1-v2-differences",
    key: "api_key",
    value: `cal_live_${rnd(16)}`,
    route: "GET https://api.cal.com/v2/me",
    read: bearerOf,
    refuse: bearer401({
      status: "error",
      error: { code: "UnauthorizedException", message: "Invalid API Key" },
    }),
  },
  {
    // A personal access token goes in Authorization "without the Bearer keyword" (management/getting-started/
    // authentication); 401 otherwise.
    recipe: "storyblok",
    docs: "https://storyblok.com/docs/api/management/getting-started/authentication",
    key: "token",
    value: `${rnd(12)}-${rnd(8)}`,
    route: "GET https://mapi.storyblok.com/v1/users/me",
    read: (req) => req.headers.authorization,
    refuse: bearer401({ error: "Unauthorized" }),
  },
  {
    // A System User access token as a Bearer token on the Graph API (whatsapp/access-tokens); an invalid
    // token is error code 190, HTTP 401 (whatsapp cloud-api/support/error-codes).
    recipe: "whatsapp_cloud",
    docs: "https://developers.facebook.com/documentation/business-messaging/whatsapp/access-tokens",
    key: "access_token",
    value: `EAA${rnd(30)}`,
    extra: { phone_number_id: "106540352242922", api_version: "v23.0" },
    route: "GET https://graph.facebook.com/v23.0/106540352242922",
    read: bearerOf,
    refuse: bearer401({
      error: {
        message: "Invalid OAuth access token - Cannot parse access token",
        type: "OAuthException",
        code: 190,
      },
    }),
  },
  {
    // "Authorization: Klaviyo-API-Key your-private-api-key" with a revision header; "A 400 error indicates an
    // invalid or missing API key" (developers.klaviyo.com docs/authenticate_).
    recipe: "klaviyo",
    docs: "https://developers.klaviyo.com/en/docs/authenticate_",
    key: "private_key",
    value: `pk_${rnd(17)}`,
    extra: { revision: "2026-10-15" },
    route: "GET https://a.klaviyo.com/api/accounts/",
    read: (req) => /^Klaviyo-API-Key (.+)$/.exec(req.headers.authorization ?? "")?.[1],
    requiredHeaders: { revision: /^\d{4}-\d{2}-\d{2}/ },
    missingHeaderReply: () =>
      json(400, { errors: [{ status: 400, code: "invalid", detail: "revision header missing" }] }),
    refuse: () =>
      json(400, { errors: [{ status: 400, code: "invalid", detail: "Missing or invalid private key." }] }),
  },
  {
    // A Bearer access token; ListLocations answers 401 AUTHENTICATION_ERROR / UNAUTHORIZED for a token that
    // is not valid (build-basics/access-tokens).
    recipe: "square",
    docs: "https://developer.squareup.com/docs/build-basics/access-tokens",
    key: "access_token",
    value: `EAAA${rnd(30)}`,
    route: "GET https://connect.squareup.com/v2/locations",
    read: bearerOf,
    refuse: bearer401({
      errors: [
        {
          category: "AUTHENTICATION_ERROR",
          code: "UNAUTHORIZED",
          detail: "This request could not be authorized.",
        },
      ],
    }),
  },
  {
    // "The Neon API uses API keys and Bearer authentication" on https://console.neon.tech/api/v2/
    // (reference/api/get-started); 401 otherwise.
    recipe: "neon",
    docs: "https://neon.com/docs/reference/api/get-started",
    key: "api_key",
    value: `napi_${rnd(28)}`,
    route: "GET https://console.neon.tech/api/v2/projects",
    read: bearerOf,
    refuse: bearer401({ code: "", message: "authorization failed" }),
  },
  {
    // Doppler's API authenticates with its tokens (reference-link/api, "Authentication") as Bearer tokens,
    // formats per docs/Auth-token-formats; 401 for a token that is not valid.
    recipe: "doppler",
    docs: "https://docs.doppler.com/reference-link/api",
    key: "token",
    value: `dp.pt.${rnd(21)}`,
    route: "GET https://api.doppler.com/v3/me",
    read: bearerOf,
    refuse: bearer401({ messages: ["Invalid Auth Token"], success: false }),
  },
  {
    // Bearer token; GET /account/details answers for user, team and organization tokens (api-docs/account);
    // 401 otherwise.
    recipe: "terraform_cloud",
    docs: "https://developer.hashicorp.com/terraform/cloud-docs/api-docs/account",
    key: "token",
    value: `${rnd(7)}.atlasv1.${rnd(30)}`,
    route: "GET https://app.terraform.io/api/v2/account/details",
    read: bearerOf,
    refuse: bearer401({ errors: [{ status: "401", title: "unauthorized" }] }),
  },
  {
    // "Authorization: Bearer <token>"; /whoami is special-cased so that restricted tokens can call it
    // (coda.io/developers/apis/v1#section/Authentication); 401 otherwise.
    recipe: "coda",
    docs: "https://coda.io/developers/apis/v1#section/Authentication",
    key: "token",
    value: `${rnd(4)}-${rnd(2)}-${rnd(2)}-${rnd(2)}-${rnd(6)}`,
    route: "GET https://coda.io/apis/v1/whoami",
    read: bearerOf,
    refuse: bearer401({ statusCode: 401, statusMessage: "Unauthorized", message: "Unauthorized" }),
  },
  {
    // "Authorization: Bearer YOUR_API_KEY" (api-fundamentals/authentication); GET /v2/balance is the
    // documented first request (first-api-request); 401 "Authentication failed" otherwise.
    recipe: "telnyx",
    docs: "https://developers.telnyx.com/development/api-fundamentals/authentication",
    key: "api_key",
    value: `KEY${rnd(24)}`,
    route: "GET https://api.telnyx.com/v2/balance",
    read: bearerOf,
    refuse: bearer401({ errors: [{ code: "10009", title: "Authentication failed" }] }),
  },
  {
    // "Authorization: Bearer {api_key}" with the JSON:API Accept header (api/users/retrieve-user); 401
    // otherwise.
    recipe: "lemon_squeezy",
    docs: "https://docs.lemonsqueezy.com/api/users/retrieve-user",
    key: "api_key",
    value: `eyJ${rnd(30)}`,
    route: "GET https://api.lemonsqueezy.com/v1/users/me",
    read: bearerOf,
    requiredHeaders: { Accept: /application\/vnd\.api\+json/ },
    refuse: bearer401({
      jsonapi: { version: "1.0" },
      errors: [{ detail: "Unauthenticated.", status: "401", title: "Unauthorized" }],
    }),
  },
  {
    // Bearer token, Harvest-Account-Id, and a User-Agent naming the app and a contact; "If you don't
    // include a User-Agent header, you'll get a 400" (api-v2/introduction/overview/general); 401
    // invalid_token for a token that is not valid.
    recipe: "harvest",
    docs: "https://help.getharvest.com/api-v2/introduction/overview/general/",
    key: "access_token",
    value: `${rnd(6)}.pt.${rnd(20)}`,
    extra: { account_id: "123456", user_agent: "Nightly Report (ops@example.com)" },
    route: "GET https://api.harvestapp.com/v2/users/me",
    read: bearerOf,
    requiredHeaders: { "Harvest-Account-Id": /^123456$/, "User-Agent": /\(.+\)/ },
    missingHeaderReply: (name) =>
      json(400, { error: "bad_request", error_description: `${name} header missing` }),
    refuse: bearer401({
      error: "invalid_token",
      error_description:
        "The access token provided is expired, revoked, malformed or invalid for other reasons.",
    }),
  },
  {
    // "Authorization: token API_TOKEN" on GET /rest/self?version=...; "Otherwise, a 401 Unauthorized response
    // will be returned: { status: 401, code: Unauthorized }" (rest-api/authentication-for-api/authenticating).
    recipe: "snyk",
    docs: "https://docs.snyk.io/snyk-api/rest-api/authentication-for-api/authenticating",
    key: "token",
    value: `${rnd(4)}-${rnd(2)}-${rnd(2)}-${rnd(2)}-${rnd(6)}`,
    route: "GET https://api.snyk.io/rest/self",
    read: (req) => /^token (.+)$/.exec(req.headers.authorization ?? "")?.[1],
    refuse: bearer401({ status: "401", code: "Unauthorized" }),
  },
  {
    // "API requests are authenticated via HTTP Basic Auth, where the username is the Access Token ID, and the
    // password is the Access Token secret key" (docs/core/make-api-requests); 401 otherwise.
    recipe: "mux",
    docs: "https://www.mux.com/docs/core/make-api-requests",
    key: "token_secret",
    value: K_MUX,
    extra: { token_id: "44c819de-4add-4c9f-b2e9-384a0a71bede" },
    expected: `44c819de-4add-4c9f-b2e9-384a0a71bede:${K_MUX}`,
    route: "GET https://api.mux.com/video/v1/assets",
    read: basicPair,
    refuse: bearer401({ error: { type: "unauthorized", messages: ["Unauthorized request"] } }),
  },
  {
    // Basic Authentication with the API key and secret on /v1_1/:cloud_name/:action (admin_api_overview); a
    // failed authentication answers an HTML "401 Authorization Required" page, not JSON
    // (ts_admin_api_authentication_issues).
    recipe: "cloudinary",
    docs: "https://cloudinary.com/documentation/admin_api_overview",
    key: "api_secret",
    value: K_CLOUDINARY,
    extra: { cloud_name: "acme", api_key: "614335564976464" },
    expected: `614335564976464:${K_CLOUDINARY}`,
    route: "GET https://api.cloudinary.com/v1_1/acme/usage",
    read: basicPair,
    refuse: () => ({
      status: 401,
      headers: { "content-type": "text/html" },
      body: "<html><head><title>401 Authorization Required</title></head><body><h1>Authorization Required</h1></body></html>",
    }),
  },
  {
    // "Authentication to the API is performed via HTTP Basic Auth. Provide your private API key as the basic
    // auth username value. You do not need to provide a password." (api-keys; curl -u your_private_api_key:).
    // "We return an error if you don't include your key ... or use an incorrect or outdated one": the 401
    // status is the stand-in's reading of "an error", its body the stand-in's own.
    recipe: "imagekit",
    docs: "https://imagekit.io/docs/api-keys",
    key: "private_key",
    value: K_IMAGEKIT,
    expected: `${K_IMAGEKIT}:`,
    route: "GET https://api.imagekit.io/v1/files",
    read: basicPair,
    refuse: bearer401({ message: "Your account cannot be authenticated." }),
    okBody: { files: [] },
  },
  {
    // "Each request must be authenticated using an API Key, which serves as the Basic Authentication username
    // (no password is required)" (docs/authentication); the 401 status and body are the stand-in's own.
    recipe: "easypost",
    docs: "https://docs.easypost.com/docs/authentication",
    key: "api_key",
    value: K_EASYPOST,
    expected: `${K_EASYPOST}:`,
    route: "GET https://api.easypost.com/v2/addresses",
    read: basicPair,
    refuse: bearer401({ error: { code: "APIKEY.INACTIVE", message: "This api key is no longer active." } }),
  },
  {
    // "Provide your API key as the basic auth username value. You do not need to provide a password."
    // (docs/api, API Authentication; curl -u API_KEY:); "API requests without authentication will also
    // fail": the 401 and its body are the stand-in's own.
    recipe: "cronitor",
    docs: "https://cronitor.io/docs/api",
    key: "api_key",
    value: K_CRONITOR,
    expected: `${K_CRONITOR}:`,
    route: "GET https://cronitor.io/api/monitors",
    read: basicPair,
    refuse: bearer401({ detail: "Invalid API key" }),
  },
  {
    // The secret API key, base64-encoded, is the whole HTTP Basic credential (developers, Authentication:
    // "Authorization: Basic <base64 of your api key>"): no user:password pair, so "key:" is a different
    // credential and refused; "401 - Unauthorized: ... your authentication was invalid" (developers,
    // Introduction). The error body's shape ("Errors will be returned in the key named errors or error")
    // is the page's; its text the stand-in's own.
    recipe: "wakatime",
    docs: "https://wakatime.com/developers",
    key: "api_key",
    value: K_WAKATIME,
    route: "GET https://api.wakatime.com/api/v1/users/current",
    read: (req) => {
      const m = /^Basic (\S+)$/.exec(req.headers.authorization ?? "");
      return m?.[1] ? Buffer.from(m[1], "base64").toString("utf8") : undefined;
    },
    refuse: bearer401({ error: "Unauthorized" }),
    okBody: { data: { id: "u1", username: "ada" } },
  },
  {
    // An account token as "Authorization: Bearer <token>" at https://backboard.railway.com/graphql/v2
    // (reference/public-api: Endpoint, Creating a token). The GraphQL answer to a refused token is HTTP 200
    // with "data": null and an errors array (the GraphQL response format; the message "Not Authorized" is
    // Railway's, its extension code the stand-in's own), so only the body tells it apart.
    recipe: "railway",
    docs: "https://docs.railway.com/reference/public-api",
    key: "token",
    value: `${rnd(4)}-${rnd(2)}-${rnd(2)}-${rnd(2)}-${rnd(6)}`,
    route: "POST https://backboard.railway.com/graphql/v2",
    read: (req) => (/\bme\s*\{/.test(req.body) ? bearerOf(req) : undefined),
    requiredHeaders: { "Content-Type": /application\/json/ },
    refuse: () =>
      json(200, {
        data: null,
        errors: [{ message: "Not Authorized", path: ["me"], extensions: { code: "UNAUTHENTICATED" } }],
      }),
    okBody: { data: { me: { id: "u1" } } },
  },
  {
    // Every API function is GET /query with "Required: apikey" beside function and symbol (documentation,
    // GLOBAL_QUOTE). A key that is not valid answers HTTP 200 with an "Error Message" field (the stand-in
    // answers so; a refused or throttled call carries "Information" instead), never a 401.
    recipe: "alpha_vantage",
    docs: "https://www.alphavantage.co/documentation/",
    key: "api_key",
    value: rnd(8).toUpperCase(),
    route: "GET https://www.alphavantage.co/query",
    read: (req) =>
      req.url.searchParams.get("function") === "GLOBAL_QUOTE" && req.url.searchParams.get("symbol") !== null
        ? (req.url.searchParams.get("apikey") ?? undefined)
        : undefined,
    refuse: () =>
      json(200, {
        "Error Message":
          "the parameter apikey is invalid or missing. Please claim your free API key on (https://www.alphavantage.co/support/#api-key).",
      }),
    okBody: { "Global Quote": { "01. symbol": "IBM", "05. price": "250.00" } },
  },
  {
    // "The API key acts as the username and the password is always empty" (curl -u yourapikey:, GET
    // /api/v1/me/); the 401 and its body are the stand-in's own.
    recipe: "close",
    docs: "https://developer.close.com/api/overview/api-key-authentication",
    key: "api_key",
    value: K_CLOSE,
    expected: `${K_CLOSE}:`,
    route: "GET https://api.close.com/api/v1/me/",
    read: basicPair,
    refuse: bearer401({ error: "The API key is invalid." }),
    okBody: { id: "user_1", email: "ada@example.com" },
  },
  {
    // "use your API key as the username while leaving the password blank ... Base64-encode [API_KEY]:";
    // "Requests not properly authenticated will return a 401 error code" (Lob Help Center, Auth & API keys,
    // https://lob.helpjuice.com/en_US/developer-documentation/authentication-api-keys); the error body is
    // the stand-in's own.
    recipe: "lob",
    docs: "https://help.lob.com/account-management/api-keys",
    key: "api_key",
    value: K_LOB,
    expected: `${K_LOB}:`,
    route: "GET https://api.lob.com/v1/addresses",
    read: basicPair,
    refuse: bearer401({ error: { message: "Your API key is not valid.", status_code: 401 } }),
    okBody: { data: [], object: "list", count: 0 },
  },
  {
    // Every call is a POST of a JSON object that holds the key ("at minimum, you'll need to include a key",
    // transactional-api-conventions); an invalid or revoked key is 401 (release note "Added support for 401
    // Unauthorized response code", https://mailchimp.com/developer/release-notes/added-support-for-401-unauthorized-response-code/),
    // with the documented error shape (status "error", code, name Invalid_Key, message). /users/ping2
    // answers {"PING": "PONG!"} (https://mailchimp.com/developer/transactional/api/users/ping-2).
    recipe: "mailchimp_transactional",
    docs: "https://mailchimp.com/developer/transactional/guides/transactional-api-conventions/",
    key: "api_key",
    value: `md-${Buffer.from(randomBytes(16)).toString("base64url")}`,
    route: "POST https://mandrillapp.com/api/1.0/users/ping2",
    read: (req) => {
      if (!/^application\/json/.test(req.headers["content-type"] ?? "")) return undefined;
      try {
        const body: unknown = JSON.parse(req.body);
        const key = typeof body === "object" && body !== null ? (body as { key?: unknown }).key : undefined;
        return typeof key === "string" ? key : undefined;
      } catch {
        return undefined;
      }
    },
    refuse: bearer401({ status: "error", code: -1, name: "Invalid_Key", message: "Invalid API key" }),
    okBody: { PING: "PONG!" },
  },
  {
    // HTTP Basic with an empty user name and the API key as the password: base64 of ":YourApiKey", "THERE IS
    // A COLON before your API key" (getting-started/authentication), so "KEY:" or the key alone is refused;
    // GET /team (api-reference/endpoints/team/get-team). The 401 and its body are the stand-in's own.
    recipe: "lemlist",
    docs: "https://developer.lemlist.com/api-reference/getting-started/authentication",
    key: "api_key",
    value: K_LEMLIST,
    expected: `:${K_LEMLIST}`,
    route: "GET https://api.lemlist.com/api/team",
    read: (req) => {
      const m = /^Basic (\S+)$/.exec(req.headers.authorization ?? "");
      return m?.[1] ? Buffer.from(m[1], "base64").toString("utf8") : undefined;
    },
    refuse: bearer401({ message: "Invalid API key" }),
    okBody: { _id: "tea_1", name: "Ada's team" },
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

export const staticKeyProfiles: StaticKeyProfile[] = [...RULES, ...CATALOGUE_RULES].map(keyProfile);

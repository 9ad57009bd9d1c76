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
  mux: rnd(20),
  cloudinary: rnd(14),
  uploadcare: rnd(10),
  sinch: rnd(12),
  razorpay: rnd(12),
};
const PLIVO_ID = `MA${rnd(9).toUpperCase()}`;
const VONAGE_KEY = rnd(4);
const MAILJET_KEY = rnd(16);
const WOO_KEY = `ck_${rnd(20)}`;
const TOGGL_TOKEN = rnd(16);
const MUX_ID = `${rnd(4)}-${rnd(2)}-${rnd(2)}`;
const UPLOADCARE_PUB = rnd(10);
const SINCH_PROJECT = `${rnd(4)}-${rnd(2)}-${rnd(2)}`;
const SINCH_KEY = `${rnd(4)}-${rnd(2)}`;
const RAZORPAY_ID = `rzp_test_${rnd(7)}`;
const CLOUDINARY_KEY = String(100000000000000 + randomBytes(4).readUInt32BE(0));

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
    // "Authorization: Klaviyo-API-Key <key>"; the revision header is required on every /api request, and
    // "A 400 error indicates an invalid or missing API key" (en/docs/authenticate_, reference/get_accounts).
    recipe: "klaviyo",
    docs: "https://developers.klaviyo.com/en/docs/authenticate_",
    key: "api_key",
    value: `pk_${rnd(17)}`,
    route: "GET https://a.klaviyo.com/api/accounts",
    read: (req) => /^Klaviyo-API-Key (.+)$/.exec(req.headers.authorization ?? "")?.[1],
    requiredHeaders: { revision: /^\d{4}-\d{2}-\d{2}(\.pre)?$/ },
    missingHeaderReply: () =>
      json(400, { errors: [{ status: 400, code: "invalid", detail: "The revision header is required." }] }),
    refuse: () =>
      json(400, {
        errors: [{ status: 400, code: "not_authenticated", detail: "Missing or invalid private key." }],
      }),
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
  {
    // "Authorization: Bearer {api_key}" with the JSON:API Accept header on GET /v1/users/me
    // (docs.lemonsqueezy.com/api/users/retrieve-user); a wrong key is 401.
    recipe: "lemon_squeezy",
    docs: "https://docs.lemonsqueezy.com/api/users/retrieve-user",
    key: "api_key",
    value: `eyJ0${rnd(30)}`,
    route: "GET https://api.lemonsqueezy.com/v1/users/me",
    read: bearerOf,
    requiredHeaders: { Accept: /application\/vnd\.api\+json/ },
    missingHeaderReply: () => json(406, { errors: [{ status: "406", title: "Not Acceptable" }] }),
    refuse: () => json(401, { errors: [{ status: "401", title: "Unauthorized" }] }),
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
    // Bearer token plus Harvest-Account-Id, and "each request [must] include a User-Agent header with both the
    // name of your application [and] a link to your application or email address"; without it a 400
    // (help.getharvest.com/api-v2/introduction/overview/general/). The page does not give the status of a wrong
    // token; the stand-in answers 401.
    recipe: "harvest",
    docs: "https://help.getharvest.com/api-v2/introduction/overview/general/",
    key: "access_token",
    value: `${rnd(4)}.pt.${rnd(20)}`,
    extra: { account_id: "123456" },
    route: "GET https://api.harvestapp.com/v2/users/me",
    read: (req) => (req.headers["harvest-account-id"] === "123456" ? bearerOf(req) : undefined),
    requiredHeaders: { "User-Agent": /^.+\(.*(https?:\/\/|@).*\)/ },
    missingHeaderReply: () => json(400, { error: "User-Agent header required" }),
    refuse: () => json(401, { error: "invalid_token" }),
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
    // "Authorization: Bearer <token>"; /whoami returns the token's user (coda.io/developers/apis/v1,
    // "Authentication"); an invalid token is 401.
    recipe: "coda",
    docs: "https://coda.io/developers/apis/v1#section/Authentication",
    key: "api_token",
    value: `${rnd(4)}-${rnd(2)}-${rnd(2)}-${rnd(2)}-${rnd(6)}`,
    route: "GET https://coda.io/apis/v1/whoami",
    read: bearerOf,
    refuse: () => json(401, { statusCode: 401, statusMessage: "Unauthorized", message: "Unauthorized" }),
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
    // "provide the API token in an Authorization header" as "token API_TOKEN", e.g. GET /rest/self?version=...;
    // "Otherwise, a 401 Unauthorized response will be returned" (docs.snyk.io snyk-api/rest-api/
    // authentication-for-api/authenticating). REST calls name a version ("API versioning", same docs).
    recipe: "snyk",
    docs: "https://docs.snyk.io/snyk-api/rest-api/authentication-for-api/authenticating",
    key: "token",
    value: `${rnd(4)}-${rnd(2)}-${rnd(2)}-${rnd(2)}-${rnd(6)}`,
    route: "GET https://api.snyk.io/rest/self",
    read: (req) =>
      /^\d{4}-\d{2}-\d{2}/.test(req.url.searchParams.get("version") ?? "")
        ? /^token (.+)$/.exec(req.headers.authorization ?? "")?.[1]
        : undefined,
    refuse: () => json(401, { status: "401", code: "Unauthorized" }),
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
    // "API requests are authenticated via HTTP Basic Auth, where the username is the Access Token ID, and the
    // password is the Access Token secret key" (mux.com/docs/core/make-api-requests); a wrong pair is 401.
    recipe: "mux",
    docs: "https://www.mux.com/docs/core/make-api-requests",
    key: "token_secret",
    value: K.mux,
    extra: { token_id: MUX_ID },
    expected: `${MUX_ID}:${K.mux}`,
    route: "GET https://api.mux.com/video/v1/assets",
    read: basicPair,
    refuse: () => json(401, { error: { type: "unauthorized", messages: ["Unauthorized request"] } }),
  },
  {
    // "Authentication is done using Basic Authentication over secure HTTP. Your Cloudinary API Key and API
    // Secret are used" on https://api.cloudinary.com/v1_1/:cloud_name/:action (documentation/admin_api); a
    // failed authentication answers 401 "Authorization Required" as HTML, not JSON
    // (documentation/ts_admin_api_authentication_issues).
    recipe: "cloudinary",
    docs: "https://cloudinary.com/documentation/admin_api#authentication",
    key: "api_secret",
    value: K.cloudinary,
    extra: { cloud_name: "acme", api_key: CLOUDINARY_KEY },
    expected: `${CLOUDINARY_KEY}:${K.cloudinary}`,
    route: "GET https://api.cloudinary.com/v1_1/acme/usage",
    read: basicPair,
    refuse: () => ({
      status: 401,
      headers: { "content-type": "text/html" },
      body: "<html><head><title>401 Authorization Required</title></head></html>",
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
    // Bearer access token with Square-Version on GET /v2/locations (developer.squareup.com/docs/build-basics/
    // access-tokens, using-rest-api); an unauthorized token is 401 AUTHENTICATION_ERROR / UNAUTHORIZED (the
    // answer quoted on developer.squareup.com/forums/t/authentication-problem-401-authentication-error/18984).
    recipe: "square",
    docs: "https://developer.squareup.com/docs/build-basics/access-tokens",
    key: "access_token",
    value: `EAAA${rnd(30)}`,
    route: "GET https://connect.squareup.com/v2/locations",
    read: bearerOf,
    refuse: () =>
      json(401, {
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
    // "Authorization: Bearer YOUR_API_KEY" (developers.telnyx.com/development/api-fundamentals/authentication);
    // GET /v2/balance is the read-only first check (.../first-api-request); a wrong key is 401.
    recipe: "telnyx",
    docs: "https://developers.telnyx.com/development/api-fundamentals/authentication",
    key: "api_key",
    value: `KEY${rnd(24)}`,
    route: "GET https://api.telnyx.com/v2/balance",
    read: bearerOf,
    refuse: () => json(401, { errors: [{ title: "Authentication failed" }] }),
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

import { en } from "zod/locales";
import * as z from "zod/mini";

/**
 * The recipe schema: the single source of truth for what a recipe may say.
 * Types come from `z.infer`; `recipe.schema.json` is generated from it for editors.
 *
 * Interpolation, in any string that the library sends (inject, base_url, hosts, test path):
 * - `{{secret.KEY}}` a value from `required_secrets`;
 * - `{{runtime.access_token}}`, `{{runtime.token_type}}` the token of an `oauth2` or `service_account` credential;
 * - `{{basic secret.USER secret.PASSWORD}}` base64("user:password") for HTTP Basic.
 * An unknown variable is a load error, never an empty string.
 *
 * Written with zod/mini (functions, not methods): the same schemas, issues and JSON Schema as classic zod,
 * but a bundle keeps only the parts used (dist/loader.js is ~47 KB with it, ~470 KB with classic zod).
 * `.check(z.describe(d))` is classic `.describe(d)`, `z.optional(x)` is `x.optional()`, `z._default(x, v)`
 * is `x.default(v)`, `z.strictObject(shape)` is `z.object(shape).strict()`.
 */

// Classic zod sets the English messages on import; zod/mini leaves "Invalid input" unless told.
z.config(en());

const ID = /^[a-z_][a-z0-9_]*$/;
/** arcrun keeps its own entries in the credential store under arcrun_* names (arcrun-auth's reserved secrets). */
const NOT_RESERVED = /^(?!arcrun_)/;
const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;

const integer = () => z.number().check(z.int());

export const Primitive = z.enum([
  "static_key",
  "oauth2",
  "service_account",
  "aws_sigv4",
  "http_digest",
  "session",
]);

const stringMap = z.record(z.string(), z.string());

/** What `arcrun git-credential` answers for: https://git-scm.com/docs/gitcredentials */
export const GitHelper = z.strictObject({
  hosts: z
    .array(z.string().check(z.minLength(1)))
    .check(z.minLength(1), z.describe("The git hosts (github.com) whose https remotes use this credential.")),
  username: z
    .string()
    .check(
      z.minLength(1),
      z.describe("The username git sends with the token (x-access-token, oauth2, x-token-auth)."),
    ),
  secret: z
    .optional(z.string().check(z.regex(/^[a-z][a-z0-9_]*$/, "a required_secrets key")))
    .check(
      z.describe(
        "The required secret git sends as the password (bitbucket: api_token); default: the credential's token.",
      ),
    ),
});

export const RequiredSecret = z.strictObject({
  key: z
    .string()
    .check(
      z.regex(/^[a-z][a-z0-9_]*$/, "a lower_snake_case key"),
      z.describe("lower_snake_case name: {{secret.KEY}} and ARCRUN_<SERVICE>_<KEY>; unique in the recipe."),
    ),
  label: z.string().check(z.minLength(1), z.describe("The prompt a person sees.")),
  help_url: z.optional(z.url()).check(z.describe("Where to create the value.")),
  description: z.optional(z.string()).check(z.describe("A longer hint shown with the prompt.")),
  env: z
    .optional(z.union([z.string(), z.array(z.string())]))
    .check(
      z.describe(
        "Extra environment variable names read after ARCRUN_<SERVICE>_<KEY>, which wins (e.g. OPENAI_API_KEY).",
      ),
    ),
  sensitive: z
    ._default(z.boolean(), true)
    .check(
      z.describe(
        "false for values that are not secret (a site name, a shop domain, a region): prompted in clear text.",
      ),
    ),
  optional: z._default(z.boolean(), false).check(z.describe("true when the value may be left out.")),
  default: z.optional(z.string()).check(z.describe("The value when none is given; must match pattern.")),
  pattern: z
    .optional(z.string())
    .check(
      z.describe(
        "A regular expression the value must match in full; required (with sensitive: false) for values interpolated into a host.",
      ),
    ),
  format: z
    ._default(z.enum(["string", "json"]), "string")
    .check(
      z.describe(
        "How the value is given: a string, or a JSON document such as a Google service account key.",
      ),
    ),
});

/**
 * The credential as fields of the request body, for providers that read it nowhere else: a form
 * (application/x-www-form-urlencoded) or a JSON object. A request whose body is of another kind is refused.
 */
export const InjectBody = z.strictObject({
  format: z
    .enum(["form", "json"])
    .check(z.describe("form: application/x-www-form-urlencoded; json: a JSON object (top-level fields).")),
  fields: stringMap.check(
    z.describe(
      "Field name to value, e.g. api_key: {{secret.api_key}}; set on every request, replacing the caller's.",
    ),
  ),
});

export const Inject = z.strictObject({
  header: z
    .optional(stringMap)
    .check(z.describe("Header name to value, e.g. Authorization: Bearer {{secret.token}}.")),
  query: z
    .optional(stringMap)
    .check(z.describe("Query parameter name to value (only where the provider requires it).")),
  path_prefix: z
    .optional(z.string())
    .check(z.describe("Prepended to every request path, e.g. /bot{{secret.token}} (Telegram).")),
  body: z
    .optional(InjectBody)
    .check(
      z.describe(
        "Fields added to the body of every request that has one (UptimeRobot: api_key in a form; Plaid: client_id and secret in JSON).",
      ),
    ),
});

export const TestRequest = z.strictObject({
  method: z._default(z.enum(HTTP_METHODS), "GET"),
  path: z
    .string()
    .check(z.minLength(1), z.describe("Relative to base_url, or a full URL on a host listed in hosts.")),
  headers: z.optional(stringMap).check(z.describe("Extra headers for the test request only.")),
  json: z.optional(z.unknown()).check(z.describe("A JSON body, sent with content-type application/json.")),
  form: z
    .optional(stringMap)
    .check(z.describe("A form body, sent with content-type application/x-www-form-urlencoded.")),
  expect_status: z
    ._default(z.union([integer(), z.array(integer())]), 200)
    .check(z.describe("The status (or statuses) that mean the credential works.")),
  expect_json: z
    .optional(
      z.record(
        z.string(),
        z.union([
          z.string(),
          z.number(),
          z.boolean(),
          z.null(),
          z
            .strictObject({ absent: z.literal(true) })
            .check(
              z.describe(
                "The field must not be there (Railway's GraphQL errors array, Alpha Vantage's Error Message).",
              ),
            ),
        ]),
      ),
    )
    .check(
      z.describe(
        "Fields the JSON answer must hold, for providers that answer a bad credential with 200 (Slack auth.test: { ok: true }); a key with dots is a path into nested objects, for GraphQL answers ({ data.viewer.id: ... }); { absent: true } for a field that must be missing ({ errors: { absent: true } }).",
      ),
    ),
});

/**
 * How a provider writes the granted scopes in its token response. Providers do not echo the request
 * verbatim: Microsoft drops `offline_access` and prefixes Graph scopes, GitHub OAuth apps join with commas,
 * GitHub App user tokens answer an empty scope, Google expands `email` to a URL. These rules map the answer
 * back to the requested names so a difference means a real one; it is recorded, never a failed login.
 */
export const ScopeEcho = z.strictObject({
  separator: z
    .optional(z.string().check(z.minLength(1)))
    .check(z.describe('How the response joins scopes, when it differs from scope_separator (GitHub: ",").')),
  never_echoed: z
    ._default(z.array(z.string()), [])
    .check(
      z.describe("Requested scopes the provider never lists in its answer (Microsoft: offline_access)."),
    ),
  prefix: z
    .optional(z.string().check(z.minLength(1)))
    .check(
      z.describe(
        "A resource prefix the answer puts before requested names (Microsoft Graph: https://graph.microsoft.com/).",
      ),
    ),
  aliases: z
    ._default(stringMap, {})
    .check(
      z.describe(
        "Requested name to the name the answer uses (Google: email -> https://www.googleapis.com/auth/userinfo.email).",
      ),
    ),
  empty: z
    ._default(z.enum(["none_granted", "not_reported"]), "none_granted")
    .check(
      z.describe(
        "What an empty scope string means: nothing was granted, or the provider does not report scopes (GitHub App user tokens).",
      ),
    ),
});

/**
 * A value read after login, for base_url and hosts (`{{captured.KEY}}`): from the token response, or from
 * the answer of the recipe's `lookup` request. Its pattern is checked before it is stored, since it may
 * become part of a host.
 */
export const Capture = z.strictObject({
  from: z
    ._default(z.enum(["token", "lookup", "redirect"]), "token")
    .check(
      z.describe(
        "token: the token response (Slack team.id); lookup: the answer of oauth2.lookup; redirect: a query parameter of the authorization redirect, beside code and state (QuickBooks realmId).",
      ),
    ),
  path: z
    .string()
    .check(
      z.regex(
        /^[A-Za-z0-9_]+(=[A-Za-z0-9_]+)?(\.[A-Za-z0-9_]+(=[A-Za-z0-9_]+)?)*$/,
        "a dotted path such as team.id, 0.id or accounts.is_default=true.account_id",
      ),
      z.describe(
        "A dotted path into the JSON answer; a number picks an array element (0.id), key=value the first element whose key is that value (accounts.is_default=true.account_id: Docusign's default account). For from: redirect, the query parameter's name.",
      ),
    ),
  pattern: z
    .string()
    .check(
      z.minLength(1),
      z.describe("A regular expression the value must match in full (it may be put into a host or a path)."),
    ),
  part: z
    ._default(z.enum(["value", "https_host"]), "value")
    .check(
      z.describe(
        "value: the value as it is; https_host: the value is an https URL and its host name is captured (DocuSign's base_uri), checked against pattern and, in base_url, against hosts.",
      ),
    ),
});

export const Lookup = z.strictObject({
  url: z
    .string()
    .check(
      z.describe(
        "An https URL on a host listed in hosts, called with GET and the new token (the oauth2 inject) right after login (Atlassian: https://api.atlassian.com/oauth/token/accessible-resources).",
      ),
    ),
  header: z
    .optional(stringMap)
    .check(
      z.describe(
        "Headers of the lookup instead of the oauth2 inject's, where the provider wants the token otherwise there ({{runtime.access_token}}; Mailchimp's metadata: Authorization: OAuth <token>).",
      ),
    ),
  /**
   * The lookup answers a list (Atlassian: every site the grant reaches): the element whose `match` fields
   * name the user's value `value` (a non-sensitive required_secrets key), else the first when it is unset;
   * captures `from: lookup` then read their paths inside that element. A value naming none is an error
   * that lists the elements.
   */
  choose: z
    .optional(
      z.strictObject({
        value: z
          .string()
          .check(
            z.regex(/^[a-z][a-z0-9_]*$/),
            z.describe(
              "The key of a non-sensitive required_secrets value the user may set to pick an element (Atlassian: site). Unset: the first element.",
            ),
          ),
        match: z
          .array(z.string().check(z.regex(/^[A-Za-z0-9_]+$/)))
          .check(
            z.minLength(1),
            z.describe(
              "Fields of each element the value is compared with (Atlassian: url, name): equal, case aside, or a URL whose host is the value or begins with the value and a dot.",
            ),
          ),
      }),
    )
    .check(
      z.describe(
        "For a lookup that answers a list (Atlassian's accessible sites): which element the captures read, picked by a value the user may set, else the first.",
      ),
    ),
});

export const OAuth2 = z.strictObject({
  grant: z
    ._default(z.enum(["authorization_code", "client_credentials"]), "authorization_code")
    .check(
      z.describe("authorization_code (a person consents in a browser) or client_credentials (no user)."),
    ),
  authorize_url: z
    .optional(z.string())
    .check(z.describe("The authorization endpoint; required for authorization_code.")),
  token_url: z.string().check(z.describe("The token endpoint (code exchange and refresh).")),
  refresh_url: z
    .optional(z.string())
    .check(z.describe("Where a refresh token is redeemed, when it is not token_url (Figma).")),
  revoke_url: z.optional(z.string()).check(z.describe("Called on logout.")),
  refresh_on_status: z
    ._default(z.array(integer().check(z.gte(400), z.lte(499))).check(z.minLength(1)), [401])
    .check(
      z.describe(
        "API statuses that mean the access token is no longer accepted: one refresh and one retry follow (Figma answers an expired token with 403). A 403 with a Bearer insufficient_scope challenge is always step-up, never a refresh.",
      ),
    ),
  /**
   * Absent means `rfc7009`: POST `token=...` (RFC 7009 section 2.1), authenticated and encoded like the token
   * request (`token_auth_method`, `body_format`). `bearer`: POST with the access token as
   * `Authorization: Bearer`, no body (Slack auth.revoke, Dropbox, Linear, LINE Notify).
   */
  revoke_style: z
    .optional(z.enum(["rfc7009", "bearer"]))
    .check(
      z.describe(
        "How revoke_url is called. rfc7009 (when absent): POST token=..., client authentication and body format as for the token request. bearer: POST with the access token as Authorization: Bearer, no body.",
      ),
    ),
  revoke_auth_method: z
    .optional(z.enum(["client_secret_basic", "client_secret_post"]))
    .check(
      z.describe(
        "How the client authenticates at revoke_url (rfc7009 style) when the provider wants it otherwise than at the token endpoint (Calendly: Basic for tokens, the client in the form body for revocation).",
      ),
    ),
  /**
   * Which token logout sends to an rfc7009 revoke_url. Absent means `refresh`: the refresh token where there
   * is one (RFC 7009 section 2.1: the server then ends the grant's access tokens too), else the access token.
   * `access`: endpoints that take access tokens only (Twitch, Trakt); `both`: the access token, then the
   * refresh token.
   */
  revoke_token: z
    .optional(z.enum(["refresh", "access", "both"]))
    .check(
      z.describe(
        "Which token logout revokes at an rfc7009 revoke_url. refresh (when absent): the refresh token where there is one, else the access token. access: the access token only, for endpoints that take nothing else (Twitch, Trakt). both: the access token, then the refresh token.",
      ),
    ),
  device_url: z
    .optional(z.string())
    .check(z.describe("RFC 8628 device authorization endpoint, where the provider has one.")),
  device_headless: z
    ._default(z.boolean(), true)
    .check(
      z.describe(
        "Whether a sign-in without a browser picks the device flow by itself; false where the provider allows it only for some client types or scopes (Google: TVs and Limited Input clients), so paste-back is used and --device stays available.",
      ),
    ),
  userinfo_url: z.optional(z.string()).check(z.describe("OpenID Connect userinfo endpoint.")),
  scopes: z
    ._default(z.array(z.string()), [])
    .check(z.describe("Requested unless the caller asks for others.")),
  scope_separator: z
    ._default(z.string(), " ")
    .check(z.describe('How scopes are joined: " " (RFC 6749) or "," for some providers.')),
  scope_param: z
    ._default(z.string().check(z.regex(/^[a-z_]+$/)), "scope")
    .check(
      z.describe(
        "The authorization parameter that carries the scopes: scope (RFC 6749), or user_scope for Slack user tokens (whose token is then at access_token_path authed_user.access_token).",
      ),
    ),
  scope_echo: z
    .optional(ScopeEcho)
    .check(
      z.describe(
        "How the token response's scope differs from the request (RFC 6749 section 3.3 lets a provider answer other names). A difference is recorded, never a failed login.",
      ),
    ),
  token_auth_method: z
    ._default(z.enum(["client_secret_basic", "client_secret_post", "none"]), "client_secret_post")
    .check(z.describe("How the client authenticates at the token endpoint.")),
  client_secret: z
    ._default(z.enum(["required", "optional"]), "optional")
    .check(
      z.describe(
        "optional: a client id alone is a public client (token_auth_method none, RFC 8252 section 8.4); required: the provider always wants the secret.",
      ),
    ),
  body_format: z
    ._default(z.enum(["form", "json"]), "form")
    .check(z.describe("The token request body: form (RFC 6749) or json where the provider wants JSON.")),
  authorization_params: z
    ._default(stringMap, {})
    .check(z.describe("Extra authorization request parameters, e.g. access_type: offline.")),
  token_headers: z
    ._default(stringMap, {})
    .check(
      z.describe(
        "Extra headers on token, refresh and revoke requests (Notion-Version, Reddit's descriptive User-Agent).",
      ),
    ),
  reauth_errors: z
    ._default(z.array(z.string().check(z.minLength(1))), [])
    .check(
      z.describe(
        "Token endpoint error codes that mean the grant is dead and a person must sign in again, besides invalid_grant (GitHub: bad_refresh_token).",
      ),
    ),
  token_params: z._default(stringMap, {}).check(z.describe("Extra parameters of the code exchange.")),
  refresh_params: z._default(stringMap, {}).check(z.describe("Extra parameters of a refresh.")),
  pkce: z
    ._default(z.enum(["S256", "none"]), "S256")
    .check(z.describe("RFC 7636 PKCE; none where the provider rejects it or documents none.")),
  client: z
    ._default(z.enum(["broker", "byo"]), "byo")
    .check(
      z.describe(
        "Where the OAuth app lives: the arcrun broker's shared app, or your own (config.yaml or env).",
      ),
    ),
  redirect: z
    .optional(
      z.strictObject({
        host: z._default(z.enum(["127.0.0.1", "localhost", "[::1]"]), "127.0.0.1"),
        port: z.optional(integer().check(z.gte(1), z.lte(65535))),
        path: z._default(z.string().check(z.startsWith("/")), "/callback"),
      }),
    )
    .check(
      z.describe(
        "For providers that match a pre-registered redirect URI; otherwise an ephemeral loopback port.",
      ),
    ),
  base_url_from: z
    .optional(z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/)))
    .check(
      z.describe(
        "A field of the token response holding the API's https origin for this account (Salesforce: instance_url); it replaces base_url's origin, and its host must still be allowed by hosts.",
      ),
    ),
  app_type: z
    .optional(z.string().check(z.minLength(1)))
    .check(
      z.describe(
        "The kind of app to create in the provider's console, in its own words (Google Cloud: Desktop app); shown by docs/providers.md and arcrun setup.",
      ),
    ),
  enable_apis: z
    ._default(z.array(z.string().check(z.minLength(1))), [])
    .check(
      z.describe(
        "APIs to enable for the app in the provider's console (Google Cloud: Gmail API); shown with the registration steps.",
      ),
    ),
  capture: z
    ._default(
      z.record(z.string().check(z.regex(/^[a-z][a-z0-9_]*$/, "a lower_snake_case name")), Capture),
      {},
    )
    .check(
      z.describe(
        "Values read after login ({{captured.NAME}} in base_url, oauth2.base_url and hosts): Slack's team from the token response, Atlassian's cloud id from a lookup.",
      ),
    ),
  lookup: z
    .optional(Lookup)
    .check(z.describe("A request made right after login, for captures with from: lookup.")),
  base_url: z
    .optional(z.string())
    .check(
      z.describe(
        "Replaces the top-level base_url when this primitive is used (Jira over 3LO: https://api.atlassian.com/ex/jira/{{captured.cloud_id}}/rest/api/3).",
      ),
    ),
  hosts: z
    .optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1)))
    .check(z.describe("Replaces the top-level hosts when this primitive is used.")),
  https_redirect_only: z
    .optional(z.string().check(z.minLength(1)))
    .check(
      z.describe(
        "Set (to the page that says so) when the provider accepts only https redirect URLs: a loopback sign-in with your own app cannot work, and setup says what to use instead.",
      ),
    ),
  access_token_path: z
    .optional(z.string())
    .check(z.describe("Dotted path to the access token in the token response when it is not access_token.")),
  inject: z.optional(Inject).check(z.describe("Replaces the top-level inject when this primitive is used.")),
});

export const ServiceAccount = z.strictObject({
  kind: z
    .enum(["google_jwt", "jwt_bearer"])
    .check(
      z.describe(
        "google_jwt: Google's JSON key file; jwt_bearer: RFC 7523 with a PEM key and client id from secrets.",
      ),
    ),
  token_url: z.string().check(z.describe("Where the signed JWT is exchanged for an access token.")),
  scopes: z._default(z.array(z.string()), []),
  scope_separator: z._default(z.string(), " "),
  audience: z.optional(z.string()).check(z.describe("The JWT aud; the token URL when absent.")),
  key_secret: z
    ._default(z.string(), "key_json")
    .check(z.describe("The secret that holds the key (a JSON key file for google_jwt).")),
  subject: z
    .optional(z.string())
    .check(
      z.describe(
        "The JWT sub: the user to act as (domain-wide delegation), usually {{secret.subject}}. Absent: the service account acts as itself.",
      ),
    ),
  inject: z.optional(Inject).check(z.describe("Replaces the top-level inject when this primitive is used.")),
});

export const AwsSigV4 = z.strictObject({
  service: z
    .string()
    .check(z.minLength(1), z.describe("The AWS service name in the signature scope, e.g. s3.")),
  region: z
    .string()
    .check(z.minLength(1), z.describe("A region name or an interpolation such as {{secret.region}}.")),
});

/**
 * HTTP Digest access authentication (RFC 7616): the first request is answered 401 with a challenge, and
 * the answer to it is computed from the user name, the password and the server's nonce (MongoDB Atlas
 * API keys). The password never goes on the wire.
 */
export const HttpDigest = z.strictObject({
  username: z
    .string()
    .check(
      z.minLength(1),
      z.describe("The user name, usually {{secret.KEY}} (MongoDB Atlas: the public key)."),
    ),
  password: z
    .string()
    .check(
      z.minLength(1),
      z.describe("The password, usually {{secret.KEY}} (MongoDB Atlas: the private key)."),
    ),
  algorithms: z
    ._default(z.array(z.enum(["SHA-256", "SHA-256-sess", "MD5", "MD5-sess"])).check(z.minLength(1)), [
      "SHA-256",
      "MD5",
    ])
    .check(
      z.describe(
        "The algorithms arcrun answers with, in order of preference, among those the server offers (RFC 7616 section 3.7: the client picks the first it supports).",
      ),
    ),
});

/** One request of a session exchange: rendered with the recipe's secrets ({{secret.KEY}}). */
export const SessionRequest = z.strictObject({
  url: z.string().check(z.describe("An https URL on a host listed in hosts.")),
  method: z._default(z.enum(["POST", "GET"]), "POST"),
  headers: z
    .optional(stringMap)
    .check(z.describe('Headers, e.g. Authorization: "Basic {{basic secret.user secret.password}}".')),
  json: z
    .optional(stringMap)
    .check(z.describe("A JSON body of string fields, e.g. { identifier: '{{secret.handle}}' }.")),
});

/** A dotted path into a JSON answer (Bluesky: accessJwt; Supabase Auth: error_code). */
const dottedPath = () => z.string().check(z.regex(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/));

/** A request of a session made with one of its tokens (a refresh, a logout), always a POST. */
const SessionTokenRequest = z.strictObject({
  url: z.string().check(z.describe("An https URL on a host listed in hosts, called with POST.")),
  bearer: z
    ._default(z.enum(["refresh_token", "access_token", "none"]), "refresh_token")
    .check(
      z.describe(
        "Which token goes in Authorization: Bearer (AT Protocol: the refresh token; none: the token goes in the body, json_field).",
      ),
    ),
  headers: z
    .optional(stringMap)
    .check(z.describe("More headers, with {{secret.KEY}} (Supabase: apikey: '{{secret.publishable_key}}').")),
  json_field: z
    .optional(z.string().check(z.regex(/^[A-Za-z0-9_]+$/)))
    .check(
      z.describe(
        "A JSON body { <json_field>: <the refresh token> } (Supabase Auth's refresh_token grant: refresh_token).",
      ),
    ),
});

/**
 * A session login (a "log in with a key or password, get a session token" API, such as Bluesky's app
 * passwords): the login request gives an access token (and often a refresh token), which goes on each
 * request like an OAuth token; it is kept and refreshed like one, and when the refresh token is dead the
 * login is made again with the same values.
 */
export const Session = z.strictObject({
  login: SessionRequest.check(z.describe("The request that exchanges the secrets for a session.")),
  refresh: z
    .optional(SessionTokenRequest)
    .check(z.describe("Where a session is renewed; without it a new login is made when the token is due.")),
  logout: z
    .optional(SessionTokenRequest)
    .check(z.describe("Where `arcrun logout` ends the session at the provider.")),
  token_path: z
    ._default(dottedPath(), "access_token")
    .check(
      z.describe("Dotted path to the access token in the login and refresh answers (Bluesky: accessJwt)."),
    ),
  refresh_token_path: z
    .optional(dottedPath())
    .check(z.describe("Dotted path to the refresh token in the answers (Bluesky: refreshJwt).")),
  expires_in_path: z
    .optional(dottedPath())
    .check(z.describe("Dotted path to the token's lifetime in seconds, when the answer gives one.")),
  expiry_from_jwt: z
    ._default(z.boolean(), false)
    .check(
      z.describe(
        "true when the access token is a JWT whose exp claim says when it expires (read without verifying, only to refresh ahead of time).",
      ),
    ),
  error_path: z
    ._default(dottedPath(), "error")
    .check(
      z.describe(
        "Dotted path to the error code of a refused answer, matched against relogin_errors (AT Protocol: error; Supabase Auth: error_code).",
      ),
    ),
  relogin_errors: z
    ._default(z.array(z.string().check(z.minLength(1))), [])
    .check(
      z.describe(
        "The error codes (the answer's JSON error field) of a refresh that mean the refresh token is dead, so the login is made again (Bluesky: ExpiredToken, InvalidToken).",
      ),
    ),
  refresh_on_status: z
    ._default(z.array(integer().check(z.gte(400), z.lte(499))).check(z.minLength(1)), [401])
    .check(
      z.describe(
        "API statuses that mean the session token is no longer accepted: one renewal and one retry follow (AT Protocol answers an expired access token with 400 ExpiredToken).",
      ),
    ),
  inject: z
    .optional(Inject)
    .check(
      z.describe("Replaces the top-level inject: usually Authorization: Bearer {{runtime.access_token}}."),
    ),
});

const recipeShape = {
  $schema: z.optional(z.string()),
  id: z
    .string()
    .check(
      z.regex(ID, "a lower_snake_case id"),
      z.regex(
        NOT_RESERVED,
        'ids starting with "arcrun_" are reserved for arcrun\'s own credential store entries (such as arcrun_executor/<host>); rename the recipe (and its file)',
      ),
      z.describe(
        'lower_snake_case, equal to the file name; ids starting with _ are abstract bases; ids starting with "arcrun_" are reserved.',
      ),
    ),
  extends: z
    .optional(z.string().check(z.regex(ID, "a lower_snake_case id")))
    .check(z.describe("A recipe or base to start from: objects merge key by key, arrays replace.")),
  display_name: z.string().check(z.minLength(1)),
  description: z.optional(z.string()),
  docs_url: z.url().check(z.describe("The provider's documentation of authentication.")),
  categories: z._default(z.array(z.string()), []),
  primitive: Primitive.check(
    z.describe(
      "The default way to authenticate; another block present (oauth2, service_account) is an alternative chosen with { via }.",
    ),
  ),
  base_url: z
    .string()
    .check(z.describe("Relative request paths are appended to it; its host must be in hosts.")),
  hosts: z
    .array(z.string().check(z.minLength(1)))
    .check(
      z.minLength(1),
      z.describe("The only hosts a bound client may send credentials to; *.example.com matches subdomains."),
    ),
  required_secrets: z
    ._default(z.array(RequiredSecret), [])
    .check(z.describe("The values a person provides.")),
  inject: z.optional(Inject).check(z.describe("How the credential goes on each request.")),
  secret_in_url: z
    .optional(z.literal("required"))
    .check(
      z.describe(
        "required: the provider takes a secret only in the URL path or query (Telegram's /bot<token>/), so validation does not warn that URLs end up in logs and proxies.",
      ),
    ),
  oauth2: z.optional(OAuth2),
  service_account: z.optional(ServiceAccount),
  aws_sigv4: z.optional(AwsSigV4),
  http_digest: z.optional(HttpDigest),
  session: z.optional(Session),
  test: z
    .optional(TestRequest)
    .check(z.describe('The cheapest request that proves the credential works ("who am I").')),
  env_base_url: z
    .optional(
      z.record(
        z.string().check(z.regex(/^[A-Z_][A-Z0-9_]*$/, "an environment variable name")),
        z.string().check(z.regex(/^\//, "a path starting with /")),
      ),
    )
    .check(
      z.describe(
        "Environment variables the service's SDKs read their base URL from, each with the path on the API host it stands for ({ OPENAI_BASE_URL: /v1 }); `arcrun run --proxy` points them at the local proxy.",
      ),
    ),
  env_token: z
    .optional(z.union([z.string(), z.array(z.string())]))
    .check(
      z.describe(
        "Environment variables that receive an OAuth or service-account access token in `arcrun run` (static keys use required_secrets[].env).",
      ),
    ),
  git: z.optional(GitHelper),
};

/** A complete recipe, after `extends` is resolved. */
export const RecipeSchema = z.strictObject(recipeShape);

/**
 * What a file may hold before `extends` is resolved: every key optional but `id` (blocks too, since a file
 * may set one key of its base's `oauth2`), unknown keys refused. The merged result is checked by RecipeSchema.
 */
export const RecipeFileSchema = z.strictObject({
  ...Object.fromEntries(Object.entries(recipeShape).map(([k, v]) => [k, z.optional(v)])),
  id: recipeShape.id,
  oauth2: z.optional(z.partial(OAuth2)),
  service_account: z.optional(z.partial(ServiceAccount)),
  aws_sigv4: z.optional(z.partial(AwsSigV4)),
  http_digest: z.optional(z.partial(HttpDigest)),
  session: z.optional(z.partial(Session)),
  test: z.optional(z.partial(TestRequest)),
});

export type RecipeFile = z.input<typeof RecipeFileSchema>;

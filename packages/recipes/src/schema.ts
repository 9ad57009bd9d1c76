import { z } from "zod";

/**
 * The recipe schema: the single source of truth for what a recipe may say.
 * Types come from `z.infer`; `recipe.schema.json` is generated from it for editors.
 *
 * Interpolation, in any string that the library sends (inject, base_url, hosts, test path):
 * - `{{secret.KEY}}` a value from `required_secrets`;
 * - `{{runtime.access_token}}`, `{{runtime.token_type}}` the token of an `oauth2` or `service_account` credential;
 * - `{{basic secret.USER secret.PASSWORD}}` base64("user:password") for HTTP Basic.
 * An unknown variable is a load error, never an empty string.
 */

const ID = /^[a-z_][a-z0-9_]*$/;
/** arcrun keeps its own entries in the credential store under arcrun_* names (arcrun-auth's reserved secrets). */
const NOT_RESERVED = /^(?!arcrun_)/;
const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;

export const Primitive = z.enum(["static_key", "oauth2", "service_account", "aws_sigv4"]);

const stringMap = z.record(z.string(), z.string());

export const RequiredSecret = z
  .object({
    key: z
      .string()
      .regex(/^[a-z][a-z0-9_]*$/, "a lower_snake_case key")
      .describe("lower_snake_case name: {{secret.KEY}} and ARCRUN_<SERVICE>_<KEY>; unique in the recipe."),
    label: z.string().min(1).describe("The prompt a person sees."),
    help_url: z.url().optional().describe("Where to create the value."),
    description: z.string().optional().describe("A longer hint shown with the prompt."),
    env: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .describe(
        "Extra environment variable names read after ARCRUN_<SERVICE>_<KEY>, which wins (e.g. OPENAI_API_KEY).",
      ),
    sensitive: z
      .boolean()
      .default(true)
      .describe(
        "false for values that are not secret (a site name, a shop domain, a region): prompted in clear text.",
      ),
    optional: z.boolean().default(false).describe("true when the value may be left out."),
    default: z.string().optional().describe("The value when none is given; must match pattern."),
    pattern: z
      .string()
      .optional()
      .describe(
        "A regular expression the value must match in full; required (with sensitive: false) for values interpolated into a host.",
      ),
    format: z
      .enum(["string", "json"])
      .default("string")
      .describe("How the value is given: a string, or a JSON document such as a Google service account key."),
  })
  .strict();

export const Inject = z
  .object({
    header: stringMap
      .optional()
      .describe("Header name to value, e.g. Authorization: Bearer {{secret.token}}."),
    query: stringMap
      .optional()
      .describe("Query parameter name to value (only where the provider requires it)."),
    path_prefix: z
      .string()
      .optional()
      .describe("Prepended to every request path, e.g. /bot{{secret.token}} (Telegram)."),
  })
  .strict();

export const TestRequest = z
  .object({
    method: z.enum(HTTP_METHODS).default("GET"),
    path: z.string().min(1).describe("Relative to base_url, or a full URL on a host listed in hosts."),
    headers: stringMap.optional().describe("Extra headers for the test request only."),
    json: z.unknown().optional().describe("A JSON body, sent with content-type application/json."),
    expect_status: z
      .union([z.number().int(), z.array(z.number().int())])
      .default(200)
      .describe("The status (or statuses) that mean the credential works."),
  })
  .strict();

export const OAuth2 = z
  .object({
    grant: z
      .enum(["authorization_code", "client_credentials"])
      .default("authorization_code")
      .describe("authorization_code (a person consents in a browser) or client_credentials (no user)."),
    authorize_url: z
      .string()
      .optional()
      .describe("The authorization endpoint; required for authorization_code."),
    token_url: z.string().describe("The token endpoint (code exchange and refresh)."),
    revoke_url: z.string().optional().describe("Called on logout."),
    /**
     * Absent means `rfc7009`: POST `token=...` (RFC 7009 section 2.1), authenticated and encoded like the token
     * request (`token_auth_method`, `body_format`). `bearer`: POST with the access token as
     * `Authorization: Bearer`, no body (Slack auth.revoke, Dropbox, Linear, LINE Notify).
     */
    revoke_style: z
      .enum(["rfc7009", "bearer"])
      .optional()
      .describe(
        "How revoke_url is called. rfc7009 (when absent): POST token=..., client authentication and body format as for the token request. bearer: POST with the access token as Authorization: Bearer, no body.",
      ),
    device_url: z
      .string()
      .optional()
      .describe("RFC 8628 device authorization endpoint, where the provider has one."),
    userinfo_url: z.string().optional().describe("OpenID Connect userinfo endpoint."),
    scopes: z.array(z.string()).default([]).describe("Requested unless the caller asks for others."),
    scope_separator: z
      .string()
      .default(" ")
      .describe('How scopes are joined: " " (RFC 6749) or "," for some providers.'),
    token_auth_method: z
      .enum(["client_secret_basic", "client_secret_post", "none"])
      .default("client_secret_post")
      .describe("How the client authenticates at the token endpoint."),
    body_format: z
      .enum(["form", "json"])
      .default("form")
      .describe("The token request body: form (RFC 6749) or json where the provider wants JSON."),
    authorization_params: stringMap
      .default({})
      .describe("Extra authorization request parameters, e.g. access_type: offline."),
    token_params: stringMap.default({}).describe("Extra parameters of the code exchange."),
    refresh_params: stringMap.default({}).describe("Extra parameters of a refresh."),
    pkce: z
      .enum(["S256", "none"])
      .default("S256")
      .describe("RFC 7636 PKCE; none where the provider rejects it."),
    client: z
      .enum(["broker", "byo"])
      .default("byo")
      .describe(
        "Where the OAuth app lives: the arcrun broker's shared app, or your own (config.yaml or env).",
      ),
    redirect: z
      .object({
        host: z.enum(["127.0.0.1", "localhost", "[::1]"]).default("127.0.0.1"),
        port: z.number().int().min(1).max(65535).optional(),
        path: z.string().startsWith("/").default("/callback"),
      })
      .strict()
      .optional()
      .describe(
        "For providers that match a pre-registered redirect URI; otherwise an ephemeral loopback port.",
      ),
    access_token_path: z
      .string()
      .optional()
      .describe("Dotted path to the access token in the token response when it is not access_token."),
    inject: Inject.optional().describe("Replaces the top-level inject when this primitive is used."),
  })
  .strict();

export const ServiceAccount = z
  .object({
    kind: z
      .enum(["google_jwt", "jwt_bearer"])
      .describe(
        "google_jwt: Google's JSON key file; jwt_bearer: RFC 7523 with a PEM key and client id from secrets.",
      ),
    token_url: z.string().describe("Where the signed JWT is exchanged for an access token."),
    scopes: z.array(z.string()).default([]),
    scope_separator: z.string().default(" "),
    audience: z.string().optional().describe("The JWT aud; the token URL when absent."),
    key_secret: z
      .string()
      .default("key_json")
      .describe("The secret that holds the key (a JSON key file for google_jwt)."),
    subject: z
      .string()
      .optional()
      .describe(
        "The JWT sub: the user to act as (domain-wide delegation), usually {{secret.subject}}. Absent: the service account acts as itself.",
      ),
    inject: Inject.optional().describe("Replaces the top-level inject when this primitive is used."),
  })
  .strict();

export const AwsSigV4 = z
  .object({
    service: z.string().min(1).describe("The AWS service name in the signature scope, e.g. s3."),
    region: z.string().min(1).describe("A region name or an interpolation such as {{secret.region}}."),
  })
  .strict();

const recipeShape = {
  $schema: z.string().optional(),
  id: z
    .string()
    .regex(ID, "a lower_snake_case id")
    .regex(
      NOT_RESERVED,
      'ids starting with "arcrun_" are reserved for arcrun\'s own credential store entries (such as arcrun_executor/<host>); rename the recipe (and its file)',
    )
    .describe(
      'lower_snake_case, equal to the file name; ids starting with _ are abstract bases; ids starting with "arcrun_" are reserved.',
    ),
  extends: z
    .string()
    .regex(ID, "a lower_snake_case id")
    .optional()
    .describe("A recipe or base to start from: objects merge key by key, arrays replace."),
  display_name: z.string().min(1),
  description: z.string().optional(),
  docs_url: z.url().describe("The provider's documentation of authentication."),
  categories: z.array(z.string()).default([]),
  primitive: Primitive.describe(
    "The default way to authenticate; another block present (oauth2, service_account) is an alternative chosen with { via }.",
  ),
  base_url: z.string().describe("Relative request paths are appended to it; its host must be in hosts."),
  hosts: z
    .array(z.string().min(1))
    .min(1)
    .describe("The only hosts a bound client may send credentials to; *.example.com matches subdomains."),
  required_secrets: z.array(RequiredSecret).default([]).describe("The values a person provides."),
  inject: Inject.optional().describe("How the credential goes on each request."),
  oauth2: OAuth2.optional(),
  service_account: ServiceAccount.optional(),
  aws_sigv4: AwsSigV4.optional(),
  test: TestRequest.optional().describe(
    'The cheapest request that proves the credential works ("who am I").',
  ),
};

/** A complete recipe, after `extends` is resolved. */
export const RecipeSchema = z.object(recipeShape).strict();

/**
 * What a file may hold before `extends` is resolved: every key optional but `id` (blocks too, since a file
 * may set one key of its base's `oauth2`), unknown keys refused. The merged result is checked by RecipeSchema.
 */
export const RecipeFileSchema = z
  .object({
    ...Object.fromEntries(Object.entries(recipeShape).map(([k, v]) => [k, v.optional()])),
    id: recipeShape.id,
    oauth2: OAuth2.partial().optional(),
    service_account: ServiceAccount.partial().optional(),
    aws_sigv4: AwsSigV4.partial().optional(),
    test: TestRequest.partial().optional(),
  })
  .strict();

export type RecipeFile = z.input<typeof RecipeFileSchema>;

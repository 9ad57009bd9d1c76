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
const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;

export const Primitive = z.enum(["static_key", "oauth2", "service_account", "aws_sigv4"]);

const stringMap = z.record(z.string(), z.string());

export const RequiredSecret = z
  .object({
    key: z.string().regex(/^[a-z][a-z0-9_]*$/, "a lower_snake_case key"),
    label: z.string().min(1),
    help_url: z.url().optional(),
    description: z.string().optional(),
    /** Extra environment variable names read before ARCRUN_<SERVICE>_<KEY> (e.g. OPENAI_API_KEY). */
    env: z.union([z.string(), z.array(z.string())]).optional(),
    /** false for values that are not secret (a site name, a shop domain, a region): prompted in clear text. */
    sensitive: z.boolean().default(true),
    optional: z.boolean().default(false),
    default: z.string().optional(),
    /** A regular expression the value must match in full; required for values interpolated into a host. */
    pattern: z.string().optional(),
    /** How the value is given: a string (default), or a JSON document such as a Google service account key. */
    format: z.enum(["string", "json"]).default("string"),
  })
  .strict();

export const Inject = z
  .object({
    header: stringMap.optional(),
    query: stringMap.optional(),
    /** Prepended to every request path, e.g. `/bot{{secret.token}}` (Telegram). */
    path_prefix: z.string().optional(),
  })
  .strict();

export const TestRequest = z
  .object({
    method: z.enum(HTTP_METHODS).default("GET"),
    path: z.string().min(1),
    headers: stringMap.optional(),
    /** A JSON body, sent with content-type application/json. */
    json: z.unknown().optional(),
    expect_status: z.union([z.number().int(), z.array(z.number().int())]).default(200),
  })
  .strict();

export const OAuth2 = z
  .object({
    grant: z.enum(["authorization_code", "client_credentials"]).default("authorization_code"),
    authorize_url: z.string().optional(),
    token_url: z.string(),
    revoke_url: z.string().optional(),
    /**
     * How `revoke_url` is called; absent means `rfc7009`. `rfc7009`: POST `token=...` (RFC 7009 section 2.1),
     * authenticated and encoded like the token request (`token_auth_method`, `body_format`). `bearer`: POST with
     * the access token as `Authorization: Bearer`, no body (Slack auth.revoke, Dropbox, Linear, LINE Notify).
     */
    revoke_style: z.enum(["rfc7009", "bearer"]).optional(),
    /** RFC 8628 device authorization endpoint, where the provider has one. */
    device_url: z.string().optional(),
    userinfo_url: z.string().optional(),
    scopes: z.array(z.string()).default([]),
    scope_separator: z.string().default(" "),
    token_auth_method: z
      .enum(["client_secret_basic", "client_secret_post", "none"])
      .default("client_secret_post"),
    body_format: z.enum(["form", "json"]).default("form"),
    authorization_params: stringMap.default({}),
    token_params: stringMap.default({}),
    refresh_params: stringMap.default({}),
    pkce: z.enum(["S256", "none"]).default("S256"),
    /** Where the OAuth app lives: the arcrun broker's shared app, or the user's own (config.yaml / env). */
    client: z.enum(["broker", "byo"]).default("byo"),
    /** For providers that need a pre-registered redirect URI; otherwise an ephemeral loopback port. */
    redirect: z
      .object({
        host: z.enum(["127.0.0.1", "localhost", "[::1]"]).default("127.0.0.1"),
        port: z.number().int().min(1).max(65535).optional(),
        path: z.string().startsWith("/").default("/callback"),
      })
      .strict()
      .optional(),
    /** Dotted path to the access token in the token response when it is not `access_token` (Slack user tokens). */
    access_token_path: z.string().optional(),
    /** Overrides the top-level `inject` when the credential comes from this primitive. */
    inject: Inject.optional(),
  })
  .strict();

export const ServiceAccount = z
  .object({
    /** google_jwt: Google's JSON key file; jwt_bearer: RFC 7523 with a PEM key and client id from secrets. */
    kind: z.enum(["google_jwt", "jwt_bearer"]),
    token_url: z.string(),
    scopes: z.array(z.string()).default([]),
    scope_separator: z.string().default(" "),
    /** The JWT `aud`; the token URL when absent. */
    audience: z.string().optional(),
    /** The secret that holds the key (a JSON key file for google_jwt). */
    key_secret: z.string().default("key_json"),
    /**
     * The JWT `sub`: the user to act as (Google Workspace domain-wide delegation), usually `{{secret.subject}}`.
     * Absent: no `sub` claim, the service account acts as itself.
     */
    subject: z.string().optional(),
    inject: Inject.optional(),
  })
  .strict();

export const AwsSigV4 = z
  .object({
    service: z.string().min(1),
    /** A region name or an interpolation such as `{{secret.region}}`. */
    region: z.string().min(1),
  })
  .strict();

const recipeShape = {
  $schema: z.string().optional(),
  id: z.string().regex(ID, "a lower_snake_case id"),
  extends: z.string().regex(ID, "a lower_snake_case id").optional(),
  display_name: z.string().min(1),
  description: z.string().optional(),
  docs_url: z.url(),
  categories: z.array(z.string()).default([]),
  /** The default primitive; another block present (oauth2, service_account) may be chosen with `{ via }`. */
  primitive: Primitive,
  base_url: z.string(),
  /** The only hosts a bound client may send credentials to; `*.example.com` matches subdomains. */
  hosts: z.array(z.string().min(1)).min(1),
  required_secrets: z.array(RequiredSecret).default([]),
  inject: Inject.optional(),
  oauth2: OAuth2.optional(),
  service_account: ServiceAccount.optional(),
  aws_sigv4: AwsSigV4.optional(),
  test: TestRequest.optional(),
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

export type Recipe = z.infer<typeof RecipeSchema>;
export type RecipeInput = z.input<typeof RecipeSchema>;
export type PrimitiveName = z.infer<typeof Primitive>;
export type RequiredSecretSpec = z.infer<typeof RequiredSecret>;
export type InjectSpec = z.infer<typeof Inject>;
export type TestRequestSpec = z.infer<typeof TestRequest>;
export type OAuth2Spec = z.infer<typeof OAuth2>;
export type ServiceAccountSpec = z.infer<typeof ServiceAccount>;
export type AwsSigV4Spec = z.infer<typeof AwsSigV4>;

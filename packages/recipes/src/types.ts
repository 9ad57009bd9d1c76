/**
 * The recipe types, written out so that the published declarations need no zod. They are checked against
 * `z.infer` of the schema in src/schema-types.check.ts: the zod schema stays the single source of truth, and
 * any drift between the two fails `tsc`.
 */

export type PrimitiveName =
  | "static_key"
  | "oauth2"
  | "service_account"
  | "aws_sigv4"
  | "http_digest"
  | "session";
export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RequiredSecretSpec {
  key: string;
  label: string;
  help_url?: string | undefined;
  description?: string | undefined;
  env?: string | string[] | undefined;
  sensitive: boolean;
  optional: boolean;
  default?: string | undefined;
  pattern?: string | undefined;
  format: "string" | "json";
}

/** The credential as fields of the request body (a form or a JSON object), see InjectBody in schema.ts. */
export interface InjectBodySpec {
  format: "form" | "json";
  fields: Record<string, string>;
}

export interface InjectSpec {
  header?: Record<string, string> | undefined;
  query?: Record<string, string> | undefined;
  path_prefix?: string | undefined;
  body?: InjectBodySpec | undefined;
}

/** An `expect_json` value: the field equals it, or (`{ absent: true }`) the field is not there. */
export type ExpectJsonValue = string | number | boolean | null | { absent: true };

export interface TestRequestSpec {
  method: HttpMethod;
  path: string;
  headers?: Record<string, string> | undefined;
  json?: unknown;
  form?: Record<string, string> | undefined;
  expect_status: number | number[];
  expect_json?: Record<string, ExpectJsonValue> | undefined;
}

/** How a provider writes granted scopes in its token response (see ScopeEcho in schema.ts). */
export interface ScopeEchoSpec {
  separator?: string | undefined;
  never_echoed: string[];
  prefix?: string | undefined;
  aliases: Record<string, string>;
  empty: "none_granted" | "not_reported";
}

/** The oauth2 keys that hold an endpoint URL: the loader checks them, the library renders their templates. */
export const OAUTH_URL_KEYS = [
  "authorize_url",
  "token_url",
  "refresh_url",
  "revoke_url",
  "device_url",
  "userinfo_url",
] as const;

export interface CaptureSpec {
  from: "token" | "lookup" | "redirect";
  /**
   * A dotted path into the JSON answer; a number picks an array element, key=value the first element whose key
   * is that value. The parameter name for redirect.
   */
  path: string;
  /** Matched in full before the value is stored. */
  pattern: string;
  /** value: as it is; https_host: the host name of an https URL value. */
  part: "value" | "https_host";
}

export interface OAuth2Spec {
  grant: "authorization_code" | "client_credentials";
  authorize_url?: string | undefined;
  token_url: string;
  refresh_url?: string | undefined;
  revoke_url?: string | undefined;
  revoke_style?: "rfc7009" | "bearer" | undefined;
  revoke_auth_method?: "client_secret_basic" | "client_secret_post" | undefined;
  /** Which token logout revokes (absent: the refresh token where there is one, else the access token). */
  revoke_token?: "refresh" | "access" | "both" | undefined;
  /** API statuses after which the credential is refreshed once and the request retried (default [401]). */
  refresh_on_status: number[];
  device_url?: string | undefined;
  device_headless: boolean;
  userinfo_url?: string | undefined;
  scopes: string[];
  scope_separator: string;
  scope_param: string;
  scope_echo?: ScopeEchoSpec | undefined;
  token_auth_method: "client_secret_basic" | "client_secret_post" | "none";
  client_secret: "required" | "optional";
  body_format: "form" | "json";
  authorization_params: Record<string, string>;
  token_headers: Record<string, string>;
  reauth_errors: string[];
  token_params: Record<string, string>;
  refresh_params: Record<string, string>;
  pkce: "S256" | "none";
  client: "broker" | "byo";
  redirect?:
    | { host: "127.0.0.1" | "localhost" | "[::1]"; port?: number | undefined; path: string }
    | undefined;
  base_url_from?: string | undefined;
  /** The kind of app to create in the provider's console, in its words (Google Cloud: Desktop app). */
  app_type?: string | undefined;
  /** APIs to enable for the app in the provider's console. */
  enable_apis: string[];
  /** Values read after login, for `{{captured.NAME}}` in base_url and hosts. */
  capture: Record<string, CaptureSpec>;
  /** A GET made with the new token right after login, for captures `from: lookup`. */
  lookup?:
    | {
        url: string;
        header?: Record<string, string> | undefined;
        /** A list answer: the element whose `match` fields name the user's value `value`, else the first. */
        choose?: { value: string; match: string[] } | undefined;
      }
    | undefined;
  /** Replaces the top-level base_url and hosts when the oauth2 primitive is used. */
  base_url?: string | undefined;
  hosts?: string[] | undefined;
  https_redirect_only?: string | undefined;
  access_token_path?: string | undefined;
  inject?: InjectSpec | undefined;
}

export interface ServiceAccountSpec {
  kind: "google_jwt" | "jwt_bearer";
  token_url: string;
  scopes: string[];
  scope_separator: string;
  audience?: string | undefined;
  key_secret: string;
  subject?: string | undefined;
  inject?: InjectSpec | undefined;
}

export interface AwsSigV4Spec {
  service: string;
  region: string;
}

/** HTTP Digest (RFC 7616): see HttpDigest in schema.ts. */
export interface HttpDigestSpec {
  username: string;
  password: string;
  algorithms: Array<"SHA-256" | "SHA-256-sess" | "MD5" | "MD5-sess">;
}

export interface SessionRequestSpec {
  url: string;
  method: "POST" | "GET";
  headers?: Record<string, string> | undefined;
  json?: Record<string, string> | undefined;
}

/** A refresh or logout request of a session: see SessionTokenRequest in schema.ts. */
export interface SessionTokenRequestSpec {
  url: string;
  bearer: "refresh_token" | "access_token" | "none";
  headers?: Record<string, string> | undefined;
  json_field?: string | undefined;
}

/** A session login exchange: see Session in schema.ts. */
export interface SessionSpec {
  login: SessionRequestSpec;
  refresh?: SessionTokenRequestSpec | undefined;
  logout?: SessionTokenRequestSpec | undefined;
  token_path: string;
  refresh_token_path?: string | undefined;
  expires_in_path?: string | undefined;
  expiry_from_jwt: boolean;
  error_path: string;
  relogin_errors: string[];
  refresh_on_status: number[];
  inject?: InjectSpec | undefined;
}

/** A complete recipe, after `extends` is resolved and defaults are applied. */
export interface Recipe {
  $schema?: string | undefined;
  id: string;
  extends?: string | undefined;
  display_name: string;
  description?: string | undefined;
  docs_url: string;
  categories: string[];
  primitive: PrimitiveName;
  base_url: string;
  hosts: string[];
  required_secrets: RequiredSecretSpec[];
  inject?: InjectSpec | undefined;
  /** The provider takes a secret only in the URL (Telegram): validation does not warn about it. */
  secret_in_url?: "required" | undefined;
  oauth2?: OAuth2Spec | undefined;
  service_account?: ServiceAccountSpec | undefined;
  aws_sigv4?: AwsSigV4Spec | undefined;
  http_digest?: HttpDigestSpec | undefined;
  session?: SessionSpec | undefined;
  test?: TestRequestSpec | undefined;
  env_base_url?: Record<string, string> | undefined;
  env_token?: string | string[] | undefined;
  git?: GitHelperSpec | undefined;
}

export interface GitHelperSpec {
  hosts: string[];
  username: string;
  secret?: string | undefined;
}

/** Something valid but unwise in a recipe: `keyPath` says where, `message` why and what to do. */
export interface RecipeWarning {
  file: string;
  keyPath: string[];
  message: string;
}

import type { Readable } from "node:stream";
import type { InjectSpec, PrimitiveName, Recipe, TemplateValues } from "@arcrun/recipes";
import type { BrokerClientFactory } from "./internal/broker/seam.js";

/**
 * What the store keeps for one service instance: a JSON value, one entry per `service/instance`.
 * `values` holds the recipe's `required_secrets` (and non-secret values such as a site name) for every type.
 */
export type StoredCredential =
  | StaticKeyCredential
  | OAuth2Credential
  | ServiceAccountCredential
  | AwsSigV4Credential
  | HttpDigestCredential
  | SessionCredential;

interface CredentialBase {
  /** Format version of this record. */
  v: 1;
  values: Record<string, string>;
  created_at: string;
  updated_at: string;
}

export interface StaticKeyCredential extends CredentialBase {
  type: "static_key";
}

export interface OAuth2Credential extends CredentialBase {
  type: "oauth2";
  access_token: string;
  token_type: string;
  /** Epoch milliseconds; absent when the provider gave no `expires_in`. */
  expires_at?: number;
  /** Epoch milliseconds of issue, used for the half-lifetime refresh rule. */
  issued_at?: number;
  refresh_token?: string;
  /** The granted scopes as the provider wrote them, or the requested ones when it did not say. */
  scopes?: string[];
  /** The scopes asked for at login; a refresh keeps them. */
  scopes_requested?: string[];
  /** Requested scopes the provider's answer did not cover (after the recipe's scope_echo rules). */
  scopes_missing?: string[];
  /** The API origin the token answer named (recipe `base_url_from`), used instead of base_url's. */
  base_url?: string;
  /** Values read after login (recipe `oauth2.capture`), for `{{captured.NAME}}` in base_url and hosts. */
  captured?: Record<string, string>;
  /** Which OAuth app issued it; refresh goes back through the same one. */
  client: "byo" | "broker";
  /** The id of your own OAuth client that obtained it, for `{{client.id}}` (Twitch's Client-Id header). */
  client_id?: string;
  /** Set when the provider rejected the refresh token (invalid_grant): a person must log in again. */
  status?: "ok" | "reauth_required";
  id_token?: string;
}

export interface ServiceAccountCredential extends CredentialBase {
  type: "service_account";
  /** A cached access token minted from the key, reused until 5 minutes before expiry. */
  access_token?: string;
  token_type?: string;
  expires_at?: number;
}

export interface AwsSigV4Credential extends CredentialBase {
  type: "aws_sigv4";
}

/** The user name and password of an `http_digest` recipe, in `values`; the challenge is never stored. */
export interface HttpDigestCredential extends CredentialBase {
  type: "http_digest";
}

/**
 * The values of a `session` recipe (an identifier and a password), and the session they logged in to, which
 * is renewed like an OAuth token (strategies/session.ts).
 */
export interface SessionCredential extends CredentialBase {
  type: "session";
  access_token?: string;
  refresh_token?: string;
  /** Epoch milliseconds. */
  expires_at?: number;
  issued_at?: number;
}

/** A place credentials live. Every method may throw ArcrunError ERR_STORE_UNAVAILABLE / ERR_STORE_CORRUPT. */
export interface CredentialStore {
  /** Short name shown by `arcrun doctor`: "keyring", "encrypted-file", "memory". */
  readonly kind: string;
  get(service: string, instance: string): Promise<StoredCredential | undefined>;
  set(service: string, instance: string, value: StoredCredential): Promise<void>;
  delete(service: string, instance: string): Promise<boolean>;
  /** Every stored service/instance pair. */
  list(): Promise<Array<{ service: string; instance: string }>>;
}

/** Where the credential a strategy resolved came from, first match wins (docs/auth.md "Credential sources"). */
export type CredentialSource = "option" | "env" | "secret-file" | "store" | "interactive";

/** A request before auth is applied, in the shape a signer (SigV4) takes. */
export interface RequestParts {
  method: string;
  url: URL;
  headers: Headers;
  body?: Uint8Array | string | undefined;
}

/**
 * A request on its way out of a bound client: the target is resolved and checked, the credential not yet
 * applied. Header names are lower-case; `path` holds the path and the query.
 */
export interface OutgoingRequest {
  method: string;
  /** `https://host[:port]` */
  origin: string;
  path: string;
  headers: Record<string, string>;
  /** A stream can be sent once and cannot be signed. */
  body: string | Uint8Array | Readable | null;
}

/**
 * How a strategy puts its credential on a request (octokit's `hook`): the recipe's `inject` block rendered
 * with the credential (headers, query), or a signature (SigV4). Every request path of a bound client (its
 * methods, `fetchFn`, `dispatcher`) calls the same applier; see docs/architecture.md.
 */
export interface CredentialApplier {
  /**
   * Returns a new request (never changes the one it gets, which the send loop reuses): a value when nothing
   * is awaited (the inject applier), a promise only when it must wait (a signer); the loop awaits only that.
   */
  apply(request: OutgoingRequest, credential: ResolvedCredential): OutgoingRequest | Promise<OutgoingRequest>;
  /** Query parameter names the applier adds, stripped from a redirect's Location before the next hop. */
  readonly queryNames: readonly string[];
  /**
   * For a challenge-response scheme (HTTP Digest, RFC 7616): called by the send loop with a 401's
   * `WWW-Authenticate` and the request that got it; true when the applier took a new challenge to answer, so
   * the request is sent again. False when there is nothing new to answer (the credentials were refused).
   */
  challenge?(wwwAuthenticate: string | null, sent: OutgoingRequest): boolean;
}

export interface ResolvedCredential {
  /** The values for the recipe's templates: secrets, and the runtime token where there is one. */
  values: TemplateValues;
  source: CredentialSource;
  /** For token credentials: when the token expires (epoch ms), for status and refresh. */
  expiresAt?: number;
  scopes?: string[];
  /** An API origin from the token answer (recipe `base_url_from`); its host is checked against hosts. */
  baseOrigin?: string;
}

/**
 * One strategy per primitive (strategies/*.ts), behind one interface: something that yields credentials,
 * and something that applies them to a request (octokit's `auth` + `hook`).
 */
export interface Strategy {
  readonly primitive: PrimitiveName;
  /** Resolves (and where needed refreshes) the credential. `force` refreshes a token even if it looks valid. */
  resolve(options?: { force?: boolean }): Promise<ResolvedCredential>;
  /** Applies the credential to a request: every request a bound client sends goes through it. */
  readonly applier: CredentialApplier;
  /**
   * Called once after a 401: renews the credential (the one refresh for that 401) and returns true when it
   * changed, so the retry's plain `resolve()` hands out the renewed one. The client never forces another.
   */
  onUnauthorized?(): Promise<boolean>;
  /**
   * Called once after a 403 whose `WWW-Authenticate` says `insufficient_scope` (RFC 6750 section 3.1), with
   * the scopes the resource named; true when consent was asked again and a retry makes sense.
   */
  onInsufficientScope?(scopes: readonly string[]): Promise<boolean>;
  /** Runs the interactive flow (browser consent, device code, prompt) and stores the result. */
  login?(options: LoginOptions): Promise<void>;
  /** Revokes at the provider where the recipe can (RFC 7009); the caller deletes locally either way. */
  revoke?(credential: StoredCredential): Promise<void>;
}

/** Options of `auth.login` / `arcrun setup`. */
export interface LoginOptions {
  /** false: print the URL and accept the redirected URL pasted back (SSH, WSL, containers). */
  browser?: boolean;
  /** Use the device authorization grant (RFC 8628) where the recipe has `device_url`. */
  device?: boolean;
  scopes?: string[];
  /** Milliseconds to wait for the user before ERR_LOGIN_TIMEOUT. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Opens the consent URL instead of `$BROWSER` / the system browser: for a CLI that shows it its own way,
   * and for tests that drive a headless browser.
   */
  openUrl?: (url: string) => void | Promise<void>;
  /** Where the consent URL, the device code and paste-back prompts are written (stderr by default). */
  output?: NodeJS.WritableStream;
  /** Where a redirected URL pasted back with `browser: false` is read (stdin by default). */
  input?: NodeJS.ReadableStream;
}

export interface StrategyContext {
  recipe: Recipe;
  /** The recipe's inject block for the chosen primitive (the primitive block's own, else the top-level one). */
  inject?: InjectSpec | undefined;
  service: string;
  instance: string;
  /** The primitive chosen: the recipe's own, or `via`. */
  primitive: PrimitiveName;
}

/** Where arcrun-auth writes diagnostics (stderr by default). Messages never hold a secret. */
export interface Logger {
  warn(message: string): void;
  debug?(message: string): void;
}

/** One question of an interactive prompt: a recipe's required secret. */
export interface PromptQuestion {
  service: string;
  key: string;
  label: string;
  help_url?: string;
  /** true: hidden input, nothing echoed. */
  sensitive: boolean;
  optional?: boolean;
  default?: string;
}

/**
 * How arcrun-auth asks a person for a value. The default reads the TTY (hidden for sensitive values);
 * the CLI passes its own (@clack/prompts). Throws ArcrunError ERR_LOGIN_CANCELLED when the person cancels.
 */
export interface Prompter {
  ask(question: PromptQuestion): Promise<string>;
}

/** The recipe's `required_secrets` values, gathered from sources 1-4 (docs/auth.md "Credential sources"). */
export interface ResolvedValues {
  values: Record<string, string>;
  /** Where each value came from. */
  sources: Record<string, CredentialSource>;
  /** Required keys no source had. */
  missing: string[];
  /** The stored record, when the store had one for this service/instance. */
  stored?: StoredCredential;
}

/**
 * What a strategy factory receives (strategies/index.ts). Everything a strategy needs comes through here,
 * so a strategy never reads process.env, the clock or the network on its own.
 */
export interface StrategyFactoryContext extends StrategyContext {
  /** $ARCRUN_HOME, for lock files (`${home}/locks/<service>.<instance>.lock`) and config.yaml. */
  home: string;
  /** The active credential store (keyring, encrypted file, memory, or one the caller passed). */
  store: CredentialStore;
  /** A fetch for token endpoints: the caller's `fetch`, or one that goes through the caller's dispatcher. */
  fetch: typeof globalThis.fetch;
  /** The environment to read (`process.env` unless the caller passed another). */
  env: Readonly<Record<string, string | undefined>>;
  /** Epoch milliseconds; tests pass a fixed clock. */
  now(): number;
  logger: Logger;
  prompt: Prompter;
  /** true when a person can answer (a TTY, or `interactive: true`). Never prompt or open a browser when false. */
  interactive: boolean;
  /** Values passed explicitly (`bind(service, { secret })`): source 1, they win over everything. */
  secret?: Readonly<Record<string, string>>;
  /** Scopes asked for with `bind(service, { scopes })`, if any. */
  scopes?: readonly string[];
  /** Service accounts: the user to impersonate (`sub`, Google domain-wide delegation), from `bind(service, { subject })`. */
  subject?: string;
  /** Reads the recipe's required_secrets through sources 1-4 (option, env, secret files, store). */
  readValues(): Promise<ResolvedValues>;
  /** The broker client for `client: broker` recipes, when the caller passed one to createAuth. */
  broker?: BrokerClientFactory;
}

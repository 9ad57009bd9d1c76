import type { PrimitiveName } from "@arcrun/recipes";
import type { BrokerClientFactory } from "./internal/broker/seam.js";
import type { StoreChoice } from "./internal/store-select.js";
import type { Dispatcher } from "./internal/undici.js";
import type { CredentialStore, Logger, LoginOptions, Prompter } from "./types.js";

/** Options of `createAuth`. Everything has a default; tests pass their own home, store, env and prompt. */
export interface AuthOptions {
  /** Where arcrun keeps its files. Default `$ARCRUN_HOME`, else `~/.arcrun`. */
  home?: string;
  /** A store object, or which one to pick. Default `$ARCRUN_STORE`, else "auto". */
  store?: CredentialStore | StoreChoice;
  /**
   * The dispatcher the bound clients (and token requests) go through. Default: the process's global
   * dispatcher, the one Node's fetch uses (`setGlobalDispatcher` from undici changes it for both).
   */
  dispatcher?: Dispatcher;
  /** The fetch strategies use for token endpoints. Default: global fetch through `dispatcher` when given. */
  fetch?: typeof globalThis.fetch;
  /** The environment to read credentials from. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** User recipe directories, later ones win. Default `$ARCRUN_HOME/recipes` then `$ARCRUN_RECIPES_DIR` (path-list). */
  recipesDirs?: readonly string[];
  /** Directories of secret files. Default `$ARCRUN_SECRETS_DIR` then `/run/secrets`. */
  secretsDirs?: readonly string[];
  /** Whether a person can answer prompts. Default: stdin is a TTY and `CI` is not set. */
  interactive?: boolean;
  prompt?: Prompter;
  /** Asks for the encrypted file's passphrase when nothing else unlocks it (the CLI, at a terminal). */
  askPassphrase?: (retry: boolean) => Promise<string>;
  /** Default: warnings to stderr. */
  logger?: Logger;
  /** Epoch ms clock. */
  now?: () => number;
  /** Retries of idempotent requests answered 429/503. Default 2. */
  retries?: number;
  /** A Retry-After longer than this is not waited for; the 429/503 response is returned. Default 30 s. */
  maxRetryDelayMs?: number;
  /** Default 10. */
  maxRedirects?: number;
  /**
   * The broker client for `client: broker` recipes. Default: the HTTP client of the broker named by
   * `ARCRUN_BROKER_URL` or `broker_url` in config.yaml (docs/broker.md).
   */
  broker?: BrokerClientFactory;
}

/** Options shared by `bind`, `getToken`, `getSecret`, `test`. */
export interface BindOptions {
  /** Default "default". */
  instance?: string;
  /** An alternative primitive the recipe offers (`service_account` for a Google recipe). */
  via?: PrimitiveName;
  scopes?: readonly string[];
  /**
   * Explicit values, source 1: they win over env, secret files and the store, and are never stored. For a
   * recipe with a Google service account, the account's JSON key (its text or the parsed object) is used
   * as that service account.
   */
  secret?: Readonly<Record<string, string>> | string;
  /**
   * Service accounts: the user to act as (the JWT `sub`, Google domain-wide delegation). Default: the recipe's
   * `service_account > subject` rendered with the values (gmail_sa: `{{secret.subject}}`).
   */
  subject?: string;
  /** Override `createAuth({ interactive })` for this call. */
  interactive?: boolean;
}

export interface InstanceOptions {
  instance?: string;
  via?: PrimitiveName;
}

/** The result of `getToken`. */
export interface Token {
  accessToken: string;
  /** "Bearer" for OAuth tokens; "static" for a static key handed out as a token. */
  tokenType: string;
  expiresAt?: number;
  scopes?: string[];
  /**
   * The id of your own OAuth client the token was issued to (not a secret, RFC 6749 section 2.2), for
   * recipes that send it beside the token (`{{client.id}}`: Twitch's Client-Id); absent for broker tokens.
   */
  clientId?: string;
}

export interface AuthLoginOptions extends LoginOptions {
  instance?: string;
  via?: PrimitiveName;
  /**
   * Values to save instead of prompting (static keys); for an OAuth recipe, the values its endpoints and base
   * URL name (a tenant domain), used for the sign-in and kept with the token.
   */
  values?: Readonly<Record<string, string>>;
  /** Run the recipe's test request with the new values first; save only if it passes (ERR_TEST_FAILED). */
  verify?: boolean;
}

export interface LoginResult {
  service: string;
  instance: string;
  primitive: PrimitiveName;
  test?: TestResult;
}

export interface LogoutResult {
  service: string;
  instance: string;
  /** Whether a stored credential was deleted. */
  deleted: boolean;
  /** "revoked" at the provider, "failed" (deleted locally anyway), or "not-supported". */
  revocation: "revoked" | "failed" | "not-supported";
}

export interface TestResult {
  ok: boolean;
  /** false when the recipe has no test request. */
  tested: boolean;
  method?: string;
  path?: string;
  status?: number;
  expected: number[];
  /** Why the body failed the recipe's `expect_json`, when the status was right but the body was not. */
  mismatch?: string;
}

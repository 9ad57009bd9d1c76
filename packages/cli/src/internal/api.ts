import type { PrimitiveName, Recipe } from "@arcrun/recipes";
import type { Client } from "arcrun-auth";

/** Connection state of one instance, as `list`, `status` and their --json show it. */
export interface InstanceRow {
  instance: string;
  /** connected; expired (a token past expiry that cannot be refreshed); reauth_required (refresh refused). */
  status: "connected" | "expired" | "reauth_required";
  /** Where the credential comes from: the store, or the environment / secret files (not stored). */
  source: "store" | "env" | "secret-file";
  /** The kind of stored credential (static_key, oauth2, ...); null when not from the store. */
  type: string | null;
  /** ISO 8601, for tokens with an expiry; null otherwise. */
  expires_at: string | null;
  /** ISO 8601 of the last save; null when not from the store. */
  updated_at: string | null;
  /** The scopes granted to an OAuth token; null for other credentials. */
  scopes: string[] | null;
  /** Requested scopes the provider's answer did not cover; present only when there are some. */
  scopes_missing?: string[];
  /** Values the OAuth login captured (a cloud id, a team); present only when there are some. */
  captured?: Record<string, string>;
}

export interface ServiceRow {
  id: string;
  name: string;
  primitive: PrimitiveName;
  /** Other primitives the recipe offers through `--via` (e.g. service_account on Google recipes). */
  alternatives: PrimitiveName[];
  /** From a user recipe directory rather than the built-in catalogue. */
  user_recipe: boolean;
  instances: InstanceRow[];
}

export interface TestResult {
  ok: boolean;
  /** false when the recipe has no test request. */
  tested: boolean;
  /** The HTTP status of the recipe's test request, or null when not tested. */
  status: number | null;
  expected: number[];
}

export interface TokenResult {
  accessToken: string;
  tokenType: string;
  expiresAt?: number;
  scopes?: string[];
  /** The id of the user's own OAuth client the token was issued to (`{{client.id}}`). */
  clientId?: string;
}

export interface StoreInfo {
  kind: string;
  /** Why this store is the active one, in words. */
  reason: string;
  /** The file, for the encrypted-file store. */
  path: string | null;
  /** Where the encrypted file's key comes from: ARCRUN_MASTER_KEY, ARCRUN_PASSPHRASE or keyring. */
  key_source: string | null;
  /** The fallback announcement (no OS keyring answered; using the encrypted file), when that is the case. */
  notice: string | null;
}

/** Whether the active store can be written now (asked before any secret is typed). */
export interface StoreState {
  /** ready: a write would succeed; locked: a passphrase is needed (arcrun unlock); needs-key: a person must
   * choose how to lock the encrypted file; unavailable: it cannot be written here (see error). */
  state: "ready" | "locked" | "needs-key" | "unavailable";
  kind: string;
  path: string | null;
  /** store_key in config.yaml: how the encrypted file was chosen to be locked. */
  key_choice: "passphrase" | "key-file" | null;
  error: { code: string; message: string } | null;
}

/** The agent of `arcrun unlock`. */
export interface AgentInfo {
  running: boolean;
  socket: string;
  /** ISO 8601 of when it forgets the key; null when none runs. */
  expires_at: string | null;
}

/** The broker as `arcrun doctor` reports it (arcrun-auth's findBroker + checkBroker). */
export interface BrokerReport {
  /** The broker's URL (normalised, ending in "/"), or the unusable text that was configured; null when none. */
  url: string | null;
  source: "ARCRUN_BROKER_URL" | "config.yaml" | "none";
  /** Whether it answered HTTP at all; null when no broker is configured. */
  reachable: boolean | null;
  /** The HTTP status of its GET /health; null when it did not answer. */
  status: number | null;
  /** The broker's own word for its state ("ok", "degraded"); null when it did not say. */
  health: string | null;
  /** Services it can sign in to right now; null when it did not say. */
  services: string[] | null;
  error: string | null;
}

/** A user recipe file that does not validate: only the service it defines fails. */
export interface RecipeFileProblem {
  file: string;
  service: string;
  code: string;
  message: string;
}

export interface InstanceOptions {
  instance?: string;
  via?: PrimitiveName;
}

export interface LogoutResult {
  deleted: boolean;
  revocation: "revoked" | "failed" | "not-supported";
}

/**
 * What the commands need from arcrun-auth. src/internal/auth.ts implements it on the library; keeping the
 * commands on this narrow seam keeps the CLI's --json shapes stable when the library's shapes move.
 */
export interface Api {
  recipes(): Promise<Recipe[]>;
  recipe(id: string): Promise<Recipe>;
  /** User recipe files that do not validate (each breaks only its own service). */
  recipeErrors(): Promise<RecipeFileProblem[]>;
  services(service?: string): Promise<ServiceRow[]>;
  test(service: string, options: InstanceOptions): Promise<TestResult>;
  /** Saves values for a static-key-like credential; with verify, only if the test request passes. */
  save(
    service: string,
    values: Record<string, string>,
    options: InstanceOptions & { verify: boolean },
  ): Promise<{ test: TestResult | null }>;
  login(
    service: string,
    options: InstanceOptions & {
      browser: boolean;
      device: boolean;
      scopes?: string[];
      verify: boolean;
      /** Values the OAuth recipe's endpoints name (a tenant), kept with the token. */
      values?: Record<string, string>;
    },
  ): Promise<{ test: TestResult | null }>;
  logout(service: string, options: InstanceOptions): Promise<LogoutResult>;
  /**
   * Keeps the OAuth client `arcrun setup` was given for a service in the credential store (never a plaintext
   * file); arcrun-auth uses it when neither the environment nor config.yaml names one.
   */
  saveOAuthClient(service: string, client: { client_id: string; client_secret?: string }): Promise<void>;
  token(service: string, options: InstanceOptions): Promise<TokenResult>;
  secret(service: string, options: InstanceOptions): Promise<Readonly<Record<string, string>>>;
  store(): Promise<StoreInfo>;
  /**
   * Opens the active store and reads its index: throws the store's own error (a wrong passphrase, a damaged
   * file, a keyring that does not answer) for commands that must not report an unreadable store as empty.
   */
  readStore(): Promise<void>;
  /** Whether the store can be written now, asking nobody anything. */
  storeState(): Promise<StoreState>;
  /** Makes the encrypted file with the key a person chose, remembered in config.yaml. */
  initFileKey(
    choice: { kind: "passphrase"; passphrase: string } | { kind: "key-file" },
  ): Promise<{ path: string; keyFile: string | null }>;
  /** Unlocks the encrypted file (its passphrase is asked, or ARCRUN_PASSPHRASE) into the agent for ttlMs. */
  unlock(ttlMs: number): Promise<AgentInfo & { path: string }>;
  /** Makes the agent forget the key; false when none ran. */
  lock(): Promise<boolean>;
  agent(): Promise<AgentInfo>;
  /**
   * The store's fallback notice, if there is one and arcrun-auth has not printed it in this run already
   * (it announces it once per ARCRUN_HOME; `setup` and `doctor` show it every time).
   */
  storeNotice(): Promise<string | null>;
  broker(): Promise<BrokerReport>;
  /** A bound client (never prompting): `run --proxy`, `proxy` and `mcp` send requests through it. */
  bind(service: string, options: InstanceOptions): Client;
  /** The ARCRUN_HOME in use (config.yaml lives there). */
  home(): string;
}

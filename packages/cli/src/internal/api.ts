import type { PrimitiveName, Recipe } from "@arcrun/recipes";

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
    options: InstanceOptions & { browser: boolean; device: boolean; scopes?: string[]; verify: boolean },
  ): Promise<{ test: TestResult | null }>;
  logout(service: string, options: InstanceOptions): Promise<LogoutResult>;
  token(service: string, options: InstanceOptions): Promise<TokenResult>;
  secret(service: string, options: InstanceOptions): Promise<Readonly<Record<string, string>>>;
  store(): Promise<StoreInfo>;
  /**
   * The store's fallback notice, if there is one and arcrun-auth has not printed it in this run already
   * (it announces it once per ARCRUN_HOME; `setup` and `doctor` show it every time).
   */
  storeNotice(): Promise<string | null>;
  broker(): Promise<BrokerReport>;
}

import type { PrimitiveName, Recipe } from "@arcrun/recipes";

/** Connection state of one stored instance, as `list`, `status` and their --json show it. */
export interface InstanceRow {
  instance: string;
  /** ok; expired (a token past expiry that cannot be refreshed); reauth_required (the provider refused the refresh token). */
  status: "ok" | "expired" | "reauth_required";
  /** Where the credential comes from: the store, or the environment / secret files (not stored). */
  source: "store" | "env" | "secret-file";
  /** ISO 8601, for tokens with an expiry; null otherwise. */
  expires_at: string | null;
  scopes: string[] | null;
}

export interface ServiceRow {
  id: string;
  name: string;
  primitive: PrimitiveName;
  /** Other primitives the recipe offers through `--via` (e.g. service_account on Google recipes). */
  alternatives: PrimitiveName[];
  instances: InstanceRow[];
}

export interface TestResult {
  ok: boolean;
  /** The HTTP status of the recipe's test request. */
  status: number;
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
}

export interface InstanceOptions {
  instance?: string;
  via?: PrimitiveName;
}

/**
 * What the commands need from arcrun-auth. src/internal/auth.ts implements it on the library; keeping the
 * commands on this narrow seam means they do not change when the library's shapes do.
 */
export interface Api {
  recipes(): Promise<Recipe[]>;
  recipe(id: string): Promise<Recipe>;
  services(service?: string): Promise<ServiceRow[]>;
  test(service: string, options: InstanceOptions & { secret?: Record<string, string> }): Promise<TestResult>;
  setSecret(service: string, values: Record<string, string>, options: InstanceOptions): Promise<void>;
  login(
    service: string,
    options: InstanceOptions & { browser: boolean; device: boolean; scopes?: string[] },
  ): Promise<void>;
  logout(service: string, options: InstanceOptions): Promise<{ deleted: boolean; revoked: boolean }>;
  token(service: string, options: InstanceOptions): Promise<TokenResult>;
  secret(service: string, options: InstanceOptions): Promise<Record<string, string>>;
  store(): Promise<StoreInfo>;
}

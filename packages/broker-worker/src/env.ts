/**
 * The Worker's bindings. Everything but `BROKER_KV` is configuration: vars in wrangler.toml, secrets through
 * `wrangler secret put` (or `.dev.vars` locally). Vars may be given as JSON text or, in wrangler.toml, as
 * objects; both are accepted.
 */
export interface Env {
  /** Short-lived state only: pending starts (minutes) and encrypted handoffs (60 s). */
  BROKER_KV: KVNamespace;
  /** Which services this broker serves: service ids separated by commas or spaces. */
  BROKER_SERVICES?: string;
  /** Secret: base64 of 32 random bytes, the AES-256-GCM key for tokens parked in KV during a handoff. */
  TOKEN_ENCRYPTION_KEY?: string;
  /** Per-service endpoint overrides, e.g. `{"google_drive":{"token_url":"http://127.0.0.1:3000/token"}}`. */
  ENDPOINT_OVERRIDES?: unknown;
  /** Extra recipes (a JSON array of recipe objects), validated like user recipes; they may replace built-ins. */
  EXTRA_RECIPES?: unknown;
  /** `{"start":{"limit":20,"window_s":60},"token":{...},"refresh":{...},"revoke":{...}}`, per client IP. */
  RATE_LIMITS?: unknown;
  /** Lifetime of a handoff code in seconds (default 60). */
  HANDOFF_TTL_SECONDS?: string;
  /** How long a started login may take before its callback is refused, in seconds (default 600). */
  PENDING_TTL_SECONDS?: string;
  /** Largest request body accepted, in bytes (default 8192). */
  MAX_BODY_BYTES?: string;
  /** The broker's public origin, when it differs from the request's (behind a proxy). */
  PUBLIC_URL?: string;
  /** Secrets: the shared OAuth app of each service, `CLIENT_<SERVICE>_ID` and `CLIENT_<SERVICE>_SECRET`. */
  [client: `CLIENT_${string}`]: string | undefined;
}

export interface AppEnv {
  Bindings: Env;
}

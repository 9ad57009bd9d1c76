/** The Worker's bindings (wrangler.toml, secrets in .dev.vars or `wrangler secret put`). */
export interface Env {
  ARCRUN_KV: KVNamespace;
  /** Durable Objects of class AddressWindow: failed API keys per client address (src/internal/throttle.ts). */
  FAILED_KEYS?: DurableObjectNamespace;
  /** JSON `{ limit, window_s }`: wrong keys an address may send per window (default 10 per 60 seconds). */
  ARCRUN_FAILED_KEYS?: string;
  /** base64 AES-256 key; credentials are encrypted with it on the client and decrypted only in the host. */
  ENCRYPTION_KEY?: string;
  /** "single" (default: one tenant, "default") or "multi" (tenants by X-Arcrun-API-Key from ARCRUN_API_KEYS). */
  ARCRUN_TENANCY?: string;
  /** single mode: when set, every request must carry it as X-Arcrun-API-Key. */
  ARCRUN_API_KEY?: string;
  /** multi mode: JSON object from API key to tenant id, e.g. {"k_123": "acme"}. */
  ARCRUN_API_KEYS?: string;
  /** JSON subset of the limits (run_ms, node_ms, output_bytes, host_calls, node_fuel, node_memory_bytes, nodes). */
  ARCRUN_LIMITS?: string;
  /** JSON array of extra recipes (resolved, as in the catalogue) for self-hosted custom services. */
  ARCRUN_RECIPES?: string;
  /** How long execution traces are kept, in seconds (default 7 days). */
  EXECUTION_TTL_SECONDS?: string;
}

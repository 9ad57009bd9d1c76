/**
 * The host ABI a component may import: a subset of WASI preview1, the arcrun host functions (module `u6u`),
 * and the metering hook the build inserts (`env.log_execution`, binaryen's log-execution pass: a call at
 * every function entry and loop header, which the host counts as fuel).
 * The build refuses a module that imports anything else; the executor implements exactly these.
 */
export const WASI_IMPORTS = [
  "fd_write",
  "fd_read",
  "fd_close",
  "fd_fdstat_get",
  "proc_exit",
  "clock_time_get",
  "clock_res_get",
  "random_get",
  "args_sizes_get",
  "args_get",
  "environ_sizes_get",
  "environ_get",
] as const;

export const HOST_FUNCTIONS = [
  "http_request",
  "kv_get",
  "kv_put",
  "crypto_decrypt",
  "crypto_sign_rs256",
  "crypto_digest",
  "crypto_hmac",
  "crypto_seal",
  "crypto_open",
  "sleep",
] as const;

export type HostFunctionName = (typeof HOST_FUNCTIONS)[number];

export const METERING_IMPORT = { module: "env", name: "log_execution" } as const;

/** Status codes a host function returns; the body of a non-zero status is `{"error": "...", "code": "..."}`. */
export const HOST_STATUS = { ok: 0, not_found: 1, denied: 2, failed: 3 } as const;

/** Bytes at the bottom of linear memory reserved for asyncify's unwind data (`--memoryBase 65536`). */
export const ASYNCIFY_DATA_START = 16;
export const ASYNCIFY_DATA_END = 65536;

/** Whether a module import is part of the host ABI. */
export function importAllowed(module: string, name: string): boolean {
  if (module === "wasi_snapshot_preview1") return (WASI_IMPORTS as readonly string[]).includes(name);
  if (module === "u6u") return (HOST_FUNCTIONS as readonly string[]).includes(name);
  return module === METERING_IMPORT.module && name === METERING_IMPORT.name;
}

/** One example of a contract: a config (templates already resolved) and the output it must produce. */
export interface ContractExample {
  name: string;
  config: Record<string, unknown>;
  /** The expected output; compared as a subset (every key given must match, extra keys are allowed). */
  output: Record<string, unknown>;
  /**
   * Host state the example needs: credentials (plaintext, encrypted by the test; `$SERVICE_ACCOUNT_KEY_JSON`
   * is replaced by a key file with a key generated per run), KV entries (keys as a component names them),
   * and HTTP routes (matched on method and path with query, whatever the host; `echo` answers with the
   * request's method, content type and body).
   */
  fixtures?: {
    credentials?: Record<string, { value: string; recipe?: string; hosts?: string[] }>;
    kv?: Record<string, string>;
    http?: {
      method?: string;
      path: string;
      status?: number;
      json?: unknown;
      text?: string;
      echo?: boolean;
    }[];
  };
}

/** `component.contract.yaml`, as written to the manifest. */
export interface ComponentContract {
  canonical_id: string;
  category: string;
  description: string;
  input_schema: Record<string, unknown>;
  output_schema: Record<string, unknown>;
  examples: ContractExample[];
}

export interface ComponentManifest {
  version: 1;
  components: (ComponentContract & { wasm: string; bytes: number; imports: string[] })[];
}

import type { CredentialSource } from "./credentials.js";
import type { DigestNonces } from "./digest.js";

/** What the host functions of one execution see: one tenant, its KV view, the executor's key, its secrets. */
export interface HostContext extends CredentialSource {
  fetch: (request: Request) => Promise<Response>;
  /** Host calls are counted per run, across nodes. */
  budget: { hostCalls: number; maxHostCalls: number };
  maxResponseBytes: number;
  /** The HTTP Digest nonces this run was given (host/digest.ts): in memory of this run only, never stored. */
  digestNonces: DigestNonces;
}

import type { CredentialSource } from "./credentials.js";

/** What the host functions of one execution see: one tenant, its KV view, the executor's key, its secrets. */
export interface HostContext extends CredentialSource {
  fetch: (request: Request) => Promise<Response>;
  /** Host calls are counted per run, across nodes. */
  budget: { hostCalls: number; maxHostCalls: number };
  maxResponseBytes: number;
}

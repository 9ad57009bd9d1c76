import type { Execution } from "./engine/execute.js";
import { type CredentialRecord, credentialKey, tokenCacheKey } from "./host/credentials.js";

/**
 * The KV layout (one namespace, ARCRUN_KV):
 *   webhook:{tenant}:{name}                      a registered workflow (its source)
 *   {tenant}:cred:{name}                         an encrypted credential (never a plaintext)
 *   {tenant}:oauth2:{name}                       a token cache written by auth components (TTL)
 *   exec:{tenant}:{id}                           an execution and its trace (TTL)
 *   execidx:{tenant}:{workflow}:{inverted time}:{id}  the index behind GET /workflows/:name/executions
 */
export interface StoredWorkflow {
  name: string;
  format: "yaml" | "json";
  source: string;
  updated_at: string;
}

export interface ExecutionSummary {
  id: string;
  status: Execution["status"];
  started_at: string;
  duration_ms?: number;
  error?: Execution["error"];
}

const workflowKey = (tenant: string, name: string) => `webhook:${tenant}:${name}`;
const executionKey = (tenant: string, id: string) => `exec:${tenant}:${id}`;
const indexPrefix = (tenant: string, workflow: string) => `execidx:${tenant}:${workflow}:`;

async function listAll(kv: KVNamespace, prefix: string, limit = 1000): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await kv.list({ prefix, ...(cursor ? { cursor } : {}) });
    for (const k of page.keys) names.push(k.name);
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor && names.length < limit);
  return names;
}

export class Store {
  constructor(
    private readonly kv: KVNamespace,
    readonly tenant: string,
    private readonly executionTtl: number,
  ) {}

  async putWorkflow(wf: StoredWorkflow): Promise<void> {
    await this.kv.put(workflowKey(this.tenant, wf.name), JSON.stringify(wf));
  }

  async getWorkflow(name: string): Promise<StoredWorkflow | undefined> {
    const raw = await this.kv.get(workflowKey(this.tenant, name));
    return raw ? (JSON.parse(raw) as StoredWorkflow) : undefined;
  }

  async deleteWorkflow(name: string): Promise<boolean> {
    const key = workflowKey(this.tenant, name);
    if ((await this.kv.get(key)) === null) return false;
    await this.kv.delete(key);
    return true;
  }

  async listWorkflows(): Promise<string[]> {
    const prefix = workflowKey(this.tenant, "");
    return (await listAll(this.kv, prefix)).map((k) => k.slice(prefix.length)).sort();
  }

  async putExecution(e: Execution): Promise<void> {
    const ttl = { expirationTtl: this.executionTtl };
    await this.kv.put(executionKey(this.tenant, e.id), JSON.stringify(e), ttl);
    const inverted = String(9_999_999_999_999 - Date.parse(e.started_at)).padStart(13, "0");
    const summary: ExecutionSummary = {
      id: e.id,
      status: e.status,
      started_at: e.started_at,
      ...(e.duration_ms !== undefined ? { duration_ms: e.duration_ms } : {}),
      ...(e.error ? { error: e.error } : {}),
    };
    await this.kv.put(
      `${indexPrefix(this.tenant, e.workflow)}${inverted}:${e.id}`,
      JSON.stringify(summary),
      ttl,
    );
  }

  async getExecution(id: string): Promise<Execution | undefined> {
    const raw = await this.kv.get(executionKey(this.tenant, id));
    return raw ? (JSON.parse(raw) as Execution) : undefined;
  }

  /** Most recent first (the index key holds the inverted start time). */
  async listExecutions(workflow: string, limit: number): Promise<ExecutionSummary[]> {
    const page = await this.kv.list({
      prefix: indexPrefix(this.tenant, workflow),
      limit: Math.min(limit, 1000),
    });
    const out: ExecutionSummary[] = [];
    for (const k of page.keys) {
      const raw = await this.kv.get(k.name);
      if (raw) out.push(JSON.parse(raw) as ExecutionSummary);
    }
    return out;
  }

  async putCredential(record: CredentialRecord): Promise<void> {
    await this.kv.put(credentialKey(this.tenant, record.name), JSON.stringify(record));
    // A new secret invalidates tokens cached from the old one.
    await this.kv.delete(tokenCacheKey(this.tenant, record.name));
  }

  async listCredentials(): Promise<Omit<CredentialRecord, "encrypted" | "iv">[]> {
    const prefix = credentialKey(this.tenant, "");
    const out: Omit<CredentialRecord, "encrypted" | "iv">[] = [];
    for (const key of await listAll(this.kv, prefix)) {
      const raw = await this.kv.get(key);
      if (!raw) continue;
      const { encrypted: _e, iv: _i, ...meta } = JSON.parse(raw) as CredentialRecord;
      out.push(meta);
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  async deleteCredential(name: string): Promise<boolean> {
    const key = credentialKey(this.tenant, name);
    if ((await this.kv.get(key)) === null) return false;
    await this.kv.delete(key);
    await this.kv.delete(tokenCacheKey(this.tenant, name));
    return true;
  }
}

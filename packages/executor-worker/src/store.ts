import type { Execution } from "./engine/execute.js";
import type { CredentialRecord } from "./host/credentials.js";
import { listV1, listV1Executions, readV1 } from "./internal/migrate-v1.js";
import {
  credentialKey,
  cronIndexKey,
  executionIndexPrefix,
  executionKey,
  tokenCacheKey,
  workflowKey,
} from "./keys.js";

/**
 * The KV layout is in keys.ts (`v2/<kind>/<tenant>/...`). Until the first schema's keys are all moved
 * (internal/migrate-v1.ts), a record without its v2 key is read from its first-schema key, and moved.
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

/** A `cron` node right after `input`, with its literal expression. */
export interface CronTrigger {
  node: string;
  expression: string;
}

/** The metadata of a `v2/cron/{tenant}/{name}` key (or, when too large for metadata, its value as JSON). */
export interface CronIndexEntry {
  triggers: CronTrigger[];
}

/** Workers KV refuses metadata whose JSON is longer than this (bytes). */
const KV_METADATA_MAX_BYTES = 1024;

/**
 * Writes (or, with no triggers, deletes) a workflow's schedule index key. The triggers go in the key's
 * metadata, so `list({ prefix: "v2/cron/" })` returns them without a read; a list too long for the 1 KiB
 * metadata limit goes in the value instead (the scheduled handler then reads that one key).
 */
export async function putCronIndex(
  kv: KVNamespace,
  tenant: string,
  name: string,
  triggers: CronTrigger[],
): Promise<void> {
  const key = cronIndexKey(tenant, name);
  if (triggers.length === 0) {
    await kv.delete(key);
    return;
  }
  const entry: CronIndexEntry = { triggers };
  const json = JSON.stringify(entry);
  if (new TextEncoder().encode(json).length <= KV_METADATA_MAX_BYTES)
    await kv.put(key, "", { metadata: entry });
  else await kv.put(key, json);
}

/** A schedule index entry's triggers, from metadata or value; undefined when it is not one. */
export function cronIndexEntry(value: unknown): CronTrigger[] | undefined {
  if (!value || typeof value !== "object") return undefined;
  const triggers = (value as { triggers?: unknown }).triggers;
  if (!Array.isArray(triggers)) return undefined;
  const out: CronTrigger[] = [];
  for (const t of triggers) {
    if (!t || typeof t !== "object") return undefined;
    const { node, expression } = t as { node?: unknown; expression?: unknown };
    if (typeof node !== "string" || typeof expression !== "string") return undefined;
    out.push({ node, expression });
  }
  return out;
}

/** Every key under `prefix`, with its metadata, a KV list page at a time. */
export async function* listKeys(
  kv: KVNamespace,
  prefix: string,
): AsyncGenerator<{ name: string; metadata: unknown }> {
  let cursor: string | undefined;
  do {
    const page = await kv.list({ prefix, ...(cursor ? { cursor } : {}) });
    for (const k of page.keys) yield { name: k.name, metadata: k.metadata };
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
}

async function listAll(kv: KVNamespace, prefix: string, limit = 1000): Promise<string[]> {
  const names: string[] = [];
  for await (const k of listKeys(kv, prefix)) {
    names.push(k.name);
    if (names.length >= limit) break;
  }
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

  /** Keeps the schedule index in step with a registered workflow's cron triggers (none: no index key). */
  async putCronTriggers(name: string, triggers: CronTrigger[]): Promise<void> {
    await putCronIndex(this.kv, this.tenant, name, triggers);
  }

  async getWorkflow(name: string): Promise<StoredWorkflow | undefined> {
    const raw =
      (await this.kv.get(workflowKey(this.tenant, name))) ?? (await readV1(this.kv, "wf", this.tenant, name));
    return raw ? (JSON.parse(raw) as StoredWorkflow) : undefined;
  }

  async deleteWorkflow(name: string): Promise<boolean> {
    const key = workflowKey(this.tenant, name);
    if ((await this.getWorkflow(name)) === undefined) return false;
    await this.kv.delete(key);
    await this.kv.delete(cronIndexKey(this.tenant, name));
    return true;
  }

  async listWorkflows(): Promise<string[]> {
    const old = await listV1(this.kv, "wf", this.tenant);
    const prefix = workflowKey(this.tenant, "");
    const names = (await listAll(this.kv, prefix)).map((k) => decodeURIComponent(k.slice(prefix.length)));
    return [...new Set([...names, ...old.map((o) => o.name)])].sort();
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
      `${executionIndexPrefix(this.tenant, e.workflow)}${inverted}/${encodeURIComponent(e.id)}`,
      JSON.stringify(summary),
      ttl,
    );
  }

  async getExecution(id: string): Promise<Execution | undefined> {
    const raw =
      (await this.kv.get(executionKey(this.tenant, id))) ?? (await readV1(this.kv, "exec", this.tenant, id));
    return raw ? (JSON.parse(raw) as Execution) : undefined;
  }

  /** Most recent first (the index key holds the inverted start time). */
  async listExecutions(workflow: string, limit: number): Promise<ExecutionSummary[]> {
    const page = await this.kv.list({
      prefix: executionIndexPrefix(this.tenant, workflow),
      limit: Math.min(limit, 1000),
    });
    const out: ExecutionSummary[] = [];
    for (const k of page.keys) {
      const raw = await this.kv.get(k.name);
      if (raw) out.push(JSON.parse(raw) as ExecutionSummary);
    }
    for (const raw of await listV1Executions(this.kv, this.tenant, workflow, limit - out.length)) {
      out.push(JSON.parse(raw) as ExecutionSummary);
    }
    return out;
  }

  async putCredential(record: CredentialRecord): Promise<void> {
    await this.kv.put(credentialKey(this.tenant, record.name), JSON.stringify(record));
    // A new secret invalidates tokens cached from the old one.
    await this.kv.delete(tokenCacheKey(this.tenant, record.name));
  }

  async listCredentials(): Promise<Omit<CredentialRecord, "encrypted" | "iv">[]> {
    const old = await listV1(this.kv, "cred", this.tenant);
    const prefix = credentialKey(this.tenant, "");
    const out: Omit<CredentialRecord, "encrypted" | "iv">[] = [];
    const raws = old.map((o) => o.raw);
    for (const key of await listAll(this.kv, prefix)) {
      const raw = await this.kv.get(key);
      if (raw && !old.some((o) => key === credentialKey(this.tenant, o.name))) raws.push(raw);
    }
    for (const raw of raws) {
      const { encrypted: _e, iv: _i, ...meta } = JSON.parse(raw) as CredentialRecord;
      out.push(meta);
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  async deleteCredential(name: string): Promise<boolean> {
    const key = credentialKey(this.tenant, name);
    if ((await this.kv.get(key)) === null && (await readV1(this.kv, "cred", this.tenant, name)) === null)
      return false;
    await this.kv.delete(key);
    await this.kv.delete(tokenCacheKey(this.tenant, name));
    return true;
  }
}

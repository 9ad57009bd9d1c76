import { credentialKey, executionIndexPrefix, executionKey, SCHEMA_MARKER, workflowKey } from "../keys.js";

/** A key of the first schema, read as what it most likely held (its value decides where two readings fit). */
type V1Key =
  | { kind: "cred"; tenant: string; name: string }
  | { kind: "wf"; tenant: string; name: string }
  | { kind: "exec"; tenant: string; id: string }
  | { kind: "execidx"; tenant: string; workflow: string; inverted: string; id: string }
  /** Token caches, the schedule index and its markers: rebuilt or refetched, not moved. */
  | { kind: "drop" };

/**
 * Every reading of a first-schema key. Tenant ids, workflow and credential names never contain ":", but
 * the kinds shared one key space: `cron:cred:a` is tenant "cron"'s credential "a" and also the schedule
 * index of tenant "cred"'s workflow "a"; `webhook:cred:x` is a workflow of tenant "cred" and a credential
 * of tenant "webhook".
 */
function readings(key: string): V1Key[] {
  const out: V1Key[] = [];
  let m = /^([^:]+):cred:([^:]+)$/.exec(key);
  if (m) out.push({ kind: "cred", tenant: m[1] as string, name: m[2] as string });
  m = /^webhook:([^:]+):([^:]+)$/.exec(key);
  if (m) out.push({ kind: "wf", tenant: m[1] as string, name: m[2] as string });
  m = /^exec:([^:]+):([^:]+)$/.exec(key);
  if (m) out.push({ kind: "exec", tenant: m[1] as string, id: m[2] as string });
  m = /^execidx:([^:]+):([^:]+):(\d{13}):([^:]+)$/.exec(key);
  if (m)
    out.push({
      kind: "execidx",
      tenant: m[1] as string,
      workflow: m[2] as string,
      inverted: m[3] as string,
      id: m[4] as string,
    });
  if (
    /^[^:]+:oauth2:[^:]+$/.test(key) ||
    /^cron:[^:]+:[^:]+$/.test(key) ||
    /^cronrun:[^:]+:[^:]+:\d+$/.test(key) ||
    key === "cron-index:v1"
  )
    out.push({ kind: "drop" });
  return out;
}

function parsed(raw: string | null): Record<string, unknown> | undefined {
  if (!raw) return undefined;
  try {
    const v: unknown = JSON.parse(raw);
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    // Not JSON: a schedule index entry (its triggers are in metadata) or a marker.
    return undefined;
  }
}

/** Whether a value has the shape of what the reading says the key held. */
function fits(r: V1Key, v: Record<string, unknown> | undefined): boolean {
  switch (r.kind) {
    case "cred":
      return typeof v?.encrypted === "string" && typeof v.iv === "string";
    case "wf":
      return typeof v?.source === "string" && typeof v.format === "string";
    case "exec":
      return typeof v?.id === "string" && Array.isArray(v.trace);
    case "execidx":
      return typeof v?.id === "string" && typeof v.started_at === "string" && !("trace" in v);
    case "drop":
      return true;
    default: {
      const never: never = r;
      return never;
    }
  }
}

function target(r: Exclude<V1Key, { kind: "drop" }>): string {
  switch (r.kind) {
    case "cred":
      return credentialKey(r.tenant, r.name);
    case "wf":
      return workflowKey(r.tenant, r.name);
    case "exec":
      return executionKey(r.tenant, r.id);
    case "execidx":
      return `${executionIndexPrefix(r.tenant, r.workflow)}${r.inverted}/${encodeURIComponent(r.id)}`;
    default: {
      const never: never = r;
      return never;
    }
  }
}

/** KV refuses an expiration less than 60 seconds ahead. */
const MIN_EXPIRATION_AHEAD_S = 60;

/** What one invocation may spend on moving keys: Workers allow 1000 KV operations per invocation. */
export const MIGRATION_OPS_PER_INVOCATION = 300;

/**
 * Moves the keys of the first schema (`{tenant}:cred:{name}`, `webhook:{tenant}:{name}`, ...) to the v2
 * schema of keys.ts, at most `budget` KV operations at a time (Workers allow 1000 per invocation): the
 * scheduled handler calls it each tick until it is done, and then sets SCHEMA_MARKER, after which it is a
 * no-op. Each key is copied (with its expiration) and then deleted, so a run cut short resumes where it
 * stopped; a v2 key already there is newer and is kept. Token caches and the schedule index are dropped
 * (refetched and rebuilt). Requests do not wait for it: they read a missing v2 key from the first schema
 * (readV1). Returns how many keys it moved and whether it is done.
 */
export async function migrateV1Keys(
  kv: KVNamespace,
  budget = MIGRATION_OPS_PER_INVOCATION,
): Promise<{ moved: number; done: boolean }> {
  if ((await kv.get(SCHEMA_MARKER)) !== null) return { moved: 0, done: true };
  let moved = 0;
  let ops = 1;
  let cursor: string | undefined;
  const now = Math.floor(Date.now() / 1000);
  do {
    if (ops >= budget) return { moved, done: false };
    const page = await kv.list(cursor ? { cursor } : {});
    ops++;
    for (const k of page.keys) {
      if (k.name.startsWith("v2/")) continue;
      const options = readings(k.name);
      if (options.length === 0) continue;
      // At most four operations for this key: read it, look for its new key, write that, delete it.
      if (ops + 4 > budget) return { moved, done: false };
      const raw = options.some((r) => r.kind !== "drop") ? await kv.get(k.name) : null;
      ops++;
      const value = parsed(raw);
      const reading = options.find((r) => fits(r, value));
      if (!reading) continue;
      if (reading.kind !== "drop" && raw !== null) {
        const to = target(reading);
        const expiration = k.expiration;
        // A key about to expire is not worth moving.
        const expiring = expiration !== undefined && expiration < now + MIN_EXPIRATION_AHEAD_S;
        ops++;
        if (!expiring && (await kv.get(to)) === null) {
          await kv.put(to, raw, expiration !== undefined ? { expiration } : {});
          ops++;
          moved++;
        }
      }
      await kv.delete(k.name);
      ops++;
    }
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  await kv.put(SCHEMA_MARKER, new Date().toISOString());
  return { moved, done: true };
}

/** The KV operations the read fallback needs. */
export interface V1Kv {
  get(key: string): Promise<string | null>;
  put(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

type V1Kind = "cred" | "wf" | "exec";

/** The first schema's key of a credential, workflow or execution; undefined for a name it could not hold. */
function v1Key(kind: V1Kind, tenant: string, name: string): string | undefined {
  if (tenant.includes(":") || name.includes(":")) return undefined;
  return kind === "cred"
    ? `${tenant}:cred:${name}`
    : kind === "wf"
      ? `webhook:${tenant}:${name}`
      : `exec:${tenant}:${name}`;
}

function readingOf(kind: V1Kind, tenant: string, name: string): Exclude<V1Key, { kind: "drop" }> {
  return kind === "exec" ? { kind, tenant, id: name } : { kind, tenant, name };
}

/**
 * A credential, workflow or execution that has no v2 key yet, read from the first schema's key when its
 * value has the shape of that kind (so `webhook:cred:x`, tenant cred's workflow, is never read as tenant
 * webhook's credential). A credential or workflow is moved to its v2 key on the way (one record, three
 * operations); an execution is only read (it expires where it is). Null once SCHEMA_MARKER is set.
 */
export async function readV1(kv: V1Kv, kind: V1Kind, tenant: string, name: string): Promise<string | null> {
  const key = v1Key(kind, tenant, name);
  if (key === undefined || (await kv.get(SCHEMA_MARKER)) !== null) return null;
  const raw = await kv.get(key);
  const reading = readingOf(kind, tenant, name);
  if (raw === null || !fits(reading, parsed(raw))) return null;
  if (kind !== "exec") {
    await kv.put(target(reading), raw);
    await kv.delete(key);
  }
  return raw;
}

/** How many first-schema records one list request reads and moves at most (the rest: the next request). */
export const V1_LIST_MAX = 100;

/**
 * A tenant's credentials or workflows still under the first schema's keys (at most V1_LIST_MAX), each
 * checked by its value and moved to its v2 key; [] once SCHEMA_MARKER is set.
 */
export async function listV1(
  kv: V1Kv & Pick<KVNamespace, "list">,
  kind: "cred" | "wf",
  tenant: string,
): Promise<{ name: string; raw: string }[]> {
  if (tenant.includes(":") || (await kv.get(SCHEMA_MARKER)) !== null) return [];
  const prefix = kind === "cred" ? `${tenant}:cred:` : `webhook:${tenant}:`;
  const page = await kv.list({ prefix, limit: V1_LIST_MAX });
  const out: { name: string; raw: string }[] = [];
  for (const k of page.keys) {
    const name = k.name.slice(prefix.length);
    const raw = await readV1(kv, kind, tenant, name);
    if (raw !== null) out.push({ name, raw });
  }
  return out;
}

/**
 * A workflow's executions still under the first schema's index (`execidx:{tenant}:{workflow}:...`), newest
 * first, at most `limit` (and V1_LIST_MAX); read where they are, since they expire there.
 */
export async function listV1Executions(
  kv: Pick<KVNamespace, "get" | "list">,
  tenant: string,
  workflow: string,
  limit: number,
): Promise<string[]> {
  if (limit <= 0 || tenant.includes(":") || workflow.includes(":")) return [];
  if ((await kv.get(SCHEMA_MARKER)) !== null) return [];
  const page = await kv.list({
    prefix: `execidx:${tenant}:${workflow}:`,
    limit: Math.min(limit, V1_LIST_MAX),
  });
  const out: string[] = [];
  for (const k of page.keys) {
    const raw = await kv.get(k.name);
    const m = /^execidx:[^:]+:[^:]+:(\d{13}):([^:]+)$/.exec(k.name);
    if (!m || raw === null) continue;
    const reading: V1Key = {
      kind: "execidx",
      tenant,
      workflow,
      inverted: m[1] as string,
      id: m[2] as string,
    };
    if (fits(reading, parsed(raw))) out.push(raw);
  }
  return out;
}

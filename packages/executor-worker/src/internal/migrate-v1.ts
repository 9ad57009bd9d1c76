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

/**
 * Moves the keys of the first schema (`{tenant}:cred:{name}`, `webhook:{tenant}:{name}`, ...) to the v2
 * schema of keys.ts, once: a no-op when SCHEMA_MARKER is set, which it sets at the end. Each key is copied
 * (with its expiration) and then deleted, so a run cut short resumes where it stopped; a v2 key already
 * there is newer and is kept. Token caches and the schedule index are dropped (refetched and rebuilt).
 * Returns how many keys it moved.
 */
export async function migrateV1Keys(kv: KVNamespace): Promise<number> {
  if ((await kv.get(SCHEMA_MARKER)) !== null) return 0;
  let moved = 0;
  let cursor: string | undefined;
  const now = Math.floor(Date.now() / 1000);
  do {
    const page = await kv.list(cursor ? { cursor } : {});
    for (const k of page.keys) {
      if (k.name.startsWith("v2/")) continue;
      const options = readings(k.name);
      if (options.length === 0) continue;
      const raw = options.some((r) => r.kind !== "drop") ? await kv.get(k.name) : null;
      const value = parsed(raw);
      const reading = options.find((r) => fits(r, value));
      if (!reading) continue;
      if (reading.kind !== "drop" && raw !== null) {
        const to = target(reading);
        const expiration = k.expiration;
        // A key about to expire is not worth moving.
        const expiring = expiration !== undefined && expiration < now + MIN_EXPIRATION_AHEAD_S;
        if (!expiring && (await kv.get(to)) === null) {
          await kv.put(to, raw, expiration !== undefined ? { expiration } : {});
          moved++;
        }
      }
      await kv.delete(k.name);
    }
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  await kv.put(SCHEMA_MARKER, new Date().toISOString());
  return moved;
}

const done = new WeakMap<KVNamespace, Promise<number>>();

/** migrateV1Keys once per isolate and namespace (retried on the next call if it failed). */
export function ensureKvSchema(kv: KVNamespace): Promise<number> {
  let p = done.get(kv);
  if (!p) {
    p = migrateV1Keys(kv).catch((err: unknown) => {
      done.delete(kv);
      throw err;
    });
    done.set(kv, p);
  }
  return p;
}

/**
 * The KV key schema (one namespace, ARCRUN_KV). Every key is `v2/<kind>/<tenant>/...`: a fixed kind, then
 * each part encoded with encodeURIComponent, which never yields "/" (it becomes %2F) and is one-to-one. So
 * no tenant id or name, whatever its characters, forms another kind's key or another tenant's (the schema
 * before it, `{tenant}:cred:{name}` beside `cron:{tenant}:{name}`, let tenant ids `cron`, `webhook` and
 * `cred` read or delete each other's data). See docs/executor.md "Storage".
 *
 *   v2/wf/{tenant}/{name}                                a registered workflow (its source)
 *   v2/cred/{tenant}/{name}                              an encrypted credential (never a plaintext)
 *   v2/tok/{tenant}/{name}                               a token cache written by auth components (TTL)
 *   v2/exec/{tenant}/{id}                                an execution and its trace (TTL)
 *   v2/execidx/{tenant}/{workflow}/{inverted time}/{id}  the index behind GET /workflows/:name/executions
 *   v2/cron/{tenant}/{name}                              the schedule index: a workflow's cron triggers in
 *                                                        the key's metadata ({ triggers })
 *   v2/cronrun/{tenant}/{name}/{minute}                  a scheduled run's once-per-minute marker (TTL)
 *   v2/recipe/{tenant}/{id}                              a recipe the tenant pushed (arcrun recipe push), kept
 *                                                        only after its test request passed (src/recipes.ts)
 *   v2/meta/cron-index                                   set once the schedule index holds older workflows
 *   v2/meta/schema                                       set once the keys of the first schema are moved
 */
export type KeyKind = "wf" | "cred" | "tok" | "exec" | "execidx" | "cron" | "cronrun" | "recipe";

const enc = encodeURIComponent;

/** The prefix of every key of one kind (with `tenant`, of that tenant's). */
export function kindPrefix(kind: KeyKind, tenant?: string): string {
  return tenant === undefined ? `v2/${kind}/` : `v2/${kind}/${enc(tenant)}/`;
}

export const workflowKey = (tenant: string, name: string): string =>
  `${kindPrefix("wf", tenant)}${enc(name)}`;
export const credentialKey = (tenant: string, name: string): string =>
  `${kindPrefix("cred", tenant)}${enc(name)}`;
export const tokenCacheKey = (tenant: string, name: string): string =>
  `${kindPrefix("tok", tenant)}${enc(name)}`;
export const executionKey = (tenant: string, id: string): string => `${kindPrefix("exec", tenant)}${enc(id)}`;
export const executionIndexPrefix = (tenant: string, workflow: string): string =>
  `${kindPrefix("execidx", tenant)}${enc(workflow)}/`;
export const cronIndexKey = (tenant: string, name: string): string =>
  `${kindPrefix("cron", tenant)}${enc(name)}`;
export const cronRunKey = (tenant: string, name: string, minute: number): string =>
  `${kindPrefix("cronrun", tenant)}${enc(name)}/${minute}`;
export const recipeKey = (tenant: string, id: string): string => `${kindPrefix("recipe", tenant)}${enc(id)}`;

/** Present once the schedule index has been built from the workflows stored before it existed. */
export const CRON_INDEX_MARKER = "v2/meta/cron-index";
/** Present once the keys of the first schema have been moved (internal/migrate-v1.ts). */
export const SCHEMA_MARKER = "v2/meta/schema";

/** `v2/<kind>/{tenant}/{name}` -> tenant and name, decoded; undefined for any other key. */
export function splitKey(kind: KeyKind, key: string): { tenant: string; name: string } | undefined {
  const prefix = kindPrefix(kind);
  if (!key.startsWith(prefix)) return undefined;
  const parts = key.slice(prefix.length).split("/");
  if (parts.length !== 2) return undefined;
  try {
    return { tenant: decodeURIComponent(parts[0] as string), name: decodeURIComponent(parts[1] as string) };
  } catch {
    return undefined;
  }
}

/**
 * The executor's wire protocol, shared by the CLI (a client) and the executor Worker: what an execution and
 * its trace look like, and the credential envelope. Pure WebCrypto and no Node API, so both import it.
 * See docs/executor.md, "Credentials and tenant isolation".
 */

/** The stable error codes the executor answers with (API: renaming one is a breaking change). */
export type ExecutorErrorCode =
  | "ERR_WORKFLOW_INVALID"
  | "ERR_WORKFLOW_NOT_FOUND"
  | "ERR_WORKFLOW_TOO_LARGE"
  | "ERR_EXECUTION_NOT_FOUND"
  | "ERR_CREDENTIAL_INVALID"
  | "ERR_CREDENTIAL_NOT_FOUND"
  | "ERR_UNAUTHORIZED"
  | "ERR_RATE_LIMITED"
  | "ERR_BAD_REQUEST"
  | "ERR_COMPONENT_FAILED"
  | "ERR_COMPONENT_TRAPPED"
  | "ERR_COMPONENT_OUTPUT"
  | "ERR_TEMPLATE"
  | "ERR_HOST_NOT_ALLOWED"
  | "ERR_HOST_DENIED"
  | "ERR_LIMIT_RUN_TIME"
  | "ERR_LIMIT_NODE_TIME"
  | "ERR_LIMIT_OUTPUT"
  | "ERR_LIMIT_HOST_CALLS"
  | "ERR_LIMIT_FUEL"
  | "ERR_LIMIT_MEMORY"
  | "ERR_LIMIT_NODES"
  | "ERR_CONFIG"
  | "ERR_RECIPE_INVALID"
  | "ERR_RECIPE_EXISTS"
  | "ERR_RECIPE_NOT_FOUND"
  | "ERR_RECIPE_TEST_FAILED"
  | "ERR_HOSTS_UNCONFIRMED";

export interface TraceEntry {
  node: string;
  component: string;
  status: "succeeded" | "failed";
  started_at: string;
  duration_ms: number;
  output_bytes: number;
  host_calls: number;
  fuel: number;
  /** The FOREACH iteration, for nodes run once per item. */
  iteration?: number;
  error?: { code: ExecutorErrorCode; message: string };
  /** The try_catch node that caught this failure (the run went on with its catch branch). */
  caught_by?: string;
}

export interface Execution {
  id: string;
  workflow: string;
  status: "running" | "succeeded" | "failed";
  started_at: string;
  finished_at?: string;
  duration_ms?: number;
  /** How host calls suspend the component: "jspi" (workerd) or "asyncify". */
  mode?: "jspi" | "asyncify";
  trace: TraceEntry[];
  /** The last node's output (secret values redacted; credentials appear as sealed handles at most). */
  output?: unknown;
  error?: { code: ExecutorErrorCode; message: string; node?: string };
}

/**
 * A credential encrypted on the client: AES-256-GCM (NIST SP 800-38D), random 96-bit IV, the tag appended,
 * both base64. Version 2 is encrypted with the tenant's key (`deriveTenantKey`) and its additional data binds
 * the tenant and the name (`envelopeAad`), so a record copied to another tenant or name opens nowhere.
 * A record without `v` is the first version (the executor's key, the name only), read for migration.
 */
export interface CredentialEnvelope {
  v?: 2;
  name: string;
  /** base64(ciphertext || tag) */
  encrypted: string;
  /** base64 of the 12-byte IV */
  iv: string;
}

export const ENVELOPE_VERSION = 2;
const KEY_BYTES = 32;
const IV_BYTES = 12;
/** A tenant key as a tenant holds it: self-describing, so `creds push` knows the tenant it is for. */
const TENANT_KEY = /^arcrun-tk1\.([a-z0-9][a-z0-9_-]{0,63})\.([A-Za-z0-9+/]{43}=)$/;

function toBase64(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The additional data of a version-2 envelope: the tenant and the credential name. */
export function envelopeAad(tenant: string, name: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`arcrun-credential:v2:${JSON.stringify([tenant, name])}`);
}

/** The additional data of a first-version envelope (the name only), kept to read old records. */
export function legacyEnvelopeAad(name: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`arcrun-credential:${name}`);
}

/**
 * A tenant's credential key: HKDF-SHA256 (RFC 5869) of the executor's 32-byte key, with the tenant as info.
 * Returned as the tenant holds it, `arcrun-tk1.<tenant>.<base64>`: enough to push that tenant's
 * credentials, and nothing for any other tenant.
 */
export async function deriveTenantKey(executorKeyBase64: string, tenant: string): Promise<string> {
  const raw = fromBase64(executorKeyBase64.trim());
  if (raw.length !== KEY_BYTES) throw new Error("the executor key must be 32 bytes, base64");
  const base = await crypto.subtle.importKey("raw", raw, "HKDF", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    {
      name: "HKDF",
      hash: "SHA-256",
      salt: new TextEncoder().encode("arcrun executor tenant key"),
      info: new TextEncoder().encode(`arcrun-tk1:${tenant}`),
    },
    base,
    KEY_BYTES * 8,
  );
  return `arcrun-tk1.${tenant}.${toBase64(new Uint8Array(bits))}`;
}

/** The tenant and key bytes of a tenant key; undefined for anything else (an executor's own key, say). */
export function parseTenantKey(text: string): { tenant: string; key: Uint8Array<ArrayBuffer> } | undefined {
  const m = TENANT_KEY.exec(text.trim());
  if (!m) return undefined;
  return { tenant: m[1] as string, key: fromBase64(m[2] as string) };
}

function aesKey(raw: Uint8Array<ArrayBuffer>, usage: "encrypt" | "decrypt"): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, [usage]);
}

/** Encrypts a credential for one tenant with that tenant's key (`arcrun-tk1....`). */
export async function sealEnvelope(
  tenantKey: string,
  name: string,
  plaintext: string,
): Promise<CredentialEnvelope> {
  const parsed = parseTenantKey(tenantKey);
  if (!parsed) throw new Error("not a tenant key (arcrun-tk1.<tenant>.<base64>)");
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: envelopeAad(parsed.tenant, name) },
    await aesKey(parsed.key, "encrypt"),
    new TextEncoder().encode(plaintext),
  );
  return { v: ENVELOPE_VERSION, name, encrypted: toBase64(new Uint8Array(ct)), iv: toBase64(iv) };
}

/**
 * Opens an envelope stored for `tenant`: version 2 with the tenant's key (derived from the executor's), a
 * first-version record with the executor's key. Throws when it does not open (another tenant, name or key).
 */
export async function openEnvelope(
  executorKeyBase64: string,
  tenant: string,
  envelope: CredentialEnvelope,
): Promise<string> {
  const iv = fromBase64(envelope.iv);
  const data = fromBase64(envelope.encrypted);
  let key: Uint8Array<ArrayBuffer>;
  let aad: Uint8Array<ArrayBuffer>;
  if (envelope.v === ENVELOPE_VERSION) {
    key = (
      parseTenantKey(await deriveTenantKey(executorKeyBase64, tenant)) as { key: Uint8Array<ArrayBuffer> }
    ).key;
    aad = envelopeAad(tenant, envelope.name);
  } else {
    key = fromBase64(executorKeyBase64.trim());
    aad = legacyEnvelopeAad(envelope.name);
  }
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv, additionalData: aad },
    await aesKey(key, "decrypt"),
    data,
  );
  return new TextDecoder().decode(plain);
}

/**
 * `POST /recipes/check` and `POST /recipes` (arcrun recipe push): a recipe file for the tenant, tested with one
 * of its credentials. `proof` is an envelope sealed with the tenant's key over the rest of the request
 * (`sealRecipePush`): pushing a recipe decides where a stored credential may be sent, so it needs the same key
 * as pushing a credential, not only the API key.
 */
export interface RecipePushRequest {
  /** The recipe's id (its file is `<id>.yaml`). */
  id: string;
  /** The recipe file as written (YAML), validated again by the executor. */
  source: string;
  /** The tenant's credential the test request runs with. */
  credential: string;
  /** The hosts the person confirmed (empty for a check). Every host the recipe reaches must be among them. */
  confirm_hosts: string[];
  proof: CredentialEnvelope;
}

/** The answer of `POST /recipes/check`: where the credential would go, and what a stored version allowed. */
export interface RecipeCheckResponse {
  id: string;
  hosts: string[];
  /** The hosts of the version stored now, or null when the tenant has none by that id. */
  previous_hosts: string[] | null;
}

/** The answer of `POST /recipes`: stored, after its test request answered `test_status`. */
export interface RecipePushResponse {
  id: string;
  hosts: string[];
  test_status: number;
  /** The credential was bound to the recipe by this push (it had none). */
  bound: boolean;
  replaced: boolean;
  pushed_at: string;
}

export type RecipePushPhase = "check" | "push";

async function recipePushDigest(
  phase: RecipePushPhase,
  req: Omit<RecipePushRequest, "proof">,
): Promise<string> {
  const text = JSON.stringify([phase, req.id, req.source, req.credential, [...req.confirm_hosts].sort()]);
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return toBase64(new Uint8Array(hash));
}

const proofName = (id: string) => `recipe-push:${id}`;

/** The proof of a recipe push: its digest, sealed with the tenant's key (bound to tenant and recipe id). */
export async function sealRecipePush(
  tenantKey: string,
  phase: RecipePushPhase,
  req: Omit<RecipePushRequest, "proof">,
): Promise<CredentialEnvelope> {
  return sealEnvelope(tenantKey, proofName(req.id), await recipePushDigest(phase, req));
}

/** Whether `req.proof` was sealed with this tenant's key over exactly this request and phase. */
export async function openRecipePush(
  executorKeyBase64: string,
  tenant: string,
  phase: RecipePushPhase,
  req: RecipePushRequest,
): Promise<boolean> {
  const { proof } = req;
  if (!proof || proof.v !== ENVELOPE_VERSION || proof.name !== proofName(req.id)) return false;
  try {
    return (await openEnvelope(executorKeyBase64, tenant, proof)) === (await recipePushDigest(phase, req));
  } catch {
    return false;
  }
}

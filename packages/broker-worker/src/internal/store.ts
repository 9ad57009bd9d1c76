import { type Sealed, sha256 } from "./crypto.js";

/** KV's shortest expiration; shorter lifetimes are enforced by `expires_at` in the record. */
const KV_MIN_TTL_S = 60;

/** A started login, stored under the hash of the broker's own `state` towards the provider. */
export interface Pending {
  service: string;
  redirect_uri: string;
  /** The library's state, returned to the loopback unchanged. */
  state: string;
  /** The library's S256 code challenge: the handoff is redeemable only with its verifier. */
  code_challenge: string;
  /** The broker's own PKCE verifier towards the provider (absent when the recipe says pkce: none). */
  verifier?: string;
  scope?: string;
  expires_at: number;
}

/** Tokens waiting for the library, encrypted, stored under the hash of the one-time handoff code. */
export interface Handoff extends Sealed {
  service: string;
  code_challenge: string;
  redirect_uri: string;
  expires_at: number;
}

type Kind = "pending" | "handoff";

const keyOf = async (kind: Kind, secret: string) => `${kind}:${await sha256(secret)}`;

/** Hashes consumed in this isolate, so a replay racing KV's eventual consistency still fails here. */
const consumed = new Map<string, number>();

export async function put(
  kv: KVNamespace,
  kind: Kind,
  secret: string,
  value: Pending | Handoff,
): Promise<void> {
  const ttl = Math.max(KV_MIN_TTL_S, Math.ceil((value.expires_at - Date.now()) / 1000));
  await kv.put(await keyOf(kind, secret), JSON.stringify(value), { expirationTtl: ttl });
}

/**
 * Reads and deletes a record in one step: whatever happens next (a wrong verifier, a provider error), the
 * secret that named it cannot be used again. Returns undefined when unknown, used or expired.
 */
export async function take<T extends Pending | Handoff>(
  kv: KVNamespace,
  kind: Kind,
  secret: string,
  now = Date.now(),
): Promise<T | undefined> {
  const key = await keyOf(kind, secret);
  for (const [k, until] of consumed) if (until < now) consumed.delete(k);
  if (consumed.has(key)) return undefined;
  const raw = await kv.get(key);
  if (raw === null) return undefined;
  consumed.set(key, now + 10 * 60_000);
  await kv.delete(key);
  let value: T;
  try {
    value = JSON.parse(raw) as T;
  } catch {
    return undefined;
  }
  return value.expires_at > now ? value : undefined;
}

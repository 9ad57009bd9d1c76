/**
 * Failed API keys per client address (docs/executor.md "Routes"). The count lives in a Durable Object per
 * address (`AddressWindow` of @arcrun/recipes, bound as FAILED_KEYS), so every isolate counts into the same
 * window and a restart forgets nothing. Only a failure reaches the object: a request with a good key costs
 * no round trip. What the object answered is kept in this isolate's memory, so an address this isolate has
 * seen reach the limit is refused before its key is checked; in an isolate that has not, its next wrong key
 * learns it from the object (429 instead of 401).
 *
 * Why not the Workers Rate Limiting binding: its counts are "per Cloudflare location" and approximate, its
 * period is 10 or 60 seconds, it tells no time to wait, and `limit()` counts every call, so asking before a
 * key check would count good keys too (developers.cloudflare.com/workers/runtime-apis/bindings/rate-limit/).
 */
import { hitWindow, type WindowNamespace } from "@arcrun/recipes";
import { ExecutorError } from "../errors.js";

export { clientAddress } from "@arcrun/recipes";

export interface FailedKeyLimit {
  /** Wrong keys an address may send in one window; the next request is refused until the window ends. */
  limit: number;
  window_s: number;
}

export const DEFAULT_FAILED_KEY_LIMIT: FailedKeyLimit = { limit: 10, window_s: 60 };

let limitSource: string | undefined;
let parsedLimit: FailedKeyLimit = DEFAULT_FAILED_KEY_LIMIT;

/** ARCRUN_FAILED_KEYS (JSON `{ limit, window_s }`, either optional) over the defaults. */
export function failedKeyLimit(raw: string | undefined): FailedKeyLimit {
  if (raw === limitSource) return parsedLimit;
  let out: FailedKeyLimit = DEFAULT_FAILED_KEY_LIMIT;
  if (raw) {
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch {
      v = undefined;
    }
    const o = v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
    const limit = o?.limit ?? DEFAULT_FAILED_KEY_LIMIT.limit;
    const windowS = o?.window_s ?? DEFAULT_FAILED_KEY_LIMIT.window_s;
    const whole = (n: unknown, max: number): n is number =>
      typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= max;
    if (!o || !whole(limit, 1_000_000) || !whole(windowS, 86_400)) {
      throw new ExecutorError(
        "ERR_CONFIG",
        'ARCRUN_FAILED_KEYS must be JSON like {"limit": 10, "window_s": 60} (whole numbers; window_s at most 86400); fix the Worker\'s configuration',
      );
    }
    out = { limit, window_s: windowS };
  }
  limitSource = raw;
  parsedLimit = out;
  return out;
}

const MAX_REMEMBERED = 10_000;
/** Addresses this isolate knows to be over the limit, and until when (ms). */
const blocked = new Map<string, number>();

function remember(address: string, until: number, now: number): void {
  if (blocked.size >= MAX_REMEMBERED) {
    for (const [a, t] of blocked) if (t <= now) blocked.delete(a);
    // Still full: forget the oldest; the object still holds their count.
    for (const a of blocked.keys()) {
      if (blocked.size < MAX_REMEMBERED) break;
      blocked.delete(a);
    }
  }
  blocked.set(address, until);
}

/** Seconds until `address` may try a key again, as far as this isolate knows; 0 when it may now. */
export function throttledFor(address: string, now = Date.now()): number {
  const until = blocked.get(address);
  if (until === undefined) return 0;
  if (until <= now) {
    blocked.delete(address);
    return 0;
  }
  return Math.max(1, Math.ceil((until - now) / 1000));
}

/**
 * Counts one failed key from `address` in its Durable Object. Returns the seconds to wait when the address
 * was already over the limit (refuse this request with 429), else 0 (answer 401); an address that has just
 * reached the limit is remembered here so its next request is refused before its key is checked.
 */
export async function recordFailedKey(
  namespace: WindowNamespace<DurableObjectId> | undefined,
  address: string,
  limit: FailedKeyLimit,
): Promise<number> {
  if (!namespace) {
    throw new ExecutorError(
      "ERR_CONFIG",
      "the FAILED_KEYS Durable Object binding is missing; add it and its migration as in packages/executor-worker/wrangler.toml",
    );
  }
  const now = Date.now();
  const w = await hitWindow(namespace, address, limit.window_s);
  if (w.count >= limit.limit) remember(address, now + w.retryAfterS * 1000, now);
  return w.count > limit.limit ? w.retryAfterS : 0;
}

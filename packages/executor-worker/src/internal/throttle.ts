/**
 * Failed API keys per client address: a fixed window kept in the isolate's memory (the counter is the
 * broker's rate limiter, shared through @arcrun/recipes). Cloudflare runs many isolates, so this bounds
 * guessing per isolate, not globally; a Cloudflare rate-limiting rule on 401 responses bounds it globally
 * (docs/executor.md "Routes").
 */
import { FixedWindowCounter } from "@arcrun/recipes";

export { clientAddress } from "@arcrun/recipes";

export const FAILED_KEYS_PER_WINDOW = 10;
export const FAILED_KEY_WINDOW_S = 60;

const windows = new FixedWindowCounter();

/** Seconds until `address` may try a key again, or 0 when it may now. */
export function throttledFor(address: string, now = Date.now()): number {
  const w = windows.peek(address, now);
  return w.count < FAILED_KEYS_PER_WINDOW ? 0 : w.retryAfterS;
}

/** Counts one failed key from `address`. */
export function recordFailedKey(address: string, now = Date.now()): void {
  windows.hit(address, FAILED_KEY_WINDOW_S, now);
}

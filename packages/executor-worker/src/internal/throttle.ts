/**
 * Failed API keys per client address: a fixed window kept in the isolate's memory (as the broker's rate
 * limit). Cloudflare runs many isolates, so this bounds guessing per isolate, not globally; a Cloudflare
 * rate-limiting rule on 401 responses bounds it globally (docs/executor.md "Routes").
 */
export const FAILED_KEYS_PER_WINDOW = 10;
export const FAILED_KEY_WINDOW_S = 60;
const MAX_TRACKED = 10_000;

interface Window {
  failures: number;
  resetAt: number;
}

const windows = new Map<string, Window>();

function prune(now: number): void {
  for (const [k, w] of windows) if (w.resetAt <= now) windows.delete(k);
  // Still full of live windows (a flood of distinct addresses): forget the oldest half rather than grow.
  if (windows.size > MAX_TRACKED) {
    let n = windows.size / 2;
    for (const k of windows.keys()) {
      if (n-- <= 0) break;
      windows.delete(k);
    }
  }
}

/** Seconds until `address` may try a key again, or 0 when it may now. */
export function throttledFor(address: string, now = Date.now()): number {
  const w = windows.get(address);
  if (!w || w.resetAt <= now || w.failures < FAILED_KEYS_PER_WINDOW) return 0;
  return Math.max(1, Math.ceil((w.resetAt - now) / 1000));
}

/** Counts one failed key from `address`. */
export function recordFailedKey(address: string, now = Date.now()): void {
  if (windows.size > MAX_TRACKED) prune(now);
  let w = windows.get(address);
  if (!w || w.resetAt <= now) {
    w = { failures: 0, resetAt: now + FAILED_KEY_WINDOW_S * 1000 };
    windows.set(address, w);
  }
  w.failures++;
}

/** The client's address as Cloudflare's edge reports it; the header cannot be set by the client there. */
export function clientAddress(headers: { get(name: string): string | null }): string {
  return headers.get("cf-connecting-ip") ?? "unknown";
}

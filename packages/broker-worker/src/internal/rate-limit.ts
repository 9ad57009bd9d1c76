import type { Limited, RateLimit } from "./config.js";
import { BrokerError } from "./errors.js";

interface Window {
  count: number;
  resetAt: number;
}

const windows = new Map<string, Window>();
const MAX_TRACKED = 10_000;

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

/**
 * Fixed-window counter per route and client address, kept in the isolate's memory. Cloudflare runs many
 * isolates, so this bounds abuse per isolate, not globally; docs/broker.md says how to add a global rule.
 */
export function checkRateLimit(route: Limited, ip: string, limit: RateLimit, now = Date.now()): void {
  if (windows.size > MAX_TRACKED) prune(now);
  const key = `${route}\u0000${ip}`;
  let w = windows.get(key);
  if (!w || w.resetAt <= now) {
    w = { count: 0, resetAt: now + limit.window_s * 1000 };
    windows.set(key, w);
  }
  w.count++;
  if (w.count > limit.limit) {
    const retry = Math.max(1, Math.ceil((w.resetAt - now) / 1000));
    throw new BrokerError(
      429,
      "rate_limited",
      "Too many requests from your network address.",
      `Wait ${retry} seconds and try again.`,
      { "Retry-After": String(retry) },
    );
  }
}

/** The client's address as Cloudflare's edge reports it; the header cannot be set by the client there. */
export function clientIp(headers: Headers): string {
  return headers.get("cf-connecting-ip") ?? "unknown";
}

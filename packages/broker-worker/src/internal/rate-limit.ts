import { FixedWindowCounter } from "@arcrun/recipes";
import type { Limited, RateLimit } from "./config.js";
import { BrokerError } from "./errors.js";

export { clientAddress as clientIp } from "@arcrun/recipes";

const windows = new FixedWindowCounter();

/**
 * Fixed-window counter per route and client address, kept in the isolate's memory (FixedWindowCounter of
 * @arcrun/recipes). Cloudflare runs many isolates, so this bounds abuse per
 * isolate, not globally; docs/broker.md says how to add a global rule.
 */
export function checkRateLimit(route: Limited, ip: string, limit: RateLimit, now = Date.now()): void {
  const w = windows.hit(`${route}\u0000${ip}`, limit.window_s, now);
  if (w.count > limit.limit) {
    throw new BrokerError(
      429,
      "rate_limited",
      "Too many requests from your network address.",
      `Wait ${w.retryAfterS} seconds and try again.`,
      { "Retry-After": String(w.retryAfterS) },
    );
  }
}

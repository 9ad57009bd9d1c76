/**
 * A fixed-window counter per key (a route and a client address, say), kept in the isolate's memory: the
 * broker's per-route rate limits and the executor's failed-key throttle. Cloudflare runs many isolates, so
 * this bounds abuse per isolate, not globally; docs/broker.md and docs/executor.md say how to add a global
 * rule.
 */

interface Window {
  count: number;
  resetAt: number;
}

/** Where a key stands: events counted in its current window, and whole seconds until that window ends. */
export interface WindowState {
  count: number;
  retryAfterS: number;
}

export class FixedWindowCounter {
  private readonly windows = new Map<string, Window>();

  /** `maxTracked`: beyond this many keys (a flood of distinct addresses) the oldest half is forgotten. */
  constructor(private readonly maxTracked = 10_000) {}

  private prune(now: number): void {
    for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
    // Still full of live windows: forget the oldest half rather than grow.
    if (this.windows.size > this.maxTracked) {
      let n = this.windows.size / 2;
      for (const k of this.windows.keys()) {
        if (n-- <= 0) break;
        this.windows.delete(k);
      }
    }
  }

  private state(w: Window | undefined, now: number): WindowState {
    if (!w || w.resetAt <= now) return { count: 0, retryAfterS: 0 };
    return { count: w.count, retryAfterS: Math.max(1, Math.ceil((w.resetAt - now) / 1000)) };
  }

  /** Counts one event for `key` (a new window of `windowS` seconds if none is open) and returns where it stands. */
  hit(key: string, windowS: number, now = Date.now()): WindowState {
    if (this.windows.size > this.maxTracked) this.prune(now);
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + windowS * 1000 };
      this.windows.set(key, w);
    }
    w.count++;
    return this.state(w, now);
  }

  /** Where `key` stands, without counting. */
  peek(key: string, now = Date.now()): WindowState {
    return this.state(this.windows.get(key), now);
  }
}

/** The client's address as Cloudflare's edge reports it; the header cannot be set by the client there. */
export function clientAddress(headers: { get(name: string): string | null }): string {
  return headers.get("cf-connecting-ip") ?? "unknown";
}

/**
 * Fixed windows per key (a route and a client address, say). `FixedWindowCounter` keeps them in one
 * isolate's memory; `AddressWindow` keeps one key's window in a Durable Object, which every isolate of the
 * Worker reaches, so the count holds across isolates and restarts (the executor's failed-key throttle,
 * docs/executor.md "Routes").
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

/**
 * The key a client's requests are counted under: its address as Cloudflare's edge reports it (the header
 * cannot be set by the client there). An IPv4 address is its own key; an IPv6 address counts as its /64,
 * because one subscriber is normally given at least a whole /64 (RFC 6177 section 2) and could otherwise
 * take a fresh budget with every address in it. Anything that does not parse as an address is kept as it is.
 */
export function clientAddress(headers: { get(name: string): string | null }): string {
  const raw = headers.get("cf-connecting-ip");
  if (raw === null) return "unknown";
  return raw.includes(":") ? (ipv6Prefix64(raw) ?? raw) : raw;
}

/** `2001:db8:a:b:1:2:3:4` -> `2001:db8:a:b::/64`; undefined when the text is not an IPv6 address. */
function ipv6Prefix64(text: string): string | undefined {
  // A zone (`fe80::1%eth0`) is not part of the address; an embedded IPv4 tail sits in the host half.
  const addr = text.split("%")[0] ?? "";
  const halves = addr.split("::");
  if (halves.length > 2) return undefined;
  const group = /^[0-9a-f]{1,4}$/i;
  const parts = (h: string | undefined) => (h ? h.split(":") : []);
  const head = parts(halves[0]);
  const tail = parts(halves[1]);
  const last = tail.length > 0 ? tail[tail.length - 1] : head[head.length - 1];
  const v4Tail = last?.includes(".") ? 1 : 0;
  const groups = head.length + tail.length + v4Tail;
  if (halves.length === 1 ? groups !== 8 : groups > 7) return undefined;
  const full = [...head, ...Array<string>(8 - groups).fill("0"), ...tail];
  const net = full.slice(0, 4);
  if (!net.every((g) => group.test(g))) return undefined;
  return `${net.map((g) => Number.parseInt(g, 16).toString(16)).join(":")}::/64`;
}

/** The part of a Durable Object's storage a window needs (`DurableObjectStorage` in workers-types). */
export interface WindowStorage {
  get<T>(key: string): Promise<T | undefined>;
  put<T>(key: string, value: T): Promise<void>;
  deleteAll(): Promise<void>;
  setAlarm(scheduledTime: number): Promise<void>;
}

/** The part of a Durable Object namespace binding that `hitWindow` calls (`DurableObjectNamespace`). */
export interface WindowNamespace<Id = unknown> {
  idFromName(name: string): Id;
  get(id: Id): { fetch(input: string): Promise<Response> };
}

const MAX_WINDOW_S = 86_400;

/**
 * A Durable Object holding one fixed window: bind a namespace to this class (exported from the Worker's
 * entry) and `hitWindow` counts into the object named by the key. A hit reads, counts and writes without a
 * race: "While a storage operation is executing, no events shall be delivered to a Durable Object except for
 * storage completion events" (input gate, developers.cloudflare.com/durable-objects/reference/glossary/). An
 * alarm at the window's end deletes the object's storage, so an address that stops leaves nothing behind
 * (developers.cloudflare.com/durable-objects/api/alarms/: one alarm per object, `setAlarm` replaces it). It
 * answers `fetch` rather than RPC so this
 * package needs no `cloudflare:workers` import: `POST /hit?window_s=N` -> `WindowState`.
 */
export class AddressWindow {
  private window: Window | undefined;

  constructor(private readonly state: { storage: WindowStorage }) {}

  async fetch(request: Request): Promise<Response> {
    const windowS = Number(new URL(request.url).searchParams.get("window_s"));
    if (!Number.isInteger(windowS) || windowS < 1 || windowS > MAX_WINDOW_S)
      return new Response("window_s must be a whole number of seconds from 1 to 86400", { status: 400 });
    const now = Date.now();
    let w = this.window ?? (await this.state.storage.get<Window>("window"));
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + windowS * 1000 };
      await this.state.storage.setAlarm(w.resetAt);
    }
    w = { count: w.count + 1, resetAt: w.resetAt };
    this.window = w;
    await this.state.storage.put("window", w);
    const out: WindowState = {
      count: w.count,
      retryAfterS: Math.max(1, Math.ceil((w.resetAt - now) / 1000)),
    };
    return Response.json(out);
  }

  async alarm(): Promise<void> {
    const w = this.window ?? (await this.state.storage.get<Window>("window"));
    // A hit after the window ended opened a new one (and moved the alarm): keep that one.
    if (w && w.resetAt > Date.now()) return;
    this.window = undefined;
    await this.state.storage.deleteAll();
  }
}

/** Counts one event for `key` in its `AddressWindow` object and returns where the key stands. */
export async function hitWindow<Id>(
  namespace: WindowNamespace<Id>,
  key: string,
  windowS: number,
): Promise<WindowState> {
  const stub = namespace.get(namespace.idFromName(key));
  const res = await stub.fetch(`https://address-window/hit?window_s=${windowS}`);
  if (!res.ok) throw new Error(`address window answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as WindowState;
}

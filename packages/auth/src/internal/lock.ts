import { randomBytes } from "node:crypto";
import { link, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { ArcrunError } from "../errors.js";
import { ensurePrivateDir } from "./atomic-write.js";
import { sleep } from "./sleep.js";

export interface FileLockOptions {
  /** How long to wait for another holder before ERR_STORE_LOCKED. Default 30 s. */
  timeoutMs?: number;
  /**
   * A lock older than this is taken over even if its holder still runs (a hung process). A lock whose
   * holder's pid is dead (same host) is taken over at once. Default 60 s.
   */
  staleMs?: number;
}

interface LockInfo {
  pid: number;
  host: string;
  t: number;
  id: string;
}

const HOST = hostname();

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function readInfo(path: string): Promise<{ raw: string; info?: LockInfo } | undefined> {
  let raw: string;
  try {
    raw = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  try {
    const info = JSON.parse(raw) as LockInfo;
    if (typeof info.pid === "number" && typeof info.t === "number") return { raw, info };
  } catch {
    // A lock file cut short by a crash between open() and write(): judged by its age below.
  }
  return { raw };
}

function isStale(info: LockInfo | undefined, ageMs: number, staleMs: number): boolean {
  if (ageMs > staleMs) return true;
  if (!info) return ageMs > 2_000;
  return info.host === HOST && info.pid !== process.pid && !pidAlive(info.pid);
}

/** Moves a stale lock away; if what we moved turns out to be a fresh lock, puts it back. */
async function breakStale(path: string, seen: string): Promise<void> {
  const aside = `${path}.stale.${process.pid}.${randomBytes(4).toString("hex")}`;
  try {
    await rename(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  const moved = await readFile(aside, "utf8").catch(() => seen);
  if (moved !== seen) await link(aside, path).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

async function tryAcquire(path: string, id: string): Promise<boolean> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, "wx", 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
  try {
    const info: LockInfo = { pid: process.pid, host: HOST, t: Date.now(), id };
    await fh.writeFile(JSON.stringify(info));
  } finally {
    await fh.close();
  }
  return true;
}

async function ageOf(path: string, info: LockInfo | undefined): Promise<number> {
  if (info) return Date.now() - info.t;
  try {
    return Date.now() - (await stat(path)).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Runs `fn` holding a lock across processes: a lock file created with O_EXCL holding the holder's pid,
 * host and a timestamp. A lock left by a dead process (or older than `staleMs`) is recovered. The lock is
 * released when `fn` settles, and only if it is still ours.
 */
export async function withFileLock<T>(
  path: string,
  fn: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const staleMs = options.staleMs ?? 60_000;
  const id = randomBytes(8).toString("hex");
  await ensurePrivateDir(dirname(path));
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  for (;;) {
    if (await tryAcquire(path, id)) break;
    const current = await readInfo(path);
    if (current && isStale(current.info, await ageOf(path, current.info), staleMs)) {
      await breakStale(path, current.raw);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new ArcrunError(
        "ERR_STORE_LOCKED",
        `Timed out after ${timeoutMs} ms waiting for the lock ${path} (held by pid ${current?.info?.pid ?? "unknown"}). If no other arcrun process is running, delete that file and try again.`,
      );
    }
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 100);
  }
  try {
    return await fn();
  } finally {
    const mine = await readInfo(path).catch(() => undefined);
    if (mine?.info?.id === id) await unlink(path).catch(() => undefined);
  }
}

/**
 * In-process single flight: concurrent calls with the same key share one run of `fn` (1,000 requests on an
 * expired token make one refresh). The entry is dropped when the run settles.
 */
export class SingleFlight<T> {
  readonly #inflight = new Map<string, Promise<T>>();

  run(key: string, fn: () => Promise<T>): Promise<T> {
    const running = this.#inflight.get(key);
    if (running) return running;
    const p = fn().finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, p);
    return p;
  }

  get size(): number {
    return this.#inflight.size;
  }
}

/** The lock file path for one credential: `${home}/locks/<service>.<instance>.lock`. */
export function credentialLockPath(home: string, service: string, instance: string): string {
  return `${home}/locks/${service}.${instance}.lock`;
}

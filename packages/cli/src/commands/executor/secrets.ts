import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Auth } from "arcrun-auth";
import { CliError } from "../../internal/errors.js";
import { isLoopback } from "../../internal/executor-client.js";
import type { Ui } from "../../internal/io.js";

/**
 * The reserved arcrun-auth name under which the executor's ENCRYPTION_KEY and ARCRUN_API_KEY are kept (the
 * OS keyring, or the AES-256-GCM encrypted file): never a plaintext file.
 */
export const EXECUTOR_SECRET = "arcrun_executor";

/** The instance for an executor whose URL is not known (wrangler printed none, or an old executor.key). */
export const URL_UNKNOWN = "default";

/** The file `arcrun init --self-hosted` used to write the keys to, in plaintext; moved into the store. */
export const OLD_KEY_FILE = "executor.key";

/** What the store holds for one executor. */
export interface StoredExecutor {
  /** base64 of 32 bytes. */
  key: string | undefined;
  apiKey: string | undefined;
  /** `the encrypted-file store (arcrun_executor/host)`, for messages; never a value. */
  source: string;
}

/**
 * The store instance of an executor URL: its host and port (`:` as `_`); with a path, or when longer than
 * an instance may be, a shortened host and a hash of the URL.
 */
export function executorInstance(url: string): string {
  const u = new URL(url);
  const host = u.host.replace(/[^A-Za-z0-9_.-]/g, "_");
  const path = u.pathname.replace(/\/+$/, "");
  if (path === "" && host.length <= 64 && host !== URL_UNKNOWN) return host;
  const digest = createHash("sha256").update(`${u.origin}${path}`).digest("hex").slice(0, 16);
  return `${host.slice(0, 47)}-${digest}`;
}

/** arcrun-auth with the CLI's environment; its notices (the encrypted-file fallback) go to stderr. */
export async function openAuth(ui: Ui): Promise<Auth> {
  const { createAuth } = await import("arcrun-auth");
  return createAuth({
    env: ui.env,
    interactive: false,
    logger: { warn: (m) => ui.err(ui.e.yellow(m)) },
  });
}

/** `ENCRYPTION_KEY=...` lines of a dotenv-style file. */
function dotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^\s*([A-Z_][A-Z0-9_]*)\s*=\s*["']?([^"'\s]*)["']?\s*$/gm))
    if (m[1] && m[2]) out[m[1]] = m[2];
  return out;
}

/**
 * Moves `$ARCRUN_HOME/executor.key` (plaintext, written by older versions of `init --self-hosted`) into the
 * store, as the executor whose URL is unknown, then deletes it; says so once (the file is gone after).
 * When the store cannot take it, the file stays and a warning says how to fix that.
 */
export async function migrateKeyFile(ui: Ui, auth: Auth): Promise<void> {
  const file = join(auth.home, OLD_KEY_FILE);
  if (!existsSync(file)) return;
  const values = dotenv(await readFile(file, "utf8"));
  const key = values.ENCRYPTION_KEY;
  if (!key) {
    ui.err(
      ui.e.yellow(
        `arcrun: ${file} holds no ENCRYPTION_KEY, so it was not moved into the credential store; delete it if it is not needed`,
      ),
    );
    return;
  }
  const moved: Record<string, string> = { ENCRYPTION_KEY: key };
  if (values.ARCRUN_API_KEY) moved.ARCRUN_API_KEY = values.ARCRUN_API_KEY;
  const kind = await storeKind(auth);
  const entry = `${EXECUTOR_SECRET}/${URL_UNKNOWN}`;
  try {
    const existing = await auth.getReservedSecret(EXECUTOR_SECRET, { instance: URL_UNKNOWN });
    if (existing && (existing.ENCRYPTION_KEY !== key || existing.ARCRUN_API_KEY !== moved.ARCRUN_API_KEY)) {
      ui.err(
        ui.e.yellow(
          `arcrun: ${file} holds other executor keys than the ${kind} store's ${entry}; it was left in place. Delete it once you know which executor it belongs to`,
        ),
      );
      return;
    }
    if (!existing) {
      await auth.setReservedSecret(EXECUTOR_SECRET, moved, { instance: URL_UNKNOWN });
      const back = await auth.getReservedSecret(EXECUTOR_SECRET, { instance: URL_UNKNOWN });
      if (back?.ENCRYPTION_KEY !== key) throw new Error("the store did not keep the key");
    }
  } catch (err) {
    ui.err(
      ui.e.yellow(
        `arcrun: could not move ${file} into the credential store (${err instanceof Error ? err.message : String(err)}); it was left in place. Fix the store (run: arcrun doctor), or pass it with --key-file ${file}`,
      ),
    );
    return;
  }
  await rm(file, { force: true });
  ui.err(
    ui.e.yellow(
      `arcrun: moved the executor's keys from ${file} (plaintext) into the ${kind} store as ${entry} and deleted the file`,
    ),
  );
}

async function storeKind(auth: Auth): Promise<string> {
  return (await auth.storeInfo()).kind;
}

/** Store errors that mean "no store here" rather than "a store that is broken". */
function storeUnavailable(err: unknown): boolean {
  return (
    typeof err === "object" && err !== null && (err as { code?: unknown }).code === "ERR_STORE_UNAVAILABLE"
  );
}

/** One lookup per command run and executor (the Ui is the run's). */
const cache = new WeakMap<Ui, Map<string, Promise<StoredExecutor | undefined>>>();

/**
 * The executor's keys from the store: the entry for its URL, else (for an executor not on this machine)
 * the one whose URL is unknown. Moves an old executor.key into the store first. For an executor on this
 * machine, a store that cannot be used is no error: the local one has .dev.vars and usually no API key.
 */
export function storedExecutor(ui: Ui, url: string): Promise<StoredExecutor | undefined> {
  let byUrl = cache.get(ui);
  if (!byUrl) {
    byUrl = new Map();
    cache.set(ui, byUrl);
  }
  let hit = byUrl.get(url);
  if (!hit) {
    hit = lookup(ui, url);
    byUrl.set(url, hit);
  }
  return hit;
}

async function lookup(ui: Ui, url: string): Promise<StoredExecutor | undefined> {
  const auth = await openAuth(ui);
  const local = isLoopback(url);
  try {
    await migrateKeyFile(ui, auth);
    const instances = local ? [executorInstance(url)] : [executorInstance(url), URL_UNKNOWN];
    for (const instance of instances) {
      const values = await auth.getReservedSecret(EXECUTOR_SECRET, { instance });
      if (!values) continue;
      return {
        key: values.ENCRYPTION_KEY,
        apiKey: values.ARCRUN_API_KEY,
        source: `the ${await storeKind(auth)} store (${EXECUTOR_SECRET}/${instance})`,
      };
    }
    return undefined;
  } catch (err) {
    if (local && storeUnavailable(err)) return undefined;
    throw err;
  }
}

/** Keeps an executor's keys in the store; the caller has checked that the store can take them. */
export async function keepExecutor(
  auth: Auth,
  instance: string,
  values: { ENCRYPTION_KEY: string; ARCRUN_API_KEY: string },
): Promise<void> {
  await auth.setReservedSecret(EXECUTOR_SECRET, values, { instance });
  const back = await auth.getReservedSecret(EXECUTOR_SECRET, { instance });
  if (back?.ENCRYPTION_KEY !== values.ENCRYPTION_KEY || back.ARCRUN_API_KEY !== values.ARCRUN_API_KEY) {
    throw new CliError(
      "ERR_STORE_UNAVAILABLE",
      `the credential store did not keep ${EXECUTOR_SECRET}/${instance}`,
      "run: arcrun doctor, fix the store, then run: arcrun init --self-hosted",
    );
  }
}

/**
 * Where init would keep the keys, checked before anything is created: a store that cannot be written
 * (the encrypted file without ARCRUN_PASSPHRASE / ARCRUN_MASTER_KEY) would lose them after the deploy.
 */
export async function checkStoreWritable(auth: Auth): Promise<string> {
  const info = await auth.storeInfo();
  if (info.kind === "encrypted-file" && !info.keySource) {
    throw new CliError(
      "ERR_STORE_UNAVAILABLE",
      `no OS keyring answers and the encrypted file ${info.path ?? ""} has no key, so the executor's keys could not be kept`,
      "set ARCRUN_PASSPHRASE (or ARCRUN_MASTER_KEY, from: openssl rand -base64 32), or run: arcrun doctor; then run: arcrun init --self-hosted",
    );
  }
  if (info.kind === "memory") {
    throw new CliError(
      "ERR_STORE_UNAVAILABLE",
      "the credential store is in memory (ARCRUN_STORE=memory): the executor's keys would be lost when init ends",
      "unset ARCRUN_STORE (or set it to keyring or encrypted-file), then run: arcrun init --self-hosted",
    );
  }
  return info.kind;
}

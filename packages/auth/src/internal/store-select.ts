import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type EncryptedFileKey, EncryptedFileStore, keysFromEnv } from "../stores/encrypted-file.js";
import { KeyringStore } from "../stores/keyring.js";
import { MemoryStore } from "../stores/memory.js";
import type { CredentialStore, Logger } from "../types.js";
import { writeFileAtomic } from "./atomic-write.js";

/** Which store to use: `auto` (the keyring when one answers, else the encrypted file) or one explicitly. */
export type StoreChoice = "auto" | "keyring" | "encrypted-file" | "memory";

/** The active store and why it was chosen; what `arcrun doctor` prints. */
export interface StoreInfo {
  kind: string;
  reason: string;
  /** The encrypted file, when that is the store. */
  path?: string;
  /** Where the encrypted file's key comes from: ARCRUN_MASTER_KEY, ARCRUN_PASSPHRASE or keyring. */
  keySource?: string;
  /**
   * The fallback announcement ("no OS keyring answered; using the encrypted file ..."), when the encrypted
   * file was chosen because no keyring answered. The logger gets it once per ARCRUN_HOME and reason;
   * `arcrun doctor` and `arcrun setup` show it every time.
   */
  notice?: string;
}

/** Remembers, in ARCRUN_HOME, which fallback was announced already, so each is announced once. */
const NOTICE_FILE = "store-notice.json";
const announced = new Set<string>();

/**
 * Whether this fallback (home, reason, key source) was announced before, by this process or another one;
 * records it when not. An unwritable home means it cannot be remembered: announce every time, never silently.
 */
async function firstAnnouncement(home: string, key: string): Promise<boolean> {
  const memo = `${home}\0${key}`;
  if (announced.has(memo)) return false;
  announced.add(memo);
  const file = join(home, NOTICE_FILE);
  try {
    const seen: unknown = JSON.parse(await readFile(file, "utf8"));
    if (typeof seen === "object" && seen !== null && (seen as { key?: unknown }).key === key) return false;
  } catch {
    // Absent or unreadable: not announced yet.
  }
  await writeFileAtomic(file, `${JSON.stringify({ key, at: new Date().toISOString() })}\n`, {
    mode: 0o600,
  }).catch(() => undefined);
  return true;
}

export function isStoreChoice(v: string | undefined): v is StoreChoice {
  return v === "auto" || v === "keyring" || v === "encrypted-file" || v === "memory";
}

export async function selectStore(
  choice: StoreChoice,
  home: string,
  env: Readonly<Record<string, string | undefined>>,
  logger: Logger,
): Promise<{ store: CredentialStore; info: StoreInfo }> {
  const path = join(home, "secrets.enc");
  const keyringService = env.ARCRUN_KEYRING_SERVICE || "arcrun";
  switch (choice) {
    case "memory":
      return {
        store: new MemoryStore(),
        info: { kind: "memory", reason: "chosen (ARCRUN_STORE=memory or the store option)" },
      };
    case "keyring":
      return {
        store: new KeyringStore({ keyringService }),
        info: { kind: "keyring", reason: "chosen (ARCRUN_STORE=keyring or the store option)" },
      };
    case "encrypted-file": {
      const keys: EncryptedFileKey[] = keysFromEnv(env);
      const probe = await KeyringStore.probe({ keyringService });
      if (probe.ok) keys.push({ kind: "keyring", keyring: new KeyringStore({ keyringService }) });
      const store = new EncryptedFileStore({ path, keys });
      const info: StoreInfo = {
        kind: "encrypted-file",
        reason: "chosen (ARCRUN_STORE=encrypted-file or the store option)",
        path,
      };
      if (store.keySource) info.keySource = store.keySource;
      return { store, info };
    }
    case "auto": {
      const probe = await KeyringStore.probe({ keyringService });
      if (probe.ok) {
        return {
          store: new KeyringStore({ keyringService }),
          info: { kind: "keyring", reason: "the OS keyring answered" },
        };
      }
      const store = new EncryptedFileStore({ path, keys: keysFromEnv(env) });
      const info: StoreInfo = {
        kind: "encrypted-file",
        reason: `no OS keyring answered (${probe.reason})`,
        path,
      };
      if (store.keySource) info.keySource = store.keySource;
      info.notice = `arcrun: no OS keyring answered (${probe.reason}); using the encrypted file ${path}${
        store.keySource
          ? ` with the key from ${store.keySource}`
          : " (set ARCRUN_PASSPHRASE or ARCRUN_MASTER_KEY to write to it)"
      }. Run: arcrun doctor`;
      if (await firstAnnouncement(home, `${probe.reason}\n${store.keySource ?? "no key"}`)) {
        logger.warn(info.notice);
      }
      return { store, info };
    }
    default: {
      const never: never = choice;
      return never;
    }
  }
}

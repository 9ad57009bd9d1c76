import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ArcrunError } from "../errors.js";
import {
  createKeyFile,
  type EncryptedFileKey,
  EncryptedFileStore,
  keysFromEnv,
} from "../stores/encrypted-file.js";
import { KeyringStore } from "../stores/keyring.js";
import { MemoryStore } from "../stores/memory.js";
import type { CredentialStore, Logger } from "../types.js";
import { privateRuntimeDir, runtimeFile } from "./agent/paths.js";
import { writeFileAtomic } from "./atomic-write.js";
import { readConfigFile, setConfigValue } from "./config-file.js";

/** The active store and why it was chosen; what `arcrun doctor` prints. */
export interface StoreInfo {
  kind: string;
  reason: string;
  /** The encrypted file, when that is the store. */
  path?: string;
  /** Where the encrypted file's key comes from: ARCRUN_MASTER_KEY, ARCRUN_PASSPHRASE, keyring or key file. */
  keySource?: string;
  /** The key chosen at `arcrun setup` for the encrypted file, remembered in config.yaml (`store_key`). */
  keyChoice?: KeyChoice;
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
 * records it when not, in the home, or where the home cannot be written (a read-only home in CI) in the
 * user's private runtime directory, under a name made from the home's path: once per home either way.
 * When neither can be written it cannot be remembered: announce every time, never silently.
 */
async function firstAnnouncement(
  home: string,
  key: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<boolean> {
  const memo = `${home}\0${key}`;
  if (announced.has(memo)) return false;
  announced.add(memo);
  const inHome = join(home, NOTICE_FILE);
  const runtime = runtimeFile(home, env, "notice", "json");
  for (const file of [inHome, runtime]) {
    try {
      const seen: unknown = JSON.parse(await readFile(file, "utf8"));
      if (typeof seen === "object" && seen !== null && (seen as { key?: unknown }).key === key) return false;
    } catch {
      // Absent or unreadable: not announced yet.
    }
  }
  const text = `${JSON.stringify({ key, at: new Date().toISOString() })}\n`;
  const wrote = await writeFileAtomic(inHome, text, { mode: 0o600 }).then(
    () => true,
    () => false,
  );
  if (!wrote) {
    await privateRuntimeDir(dirname(runtime))
      .then(() => writeFileAtomic(runtime, text, { mode: 0o600 }))
      .catch(() => undefined);
  }
  return true;
}

/** How a person chose to lock the encrypted file (docs/cli.md, "Without a keyring"). */
export type KeyChoice = "passphrase" | "key-file";

/** What selectStore may use besides the environment. */
export interface SelectOptions {
  /** Asks a person for the encrypted file's passphrase (the CLI at a terminal); `retry` after a wrong one. */
  askPassphrase?: (retry: boolean) => Promise<string>;
}

/** `store_key` in config.yaml; undefined when unset or unreadable (the file's own header still decides). */
async function readKeyChoice(home: string): Promise<KeyChoice | undefined> {
  const doc = await readConfigFile(home).catch(() => undefined);
  const v = typeof doc === "object" && doc !== null ? (doc as { store_key?: unknown }).store_key : undefined;
  return v === "passphrase" || v === "key-file" ? v : undefined;
}

/**
 * The keys the encrypted file may open with, in order: the environment (ARCRUN_MASTER_KEY,
 * ARCRUN_PASSPHRASE), the keyring (when it answers and the file is chosen), the agent of `arcrun unlock`,
 * the key file `$ARCRUN_HOME/master.key`, and last a person at a terminal.
 */
function fileKeys(
  home: string,
  env: Readonly<Record<string, string | undefined>>,
  options: SelectOptions,
  keyring?: KeyringStore | (() => Promise<KeyringStore | undefined>),
): EncryptedFileKey[] {
  const keys: EncryptedFileKey[] = keysFromEnv(env);
  if (keyring) keys.push({ kind: "keyring", keyring });
  keys.push({
    kind: "unlocked",
    read: async () => (await import("./agent/client.js")).readAgentKey(home, env),
  });
  const keyFile = join(home, KEY_FILE);
  if (existsSync(keyFile)) keys.push({ kind: "key-file", path: keyFile });
  if (options.askPassphrase) keys.push({ kind: "ask", ask: options.askPassphrase });
  return keys;
}

const KEY_FILE = "master.key";

/**
 * Values too large for a keyring entry (Windows: 2,560 bytes) go to the encrypted file under the master key
 * the keyring holds; the file's other keys still open one made before a keyring answered here.
 */
function overflowFile(
  path: string,
  home: string,
  env: Readonly<Record<string, string | undefined>>,
  options: SelectOptions,
): (keyring: KeyringStore) => EncryptedFileStore {
  return (keyring) =>
    new EncryptedFileStore({ path, keys: [{ kind: "keyring", keyring }, ...fileKeys(home, env, options)] });
}

/**
 * Makes the encrypted file of `home` with the key a person chose (`arcrun setup` at a terminal, when no
 * keyring answers and no key is set) and remembers the choice in config.yaml (`store_key`). A passphrase
 * must be at least 8 characters; a key file is 32 random bytes, mode 0600. Returns the file's key.
 */
export async function initEncryptedFile(
  home: string,
  choice: { kind: "passphrase"; passphrase: string } | { kind: "key-file" },
): Promise<{ path: string; keyFile?: string; key: Buffer }> {
  const path = join(home, "secrets.enc");
  let key: Buffer;
  let keyFile: string | undefined;
  if (choice.kind === "passphrase") {
    if (Array.from(choice.passphrase).length < 8) {
      throw new ArcrunError(
        "ERR_INVALID_OPTION",
        "The passphrase must be at least 8 characters. Choose a longer one",
      );
    }
    key = await EncryptedFileStore.create(path, choice);
  } else {
    keyFile = join(home, KEY_FILE);
    if (!existsSync(keyFile)) await createKeyFile(keyFile);
    key = await EncryptedFileStore.create(path, { kind: "key-file", path: keyFile });
  }
  await setConfigValue(home, "store_key", choice.kind);
  return keyFile === undefined ? { path, key } : { path, keyFile, key };
}

/** What a store's entry gets: where it lives, the environment, and how to ask a person. */
interface StoreContext {
  home: string;
  env: Readonly<Record<string, string | undefined>>;
  logger: Logger;
  options: SelectOptions;
  /** `$ARCRUN_HOME/secrets.enc`: the encrypted file, and the keyring's overflow. */
  path: string;
  keyringService: string;
}

/** The keyring, with values too large for an entry in the encrypted file (see overflowFile). */
function keyringStore(ctx: StoreContext): KeyringStore {
  return new KeyringStore({
    keyringService: ctx.keyringService,
    overflow: overflowFile(ctx.path, ctx.home, ctx.env, ctx.options),
  });
}

/** The encrypted file's StoreInfo without what config.yaml says: its path and key source. */
function encryptedFileBaseInfo(ctx: StoreContext, store: EncryptedFileStore, reason: string): StoreInfo {
  const info: StoreInfo = { kind: "encrypted-file", reason, path: ctx.path };
  if (store.keySource) info.keySource = store.keySource;
  return info;
}

/** The key chosen at setup (config.yaml's `store_key`), as StoreInfo fields. */
async function keyChoiceInfo(home: string): Promise<Pick<StoreInfo, "keyChoice">> {
  const keyChoice = await readKeyChoice(home);
  return keyChoice ? { keyChoice } : {};
}

/** The encrypted file's StoreInfo: its path, key source and the key chosen at setup. */
async function encryptedFileInfo(
  ctx: StoreContext,
  store: EncryptedFileStore,
  reason: string,
): Promise<StoreInfo> {
  return { ...encryptedFileBaseInfo(ctx, store, reason), ...(await keyChoiceInfo(ctx.home)) };
}

/**
 * A chosen store and why. `describe`, when given, reads what only `arcrun doctor` and `arcrun setup` show
 * (config.yaml), on each `storeInfo()`, so that a bind and a get do not read config.yaml.
 */
export interface SelectedStore {
  store: CredentialStore;
  info: StoreInfo;
  describe?: () => Promise<Partial<StoreInfo>>;
}

/**
 * The stores by name: what `ARCRUN_STORE` and createAuth's `store` option accept. Adding a store is one
 * entry here (docs/architecture.md, "Where to add things"); StoreChoice and isStoreChoice follow from it.
 */
const STORES = {
  auto: async (ctx: StoreContext) => {
    const probe = await KeyringStore.probe({ keyringService: ctx.keyringService });
    if (probe.ok) {
      return { store: keyringStore(ctx), info: { kind: "keyring", reason: "the OS keyring answered" } };
    }
    const store = new EncryptedFileStore({ path: ctx.path, keys: fileKeys(ctx.home, ctx.env, ctx.options) });
    const info = await encryptedFileInfo(ctx, store, `no OS keyring answered (${probe.reason})`);
    const how = store.keySource
      ? ` with the key from ${store.keySource}`
      : info.keyChoice === "passphrase"
        ? " locked with your passphrase (arcrun unlock keeps it unlocked for this login; scripts can set ARCRUN_PASSPHRASE)"
        : " (at a terminal, arcrun setup <service> offers a passphrase or a key file; or set ARCRUN_PASSPHRASE or ARCRUN_MASTER_KEY to write to it)";
    info.notice = `arcrun: no OS keyring answered (${probe.reason}); using the encrypted file ${ctx.path}${how}. Run: arcrun doctor`;
    if (
      await firstAnnouncement(
        ctx.home,
        `${probe.reason}\n${store.keySource ?? info.keyChoice ?? "no key"}`,
        ctx.env,
      )
    ) {
      ctx.logger.warn(info.notice);
    }
    return { store, info };
  },
  keyring: async (ctx: StoreContext) => ({
    store: keyringStore(ctx),
    info: { kind: "keyring", reason: "chosen (ARCRUN_STORE=keyring or the store option)" },
  }),
  "encrypted-file": async (ctx: StoreContext) => {
    // Chosen explicitly: with a key in the environment (which comes first, and makes a new file) the keyring
    // is asked only when the file turns out to be locked with the keyring's key, so a cold start that
    // ARCRUN_MASTER_KEY opens neither probes the keyring nor loads its client (docs/bench.md, "Cold start").
    // Without one, the keyring is probed now: whether it answers decides which key a new file gets.
    const probeKeyring = async () =>
      (await KeyringStore.probe({ keyringService: ctx.keyringService })).ok
        ? new KeyringStore({ keyringService: ctx.keyringService })
        : undefined;
    let probed: Promise<KeyringStore | undefined> | undefined;
    const keyring =
      keysFromEnv(ctx.env).length > 0
        ? () => {
            probed ??= probeKeyring();
            return probed;
          }
        : await probeKeyring();
    const store = new EncryptedFileStore({
      path: ctx.path,
      keys: fileKeys(ctx.home, ctx.env, ctx.options, keyring),
    });
    return {
      store,
      info: encryptedFileBaseInfo(ctx, store, "chosen (ARCRUN_STORE=encrypted-file or the store option)"),
      describe: () => keyChoiceInfo(ctx.home),
    };
  },
  memory: async () => ({
    store: new MemoryStore(),
    info: { kind: "memory", reason: "chosen (ARCRUN_STORE=memory or the store option)" },
  }),
} satisfies Record<string, (ctx: StoreContext) => Promise<SelectedStore>>;

/** Which store to use: `auto` (the keyring when one answers, else the encrypted file) or one explicitly. */
export type StoreChoice = keyof typeof STORES;

/** The names ARCRUN_STORE accepts, in the order error messages list them. */
export const STORE_CHOICES = Object.keys(STORES) as StoreChoice[];

export function isStoreChoice(v: string | undefined): v is StoreChoice {
  return v !== undefined && Object.hasOwn(STORES, v);
}

export async function selectStore(
  choice: StoreChoice,
  home: string,
  env: Readonly<Record<string, string | undefined>>,
  logger: Logger,
  options: SelectOptions = {},
): Promise<SelectedStore> {
  const keyringService = env.ARCRUN_KEYRING_SERVICE || "arcrun";
  return STORES[choice]({ home, env, logger, options, path: join(home, "secrets.enc"), keyringService });
}

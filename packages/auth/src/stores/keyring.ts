import { ArcrunError, isArcrunError } from "../errors.js";
import { entryKey, isStoredCredential, parseEntryKey } from "../internal/credential.js";
import type { CredentialStore, StoredCredential } from "../types.js";

/** What KeyringStore needs from a platform keyring: one secret per (service, account), keyring-rs style. */
export interface KeyringBackend {
  getPassword(service: string, account: string): Promise<string | null>;
  /** `check` sees the value of an existing entry before it is replaced, and throws to keep it. */
  setPassword(
    service: string,
    account: string,
    label: string,
    value: string,
    check?: (existing: string) => void,
  ): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  accounts(service: string): Promise<string[]>;
  /** Throws, saying why, when the keyring answers but cannot be used here (e.g. locked, no display). */
  ready?(): Promise<void>;
}

/** The part of @napi-rs/keyring 2.1.2's API used here (its platform packages' main is the `.node` file). */
interface NativeAsyncEntry {
  getPassword(): Promise<string | null>;
  setPassword(password: string): Promise<void>;
  deleteCredential(): Promise<boolean>;
}
interface NativeKeyring {
  AsyncEntry: new (service: string, username: string) => NativeAsyncEntry;
  findCredentialsAsync(
    service: string,
    target?: string | null,
  ): Promise<Array<{ account: string; password: string }>>;
}

/** @napi-rs/keyring's prebuilt packages for the platforms without a Secret Service (optionalDependencies). */
const NATIVE_PACKAGES: Record<string, string> = {
  "darwin-arm64": "@napi-rs/keyring-darwin-arm64",
  "darwin-x64": "@napi-rs/keyring-darwin-x64",
  "win32-x64": "@napi-rs/keyring-win32-x64-msvc",
  "win32-arm64": "@napi-rs/keyring-win32-arm64-msvc",
  "win32-ia32": "@napi-rs/keyring-win32-ia32-msvc",
};

/** Where the freedesktop Secret Service (gnome-keyring, KWallet, KeePassXC) is the keyring. */
const SECRET_SERVICE_PLATFORMS = new Set<string>(["linux", "freebsd", "openbsd", "netbsd"]);

async function loadNative(): Promise<KeyringBackend> {
  const key = `${process.platform}-${process.arch}`;
  const name = NATIVE_PACKAGES[key];
  if (!name) throw new Error(`no OS keyring support for ${key}`);
  const { createRequire } = await import("node:module");
  let k: NativeKeyring;
  try {
    k = createRequire(import.meta.url)(name) as NativeKeyring;
  } catch (err) {
    throw new Error(`the keyring binding ${name} is not installed (reinstall arcrun-auth)`, { cause: err });
  }
  return {
    getPassword: (service, account) => new k.AsyncEntry(service, account).getPassword(),
    setPassword: async (service, account, _label, value, check) => {
      const entry = new k.AsyncEntry(service, account);
      const existing = check ? await entry.getPassword() : null;
      if (existing !== null) check?.(existing);
      await entry.setPassword(value);
    },
    deletePassword: (service, account) => new k.AsyncEntry(service, account).deleteCredential(),
    accounts: async (service) => (await k.findCredentialsAsync(service)).map((c) => c.account),
  };
}

let loaded: Promise<KeyringBackend> | undefined;

/**
 * The platform keyring, loaded on first use only (importing arcrun-auth opens no socket and loads no
 * binding): on Linux and the BSDs a TypeScript Secret Service client over D-Bus, on macOS and Windows
 * @napi-rs/keyring's prebuilt binding.
 */
function loadKeyring(): Promise<KeyringBackend> {
  loaded ??= (
    SECRET_SERVICE_PLATFORMS.has(process.platform)
      ? import("../internal/secret-service/service.js").then((m) => m.secretServiceKeyring)
      : loadNative()
  ).catch((err: unknown) => {
    loaded = undefined;
    throw err;
  });
  return loaded;
}

/** The account that holds the encrypted file's key when the keyring is reachable but the file is chosen. */
export const MASTER_KEY_ACCOUNT = "__arcrun_master_key__";

function reason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split("\n")[0]?.slice(0, 200) ?? "unknown error";
}

function unavailable(err: unknown): ArcrunError {
  return new ArcrunError(
    "ERR_STORE_UNAVAILABLE",
    `The OS keyring did not answer (${reason(err)}). Set ARCRUN_PASSPHRASE or ARCRUN_MASTER_KEY to use the encrypted file instead, or run: arcrun doctor`,
    { cause: err },
  );
}

export interface KeyringStoreOptions {
  /** The keyring "service" every entry is filed under. Default "arcrun"; tests use their own. */
  keyringService?: string;
  /**
   * Where values too large for a keyring entry go: selectStore passes `$ARCRUN_HOME/secrets.enc` encrypted
   * under a master key this keyring holds (`masterKey`); the keyring entry then holds only a pointer.
   * Without it such a value is refused with ERR_STORE_UNAVAILABLE and what was stored stays.
   */
  overflow?: (keyring: KeyringStore) => CredentialStore;
  /** The keyring itself; default the platform's. Tests pass a stand-in that enforces a platform's rules. */
  backend?: KeyringBackend;
}

/**
 * The largest value one keyring entry takes, in bytes of UTF-16: Windows Credential Manager's
 * CRED_MAX_CREDENTIAL_BLOB_SIZE is 2,560 bytes ("CredentialBlobSize ... cannot be larger than
 * CRED_MAX_CREDENTIAL_BLOB_SIZE", learn.microsoft.com/windows/win32/api/wincred/ns-wincred-credentialw), and
 * keyring-rs (under @napi-rs/keyring) stores the value as UTF-16 (keyring-rs v1.2.1 release notes). Microsoft
 * and Atlassian token sets exceed it. The limit is applied on every platform, by size, so a value that fits
 * on one machine fits on all (docs/cli.md, "Large secrets").
 */
export const KEYRING_VALUE_LIMIT = 2560;

/** What the keyring entry holds when the value itself lives in the overflow file. */
const OVERFLOW_MARK = "arcrun_overflow";

function isOverflowPointer(raw: string): boolean {
  try {
    const v = JSON.parse(raw) as Record<string, unknown>;
    return typeof v === "object" && v !== null && v[OVERFLOW_MARK] === 1;
  } catch {
    return false;
  }
}

/**
 * The OS keyring: the Secret Service on Linux (a D-Bus client in TypeScript), the macOS Keychain and the
 * Windows Credential Manager through @napi-rs/keyring's binding. One entry per `service/instance` (keyring
 * "service" `arcrun`, "username" `service/instance`), holding the credential as JSON.
 */
export class KeyringStore implements CredentialStore {
  readonly kind = "keyring";
  readonly keyringService: string;
  readonly #options: KeyringStoreOptions;
  #overflow: CredentialStore | undefined;

  constructor(options: KeyringStoreOptions = {}) {
    this.keyringService = options.keyringService ?? "arcrun";
    this.#options = options;
  }

  /** The encrypted file for values too large for an entry, under the master key this keyring holds. */
  async #overflowStore(service: string, instance: string): Promise<CredentialStore> {
    const make = this.#options.overflow;
    if (make === undefined) {
      throw new ArcrunError(
        "ERR_STORE_UNAVAILABLE",
        `The ${service} credential is larger than a keyring entry takes (${KEYRING_VALUE_LIMIT} bytes as UTF-16) and this store has no file for large values; what was stored is unchanged. Use createAuth() without a store option (it keeps large values in $ARCRUN_HOME/secrets.enc), or run: arcrun doctor`,
        { service, instance },
      );
    }
    this.#overflow ??= make(this);
    return this.#overflow;
  }

  /** Whether a keyring answers here; the reason when not (no D-Bus session, locked, no platform store). */
  static async probe(
    options: KeyringStoreOptions = {},
  ): Promise<{ ok: true } | { ok: false; reason: string }> {
    try {
      const k = await loadKeyring();
      await k.getPassword(options.keyringService ?? "arcrun", "__arcrun_probe__");
      await k.ready?.();
      return { ok: true };
    } catch (err) {
      return { ok: false, reason: reason(err) };
    }
  }

  /** Runs one keyring operation; any failure of the keyring itself is ERR_STORE_UNAVAILABLE. */
  async #with<T>(op: (k: KeyringBackend) => Promise<T>): Promise<T> {
    try {
      return await op(this.#options.backend ?? (await loadKeyring()));
    } catch (err) {
      throw isArcrunError(err) ? err : unavailable(err);
    }
  }

  #read(account: string): Promise<string | null> {
    return this.#with((k) => k.getPassword(this.keyringService, account));
  }

  #write(account: string, value: string, check?: (existing: string) => void): Promise<void> {
    const label = `${this.keyringService}: ${account}`;
    return this.#with((k) => k.setPassword(this.keyringService, account, label, value, check));
  }

  #parse(service: string, instance: string, raw: string): StoredCredential {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      value = undefined;
    }
    if (!isStoredCredential(value)) {
      throw new ArcrunError(
        "ERR_STORE_CORRUPT",
        `The keyring entry ${this.keyringService}/${entryKey(service, instance)} is not an arcrun credential; it was left as it is. Remove it with your keyring tool (or run: arcrun logout ${service}${instance === "default" ? "" : ` --instance ${instance}`}), then run: arcrun setup ${service}`,
        { service, instance },
      );
    }
    return value;
  }

  async get(service: string, instance: string): Promise<StoredCredential | undefined> {
    const raw = await this.#read(entryKey(service, instance));
    if (raw === null) return undefined;
    if (isOverflowPointer(raw)) return (await this.#overflowStore(service, instance)).get(service, instance);
    return this.#parse(service, instance, raw);
  }

  async set(service: string, instance: string, value: StoredCredential): Promise<void> {
    const json = JSON.stringify(value);
    // Never overwrite an entry that is not ours; the check runs on the entry found by the write's own search.
    const ours = (existing: string) => {
      if (!isOverflowPointer(existing)) this.#parse(service, instance, existing);
    };
    const key = entryKey(service, instance);
    // JS strings are UTF-16: 2 bytes a code unit, as the keyring will store them.
    if (json.length * 2 > KEYRING_VALUE_LIMIT) {
      // The value first, then the pointer: a crash between leaves the old entry (and value) readable.
      const file = await this.#overflowStore(service, instance);
      const current = await this.#read(key);
      if (current !== null) ours(current);
      await file.set(service, instance, value);
      if (current === null || !isOverflowPointer(current)) {
        await this.#write(key, JSON.stringify({ [OVERFLOW_MARK]: 1 }), ours);
      }
      return;
    }
    const before = await this.#read(key);
    await this.#write(key, json, ours);
    if (before !== null && isOverflowPointer(before)) {
      await (await this.#overflowStore(service, instance)).delete(service, instance);
    }
  }

  async delete(service: string, instance: string): Promise<boolean> {
    const raw = await this.#read(entryKey(service, instance));
    if (raw !== null && isOverflowPointer(raw)) {
      await (await this.#overflowStore(service, instance)).delete(service, instance);
    }
    return this.#with((k) => k.deletePassword(this.keyringService, entryKey(service, instance)));
  }

  async list(): Promise<Array<{ service: string; instance: string }>> {
    const found = await this.#with((k) => k.accounts(this.keyringService));
    return found
      .flatMap((account) => {
        const e = parseEntryKey(account);
        return e ? [e] : [];
      })
      .sort((a, b) => entryKey(a.service, a.instance).localeCompare(entryKey(b.service, b.instance)));
  }

  /** Reads (or creates) a random 32-byte key kept in the keyring, for the encrypted file. */
  async masterKey(create: boolean): Promise<Buffer | undefined> {
    const raw = await this.#read(MASTER_KEY_ACCOUNT);
    if (raw !== null) {
      const key = Buffer.from(raw, "base64");
      if (key.length === 32) return key;
      throw new ArcrunError(
        "ERR_STORE_CORRUPT",
        `The keyring entry ${this.keyringService}/${MASTER_KEY_ACCOUNT} is not a 32-byte key; it was left as it is. Remove it with your keyring tool, then run: arcrun doctor`,
      );
    }
    if (!create) return undefined;
    const { randomBytes } = await import("node:crypto");
    const key = randomBytes(32);
    await this.#write(MASTER_KEY_ACCOUNT, key.toString("base64"));
    return key;
  }
}

import type * as Keyring from "@napi-rs/keyring";
import { ArcrunError } from "../errors.js";
import { entryKey, isStoredCredential, parseEntryKey } from "../internal/credential.js";
import type { CredentialStore, StoredCredential } from "../types.js";

type KeyringModule = typeof Keyring;

let loaded: Promise<KeyringModule> | undefined;

/** The native binding loads on first use only: importing arcrun-auth never pays for it. */
function loadKeyring(): Promise<KeyringModule> {
  loaded ??= import("@napi-rs/keyring").then((m) => {
    const mod = m as KeyringModule & { default?: KeyringModule };
    return mod.default?.AsyncEntry ? mod.default : mod;
  });
  return loaded;
}

/** On Linux, pin the Secret Service: the kernel keyring (keyutils) forgets everything at logout or reboot. */
const ENTRY_OPTIONS: Keyring.EntryOptions = { linux: { store: "secret-service" } };

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
}

/**
 * The OS keyring (macOS Keychain, Windows Credential Manager, the Secret Service on Linux) through
 * @napi-rs/keyring: one entry per `service/instance`, holding the credential as JSON.
 */
export class KeyringStore implements CredentialStore {
  readonly kind = "keyring";
  readonly keyringService: string;

  constructor(options: KeyringStoreOptions = {}) {
    this.keyringService = options.keyringService ?? "arcrun";
  }

  /** Whether a keyring answers here; the reason when not (no D-Bus session, locked, no platform store). */
  static async probe(
    options: KeyringStoreOptions = {},
  ): Promise<{ ok: true } | { ok: false; reason: string }> {
    try {
      const k = await loadKeyring();
      const entry = new k.AsyncEntry(options.keyringService ?? "arcrun", "__arcrun_probe__", ENTRY_OPTIONS);
      await entry.getPassword();
      return { ok: true };
    } catch (err) {
      return { ok: false, reason: reason(err) };
    }
  }

  async #entry(account: string): Promise<Keyring.AsyncEntry> {
    let k: KeyringModule;
    try {
      k = await loadKeyring();
      return new k.AsyncEntry(this.keyringService, account, ENTRY_OPTIONS);
    } catch (err) {
      throw unavailable(err);
    }
  }

  async #read(account: string): Promise<string | null> {
    const entry = await this.#entry(account);
    try {
      return await entry.getPassword();
    } catch (err) {
      throw unavailable(err);
    }
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
    return raw === null ? undefined : this.#parse(service, instance, raw);
  }

  async set(service: string, instance: string, value: StoredCredential): Promise<void> {
    const account = entryKey(service, instance);
    const existing = await this.#read(account);
    // Never overwrite an entry that is not ours.
    if (existing !== null) this.#parse(service, instance, existing);
    const entry = await this.#entry(account);
    try {
      await entry.setPassword(JSON.stringify(value));
    } catch (err) {
      throw unavailable(err);
    }
  }

  async delete(service: string, instance: string): Promise<boolean> {
    const entry = await this.#entry(entryKey(service, instance));
    try {
      return await entry.deleteCredential();
    } catch (err) {
      throw unavailable(err);
    }
  }

  async list(): Promise<Array<{ service: string; instance: string }>> {
    let found: Keyring.Credential[];
    try {
      const k = await loadKeyring();
      found = await k.findCredentialsAsync(this.keyringService);
    } catch (err) {
      throw unavailable(err);
    }
    return found
      .flatMap((c) => {
        const e = parseEntryKey(c.account);
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
    const entry = await this.#entry(MASTER_KEY_ACCOUNT);
    try {
      await entry.setPassword(key.toString("base64"));
    } catch (err) {
      throw unavailable(err);
    }
    return key;
  }
}

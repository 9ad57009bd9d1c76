import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  scrypt,
  timingSafeEqual,
} from "node:crypto";
import { readFile } from "node:fs/promises";
import { ArcrunError } from "../errors.js";
import { removeOrphanTemps, writeFileAtomic } from "../internal/atomic-write.js";
import { entryKey, isStoredCredential, parseEntryKey } from "../internal/credential.js";
import { withFileLock } from "../internal/lock.js";
import type { CredentialStore, StoredCredential } from "../types.js";
import type { KeyringStore } from "./keyring.js";

/** Where the file's key comes from. */
export type EncryptedFileKey =
  | { kind: "master-key"; key: Uint8Array }
  | { kind: "passphrase"; passphrase: string }
  | { kind: "keyring"; keyring: KeyringStore };

type Kdf =
  | { kind: "scrypt"; salt: string; N: number; r: number; p: number }
  | { kind: "raw"; source: "master-key" | "keyring" };

interface FileHeader {
  format: "arcrun-secrets";
  v: 1;
  kdf: Kdf;
}

interface FileBody extends FileHeader {
  /** Key check value: HMAC-SHA256(key, KCV_LABEL), 16 bytes; tells a wrong key from a damaged file. */
  kcv: string;
  iv: string;
  tag: string;
  data: string;
}

type Entries = Record<string, StoredCredential>;

const KCV_LABEL = "arcrun-secrets key check v1";
const SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;

const derived = new Map<string, Promise<Buffer>>();

function scryptKey(passphrase: string, salt: Buffer, N: number, r: number, p: number): Promise<Buffer> {
  const id = createHmac("sha256", salt).update(`${N}:${r}:${p}:${passphrase}`).digest("base64");
  let key = derived.get(id);
  if (!key) {
    key = new Promise<Buffer>((resolve, reject) => {
      scrypt(passphrase, salt, 32, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (err, k) =>
        err ? reject(err) : resolve(k),
      );
    });
    derived.set(id, key);
    key.catch(() => derived.delete(id));
  }
  return key;
}

/**
 * The master key from the environment: `ARCRUN_MASTER_KEY` (32 bytes as 64 hex digits or base64) or
 * `ARCRUN_PASSPHRASE` (stretched with scrypt, salt in the file). Both may be set; the file says which it needs.
 */
export function keysFromEnv(env: Readonly<Record<string, string | undefined>>): EncryptedFileKey[] {
  const keys: EncryptedFileKey[] = [];
  const master = env.ARCRUN_MASTER_KEY?.trim();
  if (master) {
    const bytes = /^[0-9a-f]{64}$/i.test(master) ? Buffer.from(master, "hex") : Buffer.from(master, "base64");
    if (bytes.length !== 32) {
      throw new ArcrunError(
        "ERR_INVALID_OPTION",
        "ARCRUN_MASTER_KEY must be 32 bytes written as 64 hex digits or base64. Generate one with: openssl rand -base64 32",
      );
    }
    keys.push({ kind: "master-key", key: bytes });
  }
  const passphrase = env.ARCRUN_PASSPHRASE;
  if (passphrase) keys.push({ kind: "passphrase", passphrase });
  return keys;
}

function describeKey(kdf: Kdf): string {
  if (kdf.kind === "scrypt") return "ARCRUN_PASSPHRASE";
  return kdf.source === "master-key" ? "ARCRUN_MASTER_KEY" : "the key kept in the OS keyring";
}

export interface EncryptedFileStoreOptions {
  /** Usually `$ARCRUN_HOME/secrets.enc`. */
  path: string;
  /** Candidate keys, in order of preference for a new file; an existing file picks the one it was made with. */
  keys: readonly EncryptedFileKey[];
  lockTimeoutMs?: number;
}

/**
 * Every credential in one AES-256-GCM encrypted JSON file, for machines where no keyring answers (headless
 * Linux, Docker, CI). Writes are read-modify-write under a lock file, atomic (temp file + fsync + rename),
 * mode 0600. A file that is not ours, or damaged, is never overwritten: ERR_STORE_CORRUPT.
 */
export class EncryptedFileStore implements CredentialStore {
  readonly kind = "encrypted-file";
  readonly path: string;
  readonly #keys: readonly EncryptedFileKey[];
  readonly #lockTimeoutMs: number | undefined;
  /** Whether this instance removed the temp files of writers killed mid-write (once, at first open). */
  #swept = false;

  constructor(options: EncryptedFileStoreOptions) {
    this.path = options.path;
    this.#keys = options.keys;
    this.#lockTimeoutMs = options.lockTimeoutMs;
  }

  /** Which key source a new file would use, for `arcrun doctor`. */
  get keySource(): string | undefined {
    const k = this.#keys[0];
    if (!k) return undefined;
    return k.kind === "passphrase"
      ? "ARCRUN_PASSPHRASE"
      : k.kind === "master-key"
        ? "ARCRUN_MASTER_KEY"
        : "keyring";
  }

  #corrupt(detail: string, cause?: unknown): ArcrunError {
    return new ArcrunError(
      "ERR_STORE_CORRUPT",
      `${this.path} ${detail}; it was left as it is. Move it away (mv ${this.path} ${this.path}.bad) and set up your services again, or run: arcrun doctor`,
      { cause },
    );
  }

  async #keyFor(kdf: Kdf, create: boolean): Promise<Buffer> {
    for (const k of this.#keys) {
      if (kdf.kind === "scrypt" && k.kind === "passphrase") {
        return scryptKey(k.passphrase, Buffer.from(kdf.salt, "base64"), kdf.N, kdf.r, kdf.p);
      }
      if (kdf.kind === "raw" && kdf.source === "master-key" && k.kind === "master-key")
        return Buffer.from(k.key);
      if (kdf.kind === "raw" && kdf.source === "keyring" && k.kind === "keyring") {
        const key = await k.keyring.masterKey(create);
        if (key) return key;
      }
    }
    throw new ArcrunError(
      create ? "ERR_STORE_UNAVAILABLE" : "ERR_STORE_WRONG_KEY",
      `${this.path} is encrypted with ${describeKey(kdf)}, which is not available here. Set ${describeKey(kdf) === "the key kept in the OS keyring" ? "up access to the OS keyring" : describeKey(kdf)} and try again, or run: arcrun doctor`,
    );
  }

  async #newHeader(): Promise<{ header: FileHeader; key: Buffer }> {
    const k = this.#keys[0];
    if (!k) {
      throw new ArcrunError(
        "ERR_STORE_UNAVAILABLE",
        "No OS keyring answers and no key is set for the encrypted file. Set ARCRUN_PASSPHRASE (or ARCRUN_MASTER_KEY, from: openssl rand -base64 32) and try again, or run: arcrun doctor",
      );
    }
    let kdf: Kdf;
    if (k.kind === "passphrase") {
      kdf = { kind: "scrypt", salt: randomBytes(16).toString("base64"), ...SCRYPT };
    } else {
      kdf = { kind: "raw", source: k.kind };
    }
    const header: FileHeader = { format: "arcrun-secrets", v: 1, kdf };
    return { header, key: await this.#keyFor(kdf, true) };
  }

  async #load(): Promise<{ header: FileHeader; key: Buffer; entries: Entries } | undefined> {
    if (!this.#swept) {
      this.#swept = true;
      await removeOrphanTemps(this.path, { all: false });
    }
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new ArcrunError(
        "ERR_STORE_UNAVAILABLE",
        `Cannot read ${this.path} (${(err as NodeJS.ErrnoException).code ?? "error"}). Check its permissions, or run: arcrun doctor`,
        { cause: err },
      );
    }
    let body: FileBody;
    try {
      body = JSON.parse(text) as FileBody;
    } catch (cause) {
      throw this.#corrupt("is not an arcrun secrets file (or was cut short)", cause);
    }
    if (
      typeof body !== "object" ||
      body === null ||
      body.format !== "arcrun-secrets" ||
      body.v !== 1 ||
      typeof body.kdf !== "object" ||
      typeof body.iv !== "string" ||
      typeof body.tag !== "string" ||
      typeof body.data !== "string" ||
      typeof body.kcv !== "string"
    ) {
      throw this.#corrupt("is not an arcrun secrets file (or is from a newer version)");
    }
    const header: FileHeader = { format: body.format, v: body.v, kdf: body.kdf };
    const key = await this.#keyFor(header.kdf, false);
    const kcv = createHmac("sha256", key).update(KCV_LABEL).digest().subarray(0, 16);
    const seen = Buffer.from(body.kcv, "base64");
    if (seen.length !== kcv.length || !timingSafeEqual(seen, kcv)) {
      throw new ArcrunError(
        "ERR_STORE_WRONG_KEY",
        `${this.path} cannot be opened with this key: ${describeKey(header.kdf)} is not the one it was written with. Set the right ${describeKey(header.kdf)} and try again; the file was left as it is.`,
      );
    }
    let plain: string;
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(body.iv, "base64"));
      decipher.setAAD(Buffer.from(JSON.stringify(header)));
      decipher.setAuthTag(Buffer.from(body.tag, "base64"));
      plain = Buffer.concat([decipher.update(Buffer.from(body.data, "base64")), decipher.final()]).toString(
        "utf8",
      );
    } catch (cause) {
      throw this.#corrupt("is damaged (its authentication tag does not match)", cause);
    }
    let parsed: { entries?: unknown };
    try {
      parsed = JSON.parse(plain) as { entries?: unknown };
    } catch (cause) {
      throw this.#corrupt("holds data this version cannot read", cause);
    }
    const entries = parsed.entries;
    if (typeof entries !== "object" || entries === null) throw this.#corrupt("holds no entries table");
    for (const v of Object.values(entries)) {
      if (!isStoredCredential(v)) throw this.#corrupt("holds an entry this version cannot read");
    }
    return { header, key, entries: entries as Entries };
  }

  async #save(header: FileHeader, key: Buffer, entries: Entries): Promise<void> {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    cipher.setAAD(Buffer.from(JSON.stringify(header)));
    const data = Buffer.concat([cipher.update(JSON.stringify({ entries }), "utf8"), cipher.final()]);
    const body: FileBody = {
      ...header,
      kcv: createHmac("sha256", key).update(KCV_LABEL).digest().subarray(0, 16).toString("base64"),
      iv: iv.toString("base64"),
      tag: cipher.getAuthTag().toString("base64"),
      data: data.toString("base64"),
    };
    await writeFileAtomic(this.path, `${JSON.stringify(body)}\n`, { mode: 0o600 });
  }

  async #update<T>(fn: (entries: Entries) => T): Promise<T> {
    const opts = this.#lockTimeoutMs === undefined ? {} : { timeoutMs: this.#lockTimeoutMs };
    return withFileLock(
      `${this.path}.lock`,
      async () => {
        // Under the lock no writer is between creating its temp file and renaming it: any left is an orphan.
        await removeOrphanTemps(this.path, { all: true });
        this.#swept = true;
        const current = (await this.#load()) ?? { ...(await this.#newHeader()), entries: {} };
        const result = fn(current.entries);
        await this.#save(current.header, current.key, current.entries);
        return result;
      },
      opts,
    );
  }

  async get(service: string, instance: string): Promise<StoredCredential | undefined> {
    const loaded = await this.#load();
    return loaded?.entries[entryKey(service, instance)];
  }

  async set(service: string, instance: string, value: StoredCredential): Promise<void> {
    await this.#update((entries) => {
      entries[entryKey(service, instance)] = value;
    });
  }

  async delete(service: string, instance: string): Promise<boolean> {
    const loaded = await this.#load();
    if (!loaded || !(entryKey(service, instance) in loaded.entries)) return false;
    return this.#update((entries) => {
      const key = entryKey(service, instance);
      const had = key in entries;
      delete entries[key];
      return had;
    });
  }

  async list(): Promise<Array<{ service: string; instance: string }>> {
    const loaded = await this.#load();
    if (!loaded) return [];
    return Object.keys(loaded.entries)
      .sort()
      .flatMap((k) => {
        const e = parseEntryKey(k);
        return e ? [e] : [];
      });
  }
}

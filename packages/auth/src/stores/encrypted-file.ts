import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  scrypt,
  timingSafeEqual,
} from "node:crypto";
import { access, chmod, constants, open, readFile, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { ArcrunError } from "../errors.js";
import { ensurePrivateDir, removeOrphanTemps, writeFileAtomic } from "../internal/atomic-write.js";
import { entryKey, isStoredCredential, parseEntryKey } from "../internal/credential.js";
import { withFileLock } from "../internal/lock.js";
import type { CredentialStore, StoredCredential } from "../types.js";
import type { KeyringStore } from "./keyring.js";

/**
 * Where the file's key comes from. `passphrase`, `master-key`, `keyring` and `key-file` can also make a new
 * file; `unlocked` (a key `arcrun unlock`'s agent holds) and `ask` (a passphrase asked at a terminal) only
 * open an existing one. An existing file says in its header which kind it was made with.
 */
export type EncryptedFileKey =
  | { kind: "master-key"; key: Uint8Array }
  | { kind: "passphrase"; passphrase: string }
  /**
   * The keyring that holds the file's key. A function when the keyring is asked only if no earlier key opens
   * the file (an explicit encrypted-file store with a key in the environment): it returns undefined when no
   * keyring answers, and the source is then skipped.
   */
  | { kind: "keyring"; keyring: KeyringStore | (() => Promise<KeyringStore | undefined>) }
  /** `$ARCRUN_HOME/master.key`: 32 random bytes, base64, mode 0600 (docs/cli.md, "Without a keyring"). */
  | { kind: "key-file"; path: string }
  /** A key already derived and checked elsewhere (the agent of `arcrun unlock`); undefined when none. */
  | { kind: "unlocked"; read: () => Promise<Uint8Array | undefined> }
  /** Asks a person for the passphrase; `retry` is true after a wrong one. Up to 3 attempts. */
  | { kind: "ask"; ask: (retry: boolean) => Promise<string> };

type Kdf =
  | { kind: "scrypt"; salt: string; N: number; r: number; p: number }
  | { kind: "raw"; source: "master-key" | "keyring" | "key-file" };

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

/** What `check()` finds: whether a write would succeed now, without asking anyone anything. */
export type EncryptedFileState =
  /** A key for the file (or for a new one) is at hand, and its directory can be written. */
  | { state: "ready"; keySource: string }
  /** The file is locked with a passphrase that is not available here (no variable, no agent). */
  | { state: "locked" }
  /** No file yet, and nothing that could make its key: a person must choose (a passphrase or a key file). */
  | { state: "needs-key" }
  /** It cannot be written here: the error says why and what to do. */
  | { state: "unavailable"; error: ArcrunError };

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
  switch (kdf.source) {
    case "master-key":
      return "ARCRUN_MASTER_KEY";
    case "keyring":
      return "the key kept in the OS keyring";
    case "key-file":
      return "the key file master.key";
    default: {
      const never: never = kdf.source;
      return never;
    }
  }
}

/** What to do when the key a file needs is not at hand. */
function keyHelp(kdf: Kdf): string {
  if (kdf.kind === "scrypt") {
    return "It is locked with a passphrase: run arcrun unlock (keeps it unlocked for this login), or set ARCRUN_PASSPHRASE for scripts";
  }
  switch (kdf.source) {
    case "master-key":
      return "Set ARCRUN_MASTER_KEY to the key it was made with";
    case "keyring":
      return "Set up access to the OS keyring that holds its key";
    case "key-file":
      return "Put back the master.key it was made with (from your backup)";
    default: {
      const never: never = kdf.source;
      return never;
    }
  }
}

const NO_KEY_YET =
  "No OS keyring answers and the encrypted file has no key yet. At a terminal run: arcrun setup <service> (it offers a passphrase or a key file). For scripts and CI, Set ARCRUN_PASSPHRASE (or ARCRUN_MASTER_KEY, from: openssl rand -base64 32) and try again, or run: arcrun doctor";

function kcvOf(key: Uint8Array): Buffer {
  return createHmac("sha256", key).update(KCV_LABEL).digest().subarray(0, 16);
}

/** Reads a key file: 32 bytes in base64; undefined when absent; refused when others can read it. */
async function readKeyFile(path: string): Promise<Buffer | undefined> {
  let text: string;
  try {
    const st = await stat(path);
    if ((st.mode & 0o077) !== 0) {
      throw new ArcrunError(
        "ERR_STORE_UNAVAILABLE",
        `${path} can be read by others (mode 0${(st.mode & 0o777).toString(8)}), so it was not used. Run: chmod 600 ${path}`,
      );
    }
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    if (err instanceof ArcrunError) throw err;
    throw new ArcrunError(
      "ERR_STORE_UNAVAILABLE",
      `Cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? "error"}). Check its permissions, or run: arcrun doctor`,
      { cause: err },
    );
  }
  const key = Buffer.from(text.trim(), "base64");
  if (key.length !== 32) {
    throw new ArcrunError(
      "ERR_STORE_CORRUPT",
      `${path} is not a 32-byte key in base64; it was left as it is. Put back the one from your backup, or run: arcrun doctor`,
    );
  }
  return key;
}

/**
 * Creates a key file: 32 random bytes in base64, mode 0600, never over an existing file (that would lose
 * the key of every secret written with it). Its directory is made 0700.
 */
export async function createKeyFile(path: string): Promise<Buffer> {
  await ensurePrivateDir(dirname(path));
  const key = randomBytes(32);
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, "wx", 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") {
      throw new ArcrunError(
        "ERR_INVALID_OPTION",
        `${path} exists already; it was left as it is (the secrets written with it need it). Run: arcrun doctor`,
      );
    }
    throw err;
  }
  try {
    await fh.writeFile(`${key.toString("base64")}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await chmod(path, 0o600);
  return key;
}

/** The keyring of a `keyring` key source, asked for now when it is given as a function. */
async function keyringOf(k: { keyring: KeyringStore | (() => Promise<KeyringStore | undefined>) }) {
  return typeof k.keyring === "function" ? k.keyring() : k.keyring;
}

/**
 * Which file a path holds, and which version of it: device, inode, size and change times. An atomic write
 * (a new file renamed over it) changes the inode; a change in place changes the times.
 */
function fileId(st: { dev: bigint; ino: bigint; size: bigint; mtimeNs: bigint; ctimeNs: bigint }): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

/** Errors that mean "no key for this file here" (locked), as opposed to a wrong one. */
const keyNotHere = new WeakSet<Error>();

function canCreate(k: EncryptedFileKey): boolean {
  return k.kind === "passphrase" || k.kind === "master-key" || k.kind === "keyring" || k.kind === "key-file";
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
  /** The key that opened the file last, so a process asks for a passphrase (or the agent) once. */
  #unlocked: Buffer | undefined;
  /**
   * The file as this instance read it last: its identity (fileId) and decrypted text. Reading it again while
   * it is unchanged costs one stat, not a read, a key check and a decryption (the first request reads the
   * store twice: which primitive was set up, then the values). Writes replace the file (rename), which
   * changes its identity.
   */
  #last: { id: string; header: FileHeader; key: Buffer; plain: string } | undefined;

  constructor(options: EncryptedFileStoreOptions) {
    this.path = options.path;
    this.#keys = options.keys;
    this.#lockTimeoutMs = options.lockTimeoutMs;
  }

  /** Which key source a new file would use, for `arcrun doctor`; undefined when none could make one. */
  get keySource(): string | undefined {
    const k = this.#keys.find(canCreate);
    if (!k) return undefined;
    switch (k.kind) {
      case "passphrase":
        return "ARCRUN_PASSPHRASE";
      case "master-key":
        return "ARCRUN_MASTER_KEY";
      case "keyring":
        return "keyring";
      case "key-file":
        return `key file ${k.path}`;
      default:
        return undefined;
    }
  }

  /** Uses a key derived and checked elsewhere (`arcrun setup` just made the file with it) before any other. */
  useKey(key: Uint8Array): void {
    this.#unlocked = Buffer.from(key);
  }

  #corrupt(detail: string, cause?: unknown): ArcrunError {
    return new ArcrunError(
      "ERR_STORE_CORRUPT",
      `${this.path} ${detail}; it was left as it is. Move it away (mv ${this.path} ${this.path}.bad) and set up your services again, or run: arcrun doctor`,
      { cause },
    );
  }

  /** The key of a new file from one source; undefined when that source has none (a key file not made yet). */
  async #newKey(k: EncryptedFileKey, kdf: Kdf): Promise<Buffer | undefined> {
    switch (k.kind) {
      case "passphrase":
        return kdf.kind === "scrypt"
          ? scryptKey(k.passphrase, Buffer.from(kdf.salt, "base64"), kdf.N, kdf.r, kdf.p)
          : undefined;
      case "master-key":
        return Buffer.from(k.key);
      case "keyring":
        return (await keyringOf(k))?.masterKey(true);
      case "key-file":
        return readKeyFile(k.path);
      default:
        return undefined;
    }
  }

  /**
   * The key that opens an existing file: the one that opened it last, then each source that fits the file's
   * kdf in order, each checked against the file's key check value. `interactive: false` skips `ask`.
   */
  async #openKey(kdf: Kdf, kcv: Buffer, interactive: boolean): Promise<Buffer> {
    const fits = (key: Uint8Array | undefined): key is Uint8Array =>
      key !== undefined && key.length === 32 && timingSafeEqual(kcvOf(key), kcv);
    if (fits(this.#unlocked)) return this.#unlocked;
    let wrong = false;
    for (const k of this.#keys) {
      let key: Uint8Array | undefined;
      if (k.kind === "unlocked") {
        // A key the agent holds for another file (made again since) is not an error: try the next source.
        const held = await k.read().catch(() => undefined);
        if (fits(held)) key = held;
      } else if (k.kind === "ask") {
        if (!interactive || kdf.kind !== "scrypt") continue;
        for (let attempt = 0; attempt < 3 && key === undefined; attempt++) {
          const typed = await k.ask(attempt > 0);
          const derived = await scryptKey(typed, Buffer.from(kdf.salt, "base64"), kdf.N, kdf.r, kdf.p);
          if (fits(derived)) key = derived;
        }
        if (key === undefined) {
          throw new ArcrunError(
            "ERR_STORE_WRONG_KEY",
            `That is not the passphrase of ${this.path} (3 attempts); nothing was changed. Try again, or run: arcrun doctor`,
          );
        }
      } else if (kdf.kind === "scrypt" ? k.kind === "passphrase" : kdf.source === k.kind) {
        const candidate =
          k.kind === "keyring" ? await (await keyringOf(k))?.masterKey(false) : await this.#newKey(k, kdf);
        if (candidate === undefined) continue;
        if (!fits(candidate)) {
          wrong = true;
          continue;
        }
        key = candidate;
      }
      if (key !== undefined) {
        this.#unlocked = Buffer.from(key);
        return this.#unlocked;
      }
    }
    if (wrong) {
      throw new ArcrunError(
        "ERR_STORE_WRONG_KEY",
        `${this.path} cannot be opened with this key: ${describeKey(kdf)} is not the one it was written with. Set the right ${describeKey(kdf)} and try again; the file was left as it is.`,
      );
    }
    const missing = new ArcrunError(
      "ERR_STORE_WRONG_KEY",
      `${this.path} is encrypted with ${describeKey(kdf)}, which is not available here. ${keyHelp(kdf)}; or run: arcrun doctor`,
    );
    keyNotHere.add(missing);
    throw missing;
  }

  async #newHeader(): Promise<{ header: FileHeader; key: Buffer }> {
    for (const k of this.#keys.filter(canCreate)) {
      const kdf: Kdf =
        k.kind === "passphrase"
          ? { kind: "scrypt", salt: randomBytes(16).toString("base64"), ...SCRYPT }
          : { kind: "raw", source: k.kind as "master-key" | "keyring" | "key-file" };
      const key = await this.#newKey(k, kdf);
      if (key !== undefined) return { header: { format: "arcrun-secrets", v: 1, kdf }, key };
    }
    throw new ArcrunError("ERR_STORE_UNAVAILABLE", NO_KEY_YET);
  }

  async #load(
    interactive = true,
  ): Promise<{ header: FileHeader; key: Buffer; entries: Entries } | undefined> {
    let text: string;
    let id: string;
    try {
      const last = this.#last;
      if (last && fileId(await stat(this.path, { bigint: true })) === last.id) {
        return { header: last.header, key: last.key, entries: this.#entries(last.plain) };
      }
      const fh = await open(this.path, "r");
      try {
        id = fileId(await fh.stat({ bigint: true }));
        text = await fh.readFile("utf8");
      } finally {
        await fh.close();
      }
    } catch (err) {
      // ENOTDIR: a part of the path is a file, so no store file can be there either.
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return undefined;
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
    const seen = Buffer.from(body.kcv, "base64");
    if (seen.length !== 16) throw this.#corrupt("has no valid key check value");
    const key = await this.#openKey(header.kdf, seen, interactive);
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
    const entries = this.#entries(plain);
    this.#last = { id, header, key, plain };
    return { header, key, entries };
  }

  /** The entries of the file's decrypted text, new objects each time (a caller may change them). */
  #entries(plain: string): Entries {
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
    return entries as Entries;
  }

  async #save(header: FileHeader, key: Buffer, entries: Entries): Promise<void> {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    cipher.setAAD(Buffer.from(JSON.stringify(header)));
    const data = Buffer.concat([cipher.update(JSON.stringify({ entries }), "utf8"), cipher.final()]);
    const body: FileBody = {
      ...header,
      kcv: kcvOf(key).toString("base64"),
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
        // Only writes sweep: a read (the cold start of a script) does not scan the directory
        // (docs/bench.md, "Cold start").
        await removeOrphanTemps(this.path, { all: true });
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

  /**
   * Whether a write would succeed now, asking nobody: `arcrun setup` checks this before it asks for a
   * secret, and `arcrun doctor` shows it.
   */
  async check(): Promise<EncryptedFileState> {
    let loaded: { header: FileHeader } | undefined;
    try {
      loaded = await this.#load(false);
      if (!loaded && (await this.#creator()) === undefined) return { state: "needs-key" };
    } catch (err) {
      if (!(err instanceof ArcrunError)) throw err;
      if (keyNotHere.has(err) && (await this.#kdf())?.kind === "scrypt") return { state: "locked" };
      return { state: "unavailable", error: err };
    }
    const dir = dirname(this.path);
    const writable = await access(loaded ? dir : await nearestDir(dir), constants.W_OK).then(
      () => true,
      () => false,
    );
    if (!writable) {
      return {
        state: "unavailable",
        error: new ArcrunError(
          "ERR_STORE_UNAVAILABLE",
          `${dir} cannot be written by this user. Fix its owner or permissions (chmod 700 ${dir}), or set ARCRUN_HOME to a directory you own`,
        ),
      };
    }
    return { state: "ready", keySource: loaded ? describeKey(loaded.header.kdf) : (this.keySource ?? "") };
  }

  /** The first source that can make a new file's key now, without making one (no keyring write). */
  async #creator(): Promise<EncryptedFileKey | undefined> {
    for (const k of this.#keys.filter(canCreate)) {
      if (k.kind !== "key-file" || (await readKeyFile(k.path)) !== undefined) return k;
    }
    return undefined;
  }

  /** The kdf in the file's header, or undefined when there is no readable file. */
  async #kdf(): Promise<Kdf | undefined> {
    const text = await readFile(this.path, "utf8").catch(() => undefined);
    if (text === undefined) return undefined;
    try {
      return (JSON.parse(text) as Partial<FileBody>).kdf;
    } catch {
      return undefined;
    }
  }

  /** How the existing file is locked: "passphrase", a raw key's source, or undefined when there is no file. */
  async lockedWith(): Promise<"passphrase" | "master-key" | "keyring" | "key-file" | undefined> {
    const kdf = await this.#kdf();
    if (!kdf) return undefined;
    return kdf.kind === "scrypt" ? "passphrase" : kdf.source;
  }

  /**
   * The key that opens the existing file (asking for the passphrase where an `ask` source is given), checked
   * against the file: what `arcrun unlock` hands to its agent. ERR_STORE_UNAVAILABLE when there is no file.
   */
  async key(): Promise<Buffer> {
    const loaded = await this.#load(true);
    if (!loaded) {
      throw new ArcrunError(
        "ERR_STORE_UNAVAILABLE",
        `${this.path} does not exist yet, so there is nothing to unlock. Run: arcrun setup <service>`,
      );
    }
    return Buffer.from(loaded.key);
  }

  /**
   * Writes a new, empty file locked with `key` (a passphrase, or a key file made first with createKeyFile);
   * refuses to replace an existing one. Returns the file's key so the caller can use it at once (useKey).
   */
  static async create(
    path: string,
    key: { kind: "passphrase"; passphrase: string } | { kind: "key-file"; path: string },
  ): Promise<Buffer> {
    const store = new EncryptedFileStore({ path, keys: [key] });
    return withFileLock(`${path}.lock`, async () => {
      if (
        (await store.#kdf()) !== undefined ||
        (await access(path).then(
          () => true,
          () => false,
        ))
      ) {
        throw new ArcrunError(
          "ERR_INVALID_OPTION",
          `${path} exists already; it was left as it is. Run: arcrun doctor`,
        );
      }
      const { header, key: k } = await store.#newHeader();
      await store.#save(header, k, {});
      return k;
    });
  }
}

/** The directory itself, or its nearest existing parent (what creating it would need to write). */
async function nearestDir(dir: string): Promise<string> {
  let d = dir;
  for (;;) {
    if (
      await access(d).then(
        () => true,
        () => false,
      )
    )
      return d;
    const up = dirname(d);
    if (up === d) return d;
    d = up;
  }
}

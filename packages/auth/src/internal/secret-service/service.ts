/**
 * A client of the freedesktop Secret Service (gnome-keyring, KWallet 6, KeePassXC) over the D-Bus session
 * bus, in TypeScript: no native code. Entries are the ones @napi-rs/keyring (keyring-rs) writes, so what an
 * older arcrun stored is still found: attributes `service` and `username` (plus `xdg:schema`
 * org.freedesktop.Secret.Generic), the secret as UTF-8 text, in the collection behind the `default` alias.
 *
 * @see https://specifications.freedesktop.org/secret-service-spec/latest/
 */
import { createCipheriv, createDecipheriv, getDiffieHellman, hkdfSync, randomBytes } from "node:crypto";
import { BusConnection, DBusError, sessionBusAddresses } from "./bus.js";
import { type DBusValue, Variant } from "./wire.js";

const DEST = "org.freedesktop.secrets";
const SERVICE_PATH = "/org/freedesktop/secrets";
const IF_SERVICE = "org.freedesktop.Secret.Service";
const IF_ITEM = "org.freedesktop.Secret.Item";
const IF_PROMPT = "org.freedesktop.Secret.Prompt";
const IF_PROPS = "org.freedesktop.DBus.Properties";
/** @see https://specifications.freedesktop.org/secret-service-spec/latest/ch07.html (Transfer of Secrets) */
const DH_ALGORITHM = "dh-ietf1024-sha256-aes128-cbc-pkcs7";
const CONTENT_TYPE = "text/plain";

/** How long a prompt may stay open for a person to answer. */
const PROMPT_TIMEOUT_MS = 120_000;

/** A prompt that was dismissed, could not be shown (no display), or went unanswered. */
function promptFailed(what: string, how: string): DBusError {
  return new DBusError(
    "org.freedesktop.Secret.Error.IsLocked",
    what === "unlock the keyring"
      ? `the keyring is locked and its unlock prompt ${how}; unlock it in your desktop session (or your keyring app) and retry`
      : `the keyring's prompt to ${what} ${how}; answer it in your desktop session and retry`,
  );
}

const isString = (v: DBusValue | undefined): v is string => typeof v === "string";

function unexpected(what: string): DBusError {
  return new DBusError(
    "org.freedesktop.DBus.Error.InvalidSignature",
    `unexpected ${what} from the Secret Service`,
  );
}

function strings(v: DBusValue | undefined): string[] {
  if (!Array.isArray(v) || !v.every(isString)) throw unexpected("reply");
  return v;
}

function str(v: DBusValue | undefined): string {
  if (!isString(v)) throw unexpected("reply");
  return v;
}

function pairs(attrs: Record<string, string>): DBusValue[] {
  return Object.entries(attrs).map(([k, v]) => [k, v]);
}

/**
 * One open session with the Secret Service. Secrets cross the bus encrypted (`dh-ietf1024-sha256-aes128-cbc-pkcs7`:
 * RFC 2409 group 2, HKDF-SHA256 without salt or info to a 16-byte AES-128-CBC key, a random IV per secret).
 * A service that answers OpenSession with org.freedesktop.DBus.Error.NotSupported gets `plain`, as libsecret
 * does: the bus is a per-user socket that only this user's processes reach, and such a service offers
 * nothing else; refusing would only push the user to a weaker store.
 */
export class SecretService {
  readonly #bus: BusConnection;
  readonly #session: string;
  readonly #key: Buffer | undefined;

  private constructor(bus: BusConnection, session: string, key: Buffer | undefined) {
    this.#bus = bus;
    this.#session = session;
    this.#key = key;
  }

  get closed(): boolean {
    return this.#bus.closed;
  }

  static async open(): Promise<SecretService> {
    const bus = await BusConnection.connectFirst(sessionBusAddresses());
    const openSession = async (algorithm: string, input: Variant) => {
      const [output, path] = await bus.call({
        destination: DEST,
        path: SERVICE_PATH,
        interface: IF_SERVICE,
        member: "OpenSession",
        signature: "sv",
        body: [algorithm, input],
      });
      return { output, session: str(path) };
    };
    try {
      const dh = getDiffieHellman("modp2");
      dh.generateKeys();
      try {
        const { output, session } = await openSession(DH_ALGORITHM, new Variant("ay", dh.getPublicKey()));
        if (!(output instanceof Variant) || !(output.value instanceof Uint8Array))
          throw new DBusError(
            "org.freedesktop.DBus.Error.InvalidSignature",
            "the Secret Service sent no public key",
          );
        // RFC 5869: an absent salt is HashLen zeros, which HMAC treats exactly like an empty key.
        const shared = dh.computeSecret(Buffer.from(output.value));
        const key = Buffer.from(hkdfSync("sha256", shared, Buffer.alloc(0), Buffer.alloc(0), 16));
        return new SecretService(bus, session, key);
      } catch (err) {
        if (!(err instanceof DBusError) || err.errorName !== "org.freedesktop.DBus.Error.NotSupported")
          throw err;
        const { session } = await openSession("plain", new Variant("s", ""));
        return new SecretService(bus, session, undefined);
      }
    } catch (err) {
      bus.close();
      throw err;
    }
  }

  #call(
    path: string,
    iface: string,
    member: string,
    signature = "",
    body: DBusValue[] = [],
  ): Promise<DBusValue[]> {
    return this.#bus.call({ destination: DEST, path, interface: iface, member, signature, body });
  }

  /** Runs a prompt (Prompt.Prompt, then waits for Completed); returns its result, or throws when dismissed. */
  async #prompt(path: string, what: string): Promise<DBusValue> {
    const rule = `type='signal',interface='${IF_PROMPT}',member='Completed',path='${path}'`;
    let off = () => {};
    let timer: NodeJS.Timeout | undefined;
    const completed = new Promise<DBusValue[]>((resolve, reject) => {
      off = this.#bus.onSignal((m) => {
        if (m.path === path && m.interface === IF_PROMPT && m.member === "Completed") resolve(m.body ?? []);
      });
      // The timer also keeps the process alive while a person answers the dialog.
      timer = setTimeout(
        () => reject(promptFailed(what, `got no answer within ${PROMPT_TIMEOUT_MS / 1000} s`)),
        PROMPT_TIMEOUT_MS,
      );
    });
    // A bus that goes away while the prompt is open ends the wait too.
    const done = Promise.race([completed, this.#bus.whenClosed.then((err) => Promise.reject(err))]);
    try {
      await this.#bus.addMatch(rule);
      await Promise.race([this.#call(path, IF_PROMPT, "Prompt", "s", [""]), done]);
      const [dismissed, result] = await done;
      if (dismissed === true) throw promptFailed(what, "was dismissed or could not be shown (no display?)");
      return result instanceof Variant ? result.value : [];
    } finally {
      clearTimeout(timer);
      off();
      if (!this.#bus.closed) await this.#bus.removeMatch(rule).catch(() => undefined);
    }
  }

  /** Unlocks the objects (collections or items), prompting if the service asks to. */
  async unlock(paths: string[]): Promise<void> {
    if (paths.length === 0) return;
    const [, prompt] = await this.#call(SERVICE_PATH, IF_SERVICE, "Unlock", "ao", [paths]);
    if (str(prompt) !== "/") await this.#prompt(str(prompt), "unlock the keyring");
  }

  /** Items whose attributes include all of `attrs`, locked ones unlocked first. */
  async search(attrs: Record<string, string>): Promise<string[]> {
    const [unlocked, lockedItems] = await this.#call(SERVICE_PATH, IF_SERVICE, "SearchItems", "a{ss}", [
      pairs(attrs),
    ]);
    const locked = strings(lockedItems);
    await this.unlock(locked);
    return [...strings(unlocked), ...locked];
  }

  async attributes(item: string): Promise<Record<string, string>> {
    const [v] = await this.#call(item, IF_PROPS, "Get", "ss", [IF_ITEM, "Attributes"]);
    const out: Record<string, string> = {};
    if (v instanceof Variant && Array.isArray(v.value))
      for (const e of v.value) if (Array.isArray(e) && isString(e[0]) && isString(e[1])) out[e[0]] = e[1];
    return out;
  }

  async getSecret(item: string): Promise<Buffer> {
    const [secret] = await this.#call(item, IF_ITEM, "GetSecret", "o", [this.#session]);
    if (!Array.isArray(secret) || !(secret[1] instanceof Uint8Array) || !(secret[2] instanceof Uint8Array))
      throw unexpected("secret");
    const value = Buffer.from(secret[2]);
    if (!this.#key) return value;
    try {
      const d = createDecipheriv("aes-128-cbc", this.#key, Buffer.from(secret[1]));
      return Buffer.concat([d.update(value), d.final()]);
    } catch (err) {
      throw new DBusError(
        "org.freedesktop.Secret.Error.NoSession",
        "a secret from the Secret Service did not decrypt with the session key",
        { cause: err },
      );
    }
  }

  #secret(value: Buffer): DBusValue {
    if (!this.#key) return [this.#session, new Uint8Array(0), value, CONTENT_TYPE];
    const iv = randomBytes(16);
    const c = createCipheriv("aes-128-cbc", this.#key, iv);
    return [this.#session, iv, Buffer.concat([c.update(value), c.final()]), CONTENT_TYPE];
  }

  /**
   * Why saving would fail here without a person to answer a prompt, or undefined when it can work: the
   * Secret Service has no default keyring (gnome-keyring started by D-Bus activation on a server), or the
   * default keyring is locked. Both need a prompt, and a prompt needs a display.
   */
  async unusableWithoutPrompt(): Promise<{ why: string; prompt: "create" | "unlock" } | undefined> {
    const [path] = await this.#call(SERVICE_PATH, IF_SERVICE, "ReadAlias", "s", ["default"]);
    if (str(path) === "/") return { why: "the Secret Service has no default keyring yet", prompt: "create" };
    const [v] = await this.#call(str(path), IF_PROPS, "Get", "ss", [
      "org.freedesktop.Secret.Collection",
      "Locked",
    ]);
    if (v instanceof Variant && v.value === true)
      return { why: "the default keyring is locked", prompt: "unlock" };
    return undefined;
  }

  /** The collection behind the `default` alias, created (with its prompt) when there is none. */
  async defaultCollection(): Promise<string> {
    const [path] = await this.#call(SERVICE_PATH, IF_SERVICE, "ReadAlias", "s", ["default"]);
    if (str(path) !== "/") return str(path);
    const label = new Variant("s", "Default keyring");
    const [created, prompt] = await this.#call(SERVICE_PATH, IF_SERVICE, "CreateCollection", "a{sv}s", [
      [["org.freedesktop.Secret.Collection.Label", label]],
      "default",
    ]);
    if (str(created) !== "/") return str(created);
    return str(await this.#prompt(str(prompt), "create the default keyring"));
  }

  /** Creates (or replaces: same attributes in the same collection) an item in the default collection. */
  async createItem(label: string, attrs: Record<string, string>, value: Buffer): Promise<string> {
    const collection = await this.defaultCollection();
    const props: DBusValue = [
      ["org.freedesktop.Secret.Item.Label", new Variant("s", label)],
      ["org.freedesktop.Secret.Item.Attributes", new Variant("a{ss}", pairs(attrs))],
    ];
    const create = () =>
      this.#call(collection, "org.freedesktop.Secret.Collection", "CreateItem", "a{sv}(oayays)b", [
        props,
        this.#secret(value),
        true,
      ]);
    let reply: DBusValue[];
    try {
      reply = await create();
    } catch (err) {
      if (!(err instanceof DBusError) || err.errorName !== "org.freedesktop.Secret.Error.IsLocked") throw err;
      await this.unlock([collection]);
      reply = await create();
    }
    const [item, prompt] = reply;
    if (str(item) !== "/") return str(item);
    return str(await this.#prompt(str(prompt), "save a secret"));
  }

  /** Replaces the secret of an existing item, keeping its attributes and label. */
  async setSecret(item: string, value: Buffer): Promise<void> {
    await this.#call(item, IF_ITEM, "SetSecret", "(oayays)", [this.#secret(value)]);
  }

  async deleteItem(item: string): Promise<void> {
    const [prompt] = await this.#call(item, IF_ITEM, "Delete");
    if (str(prompt) !== "/") await this.#prompt(str(prompt), "delete a secret");
  }

  close(): void {
    this.#bus.close();
  }
}

let shared: Promise<SecretService> | undefined;

/** One session per process, opened on first use and reopened if the bus went away. */
async function secretService(): Promise<SecretService> {
  if (shared) {
    const s = await shared.catch(() => undefined);
    if (s && !s.closed) return s;
  }
  const opening = SecretService.open();
  shared = opening;
  opening.catch(() => {
    if (shared === opening) shared = undefined;
  });
  return opening;
}

/** The attributes keyring-rs gives an entry; searches use service + username only. */
function entryAttributes(service: string, account: string): Record<string, string> {
  return { service, username: account };
}

/** The one item of the entry (service, account), if any; two or more matching items are an error. */
async function findEntry(ss: SecretService, service: string, account: string): Promise<string | undefined> {
  const items = await ss.search(entryAttributes(service, account));
  if (items.length > 1)
    throw new DBusError(
      "org.freedesktop.Secret.Error.Ambiguous",
      `${items.length} keyring entries match service=${service} username=${account}; remove the extra ones with your keyring app`,
    );
  return items[0];
}

/** A keyring entry (service, account) as keyring-rs models it, on the Secret Service. */
export const secretServiceKeyring = {
  async getPassword(service: string, account: string): Promise<string | null> {
    const ss = await secretService();
    const item = await findEntry(ss, service, account);
    return item === undefined ? null : (await ss.getSecret(item)).toString("utf8");
  },

  /** `check` sees the current value of an existing entry first and throws to leave it unchanged. */
  async setPassword(
    service: string,
    account: string,
    label: string,
    value: string,
    check?: (existing: string) => void,
  ): Promise<void> {
    const ss = await secretService();
    const item = await findEntry(ss, service, account);
    if (item !== undefined) {
      if (check) check((await ss.getSecret(item)).toString("utf8"));
      // An existing entry keeps its attributes (one written by keyring-rs or secret-tool stays the one entry).
      return ss.setSecret(item, Buffer.from(value, "utf8"));
    }
    const attrs = { ...entryAttributes(service, account), "xdg:schema": "org.freedesktop.Secret.Generic" };
    await ss.createItem(label, attrs, Buffer.from(value, "utf8"));
  },

  async deletePassword(service: string, account: string): Promise<boolean> {
    const ss = await secretService();
    const items = await ss.search(entryAttributes(service, account));
    for (const item of items) await ss.deleteItem(item);
    return items.length > 0;
  },

  /**
   * Throws when the keyring cannot be used here: no default keyring, or a locked one, and no display for
   * the prompt that would create or unlock it (an SSH session, a server, a container with a session bus).
   * With a display the prompt is shown when needed, as the desktop's own apps do.
   */
  async ready(): Promise<void> {
    if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return;
    const unusable = await (await secretService()).unusableWithoutPrompt();
    if (unusable) {
      throw new DBusError(
        "org.freedesktop.Secret.Error.IsLocked",
        `${unusable.why}, and with no display (DISPLAY, WAYLAND_DISPLAY) nothing can ask you to ${unusable.prompt} it`,
      );
    }
  },

  /** The `username` of every entry filed under `service`. */
  async accounts(service: string): Promise<string[]> {
    const ss = await secretService();
    // One Properties.Get per item, all in flight at once: the bus matches replies by serial.
    const found = await Promise.all((await ss.search({ service })).map((item) => ss.attributes(item)));
    return found.flatMap((a) => (a.service === service && a.username !== undefined ? [a.username] : []));
  },
};

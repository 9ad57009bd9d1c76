/**
 * A minimal D-Bus client connection: address parsing, SASL EXTERNAL, Hello, method calls matched to their
 * replies by serial, signals. Just what the Secret Service client needs; no introspection, no fd passing.
 *
 * @see https://dbus.freedesktop.org/doc/dbus-specification.html#addresses
 * @see https://dbus.freedesktop.org/doc/dbus-specification.html#auth-protocol
 */
import { createConnection, type Socket } from "node:net";
import {
  type DBusValue,
  decodeMessage,
  encodeMessage,
  Flags,
  type Message,
  MessageType,
  messageLength,
  WireError,
} from "./wire.js";

/** An error reply from a peer: `name` is the D-Bus error name (org.freedesktop.DBus.Error.ServiceUnknown, ...). */
export class DBusError extends Error {
  override name = "DBusError";
  constructor(
    readonly errorName: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Raised when the bus cannot be reached or stops answering; errorName is a D-Bus-style name for it. */
function busError(errorName: string, message: string, cause?: unknown): DBusError {
  return new DBusError(errorName, message, cause === undefined ? undefined : { cause });
}

export type BusAddress = { path: string } | { abstract: string };

/**
 * The addresses of a `;`-separated server address list this client can connect to, in order: `unix:path=`
 * and `unix:abstract=` (Linux abstract socket, reached through a leading NUL). Values are %-escaped.
 */
export function parseBusAddresses(list: string): BusAddress[] {
  const skipped: string[] = [];
  const out: BusAddress[] = [];
  for (const entry of list.split(";")) {
    if (entry === "") continue;
    const colon = entry.indexOf(":");
    const transport = colon < 0 ? entry : entry.slice(0, colon);
    const params = new Map<string, string>();
    for (const kv of colon < 0 ? [] : entry.slice(colon + 1).split(",")) {
      const eq = kv.indexOf("=");
      if (eq <= 0) continue;
      try {
        params.set(kv.slice(0, eq), decodeURIComponent(kv.slice(eq + 1)));
      } catch {
        params.clear();
        break;
      }
    }
    const path = params.get("path");
    const abstract = params.get("abstract");
    if (transport === "unix" && path) out.push({ path });
    else if (transport === "unix" && abstract) out.push({ abstract });
    else skipped.push(transport);
  }
  if (out.length > 0) return out;
  throw busError(
    "org.freedesktop.DBus.Error.BadAddress",
    skipped.length === 0
      ? "no D-Bus session bus address (DBUS_SESSION_BUS_ADDRESS is empty)"
      : `no usable D-Bus session bus address (only ${skipped.join(", ")}; unix:path or unix:abstract needed)`,
  );
}

/** The first usable address of a server address list. */
export function parseBusAddress(list: string): BusAddress {
  return parseBusAddresses(list)[0] as BusAddress;
}

/**
 * Where the session bus may be: the usable addresses of DBUS_SESSION_BUS_ADDRESS, in order, else the
 * systemd default $XDG_RUNTIME_DIR/bus. That default is also tried after an abstract socket, because
 * Node 20 pads an abstract name to the full sun_path length and so cannot reach dbus-daemon's.
 */
export function sessionBusAddresses(env: NodeJS.ProcessEnv = process.env): BusAddress[] {
  const fallback = env.XDG_RUNTIME_DIR ? { path: `${env.XDG_RUNTIME_DIR}/bus` } : undefined;
  const a = env.DBUS_SESSION_BUS_ADDRESS;
  if (a) {
    const list = parseBusAddresses(a);
    const hasFallback = list.some((x) => "path" in x && x.path === fallback?.path);
    return fallback && !hasFallback && list.some((x) => "abstract" in x) ? [...list, fallback] : list;
  }
  if (fallback) return [fallback];
  throw busError(
    "org.freedesktop.DBus.Error.BadAddress",
    "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS and XDG_RUNTIME_DIR are unset)",
  );
}

export interface CallOptions {
  destination: string;
  path: string;
  interface: string;
  member: string;
  signature?: string;
  body?: DBusValue[];
}

export interface ConnectOptions {
  /** Connect + authenticate + Hello must finish within this; default 5 s. */
  connectTimeoutMs?: number;
  /** Every method call's reply must arrive within this; default 10 s. */
  callTimeoutMs?: number;
}

interface Pending {
  resolve: (m: Message) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export type SignalHandler = (m: Message) => void;

/**
 * One connection to a message bus. The socket is unref'd whenever no call is waiting for its reply, so a
 * script that used it exits by itself; a call holds the process open only until its reply or timeout.
 */
export class BusConnection {
  readonly #socket: Socket;
  readonly #callTimeoutMs: number;
  readonly #pending = new Map<number, Pending>();
  readonly #signalHandlers = new Set<SignalHandler>();
  #serial = 0;
  #inbox: Buffer = Buffer.alloc(0);
  #closed: Error | undefined;
  #onClosed: (err: Error) => void = () => {};
  /** Resolves with the reason once the connection is closed or lost (never rejects). */
  readonly whenClosed = new Promise<Error>((resolve) => {
    this.#onClosed = resolve;
  });
  uniqueName = "";

  private constructor(socket: Socket, callTimeoutMs: number) {
    this.#socket = socket;
    this.#callTimeoutMs = callTimeoutMs;
  }

  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /** Connects, authenticates (SASL EXTERNAL with our uid) and says Hello; rejects with a DBusError. */
  static async connect(address: BusAddress, options: ConnectOptions = {}): Promise<BusConnection> {
    const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    const where = "path" in address ? address.path : `@${address.abstract}`;
    const socket = createConnection({ path: "path" in address ? address.path : `\0${address.abstract}` });
    const conn = new BusConnection(socket, options.callTimeoutMs ?? 10_000);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            busError(
              "org.freedesktop.DBus.Error.Timeout",
              `the D-Bus session bus at ${where} did not answer within ${connectTimeoutMs} ms`,
            ),
          ),
        connectTimeoutMs,
      );
    });
    try {
      await Promise.race([conn.#handshake(where), timeout]);
      const [name] = await Promise.race([
        conn.call({
          destination: "org.freedesktop.DBus",
          path: "/org/freedesktop/DBus",
          interface: "org.freedesktop.DBus",
          member: "Hello",
        }),
        timeout,
      ]);
      conn.uniqueName = typeof name === "string" ? name : "";
      return conn;
    } catch (err) {
      conn.close();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Connects to the first address that has a bus listening (a refused or missing socket moves on to the
   * next); when none does, rejects with the first address's error.
   */
  static async connectFirst(addresses: BusAddress[], options: ConnectOptions = {}): Promise<BusConnection> {
    let first: unknown;
    for (const address of addresses) {
      try {
        return await BusConnection.connect(address, options);
      } catch (err) {
        first ??= err;
        if (!(err instanceof DBusError) || err.errorName !== "org.freedesktop.DBus.Error.NoServer") break;
      }
    }
    throw first;
  }

  /** The SASL exchange: NUL, AUTH EXTERNAL <hex of the uid in decimal>, OK <guid>, BEGIN. */
  #handshake(where: string): Promise<void> {
    const socket = this.#socket;
    return new Promise<void>((resolve, reject) => {
      let text = "";
      const fail = (err: Error) => {
        cleanup();
        reject(err);
      };
      const onError = (err: Error) =>
        fail(
          busError(
            "org.freedesktop.DBus.Error.NoServer",
            `cannot connect to the D-Bus session bus at ${where} (${(err as NodeJS.ErrnoException).code ?? err.message})`,
            err,
          ),
        );
      const onClose = () =>
        fail(
          busError(
            "org.freedesktop.DBus.Error.NoServer",
            `the D-Bus session bus at ${where} closed the connection`,
          ),
        );
      const onData = (chunk: Buffer) => {
        text += chunk.toString("latin1");
        if (text.length > 4096)
          return fail(
            busError("org.freedesktop.DBus.Error.AuthFailed", "the bus sent an oversized SASL reply"),
          );
        const nl = text.indexOf("\r\n");
        if (nl < 0) return;
        const line = text.slice(0, nl);
        const rest = Buffer.from(text.slice(nl + 2), "latin1");
        if (!line.startsWith("OK ")) {
          return fail(
            busError(
              "org.freedesktop.DBus.Error.AuthFailed",
              `the D-Bus session bus at ${where} refused authentication (${line.slice(0, 80)})`,
            ),
          );
        }
        cleanup();
        socket.write("BEGIN\r\n");
        socket.on("data", (c: Buffer) => this.#onData(c));
        socket.on("error", (err) =>
          this.#fail(
            busError(
              "org.freedesktop.DBus.Error.Disconnected",
              `the D-Bus connection failed (${(err as NodeJS.ErrnoException).code ?? err.message})`,
              err,
            ),
          ),
        );
        socket.on("close", () =>
          this.#fail(
            busError(
              "org.freedesktop.DBus.Error.Disconnected",
              "the D-Bus session bus closed the connection",
            ),
          ),
        );
        if (rest.length > 0) this.#onData(rest);
        resolve();
      };
      const cleanup = () => {
        socket.off("data", onData);
        socket.off("error", onError);
        socket.off("close", onClose);
      };
      socket.on("data", onData);
      socket.on("error", onError);
      socket.on("close", onClose);
      socket.once("connect", () => {
        const uid = typeof process.getuid === "function" ? process.getuid() : 0;
        socket.write(`\0AUTH EXTERNAL ${Buffer.from(String(uid), "ascii").toString("hex")}\r\n`);
      });
    });
  }

  #onData(chunk: Buffer): void {
    this.#inbox = this.#inbox.length === 0 ? chunk : Buffer.concat([this.#inbox, chunk]);
    for (;;) {
      let len: number | undefined;
      let msg: Message;
      try {
        len = messageLength(this.#inbox);
        if (len === undefined || this.#inbox.length < len) return;
        msg = decodeMessage(this.#inbox.subarray(0, len));
      } catch (err) {
        const reason = err instanceof WireError ? err.message : String(err);
        this.#fail(
          busError(
            "org.freedesktop.DBus.Error.InvalidArgs",
            `the D-Bus peer sent a malformed message (${reason})`,
            err,
          ),
        );
        this.#socket.destroy();
        return;
      }
      this.#inbox = this.#inbox.subarray(len);
      this.#dispatch(msg);
    }
  }

  #dispatch(m: Message): void {
    if (m.type === MessageType.METHOD_RETURN || m.type === MessageType.ERROR) {
      const p = m.replySerial === undefined ? undefined : this.#pending.get(m.replySerial);
      if (!p) return;
      this.#settle(m.replySerial as number);
      if (m.type === MessageType.ERROR) {
        const text = typeof m.body?.[0] === "string" ? m.body[0] : "";
        const name = m.errorName ?? "org.freedesktop.DBus.Error.Failed";
        p.reject(new DBusError(name, text ? `${name}: ${text}` : name));
      } else {
        p.resolve(m);
      }
    } else if (m.type === MessageType.SIGNAL) {
      for (const h of this.#signalHandlers) h(m);
    } else if (
      m.type === MessageType.METHOD_CALL &&
      !((m.flags ?? 0) & Flags.NO_REPLY_EXPECTED) &&
      m.sender
    ) {
      // We export no objects; answer so the caller does not wait for its own timeout.
      this.#send({
        type: MessageType.ERROR,
        serial: this.#nextSerial(),
        replySerial: m.serial,
        destination: m.sender,
        errorName: "org.freedesktop.DBus.Error.UnknownMethod",
      });
    }
  }

  #settle(serial: number): void {
    const p = this.#pending.get(serial);
    if (!p) return;
    clearTimeout(p.timer);
    this.#pending.delete(serial);
    if (this.#pending.size === 0) this.#socket.unref();
  }

  #fail(err: Error): void {
    if (this.#closed) return;
    this.#closed = err;
    this.#onClosed(err);
    for (const [serial, p] of [...this.#pending]) {
      this.#settle(serial);
      p.reject(err);
    }
  }

  #nextSerial(): number {
    this.#serial = this.#serial >= 0xffffffff ? 1 : this.#serial + 1;
    return this.#serial;
  }

  #send(m: Message): void {
    this.#socket.write(encodeMessage(m));
  }

  /** Calls a method; resolves with the reply body, rejects with a DBusError (the peer's error name). */
  call(o: CallOptions): Promise<DBusValue[]> {
    if (this.#closed) return Promise.reject(this.#closed);
    const serial = this.#nextSerial();
    const msg: Message = {
      type: MessageType.METHOD_CALL,
      serial,
      destination: o.destination,
      path: o.path,
      interface: o.interface,
      member: o.member,
      signature: o.signature ?? "",
      body: o.body ?? [],
    };
    let bytes: Buffer;
    try {
      bytes = encodeMessage(msg);
    } catch (err) {
      return Promise.reject(err);
    }
    const timeoutMs = this.#callTimeoutMs;
    return new Promise<Message>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#settle(serial);
        reject(
          busError(
            "org.freedesktop.DBus.Error.NoReply",
            `${o.interface}.${o.member} got no reply within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.#pending.set(serial, { resolve, reject, timer });
      this.#socket.ref();
      this.#socket.write(bytes);
    }).then((m) => m.body ?? []);
  }

  /** Receives every signal (filter by path/interface/member); returns the unsubscribe function. */
  onSignal(handler: SignalHandler): () => void {
    this.#signalHandlers.add(handler);
    return () => this.#signalHandlers.delete(handler);
  }

  /** Asks the bus to route matching signals to us. @see https://dbus.freedesktop.org/doc/dbus-specification.html#message-bus-routing-match-rules */
  async addMatch(rule: string): Promise<void> {
    await this.call({
      destination: "org.freedesktop.DBus",
      path: "/org/freedesktop/DBus",
      interface: "org.freedesktop.DBus",
      member: "AddMatch",
      signature: "s",
      body: [rule],
    });
  }

  async removeMatch(rule: string): Promise<void> {
    await this.call({
      destination: "org.freedesktop.DBus",
      path: "/org/freedesktop/DBus",
      interface: "org.freedesktop.DBus",
      member: "RemoveMatch",
      signature: "s",
      body: [rule],
    });
  }

  close(): void {
    this.#fail(busError("org.freedesktop.DBus.Error.Disconnected", "the D-Bus connection was closed"));
    this.#socket.destroy();
  }
}

/**
 * D-Bus message marshalling, for the signatures the Secret Service client needs (and any other built from
 * the same basic types). Pure functions over bytes: no socket, no state.
 *
 * @see https://dbus.freedesktop.org/doc/dbus-specification.html#message-protocol-marshaling
 */

/** A variant (`v`): a value together with the signature of its single complete type. */
export class Variant {
  constructor(
    readonly signature: string,
    readonly value: DBusValue,
  ) {}
}

/**
 * A D-Bus value as JavaScript: integers are numbers (`x`/`t` are bigints), `ay` is a Uint8Array, other
 * arrays and structs are arrays, a dict `a{kv}` is an array of `[key, value]` pairs, `v` is a Variant.
 */
export type DBusValue = number | bigint | boolean | string | Uint8Array | Variant | DBusValue[];

/** A malformed or truncated message, or a value that does not fit its signature. */
export class WireError extends Error {
  override name = "WireError";
}

export const MessageType = { METHOD_CALL: 1, METHOD_RETURN: 2, ERROR: 3, SIGNAL: 4 } as const;
export type MessageTypeValue = (typeof MessageType)[keyof typeof MessageType];

export const Flags = { NO_REPLY_EXPECTED: 0x1, NO_AUTO_START: 0x2 } as const;

export interface Message {
  type: MessageTypeValue;
  flags?: number;
  serial: number;
  path?: string;
  interface?: string;
  member?: string;
  errorName?: string;
  replySerial?: number;
  destination?: string;
  sender?: string;
  /** The body's signature; "" (or absent) for no body. */
  signature?: string;
  body?: DBusValue[];
}

/** Header field codes. @see https://dbus.freedesktop.org/doc/dbus-specification.html#message-protocol-header-fields */
const Field = {
  PATH: 1,
  INTERFACE: 2,
  MEMBER: 3,
  ERROR_NAME: 4,
  REPLY_SERIAL: 5,
  DESTINATION: 6,
  SENDER: 7,
  SIGNATURE: 8,
  UNIX_FDS: 9,
} as const;

/** The spec's limits: a message is at most 128 MiB, an array 64 MiB, a signature 255 bytes. */
export const MAX_MESSAGE = 134_217_728;
const MAX_ARRAY = 67_108_864;
const MAX_SIGNATURE = 255;
const MAX_DEPTH = 64;

const FIXED_ALIGN: Record<string, number> = {
  y: 1,
  b: 4,
  n: 2,
  q: 2,
  i: 4,
  u: 4,
  x: 8,
  t: 8,
  d: 8,
  h: 4,
  s: 4,
  o: 4,
  g: 1,
  v: 1,
  a: 4,
  "(": 8,
  "{": 8,
};

function alignOf(code: string): number {
  const a = FIXED_ALIGN[code];
  if (a === undefined) throw new WireError(`unknown type code '${code}' in signature`);
  return a;
}

/** The end (exclusive) of the single complete type that starts at `i` in `sig`. */
function completeTypeEnd(sig: string, i: number, depth = 0): number {
  if (depth > MAX_DEPTH) throw new WireError("signature nests too deeply");
  const c = sig[i];
  if (c === undefined) throw new WireError(`signature "${sig}" ends inside a type`);
  if (c === "a") return completeTypeEnd(sig, i + 1, depth + 1);
  if (c === "(") {
    let j = i + 1;
    if (sig[j] === ")") throw new WireError("empty struct in signature");
    while (sig[j] !== ")") {
      if (j >= sig.length) throw new WireError(`unclosed struct in signature "${sig}"`);
      j = completeTypeEnd(sig, j, depth + 1);
    }
    return j + 1;
  }
  if (c === "{") {
    if (sig[i - 1] !== "a") throw new WireError("dict entry outside an array in signature");
    const k = sig[i + 1];
    if (k === undefined || "ybnqiuxtdhsog".indexOf(k) < 0)
      throw new WireError("dict key must be a basic type");
    const v = completeTypeEnd(sig, i + 2, depth + 1);
    if (sig[v] !== "}") throw new WireError(`dict entry must hold exactly two types in "${sig}"`);
    return v + 1;
  }
  alignOf(c);
  if (c === ")" || c === "}") throw new WireError(`unexpected '${c}' in signature`);
  return i + 1;
}

/** Splits a signature into its complete types (`"sa{sv}"` -> `["s", "a{sv}"]`). */
export function splitSignature(sig: string): string[] {
  if (sig.length > MAX_SIGNATURE) throw new WireError("signature longer than 255 bytes");
  const out: string[] = [];
  let i = 0;
  while (i < sig.length) {
    const end = completeTypeEnd(sig, i);
    out.push(sig.slice(i, end));
    i = end;
  }
  return out;
}

/** Appends marshalled values; offsets (and so alignment) count from the writer's start. */
class Writer {
  #buf = Buffer.alloc(256);
  #len = 0;

  get length(): number {
    return this.#len;
  }

  #ensure(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + n) size *= 2;
    const next = Buffer.alloc(size);
    this.#buf.copy(next, 0, 0, this.#len);
    this.#buf = next;
  }

  align(n: number): void {
    const pad = (n - (this.#len % n)) % n;
    this.#ensure(pad);
    this.#buf.fill(0, this.#len, this.#len + pad);
    this.#len += pad;
  }

  bytes(b: Uint8Array): void {
    this.#ensure(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
  }

  u8(v: number): void {
    this.#ensure(1);
    this.#buf.writeUInt8(v, this.#len);
    this.#len += 1;
  }

  u32At(offset: number, v: number): void {
    this.#buf.writeUInt32LE(v, offset);
  }

  fixed(code: string, v: DBusValue): void {
    this.align(alignOf(code));
    const n = code === "n" || code === "q" ? 2 : code === "x" || code === "t" || code === "d" ? 8 : 4;
    this.#ensure(n);
    const o = this.#len;
    switch (code) {
      case "b":
        if (typeof v !== "boolean") throw new WireError("'b' needs a boolean");
        this.#buf.writeUInt32LE(v ? 1 : 0, o);
        break;
      case "n":
        this.#buf.writeInt16LE(int(v, code), o);
        break;
      case "q":
        this.#buf.writeUInt16LE(int(v, code), o);
        break;
      case "i":
        this.#buf.writeInt32LE(int(v, code), o);
        break;
      case "u":
      case "h":
        this.#buf.writeUInt32LE(int(v, code), o);
        break;
      case "x":
        this.#buf.writeBigInt64LE(big(v, code), o);
        break;
      case "t":
        this.#buf.writeBigUInt64LE(big(v, code), o);
        break;
      case "d":
        if (typeof v !== "number") throw new WireError("'d' needs a number");
        this.#buf.writeDoubleLE(v, o);
        break;
      default:
        throw new WireError(`'${code}' is not a fixed-size type`);
    }
    this.#len += n;
  }

  finish(): Buffer {
    return this.#buf.subarray(0, this.#len);
  }
}

function int(v: DBusValue, code: string): number {
  if (typeof v !== "number" || !Number.isInteger(v)) throw new WireError(`'${code}' needs an integer`);
  return v;
}

function big(v: DBusValue, code: string): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  throw new WireError(`'${code}' needs a bigint`);
}

function checkString(v: DBusValue, code: string): string {
  if (typeof v !== "string") throw new WireError(`'${code}' needs a string`);
  if (v.includes("\0")) throw new WireError("a D-Bus string cannot contain NUL");
  if (code === "o" && !/^\/$|^(\/[A-Za-z0-9_]+)+$/.test(v)) throw new WireError(`invalid object path "${v}"`);
  return v;
}

function writeValue(w: Writer, type: string, v: DBusValue): void {
  const c = type[0] as string;
  switch (c) {
    case "y": {
      const n = int(v, c);
      if (n < 0 || n > 255) throw new WireError("'y' needs an integer from 0 to 255");
      w.u8(n);
      return;
    }
    case "s":
    case "o": {
      const b = Buffer.from(checkString(v, c), "utf8");
      w.fixed("u", b.length);
      w.bytes(b);
      w.u8(0);
      return;
    }
    case "g": {
      const s = checkString(v, c);
      splitSignature(s);
      w.u8(s.length);
      w.bytes(Buffer.from(s, "latin1"));
      w.u8(0);
      return;
    }
    case "v": {
      if (!(v instanceof Variant)) throw new WireError("'v' needs a Variant");
      if (splitSignature(v.signature).length !== 1) throw new WireError("a variant holds exactly one type");
      writeValue(w, "g", v.signature);
      writeValue(w, v.signature, v.value);
      return;
    }
    case "a": {
      const elem = type.slice(1);
      w.align(4);
      const lenAt = w.length;
      w.fixed("u", 0);
      // The padding to the element's alignment is not part of the array's length.
      w.align(alignOf(elem[0] as string));
      const start = w.length;
      if (elem === "y") {
        if (!(v instanceof Uint8Array)) throw new WireError("'ay' needs a Uint8Array");
        w.bytes(v);
      } else {
        if (!Array.isArray(v)) throw new WireError(`'${type}' needs an array`);
        for (const e of v) writeValue(w, elem, e);
      }
      const n = w.length - start;
      if (n > MAX_ARRAY) throw new WireError("array longer than 64 MiB");
      w.u32At(lenAt, n);
      return;
    }
    case "(":
    case "{": {
      const inner = splitSignature(type.slice(1, -1));
      if (!Array.isArray(v) || v.length !== inner.length)
        throw new WireError(`'${type}' needs an array of ${inner.length} values`);
      w.align(8);
      for (const [i, t] of inner.entries()) writeValue(w, t, v[i] as DBusValue);
      return;
    }
    default:
      w.fixed(c, v);
  }
}

/** Marshals `values` by `signature` (little endian), offsets counted from 0 (an 8-aligned body start). */
export function marshal(signature: string, values: readonly DBusValue[]): Buffer {
  const types = splitSignature(signature);
  if (types.length !== values.length)
    throw new WireError(`signature "${signature}" has ${types.length} types, got ${values.length} values`);
  const w = new Writer();
  for (const [i, t] of types.entries()) writeValue(w, t, values[i] as DBusValue);
  return w.finish();
}

/** Reads marshalled values; every read is bounds-checked, so a short buffer is a WireError, never garbage. */
class Reader {
  #o = 0;
  constructor(
    readonly buf: Buffer,
    readonly le: boolean,
  ) {}

  get offset(): number {
    return this.#o;
  }

  #need(n: number): number {
    if (this.#o + n > this.buf.length) throw new WireError("message truncated");
    const o = this.#o;
    this.#o += n;
    return o;
  }

  align(n: number): void {
    const pad = (n - (this.#o % n)) % n;
    const o = this.#need(pad);
    for (let i = o; i < o + pad; i++) if (this.buf[i] !== 0) throw new WireError("non-zero padding");
  }

  u8(): number {
    return this.buf.readUInt8(this.#need(1));
  }

  u32(): number {
    this.align(4);
    const o = this.#need(4);
    return this.le ? this.buf.readUInt32LE(o) : this.buf.readUInt32BE(o);
  }

  bytes(n: number): Buffer {
    const o = this.#need(n);
    return this.buf.subarray(o, o + n);
  }

  fixed(code: string): DBusValue {
    this.align(alignOf(code));
    const b = this.buf;
    const le = this.le;
    switch (code) {
      case "b": {
        const v = this.u32();
        if (v > 1) throw new WireError("boolean that is neither 0 nor 1");
        return v === 1;
      }
      case "n": {
        const o = this.#need(2);
        return le ? b.readInt16LE(o) : b.readInt16BE(o);
      }
      case "q": {
        const o = this.#need(2);
        return le ? b.readUInt16LE(o) : b.readUInt16BE(o);
      }
      case "i": {
        const o = this.#need(4);
        return le ? b.readInt32LE(o) : b.readInt32BE(o);
      }
      case "u":
      case "h":
        return this.u32();
      case "x": {
        const o = this.#need(8);
        return le ? b.readBigInt64LE(o) : b.readBigInt64BE(o);
      }
      case "t": {
        const o = this.#need(8);
        return le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o);
      }
      case "d": {
        const o = this.#need(8);
        return le ? b.readDoubleLE(o) : b.readDoubleBE(o);
      }
      default:
        throw new WireError(`'${code}' is not a fixed-size type`);
    }
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function readString(r: Reader, len: number): string {
  const b = r.bytes(len);
  if (r.u8() !== 0) throw new WireError("string not NUL-terminated");
  if (b.includes(0)) throw new WireError("string contains NUL");
  try {
    return utf8.decode(b);
  } catch {
    throw new WireError("string is not valid UTF-8");
  }
}

function readValue(r: Reader, type: string, depth: number): DBusValue {
  if (depth > MAX_DEPTH) throw new WireError("value nests too deeply");
  const c = type[0] as string;
  switch (c) {
    case "y":
      return r.u8();
    case "s":
    case "o": {
      const s = readString(r, r.u32());
      if (c === "o") checkString(s, "o");
      return s;
    }
    case "g": {
      const s = readString(r, r.u8());
      splitSignature(s);
      return s;
    }
    case "v": {
      const sig = readString(r, r.u8());
      if (splitSignature(sig).length !== 1) throw new WireError("a variant holds exactly one type");
      return new Variant(sig, readValue(r, sig, depth + 1));
    }
    case "a": {
      const elem = type.slice(1);
      const n = r.u32();
      if (n > MAX_ARRAY) throw new WireError("array longer than 64 MiB");
      r.align(alignOf(elem[0] as string));
      const end = r.offset + n;
      if (end > r.buf.length) throw new WireError("message truncated");
      if (elem === "y") return new Uint8Array(r.bytes(n));
      const out: DBusValue[] = [];
      while (r.offset < end) out.push(readValue(r, elem, depth + 1));
      if (r.offset !== end) throw new WireError("array elements overrun the array's length");
      return out;
    }
    case "(":
    case "{": {
      r.align(8);
      return splitSignature(type.slice(1, -1)).map((t) => readValue(r, t, depth + 1));
    }
    default:
      return r.fixed(c);
  }
}

/** Unmarshals a body by `signature`; trailing bytes or a short buffer are a WireError. */
export function unmarshal(signature: string, buf: Buffer, littleEndian = true): DBusValue[] {
  const r = new Reader(buf, littleEndian);
  const out = splitSignature(signature).map((t) => readValue(r, t, 0));
  if (r.offset !== buf.length) throw new WireError("trailing bytes after the body");
  return out;
}

/**
 * How many bytes the message starting `buf` occupies, once its 16-byte fixed header is there; undefined
 * while fewer bytes have arrived. Throws on a header no D-Bus peer would send.
 */
export function messageLength(buf: Buffer): number | undefined {
  if (buf.length < 16) return undefined;
  const e = buf[0];
  if (e !== 0x6c && e !== 0x42) throw new WireError("bad endianness byte");
  if (buf[3] !== 1) throw new WireError(`unsupported protocol version ${buf[3]}`);
  const le = e === 0x6c;
  const body = le ? buf.readUInt32LE(4) : buf.readUInt32BE(4);
  const fields = le ? buf.readUInt32LE(12) : buf.readUInt32BE(12);
  const total = 16 + fields + ((8 - (fields % 8)) % 8) + body;
  if (total > MAX_MESSAGE) throw new WireError("message longer than 128 MiB");
  return total;
}

/** Marshals a whole message: fixed header, header fields `a(yv)`, padding to 8, body. */
export function encodeMessage(m: Message): Buffer {
  const sig = m.signature ?? "";
  const body = marshal(sig, m.body ?? []);
  const fields: DBusValue[] = [];
  const add = (code: number, s: string, v: DBusValue | undefined) => {
    if (v !== undefined) fields.push([code, new Variant(s, v)]);
  };
  add(Field.PATH, "o", m.path);
  add(Field.INTERFACE, "s", m.interface);
  add(Field.MEMBER, "s", m.member);
  add(Field.ERROR_NAME, "s", m.errorName);
  add(Field.REPLY_SERIAL, "u", m.replySerial);
  add(Field.DESTINATION, "s", m.destination);
  add(Field.SENDER, "s", m.sender);
  if (sig !== "") add(Field.SIGNATURE, "g", sig);
  if (m.serial < 1 || m.serial > 0xffffffff) throw new WireError("serial must be a non-zero uint32");
  const head = marshal("yyyyuua(yv)", [0x6c, m.type, m.flags ?? 0, 1, body.length, m.serial, fields]);
  const pad = (8 - (head.length % 8)) % 8;
  const out = Buffer.concat([head, Buffer.alloc(pad), body]);
  if (out.length > MAX_MESSAGE) throw new WireError("message longer than 128 MiB");
  return out;
}

function field<T extends DBusValue>(v: DBusValue, sig: string, check: (x: DBusValue) => x is T): T {
  if (!(v instanceof Variant) || v.signature !== sig || !check(v.value))
    throw new WireError(`header field has type ${v instanceof Variant ? v.signature : "?"}, expected ${sig}`);
  return v.value;
}
const isString = (x: DBusValue): x is string => typeof x === "string";
const isNumber = (x: DBusValue): x is number => typeof x === "number";

/** Unmarshals exactly one whole message (as measured by messageLength). */
export function decodeMessage(buf: Buffer): Message {
  const total = messageLength(buf);
  if (total === undefined || buf.length < total) throw new WireError("message truncated");
  if (buf.length > total) throw new WireError("trailing bytes after the message");
  const le = buf[0] === 0x6c;
  const r = new Reader(buf, le);
  const [, type, flags, , bodyLength, serial, rawFields] = [
    r.u8(),
    r.u8(),
    r.u8(),
    r.u8(),
    r.u32(),
    r.u32(),
    readValue(r, "a(yv)", 0),
  ];
  if (type !== 1 && type !== 2 && type !== 3 && type !== 4)
    throw new WireError(`unknown message type ${type}`);
  if (serial === 0) throw new WireError("serial 0");
  r.align(8);
  const m: Message = { type, flags: flags as number, serial: serial as number };
  for (const f of rawFields as DBusValue[]) {
    const [code, v] = f as [number, DBusValue];
    switch (code) {
      case Field.PATH:
        m.path = field(v, "o", isString);
        break;
      case Field.INTERFACE:
        m.interface = field(v, "s", isString);
        break;
      case Field.MEMBER:
        m.member = field(v, "s", isString);
        break;
      case Field.ERROR_NAME:
        m.errorName = field(v, "s", isString);
        break;
      case Field.REPLY_SERIAL:
        m.replySerial = field(v, "u", isNumber);
        break;
      case Field.DESTINATION:
        m.destination = field(v, "s", isString);
        break;
      case Field.SENDER:
        m.sender = field(v, "s", isString);
        break;
      case Field.SIGNATURE:
        m.signature = field(v, "g", isString);
        break;
      default:
        // Unknown fields (UNIX_FDS included: none are ever sent to us) are ignored, as the spec asks.
        break;
    }
  }
  if (r.offset + (bodyLength as number) !== buf.length)
    throw new WireError("body length disagrees with the message");
  const bodyBuf = buf.subarray(r.offset);
  m.body = unmarshal(m.signature ?? "", bodyBuf, le);
  return m;
}

// Text and JSON output for every component, in memory linear in the output. Components run on
// AssemblyScript's stub runtime, which never frees: `out += piece` in a loop allocates every intermediate
// string (quadratic memory), and Array#join falls back to `+=` per element at the build's shrink level.
// JSON strings are escaped here rather than by json-as: `JSON.Value.toString()` does not escape strings,
// and json-as's string serializer splits a surrogate pair that straddles one of its 4-unit blocks
// ("%é€😀" came out as a lone high surrogate and "\ude00"), so non-ASCII text did not round-trip.
import { JSON } from "json-as";

/** Text built from parts and joined once (one allocation of the total length). */
export class Parts {
  list: string[] = [];
  add(s: string): Parts {
    this.list.push(s);
    return this;
  }
  get length(): i32 {
    let units = 0;
    for (let i = 0; i < this.list.length; i++) units += this.list[i].length;
    return units;
  }
  toString(): string {
    const out = changetype<string>(__new(<usize>this.length << 1, idof<string>()));
    let at = changetype<usize>(out);
    for (let i = 0; i < this.list.length; i++) {
      const part = this.list[i];
      const bytes = <usize>part.length << 1;
      memory.copy(at, changetype<usize>(part), bytes);
      at += bytes;
    }
    return out;
  }
}

/** A new string of `units` UTF-16 code units, to be filled with store<u16>. */
export function allocString(units: i32): string {
  return changetype<string>(__new(<usize>units << 1, idof<string>()));
}

const HEX_LOWER = "0123456789abcdef";

function isHigh(c: i32): bool {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLow(c: i32): bool {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** Units that code unit `c` at `i` takes in JSON text (RFC 8259 section 7); lone surrogates as \uXXXX. */
function escapedUnits(s: string, i: i32, c: i32): i32 {
  if (c == 34 || c == 92) return 2;
  if (c < 0x20) return c == 8 || c == 9 || c == 10 || c == 12 || c == 13 ? 2 : 6;
  if (isHigh(c)) return i + 1 < s.length && isLow(s.charCodeAt(i + 1)) ? 1 : 6;
  if (isLow(c)) return i > 0 && isHigh(s.charCodeAt(i - 1)) ? 1 : 6;
  return 1;
}

function plain(c: i32): bool {
  return c >= 0x20 && c != 34 && c != 92 && (c < 0xd800 || c > 0xdfff);
}

/**
 * A string as JSON text (RFC 8259 section 7): `"` and `\` escaped, control characters as \b \t \n \f \r or
 * \u00XX, surrogate pairs kept, lone surrogates as \uXXXX (so JSON.parse gives back the same code units).
 * Runs of plain characters are copied whole; one allocation of the final length.
 */
export function quote(s: string): string {
  const n = s.length;
  const src = changetype<usize>(s);
  let units = n + 2;
  for (let i = 0; i < n; i++) {
    const c = <i32>load<u16>(src + (<usize>i << 1));
    if (plain(c)) continue;
    units += escapedUnits(s, i, c) - 1;
  }
  const out = allocString(units);
  let at = changetype<usize>(out);
  store<u16>(at, 34);
  at += 2;
  let run = 0;
  for (let i = 0; i < n; i++) {
    const c = <i32>load<u16>(src + (<usize>i << 1));
    if (plain(c)) continue;
    const w = escapedUnits(s, i, c);
    if (w == 1) continue;
    const bytes = <usize>(i - run) << 1;
    memory.copy(at, src + (<usize>run << 1), bytes);
    at += bytes;
    run = i + 1;
    if (w == 2) {
      const e = c == 34 ? 34 : c == 92 ? 92 : c == 8 ? 98 : c == 9 ? 116 : c == 10 ? 110 : c == 12 ? 102 : 114;
      store<u16>(at, 92);
      store<u16>(at, <u16>e, 2);
      at += 4;
    } else {
      store<u16>(at, 92);
      store<u16>(at, 117, 2);
      store<u16>(at, <u16>HEX_LOWER.charCodeAt((c >> 12) & 15), 4);
      store<u16>(at, <u16>HEX_LOWER.charCodeAt((c >> 8) & 15), 6);
      store<u16>(at, <u16>HEX_LOWER.charCodeAt((c >> 4) & 15), 8);
      store<u16>(at, <u16>HEX_LOWER.charCodeAt(c & 15), 10);
      at += 12;
    }
  }
  const rest = <usize>(n - run) << 1;
  memory.copy(at, src + (<usize>run << 1), rest);
  at += rest;
  store<u16>(at, 34);
  return out;
}

/** A number as JSON: integers without a fraction, NaN and infinities as null (JSON has neither). */
export function numberJson(n: f64): string {
  if (isNaN(n) || !isFinite(n)) return "null";
  if (n == Math.floor(n) && Math.abs(n) < 9007199254740992) return (<i64>n).toString();
  return JSON.stringify<f64>(n);
}

function isNumberTag(t: u16): bool {
  return t >= JSON.Types.U8 && t <= JSON.Types.F64;
}

/** Writes a value as compact JSON text, strings escaped by `quote`, objects in their key order. */
export function writeJson(out: Parts, v: JSON.Value | null): void {
  if (v == null) {
    out.add("null");
    return;
  }
  const t = v.type;
  if (t == JSON.Types.Null) out.add("null");
  else if (t == JSON.Types.Bool) out.add(v.get<bool>() ? "true" : "false");
  else if (t == JSON.Types.String) out.add(quote(v.get<string>()));
  else if (t == JSON.Types.F64 || t == JSON.Types.F32) out.add(numberJson(v.get<f64>()));
  else if (isNumberTag(t)) out.add(v.toString());
  else if (t == JSON.Types.Array) {
    const arr = v.get<JSON.Arr>();
    out.add("[");
    for (let i = 0; i < arr.length; i++) {
      if (i > 0) out.add(",");
      writeJson(out, arr.at(i));
    }
    out.add("]");
  } else if (t == JSON.Types.Object) {
    const obj = v.get<JSON.Obj>();
    const keys = obj.keys();
    out.add("{");
    for (let i = 0; i < keys.length; i++) {
      if (i > 0) out.add(",");
      out.add(quote(jsonKey(keys[i]))).add(":");
      writeJson(out, obj.get(keys[i]));
    }
    out.add("}");
  } else {
    // Raw JSON and typed values do not come out of JSON.parse; json-as writes them.
    out.add(JSON.stringify<JSON.Value>(v));
  }
}

/** The value as compact JSON text; a missing value is `null`. */
export function toJson(v: JSON.Value | null): string {
  const out = new Parts();
  writeJson(out, v);
  return out.toString();
}

/** An object of strings as JSON text, keys in the map's order. */
export function mapJson(map: Map<string, string>): string {
  const keys = map.keys();
  const out = new Parts().add("{");
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) out.add(",");
    out.add(quote(keys[i])).add(":").add(quote(map.get(keys[i])));
  }
  return out.add("}").toString();
}

function hexValue(c: i32): i32 {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * An object key as text. json-as keeps the keys of a parsed object as they were written between the
 * quotes, escapes and all (`a\"b`), while values are unescaped: this decodes the escapes of RFC 8259
 * section 7 (`\" \\ \/ \b \f \n \r \t \uXXXX`). Lookups (`obj.get`) still take the key as returned by keys().
 */
export function jsonKey(raw: string): string {
  if (!raw.includes("\\")) return raw;
  const n = raw.length;
  const out = allocString(n);
  let at = changetype<usize>(out);
  let units = 0;
  for (let i = 0; i < n; i++) {
    let c = raw.charCodeAt(i);
    if (c == 92 && i + 1 < n) {
      const e = raw.charCodeAt(++i);
      if (e == 98) c = 8;
      else if (e == 102) c = 12;
      else if (e == 110) c = 10;
      else if (e == 114) c = 13;
      else if (e == 116) c = 9;
      else if (e == 117 && i + 4 < n) {
        const v = (hexValue(raw.charCodeAt(i + 1)) << 12) | (hexValue(raw.charCodeAt(i + 2)) << 8) | (hexValue(raw.charCodeAt(i + 3)) << 4) | hexValue(raw.charCodeAt(i + 4));
        c = v < 0 ? 0xfffd : v;
        i += 4;
      } else c = e;
    }
    store<u16>(at, <u16>c);
    at += 2;
    units++;
  }
  return out.substring(0, units);
}

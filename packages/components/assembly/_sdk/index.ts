// The component side of the arcrun host ABI (see docs/executor.md, "Host ABI").
// stdin: one JSON document { "config": {...} }; stdout: one JSON document { "success": bool, ... }.
// Host calls: module "u6u", each (inPtr, inLen, outPtrPtr, outLenPtr) -> status, where in and out are UTF-8
// JSON. The host allocates the result through the exported `u6u_alloc` and writes its pointer and length
// to outPtrPtr / outLenPtr; the SDK frees it after decoding.
import { JSON } from "json-as";
import { allocString, jsonKey, mapJson, Parts, quote, toJson } from "./text";

@external("u6u", "http_request")
declare function u6u_http_request(inPtr: usize, inLen: i32, outPtrPtr: usize, outLenPtr: usize): i32;
@external("u6u", "kv_get")
declare function u6u_kv_get(inPtr: usize, inLen: i32, outPtrPtr: usize, outLenPtr: usize): i32;
@external("u6u", "kv_put")
declare function u6u_kv_put(inPtr: usize, inLen: i32, outPtrPtr: usize, outLenPtr: usize): i32;
@external("u6u", "crypto_decrypt")
declare function u6u_crypto_decrypt(inPtr: usize, inLen: i32, outPtrPtr: usize, outLenPtr: usize): i32;
@external("u6u", "crypto_sign_rs256")
declare function u6u_crypto_sign_rs256(inPtr: usize, inLen: i32, outPtrPtr: usize, outLenPtr: usize): i32;

/** Status codes of a host call; the body of a non-zero status is {"error": "...", "code": "..."}. */
export const HOST_OK: i32 = 0;
export const HOST_NOT_FOUND: i32 = 1;
export const HOST_DENIED: i32 = 2;
export const HOST_FAILED: i32 = 3;

/** Called by the host to allocate the buffer a result is written into. */
export function u6u_alloc(size: i32): usize {
  return heap.alloc(<usize>size);
}

export class HostResult {
  constructor(public status: i32, public body: string) {}
  get ok(): bool {
    return this.status == HOST_OK;
  }
  /** The host's error message for a non-zero status. */
  error(): string {
    const parsed = JSON.parse<JSON.Obj>(this.body);
    const message = parsed.get("error");
    return message == null ? "host call failed" : message.get<string>();
  }
}

/** Where a host call writes its result's (ptr, len); shared by every host call wrapper of the SDK. */
export const SLOTS: usize = memory.data(8);

/** Reads, frees and clears the result a host call left in SLOTS. */
export function finish(status: i32): HostResult {
  const ptr = <usize>load<u32>(SLOTS);
  const len = load<u32>(SLOTS, 4);
  const body = len == 0 ? "" : String.UTF8.decodeUnsafe(ptr, <usize>len);
  if (ptr != 0) heap.free(ptr);
  store<u32>(SLOTS, 0);
  store<u32>(SLOTS, 0, 4);
  return new HostResult(status, body);
}

export function httpRequest(request: string): HostResult {
  const buf = String.UTF8.encode(request);
  return finish(u6u_http_request(changetype<usize>(buf), buf.byteLength, SLOTS, SLOTS + 4));
}

export function kvGet(request: string): HostResult {
  const buf = String.UTF8.encode(request);
  return finish(u6u_kv_get(changetype<usize>(buf), buf.byteLength, SLOTS, SLOTS + 4));
}

export function kvPut(request: string): HostResult {
  const buf = String.UTF8.encode(request);
  return finish(u6u_kv_put(changetype<usize>(buf), buf.byteLength, SLOTS, SLOTS + 4));
}

export function cryptoDecrypt(request: string): HostResult {
  const buf = String.UTF8.encode(request);
  return finish(u6u_crypto_decrypt(changetype<usize>(buf), buf.byteLength, SLOTS, SLOTS + 4));
}

export function cryptoSignRs256(request: string): HostResult {
  const buf = String.UTF8.encode(request);
  return finish(u6u_crypto_sign_rs256(changetype<usize>(buf), buf.byteLength, SLOTS, SLOTS + 4));
}

/** Reads all of stdin as UTF-8. */
export function readStdin(): string {
  let chunks = new Array<ArrayBuffer>();
  let total = 0;
  while (true) {
    const chunk = new ArrayBuffer(16384);
    const n = process.stdin.read(chunk);
    if (n <= 0) break;
    chunks.push(chunk.slice(0, n));
    total += n;
  }
  const all = new Uint8Array(total);
  let off = 0;
  for (let i = 0; i < chunks.length; i++) {
    all.set(Uint8Array.wrap(chunks[i]), off);
    off += chunks[i].byteLength;
  }
  return String.UTF8.decode(all.buffer);
}

/** The node's resolved config: stdin's "config" object. */
export function readConfig(): JSON.Obj {
  const text = readStdin();
  const doc = JSON.parse<JSON.Obj>(text);
  const config = doc.get("config");
  if (config == null || config.type != JSON.Types.Object) return new JSON.Obj();
  return config.get<JSON.Obj>();
}

export function writeStdout(json: string): void {
  process.stdout.write(json);
}

/** Writes {"success":false,"error":message}. */
export function fail(message: string): void {
  writeStdout('{"success":false,"error":' + quote(message) + "}");
}

export function getString(obj: JSON.Obj, key: string, fallback: string = ""): string {
  const v = obj.get(key);
  if (v == null) return fallback;
  if (v.type == JSON.Types.String) return v.get<string>();
  if (v.type == JSON.Types.Null) return fallback;
  return toJson(v);
}

export function getObj(obj: JSON.Obj, key: string): JSON.Obj | null {
  const v = obj.get(key);
  if (v == null || v.type != JSON.Types.Object) return null;
  return v.get<JSON.Obj>();
}

export function getBool(obj: JSON.Obj, key: string, fallback: bool): bool {
  const v = obj.get(key);
  if (v == null) return fallback;
  if (v.type == JSON.Types.Bool) return v.get<bool>();
  if (v.type == JSON.Types.String) return v.get<string>() == "true";
  return fallback;
}

/** A value as text: strings raw, null as "", anything else as its JSON. */
export function valueText(v: JSON.Value | null): string {
  if (v == null) return "";
  if (v.type == JSON.Types.String) return v.get<string>();
  if (v.type == JSON.Types.Null) return "";
  return toJson(v);
}

export function isNumberType(t: u16): bool {
  return t >= JSON.Types.U8 && t <= JSON.Types.F64;
}

/** Whether text is a plain decimal number (what a JSON number looks like). */
export function looksNumeric(s: string): bool {
  if (s.length == 0) return false;
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (!(c == 45 || c == 43 || c == 46 || c == 101 || c == 69)) return false;
  }
  return digits > 0;
}

/** Object entries as strings (non-string values as their JSON). */
export function stringMap(obj: JSON.Obj | null): Map<string, string> {
  const out = new Map<string, string>();
  if (obj == null) return out;
  const keys = obj.keys();
  for (let i = 0; i < keys.length; i++) out.set(jsonKey(keys[i]), valueText(obj.get(keys[i])));
  return out;
}

/** An object of strings as JSON text (keys and values escaped). */
export function mapToJson(map: Map<string, string>): string {
  return mapJson(map);
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * base64 (RFC 4648 section 4) of the UTF-8 bytes of text; `url` for the URL-safe alphabet without padding
 * (section 5). Written into one string of the final length.
 */
export function base64(text: string, url: bool = false): string {
  const bytes = Uint8Array.wrap(String.UTF8.encode(text));
  const n = bytes.length;
  const rest = n % 3;
  const units = (n / 3) * 4 + (rest == 0 ? 0 : url ? rest + 1 : 4);
  const alphabet = url ? B64URL : B64;
  const out = allocString(units);
  let at = changetype<usize>(out);
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (<u32>bytes[i] << 16) | (<u32>bytes[i + 1] << 8) | <u32>bytes[i + 2];
    store<u16>(at, <u16>alphabet.charCodeAt((v >> 18) & 63));
    store<u16>(at, <u16>alphabet.charCodeAt((v >> 12) & 63), 2);
    store<u16>(at, <u16>alphabet.charCodeAt((v >> 6) & 63), 4);
    store<u16>(at, <u16>alphabet.charCodeAt(v & 63), 6);
    at += 8;
  }
  if (rest > 0) {
    const v = (<u32>bytes[i] << 16) | (rest == 2 ? <u32>bytes[i + 1] << 8 : 0);
    store<u16>(at, <u16>alphabet.charCodeAt((v >> 18) & 63));
    store<u16>(at, <u16>alphabet.charCodeAt((v >> 12) & 63), 2);
    if (rest == 2) store<u16>(at, <u16>alphabet.charCodeAt((v >> 6) & 63), 4);
    else if (!url) store<u16>(at, 61, 4);
    if (!url) store<u16>(at, 61, 6);
  }
  return out;
}

const HEX = "0123456789ABCDEF";

function formSafe(b: u8): bool {
  return (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 42 || b == 45 || b == 46 || b == 95;
}

/**
 * application/x-www-form-urlencoded encoding of one value (WHATWG URL, the form-urlencoded serializer):
 * written into one string of the final length.
 */
export function formEncode(text: string): string {
  const bytes = Uint8Array.wrap(String.UTF8.encode(text));
  let units = 0;
  for (let i = 0; i < bytes.length; i++) units += formSafe(bytes[i]) || bytes[i] == 32 ? 1 : 3;
  const out = allocString(units);
  let at = changetype<usize>(out);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (formSafe(b)) {
      store<u16>(at, <u16>b);
      at += 2;
    } else if (b == 32) {
      store<u16>(at, 43);
      at += 2;
    } else {
      store<u16>(at, 37);
      store<u16>(at, <u16>HEX.charCodeAt(b >> 4), 2);
      store<u16>(at, <u16>HEX.charCodeAt(b & 15), 4);
      at += 6;
    }
  }
  return out;
}

/** A form body (`a=1&b=2`) of the map's entries, in order. */
export function formBody(map: Map<string, string>): string {
  const keys = map.keys();
  const out = new Parts();
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) out.add("&");
    out.add(formEncode(keys[i])).add("=").add(formEncode(map.get(keys[i])));
  }
  return out.toString();
}

/**
 * Renders a recipe template: `{{secret.KEY}}`, `{{runtime.access_token}}`, `{{runtime.token_type}}`,
 * `{{basic secret.USER secret.PASSWORD}}`. Returns null and sets `missingVar` when a value is absent.
 */
export let missingVar: string = "";

export function renderRecipeTemplate(
  text: string,
  secrets: Map<string, string>,
  runtime: Map<string, string>,
): string | null {
  const out = new Parts();
  let pos = 0;
  while (true) {
    const open = text.indexOf("{{", pos);
    if (open < 0) break;
    const close = text.indexOf("}}", open + 2);
    if (close < 0) break;
    out.add(text.substring(pos, open));
    const expr = text.substring(open + 2, close).trim();
    const value = renderExpr(expr, secrets, runtime);
    if (value == null) {
      missingVar = expr;
      return null;
    }
    out.add(value);
    pos = close + 2;
  }
  return out.add(text.substring(pos)).toString();
}

function lookupVar(name: string, secrets: Map<string, string>, runtime: Map<string, string>): string | null {
  if (name.startsWith("secret.")) {
    const key = name.substring(7);
    return secrets.has(key) ? secrets.get(key) : null;
  }
  if (name.startsWith("runtime.")) {
    const key = name.substring(8);
    return runtime.has(key) ? runtime.get(key) : null;
  }
  return null;
}

function renderExpr(expr: string, secrets: Map<string, string>, runtime: Map<string, string>): string | null {
  if (expr.startsWith("basic ")) {
    const parts = expr.substring(6).trim().split(" ");
    if (parts.length != 2) return null;
    const user = lookupVar(parts[0], secrets, runtime);
    const password = lookupVar(parts[1], secrets, runtime);
    if (user == null || password == null) return null;
    return base64(user + ":" + password);
  }
  return lookupVar(expr, secrets, runtime);
}

/** `obj[a][b]...` for a dotted path; null when any step is missing or not an object. */
export function getPath(obj: JSON.Obj, path: string): JSON.Value | null {
  const parts = path.split(".");
  let cur: JSON.Obj = obj;
  for (let i = 0; i < parts.length; i++) {
    const v = cur.get(parts[i]);
    if (v == null) return null;
    if (i == parts.length - 1) return v;
    if (v.type != JSON.Types.Object) return null;
    cur = v.get<JSON.Obj>();
  }
  return null;
}

/** Parses text as a JSON object, or returns null (never traps on bad input). */
export function parseObject(text: string): JSON.Obj | null {
  const t = text.trim();
  if (!t.startsWith("{") || !t.endsWith("}")) return null;
  return JSON.parse<JSON.Obj>(t);
}

/** Seconds since the epoch (WASI clock). */
export function nowSeconds(): i64 {
  return Date.now() / 1000;
}

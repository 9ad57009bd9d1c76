// Helpers for components that shape data (switch, filter, merge, set, array_ops, string_ops, ...): typed
// access to JSON values, paths into them, comparison, and JSON text for the output. A missing value is
// `null` (a JSON.Value | null that is null); a JSON null is a JSON.Value of type Null.
import { JSON } from "json-as";
import { writeStdout } from "./index";
import { jsonKey, Parts, quote, toJson, numberJson, writeJson } from "./text";

export { jsonKey, Parts, quote, toJson, numberJson, writeJson } from "./text";

export function isNumber(v: JSON.Value | null): bool {
  return v != null && v.type >= JSON.Types.U8 && v.type <= JSON.Types.F64;
}

export function isString(v: JSON.Value | null): bool {
  return v != null && v.type == JSON.Types.String;
}

export function isList(v: JSON.Value | null): bool {
  return v != null && v.type == JSON.Types.Array;
}

export function isObject(v: JSON.Value | null): bool {
  return v != null && v.type == JSON.Types.Object;
}

export function isMissing(v: JSON.Value | null): bool {
  return v == null || v.type == JSON.Types.Null;
}

/** What a value is, for error messages: missing, null, a boolean, a number, a string, a list, an object. */
export function typeName(v: JSON.Value | null): string {
  if (v == null) return "nothing";
  const t = v.type;
  if (t == JSON.Types.Null) return "null";
  if (t == JSON.Types.Bool) return "a boolean";
  if (t == JSON.Types.String) return "a string";
  if (t == JSON.Types.Array) return "a list";
  if (t == JSON.Types.Object) return "an object";
  if (isNumber(v)) return "a number";
  return "a value";
}

/** A number as f64: JSON numbers, and strings that are plain decimal numbers; NaN otherwise. */
export function toNumber(v: JSON.Value | null): f64 {
  if (v == null) return NaN;
  if (isNumber(v)) return v.get<f64>();
  if (v.type == JSON.Types.String) {
    const s = v.get<string>().trim();
    if (!numeric(s)) return NaN;
    return parseFloat(s);
  }
  return NaN;
}

/** Whether text is a decimal number: optional sign, digits, optional fraction and exponent. */
export function numeric(s: string): bool {
  let i = 0;
  const n = s.length;
  if (n == 0) return false;
  let c = s.charCodeAt(0);
  if (c == 45 || c == 43) i++;
  let digits = 0;
  while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) {
    i++;
    digits++;
  }
  if (i < n && s.charCodeAt(i) == 46) {
    i++;
    while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) {
      i++;
      digits++;
    }
  }
  if (digits == 0) return false;
  if (i < n && (s.charCodeAt(i) == 101 || s.charCodeAt(i) == 69)) {
    i++;
    if (i < n && (s.charCodeAt(i) == 45 || s.charCodeAt(i) == 43)) i++;
    let exp = 0;
    while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) {
      i++;
      exp++;
    }
    if (exp == 0) return false;
  }
  return i == n;
}

/** A value as text: strings raw, numbers as JSON numbers, booleans as true/false, missing and null as "". */
export function toText(v: JSON.Value | null): string {
  if (v == null) return "";
  const t = v.type;
  if (t == JSON.Types.Null) return "";
  if (t == JSON.Types.String) return v.get<string>();
  return toJson(v);
}

/** JavaScript-like truthiness, plus "false" and "0" as false (they arrive as text from templates). */
export function truthy(v: JSON.Value | null): bool {
  if (v == null) return false;
  const t = v.type;
  if (t == JSON.Types.Null) return false;
  if (t == JSON.Types.Bool) return v.get<bool>();
  if (t == JSON.Types.String) {
    const s = v.get<string>();
    return s.length > 0 && s != "false" && s != "0";
  }
  if (isNumber(v)) {
    const n = v.get<f64>();
    return n != 0 && !isNaN(n);
  }
  if (t == JSON.Types.Array) return v.get<JSON.Arr>().length > 0;
  return true;
}

function isIndex(s: string): bool {
  if (s.length == 0 || s.length > 9) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * The value at a dotted path (`user.name`, `items.0.id`); an empty path is the value itself. Missing steps,
 * steps into a scalar, and indexes past the end give null (missing), never a trap.
 */
export function valueAt(v: JSON.Value | null, path: string): JSON.Value | null {
  if (path.length == 0) return v;
  const parts = path.split(".");
  let cur: JSON.Value | null = v;
  for (let i = 0; i < parts.length; i++) {
    if (cur == null) return null;
    const step = parts[i];
    if (cur.type == JSON.Types.Object) {
      cur = cur.get<JSON.Obj>().get(step);
    } else if (cur.type == JSON.Types.Array && isIndex(step)) {
      const arr = cur.get<JSON.Arr>();
      const idx = I32.parseInt(step);
      if (idx >= arr.length) return null;
      cur = arr.at(idx);
    } else {
      return null;
    }
  }
  return cur;
}

/** Whether two values are equal: numbers (and numeric strings) as numbers, anything else by its JSON text. */
export function sameValue(a: JSON.Value | null, b: JSON.Value | null): bool {
  const an = toNumber(a);
  const bn = toNumber(b);
  if (!isNaN(an) && !isNaN(bn)) return an == bn;
  if (isMissing(a) || isMissing(b)) return isMissing(a) && isMissing(b);
  if (isString(a) || isString(b)) return toText(a) == toText(b);
  return toJson(a) == toJson(b);
}

function kindRank(v: JSON.Value | null): i32 {
  if (isMissing(v)) return 5;
  if (isNumber(v)) return 0;
  if (isString(v)) return 1;
  if (v!.type == JSON.Types.Bool) return 2;
  return 3;
}

/**
 * Total order for sorting: numbers, then strings, then booleans, then lists and objects (by JSON text);
 * missing and null values last. Numeric strings sort with the numbers.
 */
export function compareValues(a: JSON.Value | null, b: JSON.Value | null): i32 {
  const an = toNumber(a);
  const bn = toNumber(b);
  if (!isNaN(an) && !isNaN(bn)) return an < bn ? -1 : an > bn ? 1 : 0;
  const ra = isNaN(an) ? kindRank(a) : 0;
  const rb = isNaN(bn) ? kindRank(b) : 0;
  if (ra != rb) return ra < rb ? -1 : 1;
  if (ra == 5) return 0;
  const at = ra == 1 ? toText(a) : toJson(a);
  const bt = rb == 1 ? toText(b) : toJson(b);
  return at < bt ? -1 : at > bt ? 1 : 0;
}

function containsValue(haystack: JSON.Value | null, needle: JSON.Value | null): bool {
  if (isMissing(haystack)) return false;
  if (haystack!.type == JSON.Types.Array) {
    const arr = haystack!.get<JSON.Arr>();
    for (let i = 0; i < arr.length; i++) if (sameValue(arr.at(i), needle)) return true;
    return false;
  }
  if (haystack!.type == JSON.Types.Object) return haystack!.get<JSON.Obj>().has(toText(needle));
  return toText(haystack).includes(toText(needle));
}

export const OPERATORS =
  "eq, ne, gt, gte, lt, lte, in, not_in, contains, not_contains, starts_with, ends_with, exists, not_exists, truthy, falsy";

/** Tests `left <operator> right`; sets `unknownOperator` and returns false for an operator not in OPERATORS. */
export let unknownOperator: bool = false;

export function test(left: JSON.Value | null, op: string, right: JSON.Value | null): bool {
  unknownOperator = false;
  if (op == "eq") return sameValue(left, right);
  if (op == "ne") return !sameValue(left, right);
  if (op == "gt" || op == "gte" || op == "lt" || op == "lte") {
    const l = toNumber(left);
    const r = toNumber(right);
    if (isNaN(l) || isNaN(r)) {
      // Text compares as text (ISO dates order correctly); missing values never compare.
      if (!isString(left) || !isString(right)) return false;
      const lt = left!.get<string>();
      const rt = right!.get<string>();
      if (op == "gt") return lt > rt;
      if (op == "gte") return lt >= rt;
      if (op == "lt") return lt < rt;
      return lt <= rt;
    }
    if (op == "gt") return l > r;
    if (op == "gte") return l >= r;
    if (op == "lt") return l < r;
    return l <= r;
  }
  if (op == "in") return containsValue(right, left);
  if (op == "not_in") return !containsValue(right, left);
  if (op == "contains") return containsValue(left, right);
  if (op == "not_contains") return !containsValue(left, right);
  if (op == "starts_with") return !isMissing(left) && toText(left).startsWith(toText(right));
  if (op == "ends_with") return !isMissing(left) && toText(left).endsWith(toText(right));
  if (op == "exists") return !isMissing(left);
  if (op == "not_exists") return isMissing(left);
  if (op == "truthy") return truthy(left);
  if (op == "falsy") return !truthy(left);
  unknownOperator = true;
  return false;
}

/** A list parameter, or null after writing a clear failure (`config.items must be a list, got a string`). */
export function requireList(config: JSON.Obj, key: string, example: string): JSON.Arr | null {
  const v = config.get(key);
  if (v == null || v.type == JSON.Types.Null) {
    failWith("config." + key + " is required: a list, e.g. " + key + ": " + example);
    return null;
  }
  if (v.type != JSON.Types.Array) {
    failWith("config." + key + " must be a list, got " + typeName(v) + "; e.g. " + key + ": " + example);
    return null;
  }
  return v.get<JSON.Arr>();
}

/** An integer parameter: the fallback when absent; sets `badInteger` when present but not an integer. */
export let badInteger: bool = false;

export function intParam(config: JSON.Obj, key: string, fallback: i32): i32 {
  badInteger = false;
  const v = config.get(key);
  if (isMissing(v)) return fallback;
  const n = toNumber(v);
  if (isNaN(n) || n != Math.floor(n) || Math.abs(n) > 2147483647) {
    badInteger = true;
    return fallback;
  }
  return <i32>n;
}

/** Writes {"success":false,"error":message}. */
export function failWith(message: string): void {
  writeStdout('{"success":false,"error":' + quote(message) + "}");
}

/** Writes {"success":true,"data":dataJson} (with a branch when given). */
export function succeed(dataJson: string, branch: string = ""): void {
  if (branch.length > 0) writeStdout('{"success":true,"branch":' + quote(branch) + ',"data":' + dataJson + "}");
  else writeStdout('{"success":true,"data":' + dataJson + "}");
}

/** A list's items as JSON text joined into a list. */
export function listJson(items: Array<JSON.Value | null>): string {
  const out = new Parts().add("[");
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out.add(",");
    writeJson(out, items[i]);
  }
  return out.add("]").toString();
}

/** A stable merge sort of indexes by `keys` (compareValues), descending when `desc`; missing keys stay last. */
export function sortedOrder(keys: Array<JSON.Value | null>, desc: bool): i32[] {
  const n = keys.length;
  let src = new Array<i32>(n);
  let dst = new Array<i32>(n);
  for (let i = 0; i < n; i++) src[i] = i;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = min(lo + width, n);
      const hi = min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        const a = keys[src[i]];
        const b = keys[src[j]];
        let c = compareValues(a, b);
        if (desc && !isMissing(a) && !isMissing(b)) c = -c;
        if (c <= 0) dst[k++] = src[i++];
        else dst[k++] = src[j++];
      }
      while (i < mid) dst[k++] = src[i++];
      while (j < hi) dst[k++] = src[j++];
    }
    const t = src;
    src = dst;
    dst = t;
  }
  return src;
}

/**
 * A mutable JSON tree for building objects: objects keep their key order; anything else is kept as JSON text.
 * Used by `set` (values at dotted paths) and `merge` (deep merges).
 */
export class Tree {
  isObject: bool = true;
  leaf: string = "null";
  keys: string[] = [];
  children: Map<string, Tree> = new Map<string, Tree>();

  static leafOf(json: string): Tree {
    const t = new Tree();
    t.isObject = false;
    t.leaf = json;
    return t;
  }

  /** A tree of a value: objects become nodes (recursively), anything else a leaf. */
  static of(v: JSON.Value | null): Tree {
    if (v == null || v.type != JSON.Types.Object) return Tree.leafOf(toJson(v));
    const t = new Tree();
    const obj = v.get<JSON.Obj>();
    const keys = obj.keys();
    for (let i = 0; i < keys.length; i++) t.put(jsonKey(keys[i]), Tree.of(obj.get(keys[i])));
    return t;
  }

  put(key: string, child: Tree): void {
    if (!this.children.has(key)) this.keys.push(key);
    this.children.set(key, child);
  }

  remove(key: string): bool {
    if (!this.children.has(key)) return false;
    this.children.delete(key);
    const i = this.keys.indexOf(key);
    if (i >= 0) this.keys.splice(i, 1);
    return true;
  }

  /** Sets the value at a dotted path, making objects along the way (a scalar in the way is replaced). */
  setPath(path: string, value: Tree): void {
    const parts = path.split(".");
    let cur: Tree = this;
    for (let i = 0; i < parts.length - 1; i++) {
      const k = parts[i];
      if (!cur.children.has(k) || !cur.children.get(k).isObject) cur.put(k, new Tree());
      cur = cur.children.get(k);
    }
    cur.put(parts[parts.length - 1], value);
  }

  /** Removes the value at a dotted path; false when nothing is there. */
  removePath(path: string): bool {
    const parts = path.split(".");
    let cur: Tree = this;
    for (let i = 0; i < parts.length - 1; i++) {
      const k = parts[i];
      if (!cur.children.has(k) || !cur.children.get(k).isObject) return false;
      cur = cur.children.get(k);
    }
    return cur.remove(parts[parts.length - 1]);
  }

  /** Deep merge: objects merge key by key; anything else in `other` replaces what is here. */
  mergeDeep(other: Tree): void {
    for (let i = 0; i < other.keys.length; i++) {
      const k = other.keys[i];
      const theirs = other.children.get(k);
      if (theirs.isObject && this.children.has(k) && this.children.get(k).isObject) this.children.get(k).mergeDeep(theirs);
      else this.put(k, theirs);
    }
  }

  /** Shallow merge: each top-level key of `other` replaces this one's. */
  mergeShallow(other: Tree): void {
    for (let i = 0; i < other.keys.length; i++) this.put(other.keys[i], other.children.get(other.keys[i]));
  }

  toJson(): string {
    const out = new Parts();
    this.write(out);
    return out.toString();
  }

  write(out: Parts): void {
    if (!this.isObject) {
      out.add(this.leaf);
      return;
    }
    out.add("{");
    for (let i = 0; i < this.keys.length; i++) {
      if (i > 0) out.add(",");
      out.add(quote(this.keys[i])).add(":");
      this.children.get(this.keys[i]).write(out);
    }
    out.add("}");
  }
}

// array_ops: one operation on the list config.items; the result is data.result (and data.count for lists).
import { JSON } from "json-as";
import { getString, readConfig } from "../_sdk";
import {
  badInteger,
  failWith,
  intParam,
  isMissing,
  listJson,
  numberJson,
  Parts,
  requireList,
  sortedOrder,
  succeed,
  toJson,
  typeName,
  valueAt,
} from "../_sdk/values";
export { u6u_alloc } from "../_sdk";

const OPERATIONS = "length, first, last, slice, sort, unique, flatten, pluck, chunk, reverse, concat";

function listResult(items: Array<JSON.Value | null>): void {
  succeed('{"result":' + listJson(items) + ',"count":' + numberJson(<f64>items.length) + "}");
}

function values(arr: JSON.Arr): Array<JSON.Value | null> {
  const out = new Array<JSON.Value | null>();
  for (let i = 0; i < arr.length; i++) out.push(arr.at(i));
  return out;
}

/** A JavaScript-style index (negative counts from the end), clamped to [0, n]. */
function clampIndex(i: i32, n: i32): i32 {
  if (i < 0) return max(0, n + i);
  return min(i, n);
}

function flattenInto(out: Array<JSON.Value | null>, v: JSON.Value | null, depth: i32): void {
  if (v != null && v.type == JSON.Types.Array && depth > 0) {
    const arr = v.get<JSON.Arr>();
    for (let i = 0; i < arr.length; i++) flattenInto(out, arr.at(i), depth - 1);
  } else {
    out.push(v);
  }
}

function main(): void {
  const config = readConfig();
  const op = getString(config, "operation", "");
  if (op.length == 0) {
    failWith("config.operation is required: one of " + OPERATIONS);
    return;
  }
  const arr = requireList(config, "items", '"{{fetch.data.body.items}}"');
  if (arr == null) return;
  const items = values(arr);
  const n = items.length;
  const path = getString(config, "path", "");

  if (op == "length") {
    succeed('{"result":' + numberJson(<f64>n) + "}");
  } else if (op == "first") {
    succeed('{"result":' + (n == 0 ? "null" : toJson(items[0])) + "}");
  } else if (op == "last") {
    succeed('{"result":' + (n == 0 ? "null" : toJson(items[n - 1])) + "}");
  } else if (op == "reverse") {
    const out = new Array<JSON.Value | null>();
    for (let i = n - 1; i >= 0; i--) out.push(items[i]);
    listResult(out);
  } else if (op == "slice") {
    const start = intParam(config, "start", 0);
    if (badInteger) return failWith("config.start must be a whole number (negative counts from the end), e.g. start: 0");
    const end = intParam(config, "end", n);
    if (badInteger) return failWith("config.end must be a whole number (negative counts from the end), e.g. end: 10");
    const out = new Array<JSON.Value | null>();
    for (let i = clampIndex(start, n); i < clampIndex(end, n); i++) out.push(items[i]);
    listResult(out);
  } else if (op == "sort") {
    const order = getString(config, "order", "asc");
    if (order != "asc" && order != "desc") return failWith('config.order must be asc or desc, got "' + order + '"');
    const keys = new Array<JSON.Value | null>();
    for (let i = 0; i < n; i++) keys.push(valueAt(items[i], path));
    const idx = sortedOrder(keys, order == "desc");
    const out = new Array<JSON.Value | null>();
    for (let i = 0; i < n; i++) out.push(items[idx[i]]);
    listResult(out);
  } else if (op == "unique") {
    const seen = new Set<string>();
    const out = new Array<JSON.Value | null>();
    for (let i = 0; i < n; i++) {
      const k = toJson(valueAt(items[i], path));
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(items[i]);
    }
    listResult(out);
  } else if (op == "flatten") {
    const depth = intParam(config, "depth", 1);
    if (badInteger || depth < 1) return failWith("config.depth must be a whole number >= 1, e.g. depth: 1");
    const out = new Array<JSON.Value | null>();
    for (let i = 0; i < n; i++) flattenInto(out, items[i], depth);
    listResult(out);
  } else if (op == "pluck") {
    if (path.length == 0) return failWith("pluck needs config.path, the field to take from each item, e.g. path: user.id");
    const out = new Array<JSON.Value | null>();
    for (let i = 0; i < n; i++) out.push(valueAt(items[i], path));
    listResult(out);
  } else if (op == "chunk") {
    const size = intParam(config, "size", 0);
    if (badInteger || size < 1) return failWith("chunk needs config.size, a whole number >= 1, e.g. size: 10");
    const out = new Parts().add("[");
    for (let i = 0; i < n; i += size) {
      if (i > 0) out.add(",");
      out.add("[");
      for (let j = i; j < min(i + size, n); j++) {
        if (j > i) out.add(",");
        out.add(toJson(items[j]));
      }
      out.add("]");
    }
    const chunks = n == 0 ? 0 : (n + size - 1) / size;
    succeed('{"result":' + out.add("]").toString() + ',"count":' + numberJson(<f64>chunks) + "}");
  } else if (op == "concat") {
    const other = config.get("with");
    if (isMissing(other) || other!.type != JSON.Types.Array) {
      return failWith("concat needs config.with, the list to append, got " + typeName(other) + '; e.g. with: "{{more.data.items}}"');
    }
    const out = values(arr);
    const more = other!.get<JSON.Arr>();
    for (let i = 0; i < more.length; i++) out.push(more.at(i));
    listResult(out);
  } else {
    failWith('unknown operation "' + op + '": use ' + OPERATIONS);
  }
}

main();

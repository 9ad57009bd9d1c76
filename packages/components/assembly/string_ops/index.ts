// string_ops: one operation on the text config.value; the result is data.result.
import { JSON } from "json-as";
import { getBool, getString, readConfig } from "../_sdk";
import {
  badInteger,
  failWith,
  intParam,
  isMissing,
  numberJson,
  Parts,
  quote,
  succeed,

  toText,
  typeName,
  valueAt,
} from "../_sdk/values";
export { u6u_alloc } from "../_sdk";

const OPERATIONS =
  "upper, lower, trim, split, join, replace, slugify, template, substring, pad, length, contains, starts_with, ends_with";

function result(json: string): void {
  succeed('{"result":' + json + "}");
}

function boolJson(b: bool): string {
  return b ? "true" : "false";
}

// Latin-1 letters with diacritics (U+00C0..U+00FF) folded to ASCII for slugify; "" drops the letter.
const FOLD =
  "AAAAAAACEEEEIIIIDNOOOOOxOUUUUYTsaaaaaaaceeeeiiiidnooooo/ouuuuyty";

function slugify(text: string, sep: string): string {
  const out = new Parts();
  let pendingSep = false;
  let started = false;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xc0 && c <= 0xff) {
      const f = FOLD.charCodeAt(c - 0xc0);
      if (f == 120 /* x */ || f == 47 /* / */) c = 32;
      else c = f;
    }
    if (c >= 65 && c <= 90) c += 32;
    const alnum = (c >= 48 && c <= 57) || (c >= 97 && c <= 122);
    if (alnum) {
      if (pendingSep && started) out.add(sep);
      pendingSep = false;
      started = true;
      out.add(String.fromCharCode(c));
    } else {
      pendingSep = true;
    }
  }
  return out.toString();
}

/** Fills `{name}` / `{a.b}` placeholders from `values`; `{{` and `}}` stand for literal braces. */
let missingPlaceholder: string = "";

function fill(template: string, values: JSON.Value | null): string | null {
  const out = new Parts();
  let i = 0;
  let from = 0;
  while (i < template.length) {
    const c = template.charCodeAt(i);
    const next = i + 1 < template.length ? template.charCodeAt(i + 1) : 0;
    if ((c == 123 && next == 123) || (c == 125 && next == 125)) {
      out.add(template.substring(from, i + 1));
      i += 2;
      from = i;
    } else if (c == 123) {
      const close = template.indexOf("}", i + 1);
      if (close < 0) break;
      const name = template.substring(i + 1, close).trim();
      const v = valueAt(values, name);
      if (v == null) {
        missingPlaceholder = name;
        return null;
      }
      out.add(template.substring(from, i)).add(toText(v));
      i = close + 1;
      from = i;
    } else {
      i++;
    }
  }
  out.add(template.substring(from));
  return out.toString();
}

function repeatTo(fillText: string, count: i32): string {
  if (count <= 0) return "";
  return fillText.repeat(count / fillText.length + 1).substring(0, count);
}

function main(): void {
  const config = readConfig();
  const op = getString(config, "operation", "");
  if (op.length == 0) {
    failWith("config.operation is required: one of " + OPERATIONS);
    return;
  }

  if (op == "join") {
    const items = config.get("items");
    if (isMissing(items) || items!.type != JSON.Types.Array) {
      failWith("join needs config.items, a list, got " + typeName(items) + '; e.g. items: "{{names.data.result}}"');
      return;
    }
    const arr = items!.get<JSON.Arr>();
    const sep = getString(config, "separator", ",");
    const out = new Parts();
    for (let i = 0; i < arr.length; i++) {
      if (i > 0) out.add(sep);
      out.add(toText(arr.at(i)));
    }
    result(quote(out.toString()));
    return;
  }
  if (op == "template") {
    const tpl = config.get("template");
    if (isMissing(tpl) || tpl!.type != JSON.Types.String) {
      failWith('template needs config.template, text with {placeholders}, e.g. template: "Hi {name}, {count} new"');
      return;
    }
    const vals = config.get("values");
    if (!isMissing(vals) && vals!.type != JSON.Types.Object) {
      failWith("config.values must be an object of placeholder values, got " + typeName(vals));
      return;
    }
    const filled = fill(tpl!.get<string>(), vals);
    if (filled == null) {
      failWith("the template uses {" + missingPlaceholder + "} but config.values has no " + missingPlaceholder + "; add it to values");
      return;
    }
    result(quote(filled));
    return;
  }

  const v = config.get("value");
  if (v == null || v.type == JSON.Types.Null) {
    failWith("config.value is required: the text to work on, e.g. value: \"{{input.title}}\"");
    return;
  }
  if (v.type == JSON.Types.Array || v.type == JSON.Types.Object) {
    failWith("config.value must be text, got " + typeName(v) + "; to join a list use operation join with items");
    return;
  }
  const text = toText(v);
  const caseSensitive = getBool(config, "case_sensitive", true);

  if (op == "upper") result(quote(text.toUpperCase()));
  else if (op == "lower") result(quote(text.toLowerCase()));
  else if (op == "length") result(numberJson(<f64>text.length));
  else if (op == "trim") {
    const side = getString(config, "side", "both");
    if (side == "both") result(quote(text.trim()));
    else if (side == "start") result(quote(text.trimStart()));
    else if (side == "end") result(quote(text.trimEnd()));
    else failWith('config.side must be both, start or end, got "' + side + '"');
  } else if (op == "split") {
    const sep = getString(config, "separator", ",");
    const parts = text.length == 0 ? new Array<string>() : text.split(sep);
    const doTrim = getBool(config, "trim", false);
    const out = new Parts().add("[");
    let n = 0;
    for (let i = 0; i < parts.length; i++) {
      const p = doTrim ? parts[i].trim() : parts[i];
      if (doTrim && p.length == 0) continue;
      if (n > 0) out.add(",");
      out.add(quote(p));
      n++;
    }
    result(out.add("]").toString());
  } else if (op == "replace") {
    const search = getString(config, "search", "");
    if (search.length == 0) {
      failWith("replace needs config.search, the text to find, e.g. search: foo");
      return;
    }
    const replacement = getString(config, "replacement", "");
    const all = getBool(config, "all", true);
    result(quote(all ? text.replaceAll(search, replacement) : text.replace(search, replacement)));
  } else if (op == "slugify") {
    result(quote(slugify(text, getString(config, "separator", "-"))));
  } else if (op == "substring") {
    const start = intParam(config, "start", 0);
    if (badInteger) return failWith("config.start must be a whole number (negative counts from the end), e.g. start: 0");
    const end = intParam(config, "end", text.length);
    if (badInteger) return failWith("config.end must be a whole number (negative counts from the end), e.g. end: 80");
    const n = text.length;
    const s = start < 0 ? max(0, n + start) : min(start, n);
    const e = end < 0 ? max(0, n + end) : min(end, n);
    result(quote(e > s ? text.substring(s, e) : ""));
  } else if (op == "pad") {
    const length = intParam(config, "length", -1);
    if (badInteger || length < 0) return failWith("pad needs config.length, the width to pad to, e.g. length: 8");
    const fillText = getString(config, "fill", " ");
    if (fillText.length == 0) return failWith("config.fill must not be empty, e.g. fill: \"0\"");
    const side = getString(config, "side", "start");
    const missing = length - text.length;
    if (missing <= 0) result(quote(text));
    else if (side == "start") result(quote(repeatTo(fillText, missing) + text));
    else if (side == "end") result(quote(text + repeatTo(fillText, missing)));
    else if (side == "both") {
      const left = missing / 2;
      result(quote(repeatTo(fillText, left) + text + repeatTo(fillText, missing - left)));
    } else failWith('config.side must be start, end or both, got "' + side + '"');
  } else if (op == "contains" || op == "starts_with" || op == "ends_with") {
    const sv = config.get("search");
    if (isMissing(sv)) {
      failWith(op + " needs config.search, the text to look for, e.g. search: urgent");
      return;
    }
    let hay = text;
    let needle = toText(sv);
    if (!caseSensitive) {
      hay = hay.toLowerCase();
      needle = needle.toLowerCase();
    }
    if (op == "contains") result(boolJson(hay.includes(needle)));
    else if (op == "starts_with") result(boolJson(hay.startsWith(needle)));
    else result(boolJson(hay.endsWith(needle)));
  } else {
    failWith('unknown operation "' + op + '": use ' + OPERATIONS);
  }
}

main();

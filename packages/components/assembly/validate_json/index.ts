// validate_json: checks a value against a JSON Schema (a subset of draft 2020-12) and reports every
// problem with its path, e.g. "$.user.email: expected string, got number".
import { JSON } from "json-as";
import { jsonKey, quote, toJson, Parts } from "../_sdk/text";
import { fail, getString, readConfig, writeStdout } from "../_sdk";
import { isInvalid, parseIso } from "../_sdk/time";
import { compileRegex, regexError } from "./regex";
export { u6u_alloc } from "../_sdk";

const SUPPORTED = "type, enum, const, required, properties, additionalProperties, items, minItems, maxItems, uniqueItems, minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, minLength, maxLength, pattern, format, allOf, anyOf, oneOf, not";
const UNSUPPORTED = ["$ref", "$dynamicRef", "if", "then", "else", "patternProperties", "dependentRequired", "dependentSchemas", "dependencies", "propertyNames", "contains", "prefixItems", "unevaluatedProperties", "unevaluatedItems", "minProperties", "maxProperties", "minContains", "maxContains"];

class Problem {
  constructor(public path: string, public message: string) {}
}

let schemaProblem: string = "";
let maxErrors: i32 = 20;

function q(s: string): string {
  return quote(s);
}

function json(v: JSON.Value): string {
  return toJson(v);
}

function isNum(t: u16): bool {
  return t >= JSON.Types.U8 && t <= JSON.Types.F64;
}

function num(v: JSON.Value): f64 {
  return parseFloat(json(v));
}

function typeName(v: JSON.Value): string {
  const t = v.type;
  if (t == JSON.Types.Null) return "null";
  if (t == JSON.Types.Bool) return "boolean";
  if (t == JSON.Types.String) return "string";
  if (t == JSON.Types.Array) return "array";
  if (t == JSON.Types.Object) return "object";
  return "number";
}

function hasType(v: JSON.Value, name: string): bool {
  const actual = typeName(v);
  if (name == actual) return true;
  if (name == "integer" && actual == "number") {
    const n = num(v);
    return isFinite(n) && n == Math.floor(n);
  }
  return false;
}

function isIdentifier(key: string): bool {
  if (key.length == 0) return false;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 || c == 36 || (i > 0 && c >= 48 && c <= 57);
    if (!ok) return false;
  }
  return true;
}

function child(path: string, raw: string): string {
  const key = jsonKey(raw);
  return isIdentifier(key) ? path + "." + key : path + "[" + q(key) + "]";
}

/** Length in Unicode code points, as JSON Schema counts it. */
function codePoints(s: string): i32 {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
      const prev = s.charCodeAt(i - 1);
      if (prev >= 0xd800 && prev <= 0xdbff) continue;
    }
    n++;
  }
  return n;
}

function schemaAt(path: string, message: string): void {
  if (schemaProblem.length == 0) schemaProblem = "schema for " + path + ": " + message;
}

function numberKeyword(schema: JSON.Obj, key: string, path: string): f64 {
  const v = schema.get(key);
  if (v == null) return NaN;
  if (!isNum(v.type)) {
    schemaAt(path, key + " must be a number, got " + json(v));
    return NaN;
  }
  return num(v);
}

function plural(n: i64, word: string): string {
  return n.toString() + " " + word + (n == 1 ? "" : "s");
}

function checkFormat(s: string, format: string): string {
  if (format == "email") {
    const at = s.indexOf("@");
    if (at <= 0 || at != s.lastIndexOf("@") || s.indexOf(".", at) < at + 2 || s.endsWith(".") || s.includes(" ")) return "is not an email address";
  } else if (format == "date-time") {
    const t = s.toUpperCase().indexOf("T");
    const zone = s.endsWith("Z") || s.endsWith("z") || (s.length > 6 && (s.charAt(s.length - 6) == "+" || s.charAt(s.length - 6) == "-"));
    if (t != 10 || !zone || isInvalid(parseIso(s))) return "is not an RFC 3339 date-time (e.g. 2024-05-01T13:45:00Z)";
  } else if (format == "date") {
    if (s.length != 10 || isInvalid(parseIso(s))) return "is not a date (YYYY-MM-DD)";
  } else if (format == "uri") {
    const colon = s.indexOf(":");
    let ok = colon > 0 && !s.includes(" ");
    for (let i = 0; ok && i < colon; i++) {
      const c = s.charCodeAt(i);
      ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (i > 0 && ((c >= 48 && c <= 57) || c == 43 || c == 45 || c == 46));
    }
    if (!ok) return "is not an absolute URI";
  }
  // Other formats are annotations (JSON Schema 2020-12 section 7.2).
  return "";
}

function validate(v: JSON.Value, s: JSON.Value, path: string, errors: Problem[]): void {
  if (schemaProblem.length > 0 || errors.length >= maxErrors) return;
  if (s.type == JSON.Types.Bool) {
    if (!s.get<bool>()) errors.push(new Problem(path, "no value is allowed here (the schema is false)"));
    return;
  }
  if (s.type != JSON.Types.Object) {
    schemaAt(path, "expected a schema object, got " + json(s));
    return;
  }
  const schema = s.get<JSON.Obj>();
  const keys = schema.keys();
  for (let i = 0; i < keys.length; i++) {
    if (UNSUPPORTED.includes(keys[i])) {
      schemaAt(path, keys[i] + " is not supported; use " + SUPPORTED);
      return;
    }
  }

  const type = schema.get("type");
  if (type != null) {
    const names = new Array<string>();
    if (type.type == JSON.Types.String) names.push(type.get<string>());
    else if (type.type == JSON.Types.Array) {
      const arr = type.get<JSON.Arr>();
      for (let i = 0; i < arr.length; i++) names.push(arr.at(i).type == JSON.Types.String ? arr.at(i).get<string>() : json(arr.at(i)));
    } else {
      schemaAt(path, "type must be a string or a list, got " + json(type));
      return;
    }
    let ok = false;
    for (let i = 0; i < names.length; i++) {
      const n = names[i];
      if (n != "null" && n != "boolean" && n != "integer" && n != "number" && n != "string" && n != "array" && n != "object") {
        schemaAt(path, "unknown type " + q(n) + " (use null, boolean, integer, number, string, array or object)");
        return;
      }
      if (hasType(v, n)) ok = true;
    }
    if (!ok) {
      errors.push(new Problem(path, "expected " + names.join(" or ") + ", got " + typeName(v)));
      return;
    }
  }

  const en = schema.get("enum");
  if (en != null) {
    if (en.type != JSON.Types.Array) {
      schemaAt(path, "enum must be a list");
      return;
    }
    const arr = en.get<JSON.Arr>();
    const text = json(v);
    let found = false;
    const options = new Array<string>();
    for (let i = 0; i < arr.length; i++) {
      const o = json(arr.at(i));
      options.push(o);
      if (o == text) found = true;
    }
    if (!found) errors.push(new Problem(path, "must be one of " + options.join(", ") + ", got " + text));
  }
  const cn = schema.get("const");
  if (cn != null && json(cn) != json(v)) errors.push(new Problem(path, "must be " + json(cn) + ", got " + json(v)));

  const t = v.type;
  if (isNum(t)) {
    const n = num(v);
    const min = numberKeyword(schema, "minimum", path);
    const max = numberKeyword(schema, "maximum", path);
    const xmin = numberKeyword(schema, "exclusiveMinimum", path);
    const xmax = numberKeyword(schema, "exclusiveMaximum", path);
    const mult = numberKeyword(schema, "multipleOf", path);
    const shown = json(v);
    if (!isNaN(min) && n < min) errors.push(new Problem(path, "must be >= " + json(schema.get("minimum")!) + ", got " + shown));
    if (!isNaN(max) && n > max) errors.push(new Problem(path, "must be <= " + json(schema.get("maximum")!) + ", got " + shown));
    if (!isNaN(xmin) && n <= xmin) errors.push(new Problem(path, "must be > " + json(schema.get("exclusiveMinimum")!) + ", got " + shown));
    if (!isNaN(xmax) && n >= xmax) errors.push(new Problem(path, "must be < " + json(schema.get("exclusiveMaximum")!) + ", got " + shown));
    if (!isNaN(mult)) {
      if (mult <= 0) schemaAt(path, "multipleOf must be above 0");
      else {
        const r = n / mult;
        if (Math.abs(r - Math.round(r)) > 1e-9) errors.push(new Problem(path, "must be a multiple of " + json(schema.get("multipleOf")!) + ", got " + shown));
      }
    }
  } else if (t == JSON.Types.String) {
    const str = v.get<string>();
    const len = codePoints(str);
    const minLen = numberKeyword(schema, "minLength", path);
    const maxLen = numberKeyword(schema, "maxLength", path);
    if (!isNaN(minLen) && <f64>len < minLen) errors.push(new Problem(path, "must be at least " + plural(<i64>minLen, "character") + " long, got " + len.toString()));
    if (!isNaN(maxLen) && <f64>len > maxLen) errors.push(new Problem(path, "must be at most " + plural(<i64>maxLen, "character") + " long, got " + len.toString()));
    const pattern = schema.get("pattern");
    if (pattern != null) {
      if (pattern.type != JSON.Types.String) {
        schemaAt(path, "pattern must be a string");
        return;
      }
      const re = compileRegex(pattern.get<string>());
      if (re == null) {
        schemaAt(path, "pattern " + q(pattern.get<string>()) + " is not supported: " + regexError);
        return;
      }
      if (!re.test(str)) errors.push(new Problem(path, "does not match the pattern " + pattern.get<string>()));
    }
    const format = schema.get("format");
    if (format != null && format.type == JSON.Types.String) {
      const msg = checkFormat(str, format.get<string>());
      if (msg.length > 0) errors.push(new Problem(path, msg));
    }
  } else if (t == JSON.Types.Array) {
    const arr = v.get<JSON.Arr>();
    const minItems = numberKeyword(schema, "minItems", path);
    const maxItems = numberKeyword(schema, "maxItems", path);
    if (!isNaN(minItems) && <f64>arr.length < minItems) errors.push(new Problem(path, "must have at least " + plural(<i64>minItems, "item") + ", got " + arr.length.toString()));
    if (!isNaN(maxItems) && <f64>arr.length > maxItems) errors.push(new Problem(path, "must have at most " + plural(<i64>maxItems, "item") + ", got " + arr.length.toString()));
    const unique = schema.get("uniqueItems");
    if (unique != null && unique.type == JSON.Types.Bool && unique.get<bool>()) {
      const seen = new Map<string, i32>();
      for (let i = 0; i < arr.length; i++) {
        const text = json(arr.at(i));
        if (seen.has(text)) {
          errors.push(new Problem(path, "items " + seen.get(text).toString() + " and " + i.toString() + " are equal (uniqueItems)"));
          break;
        }
        seen.set(text, i);
      }
    }
    const items = schema.get("items");
    if (items != null) {
      for (let i = 0; i < arr.length; i++) validate(arr.at(i), items, path + "[" + i.toString() + "]", errors);
    }
  } else if (t == JSON.Types.Object) {
    const obj = v.get<JSON.Obj>();
    const required = schema.get("required");
    if (required != null) {
      if (required.type != JSON.Types.Array) {
        schemaAt(path, "required must be a list of property names");
        return;
      }
      const arr = required.get<JSON.Arr>();
      for (let i = 0; i < arr.length; i++) {
        const name = arr.at(i).type == JSON.Types.String ? arr.at(i).get<string>() : json(arr.at(i));
        if (!obj.has(name) && errors.length < maxErrors) errors.push(new Problem(child(path, name), "is required"));
      }
    }
    const props = schema.get("properties");
    let propsObj: JSON.Obj | null = null;
    if (props != null) {
      if (props.type != JSON.Types.Object) {
        schemaAt(path, "properties must be an object of schemas");
        return;
      }
      propsObj = props.get<JSON.Obj>();
      const names = propsObj.keys();
      for (let i = 0; i < names.length; i++) {
        const value = obj.get(names[i]);
        if (value != null) validate(value, propsObj.get(names[i])!, child(path, names[i]), errors);
      }
    }
    const additional = schema.get("additionalProperties");
    if (additional != null) {
      const names = obj.keys();
      for (let i = 0; i < names.length; i++) {
        if (propsObj != null && propsObj.has(names[i])) continue;
        if (additional.type == JSON.Types.Bool && !additional.get<bool>()) {
          if (errors.length < maxErrors) errors.push(new Problem(child(path, names[i]), "is not allowed (additionalProperties is false)"));
        } else {
          validate(obj.get(names[i])!, additional, child(path, names[i]), errors);
        }
      }
    }
  }

  const all = schema.get("allOf");
  if (all != null && all.type == JSON.Types.Array) {
    const arr = all.get<JSON.Arr>();
    for (let i = 0; i < arr.length; i++) validate(v, arr.at(i), path, errors);
  }
  for (let k = 0; k < 2; k++) {
    const key = k == 0 ? "anyOf" : "oneOf";
    const group = schema.get(key);
    if (group == null) continue;
    if (group.type != JSON.Types.Array || group.get<JSON.Arr>().length == 0) {
      schemaAt(path, key + " must be a non-empty list of schemas");
      return;
    }
    const arr = group.get<JSON.Arr>();
    let matched = 0;
    let firstErrors: Problem[] = [];
    for (let i = 0; i < arr.length; i++) {
      const sub = new Array<Problem>();
      validate(v, arr.at(i), path, sub);
      if (sub.length == 0) matched++;
      else if (i == 0) firstErrors = sub;
    }
    if (k == 0 && matched == 0) {
      errors.push(new Problem(path, "matches none of the anyOf schemas" + (firstErrors.length > 0 ? " (the first: " + firstErrors[0].message + ")" : "")));
    } else if (k == 1 && matched != 1) {
      errors.push(new Problem(path, "matches " + matched.toString() + " of the oneOf schemas, expected exactly 1"));
    }
  }
  const not = schema.get("not");
  if (not != null) {
    const sub = new Array<Problem>();
    validate(v, not, path, sub);
    if (sub.length == 0) errors.push(new Problem(path, 'must not match the "not" schema'));
  }
}

function main(): void {
  const config = readConfig();
  let schema = config.get("schema");
  if (schema != null && schema.type == JSON.Types.String) {
    const text = schema.get<string>().trim();
    if (!text.startsWith("{") || !text.endsWith("}")) {
      fail("schema: expected a JSON Schema object (or its JSON text)");
      return;
    }
    schema = JSON.parse<JSON.Value>(text);
  }
  if (schema == null || (schema.type != JSON.Types.Object && schema.type != JSON.Types.Bool)) {
    fail("schema is required: a JSON Schema object such as { type: object, required: [email] }");
    return;
  }
  const data = config.get("data");
  if (data == null) {
    fail("data is required: the value to validate, e.g. \"{{input}}\" or \"{{fetch.data.body}}\"");
    return;
  }
  const onInvalid = getString(config, "on_invalid", "fail");
  if (onInvalid != "fail" && onInvalid != "branch") {
    fail('on_invalid: use "fail" (the default: the run fails) or "branch" (ON_TRUE valid, ON_FALSE invalid)');
    return;
  }
  const me = config.get("max_errors");
  if (me != null && isNum(me.type)) maxErrors = <i32>Math.max(1, Math.min(100, num(me)));

  const errors = new Array<Problem>();
  validate(data, schema, "$", errors);
  if (schemaProblem.length > 0) {
    fail(schemaProblem);
    return;
  }
  const parts = new Parts().add("[");
  for (let i = 0; i < errors.length; i++) {
    if (i > 0) parts.add(",");
    parts.add('{"path":').add(q(errors[i].path)).add(',"message":').add(q(errors[i].message)).add("}");
  }
  const list = parts.add("]").toString();
  if (errors.length == 0) {
    writeStdout('{"success":true,"branch":"true","data":{"valid":true,"errors":[],"value":' + json(data) + "}}");
    return;
  }
  const summary = errors[0].path + ": " + errors[0].message + (errors.length > 1 ? " (and " + (errors.length - 1).toString() + " more)" : "");
  if (onInvalid == "branch") {
    writeStdout('{"success":true,"branch":"false","data":{"valid":false,"errors":' + list + ',"summary":' + q(summary) + "}}");
  } else {
    writeStdout('{"success":false,"error":' + q(summary) + ',"data":{"valid":false,"errors":' + list + "}}");
  }
}

main();

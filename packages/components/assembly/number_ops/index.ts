// number_ops: arithmetic on numbers (and numeric strings): add, subtract, multiply, divide, modulo, power,
// round (to digits), floor, ceil, abs, min, max, sum, avg, parse (text to number) and format (number to text).
import { JSON } from "json-as";
import { quote, toJson, Parts } from "../_sdk/text";
import { fail, getPath, getString, readConfig, writeStdout } from "../_sdk";
export { u6u_alloc } from "../_sdk";

const OPERATIONS = "add, subtract, multiply, divide, modulo, power, round, floor, ceil, abs, min, max, sum, avg, parse or format";

let problem: string = "";

function q(s: string): string {
  return quote(s);
}

function isNum(t: u16): bool {
  return t >= JSON.Types.U8 && t <= JSON.Types.F64;
}

/** Whether text is a decimal number: optional sign, digits with an optional fraction, an optional exponent. */
function strictNumeric(s: string): bool {
  const n = s.length;
  let i = 0;
  if (n == 0) return false;
  let c = s.charCodeAt(0);
  if (c == 45 || c == 43) i++;
  let digits = 0;
  while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) { i++; digits++; }
  if (i < n && s.charCodeAt(i) == 46) {
    i++;
    while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) { i++; digits++; }
  }
  if (digits == 0) return false;
  if (i < n && (s.charCodeAt(i) == 101 || s.charCodeAt(i) == 69)) {
    i++;
    if (i < n && (s.charCodeAt(i) == 45 || s.charCodeAt(i) == 43)) i++;
    let exp = 0;
    while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) { i++; exp++; }
    if (exp == 0) return false;
  }
  return i == n;
}

function describe(v: JSON.Value): string {
  const t = v.type;
  if (t == JSON.Types.String) return q(v.get<string>());
  if (t == JSON.Types.Null) return "null";
  if (t == JSON.Types.Bool) return v.get<bool>() ? "true" : "false";
  if (t == JSON.Types.Array) return "a list";
  if (t == JSON.Types.Object) return "an object";
  return toJson(v);
}

/** A JSON number or numeric string as f64; NaN (and `problem` set) otherwise. */
function asNumber(v: JSON.Value | null, what: string): f64 {
  if (v == null) {
    problem = what + " is required: a number";
    return NaN;
  }
  if (isNum(v.type)) return parseFloat(v.toString());
  if (v.type == JSON.Types.String) {
    const s = v.get<string>().trim();
    if (strictNumeric(s)) return parseFloat(s);
  }
  problem = what + ": expected a number, got " + describe(v);
  return NaN;
}

function arg(config: JSON.Obj, key: string): f64 {
  return asNumber(config.get(key), key);
}

/** The numbers of config.values (a list), each element or its `field` (a dotted path into objects). */
function list(config: JSON.Obj): f64[] | null {
  const v = config.get("values");
  if (v == null || v.type == JSON.Types.Null) {
    problem = "values is required: a list of numbers";
    return null;
  }
  if (v.type != JSON.Types.Array) {
    problem = "values: expected a list of numbers, got " + describe(v);
    return null;
  }
  const field = getString(config, "field");
  const arr = v.get<JSON.Arr>();
  const out = new Array<f64>();
  for (let i = 0; i < arr.length; i++) {
    let item: JSON.Value | null = arr.at(i);
    const where = "values[" + i.toString() + "]" + (field.length > 0 ? "." + field : "");
    if (field.length > 0) {
      if (item == null || item.type != JSON.Types.Object) {
        problem = "values[" + i.toString() + "]: expected an object with " + field + ", got " + (item == null ? "nothing" : describe(item));
        return null;
      }
      item = getPath(item.get<JSON.Obj>(), field);
      if (item == null) {
        problem = where + " is missing";
        return null;
      }
    }
    const n = asNumber(item, where);
    if (isNaN(n)) return null;
    out.push(n);
  }
  return out;
}

/** A finite number as JSON (integers without a fraction). */
function num(x: f64): string {
  if (x == 0) return "0";
  return JSON.stringify<f64>(x);
}

/** x rounded half away from zero to `digits` decimals (negative digits round to tens, hundreds, ...). */
function roundTo(x: f64, digits: i32): f64 {
  const sign: f64 = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  // Scale through the decimal text, as 1.005 is 1.00499999... in binary and x * 100 would round down.
  const scaled = parseFloat(num(a) + "e" + digits.toString());
  const r = Math.round(scaled);
  return sign * parseFloat(num(r) + "e" + (-digits).toString());
}

function digitsArg(config: JSON.Obj, fallback: i32): i32 {
  if (!config.has("digits")) return fallback;
  const d = arg(config, "digits");
  if (isNaN(d)) return i32.MIN_VALUE;
  if (d != Math.floor(d) || d < -15 || d > 15) {
    problem = "digits: expected a whole number from -15 to 15, got " + num(d);
    return i32.MIN_VALUE;
  }
  return <i32>d;
}

function groupThousands(intPart: string, sep: string): string {
  if (sep.length == 0 || intPart.length <= 3) return intPart;
  const out = new Parts();
  const first = intPart.length % 3;
  if (first > 0) out.add(intPart.substring(0, first));
  for (let i = first; i < intPart.length; i += 3) {
    if (i > 0) out.add(sep);
    out.add(intPart.substring(i, i + 3));
  }
  return out.toString();
}

function format(config: JSON.Obj, x: f64): string | null {
  const digits = digitsArg(config, -100);
  if (digits == i32.MIN_VALUE) return null;
  if (digits < 0 && digits != -100) {
    problem = "digits: format needs 0 to 15 decimals";
    return null;
  }
  const thousands = getString(config, "thousands_separator");
  const decimal = getString(config, "decimal_separator", ".");
  const negative = x < 0;
  let a = Math.abs(x);
  let text: string;
  if (digits == -100) {
    text = num(a);
  } else {
    a = roundTo(a, digits);
    text = num(a);
    if (text.includes("e")) {
      problem = "value is too large or too small to format with digits; leave digits out";
      return null;
    }
    const dot = text.indexOf(".");
    let frac = dot < 0 ? "" : text.substring(dot + 1);
    const whole = dot < 0 ? text : text.substring(0, dot);
    if (frac.length < digits) frac += "0".repeat(digits - frac.length);
    text = digits == 0 ? whole : whole + "." + frac;
  }
  const dot = text.indexOf(".");
  const whole = dot < 0 ? text : text.substring(0, dot);
  const frac = dot < 0 ? "" : text.substring(dot + 1);
  let out = groupThousands(whole, thousands);
  if (dot >= 0) out += decimal + frac;
  const zero = a == 0;
  return getString(config, "prefix") + (negative && !zero ? "-" : "") + out + getString(config, "suffix");
}

function parseText(config: JSON.Obj): f64 {
  const v = config.get("value");
  if (v == null || v.type == JSON.Types.Null) {
    problem = "value is required: the text to read as a number";
    return NaN;
  }
  if (isNum(v.type)) return parseFloat(v.toString());
  if (v.type != JSON.Types.String) {
    problem = "value: expected text, got " + describe(v);
    return NaN;
  }
  let s = v.get<string>().trim();
  const thousands = getString(config, "thousands_separator");
  const decimal = getString(config, "decimal_separator", ".");
  if (thousands.length > 0) s = s.replaceAll(thousands, "");
  if (decimal != ".") {
    if (s.includes(".")) {
      problem = "value: " + q(v.get<string>()) + " is not a number with decimal separator " + q(decimal);
      return NaN;
    }
    s = s.replaceAll(decimal, ".");
  }
  if (!strictNumeric(s)) {
    problem = "value: " + q(v.get<string>()) + " is not a number";
    return NaN;
  }
  return parseFloat(s);
}

function main(): void {
  const config = readConfig();
  const op = getString(config, "operation");
  let result: f64 = NaN;
  let extra = "";
  if (op == "add" || op == "subtract" || op == "multiply" || op == "divide" || op == "modulo" || op == "power") {
    const a = arg(config, "a");
    const b = isNaN(a) ? NaN : arg(config, "b");
    if (!isNaN(b)) {
      if ((op == "divide" || op == "modulo") && b == 0) problem = "division by zero: b is 0";
      else if (op == "add") result = a + b;
      else if (op == "subtract") result = a - b;
      else if (op == "multiply") result = a * b;
      else if (op == "divide") result = a / b;
      else if (op == "modulo") result = a % b;
      else result = Math.pow(a, b);
    }
  } else if (op == "round" || op == "floor" || op == "ceil" || op == "abs") {
    const x = arg(config, "value");
    if (!isNaN(x)) {
      if (op == "round") {
        const d = digitsArg(config, 0);
        if (d != i32.MIN_VALUE) result = roundTo(x, d);
      } else if (op == "floor") result = Math.floor(x);
      else if (op == "ceil") result = Math.ceil(x);
      else result = Math.abs(x);
    }
  } else if (op == "min" || op == "max" || op == "sum" || op == "avg") {
    let values: f64[] | null;
    if ((op == "min" || op == "max") && !config.has("values") && config.has("a")) {
      const a = arg(config, "a");
      const b = isNaN(a) ? NaN : arg(config, "b");
      values = isNaN(b) ? null : [a, b];
    } else {
      values = list(config);
    }
    if (values != null) {
      if (values.length == 0 && op != "sum") {
        problem = "values is empty: " + op + " needs at least one number";
      } else {
        let acc: f64 = op == "min" ? Infinity : op == "max" ? -Infinity : 0;
        for (let i = 0; i < values.length; i++) {
          const n = values[i];
          if (op == "min") acc = Math.min(acc, n);
          else if (op == "max") acc = Math.max(acc, n);
          else acc += n;
        }
        result = op == "avg" ? acc / <f64>values.length : acc;
        extra = ',"count":' + values.length.toString();
      }
    }
  } else if (op == "parse") {
    result = parseText(config);
  } else if (op == "format") {
    const x = arg(config, "value");
    if (!isNaN(x)) {
      const text = format(config, x);
      if (text != null) {
        writeStdout('{"success":true,"data":{"result":' + q(text) + "}}");
        return;
      }
    }
  } else {
    fail(op.length == 0 ? "operation is required: " + OPERATIONS : 'unknown operation "' + op + '": use ' + OPERATIONS);
    return;
  }
  if (problem.length > 0) {
    fail(problem);
    return;
  }
  if (isNaN(result) || !isFinite(result)) {
    fail(op + " gave a result that is not a finite number; check the inputs");
    return;
  }
  writeStdout('{"success":true,"data":{"result":' + num(result) + extra + "}}");
}

main();

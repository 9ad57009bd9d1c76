// date_ops: dates and times in UTC. now (the WASI clock), parse (ISO 8601 or an epoch number), format,
// add / subtract (an amount and unit, or an ISO 8601 duration), diff, start_of_day, end_of_day, weekday.
import { JSON } from "json-as";
import { quote, toJson, Parts } from "../_sdk/text";
import { fail, getString, readConfig, writeStdout } from "../_sdk";
import {
  Civil, civilFromMs, daysInMonth, formatIso, isInvalid, MONTHS, MS_DAY, MS_HOUR, MS_MINUTE, MS_SECOND,
  msFromCivil, pad, parseIso, timeError, weekday, WEEKDAYS,
} from "../_sdk/time";
export { u6u_alloc } from "../_sdk";

const OPERATIONS = "now, parse, format, add, subtract, diff, start_of_day, end_of_day or weekday";
const UNITS = "milliseconds, seconds, minutes, hours, days, weeks, months or years";
const NONE: i64 = i64.MIN_VALUE;
// 0000-01-01 and 9999-12-31T23:59:59.999Z: the years ISO 8601 text can hold.
const MIN_MS: i64 = -62167219200000;
const MAX_MS: i64 = 253402300799999;

let problem: string = "";

function q(s: string): string {
  return quote(s);
}

function isNum(t: u16): bool {
  return t >= JSON.Types.U8 && t <= JSON.Types.F64;
}

function allDigits(s: string): bool {
  if (s.length == 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!(c >= 48 && c <= 57) && !(i == 0 && c == 45)) return false;
  }
  return s != "-";
}

/** A time from config[key]: ISO 8601 text, or an epoch number (config.epoch "ms", the default, or "s"). */
function timeArg(config: JSON.Obj, key: string): i64 {
  const v = config.get(key);
  if (v == null || v.type == JSON.Types.Null) {
    problem = key + " is required: an ISO 8601 date such as 2024-05-01T13:45:00Z, or an epoch number";
    return NONE;
  }
  const epoch = getString(config, "epoch", "ms");
  if (epoch != "ms" && epoch != "s") {
    problem = 'epoch: use "ms" (milliseconds, the default) or "s" (seconds)';
    return NONE;
  }
  let n: f64 = NaN;
  if (isNum(v.type)) n = parseFloat(v.toString());
  else if (v.type == JSON.Types.String && allDigits(v.get<string>().trim())) n = parseFloat(v.get<string>().trim());
  else if (v.type == JSON.Types.String) {
    const t = parseIso(v.get<string>());
    if (isInvalid(t)) {
      problem = key + ": " + timeError;
      return NONE;
    }
    return t;
  } else {
    problem = key + ": expected an ISO 8601 date or an epoch number, got " + toJson(v);
    return NONE;
  }
  const ms = epoch == "s" ? n * 1000 : n;
  if (!isFinite(ms) || ms < <f64>MIN_MS || ms > <f64>MAX_MS) {
    problem = key + ": " + toJson(v) + " is outside the years 0000-9999";
    return NONE;
  }
  return <i64>Math.floor(ms);
}

function unitMs(unit: string): i64 {
  if (unit == "milliseconds" || unit == "millisecond" || unit == "ms") return 1;
  if (unit == "seconds" || unit == "second" || unit == "s") return MS_SECOND;
  if (unit == "minutes" || unit == "minute" || unit == "m") return MS_MINUTE;
  if (unit == "hours" || unit == "hour" || unit == "h") return MS_HOUR;
  if (unit == "days" || unit == "day" || unit == "d") return MS_DAY;
  if (unit == "weeks" || unit == "week" || unit == "w") return 7 * MS_DAY;
  return 0;
}

function isMonths(unit: string): bool {
  return unit == "months" || unit == "month";
}

function isYears(unit: string): bool {
  return unit == "years" || unit == "year" || unit == "y";
}

/** t plus a number of calendar months; the day is clamped to the month's end (Jan 31 + 1 month = Feb 28/29). */
function addMonths(t: i64, months: i64): i64 {
  const c = civilFromMs(t);
  const total = c.year * 12 + (c.month - 1) + months;
  const y = total >= 0 ? total / 12 : (total - 11) / 12;
  const m = total - y * 12 + 1;
  const dim = daysInMonth(y, m);
  return msFromCivil(new Civil(y, m, c.day > dim ? dim : c.day, c.hour, c.minute, c.second, c.ms));
}

/** Applies an ISO 8601 duration (PnYnMnWnDTnHnMnS) `sign` times; NONE and `problem` when malformed. */
function addDuration(t: i64, text: string, sign: i64): i64 {
  const s = text.trim().toUpperCase();
  const why = "duration: " + q(text) + " is not an ISO 8601 duration (e.g. P1D, PT2H30M, P1Y2M, P2W)";
  if (!s.startsWith("P") || s.length < 3) {
    problem = why;
    return NONE;
  }
  let months: i64 = 0;
  let ms: f64 = 0;
  let inTime = false;
  // The digits of the current number are s[numStart, numEnd): cut once at its designator.
  let numStart = -1;
  let numEnd = -1;
  let seen = 0;
  for (let i = 1; i < s.length; i++) {
    const c = s.charAt(i);
    const code = s.charCodeAt(i);
    if ((code >= 48 && code <= 57) || code == 46) {
      if (numStart < 0) numStart = i;
      numEnd = i + 1;
      continue;
    }
    const num = numStart < 0 ? "" : s.substring(numStart, numEnd);
    numStart = -1;
    if (c == "T") {
      if (inTime || num.length > 0) { problem = why; return NONE; }
      inTime = true;
      continue;
    }
    if (num.length == 0) { problem = why; return NONE; }
    const n = parseFloat(num);
    const whole = n == Math.floor(n);
    seen++;
    if (!inTime && c == "Y" && whole) months += <i64>n * 12;
    else if (!inTime && c == "M" && whole) months += <i64>n;
    else if (!inTime && c == "W") ms += n * 7 * <f64>MS_DAY;
    else if (!inTime && c == "D") ms += n * <f64>MS_DAY;
    else if (inTime && c == "H") ms += n * <f64>MS_HOUR;
    else if (inTime && c == "M") ms += n * <f64>MS_MINUTE;
    else if (inTime && c == "S") ms += n * <f64>MS_SECOND;
    else { problem = why; return NONE; }
  }
  if (numStart >= 0 || seen == 0) {
    problem = why;
    return NONE;
  }
  return addMonths(t, months * sign) + <i64>Math.round(ms) * sign;
}

function ampm(h: i64): string {
  return h < 12 ? "AM" : "PM";
}

function hour12(h: i64): i64 {
  const x = h % 12;
  return x == 0 ? 12 : x;
}

/** Renders tokens YYYY YY MMMM MMM MM M DD D dddd ddd HH H hh h mm ss SSS A Z; [text] is literal. */
function formatPattern(t: i64, pattern: string): string {
  const c = civilFromMs(t);
  const wd = weekday(t);
  const out = new Parts();
  let i = 0;
  const tokens = ["YYYY", "MMMM", "dddd", "SSS", "MMM", "ddd", "YY", "MM", "DD", "HH", "hh", "mm", "ss", "M", "D", "H", "h", "A", "Z"];
  while (i < pattern.length) {
    if (pattern.charAt(i) == "[") {
      const close = pattern.indexOf("]", i);
      if (close > i) {
        out.add(pattern.substring(i + 1, close));
        i = close + 1;
        continue;
      }
    }
    let matched = "";
    for (let k = 0; k < tokens.length; k++) {
      if (pattern.startsWith(tokens[k], i)) {
        matched = tokens[k];
        break;
      }
    }
    if (matched.length == 0) {
      out.add(pattern.charAt(i));
      i++;
      continue;
    }
    i += matched.length;
    if (matched == "YYYY") out.add(pad(c.year, 4));
    else if (matched == "YY") out.add(pad(c.year % 100, 2));
    else if (matched == "MMMM") out.add(MONTHS[<i32>c.month - 1]);
    else if (matched == "MMM") out.add(MONTHS[<i32>c.month - 1].substring(0, 3));
    else if (matched == "MM") out.add(pad(c.month, 2));
    else if (matched == "M") out.add(c.month.toString());
    else if (matched == "DD") out.add(pad(c.day, 2));
    else if (matched == "D") out.add(c.day.toString());
    else if (matched == "dddd") out.add(WEEKDAYS[wd]);
    else if (matched == "ddd") out.add(WEEKDAYS[wd].substring(0, 3));
    else if (matched == "HH") out.add(pad(c.hour, 2));
    else if (matched == "H") out.add(c.hour.toString());
    else if (matched == "hh") out.add(pad(hour12(c.hour), 2));
    else if (matched == "h") out.add(hour12(c.hour).toString());
    else if (matched == "mm") out.add(pad(c.minute, 2));
    else if (matched == "ss") out.add(pad(c.second, 2));
    else if (matched == "SSS") out.add(pad(c.ms, 3));
    else if (matched == "A") out.add(ampm(c.hour));
    else out.add("Z");
  }
  return out.toString();
}

function format(t: i64, f: string): string {
  if (f == "iso") return formatIso(t);
  if (f == "date") return formatPattern(t, "YYYY-MM-DD");
  if (f == "time") return formatPattern(t, "HH:mm:ss");
  // RFC 9110 section 5.6.7 (HTTP dates, IMF-fixdate).
  if (f == "http" || f == "rfc7231") return formatPattern(t, "ddd, DD MMM YYYY HH:mm:ss [GMT]");
  return formatPattern(t, f);
}

function timeJson(t: i64): string {
  return '"iso":' + q(formatIso(t)) + ',"timestamp":' + t.toString();
}

function emitTime(t: i64, extra: string = ""): void {
  if (t < MIN_MS || t > MAX_MS) {
    fail("the result is outside the years 0000-9999");
    return;
  }
  writeStdout('{"success":true,"data":{"result":' + q(formatIso(t)) + "," + timeJson(t) + extra + "}}");
}

function floorDivMs(a: i64, b: i64): i64 {
  const q = a / b;
  return a % b != 0 && a < 0 ? q - 1 : q;
}

/** Whole calendar months from a to b (negative when b is before a). */
function monthsBetween(a: i64, b: i64): i64 {
  if (b < a) return -monthsBetween(b, a);
  const ca = civilFromMs(a);
  const cb = civilFromMs(b);
  let months = (cb.year - ca.year) * 12 + (cb.month - ca.month);
  if (months > 0 && addMonths(a, months) > b) months--;
  return months;
}

function main(): void {
  const config = readConfig();
  const op = getString(config, "operation");
  if (op == "now") {
    emitTime(<i64>Date.now());
    return;
  }
  const known = op == "parse" || op == "format" || op == "add" || op == "subtract" || op == "diff" ||
    op == "start_of_day" || op == "end_of_day" || op == "weekday";
  if (!known) {
    fail(op.length == 0 ? "operation is required: " + OPERATIONS : 'unknown operation "' + op + '": use ' + OPERATIONS);
    return;
  }
  const t = timeArg(config, "value");
  if (t == NONE) {
    fail(problem);
    return;
  }
  if (op == "parse") {
    const c = civilFromMs(t);
    const wd = weekday(t);
    emitTime(t, ',"unix":' + floorDivMs(t, 1000).toString() + ',"year":' + c.year.toString() + ',"month":' + c.month.toString() +
      ',"day":' + c.day.toString() + ',"hour":' + c.hour.toString() + ',"minute":' + c.minute.toString() +
      ',"second":' + c.second.toString() + ',"millisecond":' + c.ms.toString() + ',"weekday":' + q(WEEKDAYS[wd]));
  } else if (op == "format") {
    const f = getString(config, "format", "iso");
    if (f == "unix" || f == "unix_ms") {
      const n = f == "unix" ? floorDivMs(t, 1000) : t;
      writeStdout('{"success":true,"data":{"result":' + n.toString() + "," + timeJson(t) + "}}");
      return;
    }
    if (f.length == 0) {
      fail('format is empty: give a pattern such as "YYYY-MM-DD HH:mm", or iso, date, time, http, unix, unix_ms');
      return;
    }
    writeStdout('{"success":true,"data":{"result":' + q(format(t, f)) + "," + timeJson(t) + "}}");
  } else if (op == "add" || op == "subtract") {
    const sign: i64 = op == "add" ? 1 : -1;
    if (config.has("duration")) {
      const r = addDuration(t, getString(config, "duration"), sign);
      if (r == NONE) fail(problem);
      else emitTime(r);
      return;
    }
    const unit = getString(config, "unit", "milliseconds");
    const a = config.get("amount");
    if (a == null || a.type == JSON.Types.Null) {
      fail("amount is required (with unit), or give duration (ISO 8601, e.g. P1DT2H)");
      return;
    }
    let amount: f64 = NaN;
    if (isNum(a.type)) amount = parseFloat(a.toString());
    else if (a.type == JSON.Types.String && allDigits(a.get<string>().trim())) amount = parseFloat(a.get<string>().trim());
    if (isNaN(amount)) {
      fail("amount: expected a number, got " + toJson(a));
      return;
    }
    if (isMonths(unit) || isYears(unit)) {
      if (amount != Math.floor(amount)) {
        fail("amount: months and years take whole numbers, got " + toJson(a));
        return;
      }
      const months = <i64>amount * (isYears(unit) ? 12 : 1);
      if (Math.abs(amount) > 120000) {
        fail("the result is outside the years 0000-9999");
        return;
      }
      emitTime(addMonths(t, months * sign));
      return;
    }
    const per = unitMs(unit);
    if (per == 0) {
      fail('unknown unit "' + unit + '": use ' + UNITS);
      return;
    }
    const delta = amount * <f64>per;
    if (Math.abs(delta) > 6e14) {
      fail("the result is outside the years 0000-9999");
      return;
    }
    emitTime(t + <i64>Math.round(delta) * sign);
  } else if (op == "diff") {
    const other = timeArg(config, "to");
    if (other == NONE) {
      fail(problem);
      return;
    }
    const unit = getString(config, "unit", "milliseconds");
    const ms = other - t;
    let result: string;
    if (isMonths(unit) || isYears(unit)) {
      const months = monthsBetween(t, other);
      result = (isYears(unit) ? months / 12 : months).toString();
    } else {
      const per = unitMs(unit);
      if (per == 0) {
        fail('unknown unit "' + unit + '": use ' + UNITS);
        return;
      }
      const v = <f64>ms / <f64>per;
      result = v == Math.floor(v) ? (<i64>v).toString() : JSON.stringify<f64>(v);
    }
    writeStdout('{"success":true,"data":{"result":' + result + ',"unit":' + q(unit) + ',"milliseconds":' + ms.toString() + "}}");
  } else if (op == "start_of_day" || op == "end_of_day") {
    const start = floorDivMs(t, MS_DAY) * MS_DAY;
    emitTime(op == "start_of_day" ? start : start + MS_DAY - 1);
  } else {
    const wd = weekday(t);
    const iso = wd == 0 ? 7 : wd;
    writeStdout('{"success":true,"data":{"result":' + q(WEEKDAYS[wd]) + ',"weekday":' + wd.toString() + ',"iso_weekday":' +
      iso.toString() + ',"weekend":' + (wd == 0 || wd == 6 ? "true" : "false") + "," + timeJson(t) + "}}");
  }
}

main();

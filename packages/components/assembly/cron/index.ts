// cron: a schedule trigger. As the first node after input, the executor's scheduled handler runs the
// workflow whenever config.expression (standard 5-field cron, UTC) matches the minute. As a node, it
// validates the expression and reports the next run times.
import { JSON } from "json-as";
import { quote, toJson, Parts } from "../_sdk/text";
import { fail, getString, readConfig, writeStdout } from "../_sdk";
import { civilFromMs, daysInMonth, formatIso, isInvalid, MS_DAY, MS_HOUR, MS_MINUTE, msFromCivil, Civil, parseIso, timeError, weekday } from "../_sdk/time";
export { u6u_alloc } from "../_sdk";

const FIELD_NAMES = ["minute", "hour", "day-of-month", "month", "day-of-week"];
const MINS: i32[] = [0, 0, 1, 1, 0];
const MAXS: i32[] = [59, 23, 31, 12, 7];
const MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

let problem: string = "";

class Schedule {
  sets: StaticArray<bool>[] = [];
  domStar: bool = false;
  dowStar: bool = false;
}

function q(s: string): string {
  return quote(s);
}

function value(field: i32, text: string): i32 {
  const up = text.toUpperCase();
  if (field == 3) {
    const i = MONTH_NAMES.indexOf(up);
    if (i >= 0) return i + 1;
  }
  if (field == 4) {
    const i = DAY_NAMES.indexOf(up);
    if (i >= 0) return i;
  }
  if (text.length == 0 || text.length > 4) {
    problem = FIELD_NAMES[field] + ": " + q(text) + " is not a number" + (field >= 3 ? " or a name" : "");
    return -1;
  }
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) {
      problem = FIELD_NAMES[field] + ": " + q(text) + " is not a number" + (field == 3 ? " or a month name (JAN-DEC)" : field == 4 ? " or a day name (SUN-SAT)" : "");
      return -1;
    }
    n = n * 10 + (c - 48);
  }
  if (n < MINS[field] || n > MAXS[field]) {
    problem = FIELD_NAMES[field] + ": " + n.toString() + " is out of range " + MINS[field].toString() + "-" + MAXS[field].toString();
    return -1;
  }
  return n;
}

function parseField(field: i32, text: string): StaticArray<bool> | null {
  const set = new StaticArray<bool>(MAXS[field] + 1);
  const items = text.split(",");
  for (let k = 0; k < items.length; k++) {
    let item = items[k];
    let step = 1;
    const slash = item.indexOf("/");
    if (slash >= 0) {
      const s = item.substring(slash + 1);
      let n = 0;
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c < 48 || c > 57) { n = -1; break; }
        n = n * 10 + (c - 48);
      }
      if (s.length == 0 || s.length > 3 || n <= 0) {
        problem = FIELD_NAMES[field] + ": step " + q(s) + " must be a whole number above 0";
        return null;
      }
      step = n;
      item = item.substring(0, slash);
    }
    let lo = MINS[field];
    let hi = MAXS[field];
    if (field == 4) hi = 6;
    if (item != "*") {
      const dash = item.indexOf("-");
      if (dash > 0) {
        lo = value(field, item.substring(0, dash));
        if (lo < 0) return null;
        hi = value(field, item.substring(dash + 1));
        if (hi < 0) return null;
        if (hi < lo) {
          problem = FIELD_NAMES[field] + ": range " + q(item) + " goes backwards";
          return null;
        }
      } else {
        lo = value(field, item);
        if (lo < 0) return null;
        // "a/n" runs from a to the field's end.
        if (slash < 0) hi = lo;
        else if (field == 4) hi = 6;
      }
    }
    for (let v = lo; v <= hi; v += step) set[v] = true;
  }
  // 7 is Sunday too.
  if (field == 4 && set[7]) set[0] = true;
  return set;
}

function macro(text: string): string {
  if (text == "@yearly" || text == "@annually") return "0 0 1 1 *";
  if (text == "@monthly") return "0 0 1 * *";
  if (text == "@weekly") return "0 0 * * 0";
  if (text == "@daily" || text == "@midnight") return "0 0 * * *";
  if (text == "@hourly") return "0 * * * *";
  return text;
}

function parse(expression: string): Schedule | null {
  const text = macro(expression.trim());
  const raw = text.split(" ");
  const fields = new Array<string>();
  for (let i = 0; i < raw.length; i++) if (raw[i].length > 0) fields.push(raw[i]);
  if (text.startsWith("@")) {
    problem = "unknown macro " + q(text) + ": use @yearly, @monthly, @weekly, @daily or @hourly";
    return null;
  }
  if (fields.length != 5) {
    problem = "expected 5 fields (minute hour day-of-month month day-of-week), got " + fields.length.toString() + " in " + q(expression);
    return null;
  }
  const s = new Schedule();
  for (let f = 0; f < 5; f++) {
    const set = parseField(f, fields[f]);
    if (set == null) return null;
    s.sets.push(set);
  }
  s.domStar = fields[2].startsWith("*");
  s.dowStar = fields[4].startsWith("*");
  return s;
}

/** Vixie cron: when both day fields are restricted, either may match. */
function dayMatches(s: Schedule, t: i64, day: i64): bool {
  const dom = s.sets[2][<i32>day];
  const dow = s.sets[4][weekday(t)];
  if (s.domStar || s.dowStar) return dom && dow;
  return dom || dow;
}

/** The first minute strictly after t that the schedule matches; -1 when none within five years. */
function next(s: Schedule, after: i64): i64 {
  let t = (after - (after % MS_MINUTE + MS_MINUTE) % MS_MINUTE) + MS_MINUTE;
  const limit = t + 5 * 366 * MS_DAY;
  while (t < limit) {
    const c = civilFromMs(t);
    if (!s.sets[3][<i32>c.month]) {
      const y = c.month == 12 ? c.year + 1 : c.year;
      const m = c.month == 12 ? 1 : c.month + 1;
      t = msFromCivil(new Civil(y, m, 1, 0, 0, 0, 0));
      continue;
    }
    if (c.day > daysInMonth(c.year, c.month) || !dayMatches(s, t, c.day)) {
      t = msFromCivil(new Civil(c.year, c.month, c.day, 0, 0, 0, 0)) + MS_DAY;
      continue;
    }
    if (!s.sets[1][<i32>c.hour]) {
      t = msFromCivil(new Civil(c.year, c.month, c.day, c.hour, 0, 0, 0)) + MS_HOUR;
      continue;
    }
    if (!s.sets[0][<i32>c.minute]) {
      t += MS_MINUTE;
      continue;
    }
    return t;
  }
  return -1;
}

function main(): void {
  const config = readConfig();
  const expression = getString(config, "expression");
  if (expression.trim().length == 0) {
    fail('expression is required: a 5-field cron schedule in UTC, e.g. "0 9 * * MON-FRI"');
    return;
  }
  const schedule = parse(expression);
  if (schedule == null) {
    fail("expression: " + problem);
    return;
  }
  let count = 1;
  const c = config.get("count");
  if (c != null && c.type != JSON.Types.Null) {
    const n = parseFloat(toJson(c));
    if (isNaN(n) || n != Math.floor(n) || n < 1 || n > 20) {
      fail("count: expected a whole number from 1 to 20, got " + toJson(c));
      return;
    }
    count = <i32>n;
  }
  let from = <i64>Date.now();
  const after = getString(config, "after");
  if (after.length > 0) {
    from = parseIso(after);
    if (isInvalid(from)) {
      fail("after: " + timeError);
      return;
    }
  }
  const runs = new Parts();
  let first = "";
  let t = from;
  for (let i = 0; i < count; i++) {
    t = next(schedule, t);
    if (t < 0) break;
    const iso = formatIso(t);
    if (i == 0) first = iso;
    if (i > 0) runs.add(",");
    runs.add(q(iso));
  }
  if (first.length == 0) {
    fail("expression: " + q(expression) + " never matches (no run in the next five years); check the day and month fields");
    return;
  }
  writeStdout('{"success":true,"data":{"expression":' + q(expression.trim()) + ',"timezone":"UTC","next_run":' + q(first) + ',"next_runs":[' + runs.toString() + "]}}");
}

main();

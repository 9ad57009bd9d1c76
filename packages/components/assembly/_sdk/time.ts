// UTC calendar arithmetic for date_ops and cron: days <-> civil dates (H. Hinnant's algorithms), ISO 8601
// parsing (the RFC 3339 profile plus date-only and offset-less forms) and formatting. Times are i64
// milliseconds since the Unix epoch; years 0000-9999.

export const MS_SECOND: i64 = 1000;
export const MS_MINUTE: i64 = 60000;
export const MS_HOUR: i64 = 3600000;
export const MS_DAY: i64 = 86400000;

export const WEEKDAYS: string[] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
export const MONTHS: string[] = [
  "January", "February", "March", "April", "May", "June",
  "July", "August", "September", "October", "November", "December",
];

/** Why the last parseIso failed. */
export let timeError: string = "";

function floorDiv(a: i64, b: i64): i64 {
  const q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

export function floorMod(a: i64, b: i64): i64 {
  return a - floorDiv(a, b) * b;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (month 1-12). */
export function daysFromCivil(y: i64, m: i64, d: i64): i64 {
  const yy = m <= 2 ? y - 1 : y;
  const era = floorDiv(yy, 400);
  const yoe = yy - era * 400;
  const mp = m > 2 ? m - 3 : m + 9;
  const doy = (153 * mp + 2) / 5 + d - 1;
  const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

export class Civil {
  constructor(
    public year: i64, public month: i64, public day: i64,
    public hour: i64, public minute: i64, public second: i64, public ms: i64,
  ) {}
}

export function civilFromMs(t: i64): Civil {
  const days = floorDiv(t, MS_DAY);
  let rest = t - days * MS_DAY;
  const z = days + 719468;
  const era = floorDiv(z, 146097);
  const doe = z - era * 146097;
  const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const mp = (5 * doy + 2) / 153;
  const d = doy - (153 * mp + 2) / 5 + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const hour = rest / MS_HOUR;
  rest -= hour * MS_HOUR;
  const minute = rest / MS_MINUTE;
  rest -= minute * MS_MINUTE;
  const second = rest / MS_SECOND;
  return new Civil(y, m, d, hour, minute, second, rest - second * MS_SECOND);
}

export function msFromCivil(c: Civil): i64 {
  return daysFromCivil(c.year, c.month, c.day) * MS_DAY + c.hour * MS_HOUR + c.minute * MS_MINUTE + c.second * MS_SECOND + c.ms;
}

export function isLeap(y: i64): bool {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

export function daysInMonth(y: i64, m: i64): i64 {
  if (m == 2) return isLeap(y) ? 29 : 28;
  return m == 4 || m == 6 || m == 9 || m == 11 ? 30 : 31;
}

/** 0 = Sunday ... 6 = Saturday. */
export function weekday(t: i64): i32 {
  return <i32>floorMod(floorDiv(t, MS_DAY) + 4, 7);
}

export function pad(n: i64, width: i32): string {
  let s = (n < 0 ? -n : n).toString();
  while (s.length < width) s = "0" + s;
  return n < 0 ? "-" + s : s;
}

/** YYYY-MM-DDTHH:MM:SS.sssZ (what JavaScript's toISOString writes). */
export function formatIso(t: i64): string {
  const c = civilFromMs(t);
  return pad(c.year, 4) + "-" + pad(c.month, 2) + "-" + pad(c.day, 2) + "T" + pad(c.hour, 2) + ":" +
    pad(c.minute, 2) + ":" + pad(c.second, 2) + "." + pad(c.ms, 3) + "Z";
}

function digitsAt(s: string, at: i32, n: i32): i32 {
  if (at + n > s.length) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(at + i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

const INVALID: i64 = i64.MIN_VALUE;

export function isInvalid(t: i64): bool {
  return t == INVALID;
}

function bad(s: string, why: string): i64 {
  timeError = JSON_QUOTE(s) + " is not an ISO 8601 date" + (why.length > 0 ? ": " + why : " (use 2024-05-01, 2024-05-01T13:45:00Z or 2024-05-01T13:45:00+02:00)");
  return INVALID;
}

function JSON_QUOTE(s: string): string {
  return '"' + s.replaceAll("\\", "\\\\").replaceAll('"', '\\"') + '"';
}

/**
 * Parses YYYY-MM-DD, optionally followed by T (or a space) HH:MM[:SS[.fraction]] and Z or an offset
 * (+HH:MM, +HHMM, +HH). Without an offset the time is UTC. Returns INVALID and sets timeError otherwise.
 */
export function parseIso(input: string): i64 {
  const s = input.trim();
  const y = digitsAt(s, 0, 4);
  if (y < 0 || s.length < 10 || s.charCodeAt(4) != 45 || s.charCodeAt(7) != 45) return bad(input, "");
  const mo = digitsAt(s, 5, 2);
  const d = digitsAt(s, 8, 2);
  if (mo < 1 || mo > 12) return bad(input, "month " + pad(mo, 2) + " is out of range");
  if (d < 1 || <i64>d > daysInMonth(y, mo)) return bad(input, "day " + pad(d, 2) + " is out of range for " + pad(y, 4) + "-" + pad(mo, 2));
  let h = 0, mi = 0, se = 0;
  let ms: i64 = 0;
  let i = 10;
  let offset: i64 = 0;
  if (i < s.length) {
    const sep = s.charCodeAt(i);
    if (sep != 84 && sep != 116 && sep != 32) return bad(input, "");
    i++;
    h = digitsAt(s, i, 2);
    mi = digitsAt(s, i + 3, 2);
    if (h < 0 || mi < 0 || s.charCodeAt(i + 2) != 58) return bad(input, "");
    i += 5;
    if (i < s.length && s.charCodeAt(i) == 58) {
      se = digitsAt(s, i + 1, 2);
      if (se < 0) return bad(input, "");
      i += 3;
      if (i < s.length && (s.charCodeAt(i) == 46 || s.charCodeAt(i) == 44)) {
        i++;
        let n = 0;
        let scale: i64 = 100;
        while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) {
          ms += <i64>(s.charCodeAt(i) - 48) * scale;
          scale /= 10;
          i++;
          n++;
        }
        if (n == 0) return bad(input, "");
      }
    }
    if (h > 23 || mi > 59 || se > 59) return bad(input, "the time is out of range");
    if (i < s.length) {
      const z = s.charCodeAt(i);
      if ((z == 90 || z == 122) && i + 1 == s.length) {
        i++;
      } else if (z == 43 || z == 45) {
        const oh = digitsAt(s, i + 1, 2);
        if (oh < 0) return bad(input, "");
        let om = 0;
        let j = i + 3;
        if (j < s.length && s.charCodeAt(j) == 58) j++;
        if (j < s.length) {
          om = digitsAt(s, j, 2);
          if (om < 0) return bad(input, "");
          j += 2;
        }
        if (j != s.length || oh > 23 || om > 59) return bad(input, "");
        offset = (<i64>oh * 60 + <i64>om) * MS_MINUTE * (z == 45 ? -1 : 1);
        i = j;
      } else {
        return bad(input, "");
      }
    }
  }
  if (i != s.length) return bad(input, "");
  return msFromCivil(new Civil(y, mo, d, h, mi, se, ms)) - offset;
}

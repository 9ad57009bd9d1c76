/**
 * Standard 5-field cron (minute hour day-of-month month day-of-week, UTC), as the `cron` component reads
 * it: `*`, lists, ranges, steps, JAN-DEC, SUN-SAT, 7 as Sunday, @yearly/@monthly/@weekly/@daily/@hourly;
 * when both day fields are restricted, either matches (Vixie cron, crontab(5)).
 */
export interface CronSchedule {
  minute: Set<number>;
  hour: Set<number>;
  dayOfMonth: Set<number>;
  month: Set<number>;
  dayOfWeek: Set<number>;
  domStar: boolean;
  dowStar: boolean;
}

const FIELDS = [
  { name: "minute", min: 0, max: 59, names: [] as string[] },
  { name: "hour", min: 0, max: 23, names: [] },
  { name: "day-of-month", min: 1, max: 31, names: [] },
  {
    name: "month",
    min: 1,
    max: 12,
    names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
  },
  { name: "day-of-week", min: 0, max: 7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] },
] as const;

const MACROS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

export class CronError extends Error {
  override name = "CronError";
}

function fieldValue(f: (typeof FIELDS)[number], text: string): number {
  const named = (f.names as readonly string[]).indexOf(text.toUpperCase());
  if (named >= 0) return f.name === "month" ? named + 1 : named;
  if (!/^\d{1,4}$/.test(text)) throw new CronError(`${f.name}: "${text}" is not a number`);
  const n = Number(text);
  if (n < f.min || n > f.max) throw new CronError(`${f.name}: ${n} is out of range ${f.min}-${f.max}`);
  return n;
}

function parseField(i: number, text: string): Set<number> {
  const f = FIELDS[i] as (typeof FIELDS)[number];
  const out = new Set<number>();
  const top = f.name === "day-of-week" ? 6 : f.max;
  for (const part of text.split(",")) {
    const [range = "", stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step <= 0 || (stepText !== undefined && !/^\d+$/.test(stepText))) {
      throw new CronError(`${f.name}: step "${stepText}" must be a whole number above 0`);
    }
    let lo: number = f.min;
    let hi: number = top;
    if (range !== "*") {
      const dash = range.indexOf("-");
      if (dash > 0) {
        lo = fieldValue(f, range.slice(0, dash));
        hi = fieldValue(f, range.slice(dash + 1));
        if (hi < lo) throw new CronError(`${f.name}: range "${range}" goes backwards`);
      } else {
        lo = fieldValue(f, range);
        hi = stepText === undefined ? lo : top;
      }
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  if (f.name === "day-of-week" && out.has(7)) out.add(0);
  return out;
}

/** Parses an expression; throws CronError naming the field. */
export function parseCron(expression: string): CronSchedule {
  const text = MACROS[expression.trim()] ?? expression.trim();
  if (text.startsWith("@")) throw new CronError(`unknown macro "${text}"`);
  const fields = text.split(/\s+/).filter((s) => s !== "");
  if (fields.length !== 5) {
    throw new CronError(
      `expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`,
    );
  }
  const sets = fields.map((f, i) => parseField(i, f));
  return {
    minute: sets[0] as Set<number>,
    hour: sets[1] as Set<number>,
    dayOfMonth: sets[2] as Set<number>,
    month: sets[3] as Set<number>,
    dayOfWeek: sets[4] as Set<number>,
    domStar: (fields[2] as string).startsWith("*"),
    dowStar: (fields[4] as string).startsWith("*"),
  };
}

/** Whether the schedule runs in the UTC minute of `time`. */
export function cronMatches(s: CronSchedule, time: Date): boolean {
  if (!s.minute.has(time.getUTCMinutes()) || !s.hour.has(time.getUTCHours())) return false;
  if (!s.month.has(time.getUTCMonth() + 1)) return false;
  const dom = s.dayOfMonth.has(time.getUTCDate());
  const dow = s.dayOfWeek.has(time.getUTCDay());
  return s.domStar || s.dowStar ? dom && dow : dom || dow;
}

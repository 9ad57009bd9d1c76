import { UsageError } from "./errors.js";

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The longest an agent keeps a key: a week. */
export const MAX_DURATION_MS = 7 * 86_400_000;

/** "90s", "15m", "8h", "1d" (or "1h30m") to milliseconds; a UsageError for anything else. */
export function parseDuration(text: string, command: string): number {
  const parts = /^(?:\d+[smhd])+$/.test(text) ? (text.match(/\d+[smhd]/g) ?? []) : [];
  const ms = parts.reduce((sum, p) => sum + Number(p.slice(0, -1)) * (UNITS[p.slice(-1)] ?? 0), 0);
  if (parts.length === 0 || ms <= 0 || ms > MAX_DURATION_MS) {
    throw new UsageError(
      `--for takes a duration such as 30s, 15m, 8h or 1d (at most 7d), got ${JSON.stringify(text).slice(0, 40)}`,
      command,
    );
  }
  return ms;
}

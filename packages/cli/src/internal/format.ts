import type { InstanceRow, ServiceRow } from "./api.js";
import type { Styles } from "./io.js";

/** The --json shape of a service in `list` and `status` (documented in docs/cli.md). */
export function serviceJson(row: ServiceRow) {
  return {
    id: row.id,
    name: row.name,
    primitive: row.primitive,
    alternatives: row.alternatives,
    user_recipe: row.user_recipe,
    connected: row.instances.some((i) => i.status === "connected"),
    instances: row.instances,
  };
}

function inWords(ms: number): string {
  const abs = Math.abs(ms);
  const unit =
    abs < 90_000
      ? `${Math.round(abs / 1000)} s`
      : abs < 5_400_000
        ? `${Math.round(abs / 60_000)} min`
        : abs < 172_800_000
          ? `${Math.round(abs / 3_600_000)} h`
          : `${Math.round(abs / 86_400_000)} d`;
  return ms >= 0 ? `in ${unit}` : `${unit} ago`;
}

export function expiryText(i: InstanceRow, now = Date.now()): string {
  if (!i.expires_at) return "";
  return `expires ${inWords(Date.parse(i.expires_at) - now)}`;
}

/** "scopes: a b" (status), or "2 scopes" where space is short (list); "" when there are none. */
export function scopesText(i: InstanceRow, short = false): string {
  if (!i.scopes || i.scopes.length === 0) return "";
  if (short) return i.scopes.length === 1 ? "1 scope" : `${i.scopes.length} scopes`;
  const missing = i.scopes_missing ?? [];
  return `scopes: ${i.scopes.join(" ")}${missing.length > 0 ? ` (not granted: ${missing.join(" ")})` : ""}`;
}

/** "captured: cloud_id=..., team_id=T1" (status); "" when the login captured nothing. */
export function capturedText(i: InstanceRow): string {
  const entries = Object.entries(i.captured ?? {});
  return entries.length > 0 ? `captured: ${entries.map(([k, v]) => `${k}=${v}`).join(", ")}` : "";
}

export function instanceText(i: InstanceRow, s: Styles): string {
  const mark =
    i.status === "connected"
      ? s.green("✔")
      : i.status === "reauth_required"
        ? s.red("reauth required")
        : s.yellow("expired");
  const extra = [
    i.source !== "store" ? `from ${i.source}` : "",
    i.status === "connected" ? expiryText(i) : "",
    scopesText(i, true),
  ]
    .filter((x) => x !== "")
    .join(", ");
  return `${i.instance} ${mark}${extra ? ` (${extra})` : ""}`;
}

/** Left-aligned columns; widths from the plain text so colour codes do not skew them. */
export function table(rows: string[][], plainRows: string[][]): string[] {
  const widths: number[] = [];
  for (const r of plainRows) {
    for (const [i, c] of r.entries()) widths[i] = Math.max(widths[i] ?? 0, c.length);
  }
  return rows.map((r, ri) =>
    r
      .map((c, i) =>
        i === r.length - 1 ? c : c + " ".repeat((widths[i] ?? 0) - (plainRows[ri]?.[i]?.length ?? 0) + 2),
      )
      .join("")
      .trimEnd(),
  );
}

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A temporary ARCRUN_HOME with user recipes (`<id>.yaml` -> text). */
export function tempHome(recipes: Record<string, string> = {}): { home: string; cleanup(): void } {
  const home = mkdtempSync(join(tmpdir(), "arcrun-auth-test-"));
  mkdirSync(join(home, "recipes"), { recursive: true });
  for (const [id, text] of Object.entries(recipes)) writeFileSync(join(home, "recipes", `${id}.yaml`), text);
  return { home, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

/** A user recipe that points a catalogue recipe at a local server: `id` extends `base`. */
export function localRecipe(
  id: string,
  base: string,
  origin: string,
  path = "",
  hosts = ["127.0.0.1"],
): string {
  return `id: ${id}\nextends: ${base}\nbase_url: ${origin}${path}\nhosts: [${hosts.join(", ")}]\n`;
}

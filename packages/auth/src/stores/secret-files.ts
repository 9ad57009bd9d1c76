import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Recipe } from "@arcrun/recipes";

/** Where secret files are looked for: `$ARCRUN_SECRETS_DIR`, then `/run/secrets` (Docker and Kubernetes). */
export function secretFileDirs(env: Readonly<Record<string, string | undefined>>): string[] {
  const dirs: string[] = [];
  if (env.ARCRUN_SECRETS_DIR) dirs.push(env.ARCRUN_SECRETS_DIR);
  dirs.push("/run/secrets");
  return dirs;
}

/** The file name of one secret: `<service>_<key>`, or `<service>__<instance>_<key>` for another instance. */
export function secretFileName(service: string, instance: string, key: string): string {
  return instance === "default" ? `${service}_${key}` : `${service}__${instance}_${key}`;
}

/**
 * A read-only credential source: one file per secret, as Docker and Kubernetes mount them. A trailing
 * newline (what `echo` leaves) is dropped; a missing or unreadable file is simply not a match.
 */
export async function readSecretFiles(
  recipe: Recipe,
  service: string,
  instance: string,
  dirs: readonly string[],
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  // A directory that does not exist (/run/secrets outside containers) is skipped with one stat, not a
  // failed read per secret: each read is a trip through libuv's thread pool on a request's first call.
  const present = dirs.filter((d) => existsSync(d));
  if (present.length === 0) return out;
  for (const s of recipe.required_secrets) {
    const name = secretFileName(service, instance, s.key);
    for (const dir of present) {
      let text: string;
      try {
        text = await readFile(join(dir, name), "utf8");
      } catch {
        continue;
      }
      const value = text.replace(/\r?\n$/, "");
      if (value !== "") {
        out[s.key] = value;
        break;
      }
    }
  }
  return out;
}

import { createHash } from "node:crypto";
import { readdir, readFile, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { Recipe } from "@arcrun/recipes";
import type { RecipeSource as RecipeFile } from "@arcrun/recipes/node";
import { version } from "../../package.json";
import { writeFileAtomic } from "./atomic-write.js";

/** Bumped when the shape of a cache entry changes: older entries then miss and are rewritten. */
const CACHE_FORMAT = 1;
/** Entries written longer ago than this are removed when a new one is written (a later start rewrites one). */
const STALE_MS = 30 * 24 * 3600 * 1000;

/** What is cached: the recipes that validated, and each file that did not with its error message. */
export interface CachedUserRecipes {
  recipes: Recipe[];
  broken: { file: string; service: string; message: string }[];
}

interface CacheEntry extends CachedUserRecipes {
  format: typeof CACHE_FORMAT;
}

/**
 * The cache key of a set of user recipe files: the library version (it fixes the built-in recipes a file
 * may `extends` and the schema it is validated by), then each file's path and exact text, in load order.
 * A changed byte, a renamed file or another library version is another key.
 */
export function userRecipesKey(files: readonly RecipeFile[]): string {
  const h = createHash("sha256");
  h.update(`arcrun-user-recipes\0${CACHE_FORMAT}\0${version}\0`);
  for (const f of files) h.update(`${f.file.length}:${f.file}\0${Buffer.byteLength(f.text)}:${f.text}\0`);
  return h.digest("hex");
}

function isEntry(v: unknown): v is CacheEntry {
  if (!v || typeof v !== "object") return false;
  const e = v as Partial<CacheEntry>;
  return (
    e.format === CACHE_FORMAT &&
    Array.isArray(e.recipes) &&
    e.recipes.every(
      (r: unknown) =>
        !!r &&
        typeof r === "object" &&
        typeof (r as Recipe).id === "string" &&
        typeof (r as Recipe).primitive === "string" &&
        Array.isArray((r as Recipe).hosts),
    ) &&
    Array.isArray(e.broken) &&
    e.broken.every(
      (b: unknown) =>
        !!b &&
        typeof b === "object" &&
        typeof (b as { file?: unknown }).file === "string" &&
        typeof (b as { service?: unknown }).service === "string" &&
        typeof (b as { message?: unknown }).message === "string",
    )
  );
}

/** The cached result for `key`, or undefined when there is none or it cannot be used (it is then rewritten). */
export async function readCachedUserRecipes(
  dir: string,
  key: string,
): Promise<CachedUserRecipes | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, `${key}.json`), "utf8");
  } catch {
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  return isEntry(parsed) ? { recipes: parsed.recipes, broken: parsed.broken } : undefined;
}

/**
 * Stores a validated result under `key` (atomically: a reader sees a whole entry or none), then removes
 * entries written more than 30 days ago. A failure to write only costs the next start a validation, so it is ignored.
 */
export async function writeCachedUserRecipes(
  dir: string,
  key: string,
  result: CachedUserRecipes,
): Promise<void> {
  const entry: CacheEntry = { format: CACHE_FORMAT, ...result };
  try {
    await writeFileAtomic(join(dir, `${key}.json`), JSON.stringify(entry));
    const now = Date.now();
    for (const name of await readdir(dir)) {
      if (!/^[0-9a-f]{64}\.json$/.test(name) || name === `${key}.json`) continue;
      const path = join(dir, name);
      const s = await stat(path).catch(() => undefined);
      if (s && now - s.mtimeMs > STALE_MS) await unlink(path).catch(() => undefined);
    }
  } catch {
    // An unwritable cache directory: the recipes were validated and are used; the next start validates again.
  }
}

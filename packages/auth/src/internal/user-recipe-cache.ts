import { createHash } from "node:crypto";
import { readdir, readFile, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { Recipe } from "@arcrun/recipes";
import type { RecipeSource as RecipeFile } from "@arcrun/recipes/node";
import { version } from "../../package.json";
import { ArcrunError } from "../errors.js";
import { writeFileAtomic } from "./atomic-write.js";
import type { RecipeFileError, UserRecipes } from "./user-recipes.js";

/** Bumped when the shape of a cache entry changes: older entries then miss and are rewritten. */
const CACHE_FORMAT = 1;
/** Entries written longer ago than this are removed when a new one is written (a later start rewrites one). */
const STALE_MS = 30 * 24 * 3600 * 1000;

interface CacheEntry {
  format: typeof CACHE_FORMAT;
  recipes: Recipe[];
  broken: { file: string; service: string; message: string }[];
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
export async function readCachedUserRecipes(dir: string, key: string): Promise<UserRecipes | undefined> {
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
  if (!isEntry(parsed)) return undefined;
  const broken = new Map<string, RecipeFileError>();
  for (const b of parsed.broken) {
    broken.set(b.service, {
      file: b.file,
      service: b.service,
      error: new ArcrunError("ERR_RECIPE_INVALID", b.message, { service: b.service }),
    });
  }
  return { recipes: new Map(parsed.recipes.map((r) => [r.id, r])), broken };
}

/**
 * Stores a validated result under `key` (atomically: a reader sees a whole entry or none), then removes
 * entries written more than 30 days ago. A failure to write only costs the next start a validation, so it is ignored.
 */
export async function writeCachedUserRecipes(dir: string, key: string, result: UserRecipes): Promise<void> {
  const entry: CacheEntry = {
    format: CACHE_FORMAT,
    recipes: [...result.recipes.values()],
    broken: [...result.broken.values()].map((b) => ({
      file: b.file,
      service: b.service,
      message: b.error.message,
    })),
  };
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

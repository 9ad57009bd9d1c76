import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { RecipeSource } from "./loader.js";

/** The `.yaml` / `.yml` files of a directory as recipe sources, sorted by name; a missing directory has none. */
export async function readRecipeDir(dir: string): Promise<RecipeSource[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw cause;
  }
  const files = names.filter((n) => /\.ya?ml$/i.test(n)).sort();
  return Promise.all(
    files.map(async (n) => ({ file: join(dir, n), text: await readFile(join(dir, n), "utf8") })),
  );
}

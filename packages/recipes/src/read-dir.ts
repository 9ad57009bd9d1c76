import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { RecipeError } from "./errors.js";
import { MAX_RECIPE_FILE_BYTES, recipeTooLarge } from "./limits.js";
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
    files.map(async (n) => {
      const file = join(dir, n);
      // Refused by its size before it is read whole.
      const { size } = await stat(file);
      if (size > MAX_RECIPE_FILE_BYTES) throw new RecipeError(file, [], recipeTooLarge(size));
      return { file, text: await readFile(file, "utf8") };
    }),
  );
}

import { parseRecipes } from "./index.js";
import type { RecipeSource } from "./loader.js";
import { readRecipeDir } from "./read-dir.js";
import type { Recipe } from "./types.js";

/**
 * Loads user recipes from directories, in order: a later directory overrides an earlier one, and all of
 * them override or extend the built-in catalogue. Returns only the recipes these directories define.
 */
export async function loadRecipeDirs(dirs: readonly string[]): Promise<Recipe[]> {
  const sources: RecipeSource[] = [];
  for (const d of dirs) sources.push(...(await readRecipeDir(d)));
  if (sources.length === 0) return [];
  return parseRecipes(sources);
}

export type { RecipeSource } from "./loader.js";
export { readRecipeDir } from "./read-dir.js";

/**
 * Parses a YAML document (for `$ARCRUN_HOME/config.yaml`) with the yaml parser this package bundles, so
 * arcrun-auth needs no yaml dependency of its own. The parser loads on the first call.
 */
export async function parseYaml(text: string): Promise<unknown> {
  const { parse } = await import("./internal/yaml.js");
  return parse(text) as unknown;
}

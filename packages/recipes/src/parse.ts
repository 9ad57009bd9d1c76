import { builtinBases } from "./catalog.js";
import type { RecipeSource } from "./loader.js";
import type { Recipe, RecipeWarning } from "./types.js";

/**
 * Parses and validates recipe files (YAML), resolving `extends` against each other and the built-in
 * catalogue. Later files replace earlier ones with the same id. yaml and zod load here, on first use.
 */
export async function parseRecipes(sources: readonly RecipeSource[]): Promise<Recipe[]> {
  const { parseRecipeSource, resolveRecipes } = await import("./loader.js");
  const raws = [];
  for (const s of sources) raws.push(await parseRecipeSource(s));
  return resolveRecipes(raws, builtinBases()).recipes;
}

/** Parses and validates one recipe file; `fileName` must be `<id>.yaml` and is named in every error. */
export async function parseRecipe(text: string, fileName: string): Promise<Recipe | undefined> {
  const [recipe] = await parseRecipes([{ file: fileName, text }]);
  return recipe;
}

/**
 * Parses and validates one recipe file as {@link parseRecipe} does, and also returns its warnings: what is
 * valid but unwise (a secret in a URL path or query without `secret_in_url: required`).
 */
export async function validateRecipe(
  text: string,
  fileName: string,
): Promise<{ recipe: Recipe | undefined; warnings: RecipeWarning[] }> {
  const { parseRecipeSource, resolveRecipes } = await import("./loader.js");
  const { recipes, warnings } = resolveRecipes(
    [await parseRecipeSource({ file: fileName, text })],
    builtinBases(),
  );
  return { recipe: recipes[0], warnings };
}

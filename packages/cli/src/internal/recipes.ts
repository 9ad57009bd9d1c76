import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import type { Recipe } from "@arcrun/recipes";
import { CliError } from "./errors.js";
import { suggest } from "./suggest.js";

type Env = Readonly<Record<string, string | undefined>>;

/** `$ARCRUN_HOME`, default `~/.arcrun`. */
export function arcrunHome(env: Env): string {
  return env.ARCRUN_HOME || join(homedir(), ".arcrun");
}

/** User recipe directories in override order: `$ARCRUN_HOME/recipes`, then each of `ARCRUN_RECIPES_DIR`. */
export function recipeDirs(env: Env): string[] {
  const extra = (env.ARCRUN_RECIPES_DIR ?? "").split(delimiter).filter((d) => d !== "");
  return [join(arcrunHome(env), "recipes"), ...extra];
}

/** Built-in recipes overridden and extended by user recipes (yaml and zod load only if there are any). */
export async function allRecipes(env: Env): Promise<Recipe[]> {
  const { loadCatalog } = await import("@arcrun/recipes");
  const { loadRecipeDirs } = await import("@arcrun/recipes/node");
  const byId = new Map<string, Recipe>(loadCatalog().map((r) => [r.id, r]));
  for (const r of await loadRecipeDirs(recipeDirs(env))) byId.set(r.id, r);
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
}

export function unknownService(id: string, known: Iterable<string>): CliError {
  const near = suggest(id, known);
  return new CliError(
    "ERR_UNKNOWN_SERVICE",
    `unknown service "${id}"${near.length > 0 ? ` (did you mean: ${near.join(", ")}?)` : ""}`,
    "run: arcrun list   (or add a recipe in $ARCRUN_HOME/recipes/)",
  );
}

export async function findRecipe(env: Env, id: string): Promise<Recipe> {
  const recipes = await allRecipes(env);
  const recipe = recipes.find((r) => r.id === id);
  if (!recipe)
    throw unknownService(
      id,
      recipes.map((r) => r.id),
    );
  return recipe;
}

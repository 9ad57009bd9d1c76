import type { Recipe } from "@arcrun/recipes";
import type { RecipeSource } from "@arcrun/recipes/node";
import { ArcrunError } from "../errors.js";

/** A user recipe file that cannot be used: only the service it defines fails, with `error`. */
export interface RecipeFileError {
  /** The file, as found in the recipe directory. */
  file: string;
  /** The id the file defines: its file name without `.yaml` (recipe files are named `<id>.yaml`). */
  service: string;
  /** ERR_RECIPE_INVALID, naming the file and the key path. */
  error: ArcrunError;
}

/** The user recipe directories, loaded: the recipes that validate, and the ids whose files do not. */
export interface UserRecipes {
  recipes: Map<string, Recipe>;
  broken: Map<string, RecipeFileError>;
}

function idOf(file: string): string {
  return (file.split(/[\\/]/).pop() ?? file).replace(/\.ya?ml$/i, "");
}

function fileOf(err: unknown): string | undefined {
  if (!(err instanceof Error) || (err as { code?: unknown }).code !== "ERR_RECIPE_INVALID") return undefined;
  const file = (err as { file?: unknown }).file;
  return typeof file === "string" ? file : undefined;
}

/**
 * Loads user recipe files one bad file at a time: a file that does not validate marks its id broken (the
 * built-in recipe of that id is NOT used instead: a broken override of gitlab for a self-hosted host must
 * never send that credential to gitlab.com), and so does every file extending a broken id; the other
 * files load as usual.
 */
export async function loadUserRecipes(
  dirs: readonly string[],
  options: { cacheDir?: string | undefined } = {},
): Promise<UserRecipes> {
  const { readRecipeDir } = await import("@arcrun/recipes/node");
  const sources: RecipeSource[] = [];
  for (const d of dirs) sources.push(...(await readRecipeDir(d)));
  const { cacheDir } = options;
  if (cacheDir === undefined) return validateUserRecipes(sources);
  // Validated results are cached as JSON by the files' content, so an unchanged set of recipes loads with
  // neither yaml nor zod (docs/architecture.md "Recipe sources").
  const { readCachedUserRecipes, userRecipesKey, writeCachedUserRecipes } = await import(
    "./user-recipe-cache.js"
  );
  const key = userRecipesKey(sources);
  const cached = await readCachedUserRecipes(cacheDir, key);
  if (cached) {
    const broken = new Map<string, RecipeFileError>();
    for (const b of cached.broken) {
      const error = new ArcrunError("ERR_RECIPE_INVALID", b.message, { service: b.service });
      broken.set(b.service, { file: b.file, service: b.service, error });
    }
    return { recipes: new Map(cached.recipes.map((r) => [r.id, r])), broken };
  }
  const result = await validateUserRecipes(sources);
  await writeCachedUserRecipes(cacheDir, key, {
    recipes: [...result.recipes.values()],
    broken: [...result.broken.values()].map((b) => ({
      file: b.file,
      service: b.service,
      message: b.error.message,
    })),
  });
  return result;
}

async function validateUserRecipes(sources: readonly RecipeSource[]): Promise<UserRecipes> {
  const [{ parseYaml }, { parseRecipes }] = await Promise.all([
    import("@arcrun/recipes/node"),
    import("@arcrun/recipes"),
  ]);
  const broken = new Map<string, RecipeFileError>();
  const parents = new Map<string, string | undefined>();
  for (const s of sources) {
    const data = await parseYaml(s.text).catch(() => undefined);
    const parent = (data as { extends?: unknown } | null | undefined)?.extends;
    parents.set(s.file, typeof parent === "string" ? parent : undefined);
  }
  const markBroken = (file: string, error: ArcrunError) => {
    const service = idOf(file);
    if (!broken.has(service)) broken.set(service, { file, service, error });
  };
  for (;;) {
    // Files that extend a broken id fail with it (never silently fall back to a built-in parent).
    let changed = true;
    while (changed) {
      changed = false;
      for (const s of sources) {
        const parent = parents.get(s.file);
        const id = idOf(s.file);
        const cause = parent === undefined || parent === id ? undefined : broken.get(parent);
        if (cause && !broken.has(id)) {
          markBroken(
            s.file,
            new ArcrunError(
              "ERR_RECIPE_INVALID",
              `${s.file}: extends: the recipe "${parent}", which is broken (${cause.file}). Fix that file, then run: arcrun recipe validate ${cause.file}`,
              { service: id },
            ),
          );
          changed = true;
        }
      }
    }
    const usable = sources.filter((s) => !broken.has(idOf(s.file)));
    if (usable.length === 0) return { recipes: new Map(), broken };
    try {
      const list = await parseRecipes(usable);
      return { recipes: new Map(list.map((r) => [r.id, r])), broken };
    } catch (err) {
      const file = fileOf(err);
      if (file === undefined || !usable.some((s) => s.file === file)) throw err;
      markBroken(
        file,
        new ArcrunError("ERR_RECIPE_INVALID", (err as Error).message, {
          cause: err,
          service: idOf(file),
        }),
      );
    }
  }
}

import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { getRecipe, loadCatalog, type Recipe } from "@arcrun/recipes";
import { ArcrunError, isArcrunError } from "../../errors.js";
import { inEffect, installedCatalogueFile, readInstalledCatalogue } from "../catalogue/installed.js";
import { suggest } from "../suggest.js";
import { loadUserRecipes, type RecipeFileError, type UserRecipes } from "../user-recipes.js";

export interface RecipeSourceOptions {
  home: string;
  env: Readonly<Record<string, string | undefined>>;
  /** User recipe directories, later ones win; default `$ARCRUN_HOME/recipes` then `$ARCRUN_RECIPES_DIR`. */
  recipesDirs?: readonly string[] | undefined;
}

/**
 * Where recipes come from, later layers winning (docs/architecture.md "Recipe sources"): the built-in
 * catalogue, then an installed signed catalogue update (`arcrun recipes update`), then user recipe files.
 * User recipes (with yaml and zod) load only when a recipe directory exists, from a JSON cache when their
 * files are unchanged; a file that does not validate breaks only its service.
 */
export class RecipeSource {
  readonly #options: RecipeSourceOptions;
  #userRecipes: Promise<UserRecipes> | undefined;
  #updates: Promise<Map<string, Recipe>> | undefined;

  constructor(options: RecipeSourceOptions) {
    this.#options = options;
  }

  #dirs(): string[] {
    if (this.#options.recipesDirs) return [...this.#options.recipesDirs];
    const extra = (this.#options.env.ARCRUN_RECIPES_DIR ?? "").split(delimiter).filter((d) => d !== "");
    return [join(this.#options.home, "recipes"), ...extra];
  }

  hasUserRecipeDirs(): boolean {
    return this.#dirs().some((d) => existsSync(d));
  }

  /** The recipes of the installed catalogue update in effect, by id (none when there is no update). */
  updates(): Promise<Map<string, Recipe>> {
    this.#updates ??= readInstalledCatalogue(this.#options.home).then(
      (c) => new Map(inEffect(c) ? c.recipes.map((r) => [r.id, r]) : []),
      (err: unknown) => {
        this.#updates = undefined;
        throw err;
      },
    );
    return this.#updates;
  }

  user(): Promise<UserRecipes> {
    if (!this.#userRecipes) {
      const dirs = this.#dirs().filter((d) => existsSync(d));
      this.#userRecipes =
        dirs.length === 0
          ? Promise.resolve({ recipes: new Map(), broken: new Map() })
          : loadUserRecipes(dirs, { cacheDir: join(this.#options.home, "cache", "recipes") }).catch(
              (err: unknown) => {
                this.#userRecipes = undefined;
                throw toRecipeError(err);
              },
            );
    }
    return this.#userRecipes;
  }

  /** Throws ERR_UNKNOWN_SERVICE at once when the service is unknown and no user recipe could define it. */
  checkKnownSync(service: string): void {
    if (
      !this.hasUserRecipeDirs() &&
      !getRecipe(service) &&
      !existsSync(installedCatalogueFile(this.#options.home))
    ) {
      throw unknownService(service);
    }
  }

  async recipe(service: string): Promise<Recipe> {
    const [{ recipes: user, broken }, updates] = await Promise.all([this.user(), this.updates()]);
    const bad = broken.get(service);
    if (bad) throw bad.error;
    const r = user.get(service) ?? updates.get(service) ?? getRecipe(service);
    if (!r) {
      throw unknownService(service, [...loadCatalog().map((c) => c.id), ...updates.keys(), ...user.keys()]);
    }
    return r;
  }

  async recipes(): Promise<Recipe[]> {
    const [{ recipes: user, broken }, updates] = await Promise.all([this.user(), this.updates()]);
    const all = new Map(loadCatalog().map((r) => [r.id, r]));
    for (const [id, r] of updates) all.set(id, r);
    for (const [id, r] of user) all.set(id, r);
    for (const id of broken.keys()) all.delete(id);
    return [...all.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  async recipeErrors(): Promise<RecipeFileError[]> {
    const { broken } = await this.user();
    return [...broken.values()].sort((a, b) => a.service.localeCompare(b.service));
  }
}

/** ERR_UNKNOWN_SERVICE, with the nearest ids by edit distance (`notoin` -> notion). */
export function unknownService(
  service: string,
  ids: Iterable<string> = loadCatalog().map((r) => r.id),
): ArcrunError {
  const near = suggest(service.slice(0, 64), ids);
  return new ArcrunError(
    "ERR_UNKNOWN_SERVICE",
    `Unknown service "${service.slice(0, 64)}"${near.length > 0 ? ` (did you mean: ${near.join(", ")}?)` : ""}; a new service needs a recipe in $ARCRUN_HOME/recipes/; to see every service, run: arcrun list`,
    { service },
  );
}

function toRecipeError(err: unknown): unknown {
  if (
    err instanceof Error &&
    (err as { code?: string }).code === "ERR_RECIPE_INVALID" &&
    !isArcrunError(err)
  ) {
    return new ArcrunError("ERR_RECIPE_INVALID", err.message, { cause: err });
  }
  return err;
}

import data from "../generated/catalog.json";
import type { Recipe } from "./types.js";

/** The built catalogue: validated and resolved at build time, so loading it needs neither yaml nor zod. */
export interface CatalogData {
  version: 1;
  recipes: Recipe[];
  bases: Record<string, Record<string, unknown>>;
}

const catalog = data as unknown as CatalogData;
let byId: Map<string, Recipe> | undefined;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Every built-in, non-abstract recipe, sorted by id. The objects are frozen: copy before changing. */
export function loadCatalog(): readonly Recipe[] {
  return deepFreeze(catalog.recipes);
}

/** One built-in recipe by id, or undefined. */
export function getRecipe(id: string): Recipe | undefined {
  byId ??= new Map(loadCatalog().map((r) => [r.id, r]));
  return byId.get(id);
}

/** The built-in recipes and abstract bases that a user recipe may `extends`. */
export function builtinBases(): {
  recipes: readonly Recipe[];
  bases: Readonly<Record<string, Record<string, unknown>>>;
} {
  return { recipes: loadCatalog(), bases: deepFreeze(catalog.bases) };
}

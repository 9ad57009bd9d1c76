import data from "../generated/catalog-split.json";
import type { Recipe } from "./types.js";

/** The built catalogue: validated and resolved at build time, so loading it needs neither yaml nor zod. */
export interface CatalogData {
  version: 1;
  recipes: Recipe[];
  bases: Record<string, Record<string, unknown>>;
}

/**
 * The catalogue as bundled (scripts/build-catalog.ts): each recipe's JSON text by id, in id order, so that
 * one service costs one JSON.parse however large the catalogue grows (docs/architecture.md "Recipe sources").
 */
interface SplitCatalog {
  version: 1;
  recipes: Record<string, string>;
  bases: string;
}

const split = data as unknown as SplitCatalog;
const parsed = new Map<string, Recipe>();
let all: readonly Recipe[] | undefined;
let bases: Readonly<Record<string, Record<string, unknown>>> | undefined;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Every built-in, non-abstract recipe, sorted by id. The objects are frozen: copy before changing. */
export function loadCatalog(): readonly Recipe[] {
  all ??= Object.freeze(Object.keys(split.recipes).map((id) => getRecipe(id) as Recipe));
  return all;
}

/** One built-in recipe by id, or undefined. Parses only that recipe. */
export function getRecipe(id: string): Recipe | undefined {
  let r = parsed.get(id);
  if (r) return r;
  const text = Object.hasOwn(split.recipes, id) ? split.recipes[id] : undefined;
  if (text === undefined) return undefined;
  r = deepFreeze(JSON.parse(text) as Recipe);
  parsed.set(id, r);
  return r;
}

/** The built-in recipes and abstract bases that a user recipe may `extends`. */
export function builtinBases(): {
  recipes: readonly Recipe[];
  bases: Readonly<Record<string, Record<string, unknown>>>;
} {
  bases ??= deepFreeze(JSON.parse(split.bases) as Record<string, Record<string, unknown>>);
  return { recipes: loadCatalog(), bases };
}

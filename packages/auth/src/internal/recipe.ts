import type { InjectSpec, PrimitiveName, Recipe } from "@arcrun/recipes";
import { primitives } from "../strategies/index.js";

/** The inject block for a primitive: the block's own (`oauth2.inject`), else the recipe's top-level one. */
export function injectFor(recipe: Recipe, primitive: PrimitiveName): InjectSpec | undefined {
  return primitives[primitive].inject?.(recipe) ?? recipe.inject;
}

/** The primitives a recipe can be used with: its own first, then any alternative whose block it has. */
export function primitivesOf(recipe: Recipe): PrimitiveName[] {
  const out: PrimitiveName[] = [recipe.primitive];
  for (const [name, entry] of Object.entries(primitives) as Array<
    [PrimitiveName, (typeof primitives)[PrimitiveName]]
  >) {
    if (name !== recipe.primitive && entry.block?.(recipe) !== undefined) out.push(name);
  }
  return out;
}

import type { PrimitiveName, Recipe } from "@arcrun/recipes";
import { ArcrunError } from "../../errors.js";
import { validInstance } from "../credential.js";
import { primitivesOf } from "../recipe.js";

/** The instance name, "default" when none: letters, digits, "_", "-", "." (it becomes part of a store key). */
export function checkInstance(service: string, instance: string | undefined): string {
  const i = instance ?? "default";
  if (!validInstance(i)) {
    throw new ArcrunError(
      "ERR_INVALID_OPTION",
      `Instance names are letters, digits, "_", "-" and "." (up to 64), got ${JSON.stringify(i).slice(0, 80)}. Run: arcrun list`,
      { service },
    );
  }
  return i;
}

/** The primitive `via` names, when the recipe offers it; the recipe's own without `via`. */
export function choosePrimitive(recipe: Recipe, via: PrimitiveName | undefined): PrimitiveName {
  if (via === undefined) return recipe.primitive;
  const offered = primitivesOf(recipe);
  if (!offered.includes(via)) {
    throw new ArcrunError(
      "ERR_INVALID_OPTION",
      `${recipe.id} cannot be used via ${via}; it offers ${offered.join(", ")}. Run: arcrun recipe show ${recipe.id}`,
      { service: recipe.id },
    );
  }
  return via;
}

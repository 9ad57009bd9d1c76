import type { InjectSpec, PrimitiveName, Recipe } from "@arcrun/recipes";

/** The inject block for a primitive: the block's own (`oauth2.inject`), else the recipe's top-level one. */
export function injectFor(recipe: Recipe, primitive: PrimitiveName): InjectSpec | undefined {
  switch (primitive) {
    case "oauth2":
      return recipe.oauth2?.inject ?? recipe.inject;
    case "service_account":
      return recipe.service_account?.inject ?? recipe.inject;
    case "static_key":
    case "aws_sigv4":
      return recipe.inject;
    default: {
      const never: never = primitive;
      return never;
    }
  }
}

/** The primitives a recipe can be used with: its own first, then any alternative block present. */
export function primitivesOf(recipe: Recipe): PrimitiveName[] {
  const out: PrimitiveName[] = [recipe.primitive];
  if (recipe.oauth2 && recipe.primitive !== "oauth2") out.push("oauth2");
  if (recipe.service_account && recipe.primitive !== "service_account") out.push("service_account");
  if (recipe.aws_sigv4 && recipe.primitive !== "aws_sigv4") out.push("aws_sigv4");
  return out;
}

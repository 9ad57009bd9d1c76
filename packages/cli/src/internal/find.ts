import type { Recipe } from "@arcrun/recipes";

/** What `arcrun list --category/--search` narrows the catalogue by (docs/cli.md "list"). */
export interface ServiceFilter {
  /** One of a recipe's `categories`, any case. */
  category?: string;
  /** A word found in the id, display name or description, any case. */
  search?: string;
}

/** The fields a filter reads from a recipe. */
export type Findable = Pick<Recipe, "id" | "display_name" | "categories"> & { description?: string };

function norm(s: string): string {
  return s.trim().toLowerCase();
}

/** Whether a recipe passes the filter: in the category (when given) and holding the word (when given). */
export function matches(recipe: Findable, filter: ServiceFilter): boolean {
  if (filter.category !== undefined) {
    const want = norm(filter.category);
    if (!recipe.categories.some((c) => norm(c) === want)) return false;
  }
  if (filter.search !== undefined) {
    const word = norm(filter.search);
    const hay = [recipe.id, recipe.display_name, recipe.description ?? ""].map(norm);
    // `google drive` finds google_drive: an id's underscores read as spaces.
    if (!hay.some((h) => h.includes(word) || h.replace(/_/g, " ").includes(word))) return false;
  }
  return true;
}

/** Every category of these recipes, sorted, each once (in lower case: categories match in any case). */
export function categoriesOf(recipes: readonly Findable[]): string[] {
  return [...new Set(recipes.flatMap((r) => r.categories.map(norm)))].sort();
}

import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { getRecipe } from "@arcrun/recipes";

/**
 * Overrides the built-in notion recipe in ARCRUN_HOME/recipes with a copy whose base_url and hosts are
 * the local stand-in (JSON is YAML, so the built-in's resolved form is a valid user recipe).
 */
export async function localNotionRecipe(home: string, origin: string): Promise<void> {
  const builtin = getRecipe("notion");
  if (!builtin) throw new Error("the built-in catalogue has no notion recipe");
  const recipe = { ...builtin, base_url: `${origin}/v1`, hosts: [new URL(origin).hostname] };
  await writeFile(join(home, "recipes", "notion.yaml"), JSON.stringify(recipe, null, 2));
}

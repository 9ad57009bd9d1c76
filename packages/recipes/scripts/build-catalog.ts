// Validates every recipe in recipes/, resolves `extends`, and writes generated/catalog.json, its split form
// generated/catalog-split.json (bundled into the package, so that loadCatalog() needs neither yaml nor zod)
// and recipe.schema.json (for editors).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { parseRecipeSource, resolveRecipes } from "../src/loader.js";
import { readRecipeDir } from "../src/read-dir.js";
import { RecipeFileSchema } from "../src/schema.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export function recipeJsonSchema(): string {
  const schema = z.toJSONSchema(RecipeFileSchema, { io: "input", unrepresentable: "any" });
  return `${JSON.stringify({ ...schema, title: "arcrun recipe" }, null, 2)}\n`;
}

async function main() {
  const sources = await readRecipeDir(join(root, "recipes"));
  const raws = [];
  for (const s of sources)
    raws.push(await parseRecipeSource({ ...s, file: `recipes/${s.file.split("/").pop()}` }));
  const { recipes, bases } = resolveRecipes(raws);
  mkdirSync(join(root, "generated"), { recursive: true });
  writeFileSync(join(root, "generated", "catalog.json"), JSON.stringify({ version: 1, recipes, bases }));
  // What the package bundles (src/catalog.ts): each recipe as its own JSON text, so that getRecipe("notion")
  // parses one recipe, not the whole catalogue; string literals cost the JavaScript parser next to nothing.
  const split = Object.fromEntries(recipes.map((r) => [r.id, JSON.stringify(r)]));
  writeFileSync(
    join(root, "generated", "catalog-split.json"),
    JSON.stringify({ version: 1, recipes: split, bases: JSON.stringify(bases) }),
  );
  writeFileSync(join(root, "recipe.schema.json"), recipeJsonSchema());
  console.log(`@arcrun/recipes: ${recipes.length} recipes, ${Object.keys(bases).length} bases`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}

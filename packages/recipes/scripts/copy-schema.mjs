import { copyFileSync } from "node:fs";

copyFileSync("recipe.schema.json", "dist/recipe.schema.json");

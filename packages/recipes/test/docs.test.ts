import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseRecipe } from "../src/parse.js";

/** docs/recipes.md is what users copy from: every complete recipe in it must load. */
const doc = readFileSync(join(__dirname, "..", "..", "..", "docs", "recipes.md"), "utf8");
const blocks = Array.from(doc.matchAll(/```yaml\n([\s\S]*?)```/g), (m) => m[1] ?? "").filter((b) =>
  /^id: /m.test(b),
);

describe("docs/recipes.md", () => {
  it("has the static-key, OAuth2, base and override examples", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
  });

  it.each(blocks.map((b) => [b.match(/^id: (\S+)/m)?.[1] ?? "?", b]))(
    "the %s example is a valid recipe",
    async (id, text) => {
      const recipe = await parseRecipe(text, `${id}.yaml`);
      expect(recipe?.id).toBe(id);
      expect(recipe?.test?.path).toBeTruthy();
    },
  );
});

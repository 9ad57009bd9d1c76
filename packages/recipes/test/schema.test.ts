// The recipe schema's id rule: lower_snake_case, and the arcrun_ prefix reserved for arcrun's own
// credential store entries (arcrun-auth's reserved secrets, e.g. the executor's keys in arcrun_executor/<host>).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RecipeFileSchema, RecipeSchema } from "../src/schema.js";

const base = {
  display_name: "Example",
  docs_url: "https://example.com/docs",
  primitive: "static_key",
  base_url: "https://api.example.com",
  hosts: ["api.example.com"],
};

function idIssues(schema: typeof RecipeSchema | typeof RecipeFileSchema, id: string): string[] {
  const r = schema.safeParse({ ...base, id });
  return r.success ? [] : r.error.issues.filter((i) => i.path[0] === "id").map((i) => i.message);
}

describe("recipe id", () => {
  it('refuses ids starting with "arcrun_", in a file and in a merged recipe, saying why', () => {
    for (const schema of [RecipeSchema, RecipeFileSchema]) {
      for (const id of ["arcrun_executor", "arcrun_", "arcrun_github"]) {
        expect(idIssues(schema, id)).toEqual([
          'ids starting with "arcrun_" are reserved for arcrun\'s own credential store entries (such as arcrun_executor/<host>); rename the recipe (and its file)',
        ]);
      }
    }
  });

  it("accepts other lower_snake_case ids, arcrun without the underscore and _bases included", () => {
    for (const id of ["github", "my_arcrun_thing", "arcrun", "arcrunner", "_oauth_base"])
      expect(idIssues(RecipeSchema, id), id).toEqual([]);
    expect(idIssues(RecipeSchema, "Not-Snake")).toEqual(["a lower_snake_case id"]);
  });

  it("recipe.schema.json carries the rule for editors", () => {
    const json = JSON.parse(readFileSync(join(__dirname, "..", "recipe.schema.json"), "utf8")) as {
      properties: { id: { pattern?: string; allOf?: { pattern: string }[] } };
    };
    const { id } = json.properties;
    const patterns = [id.pattern, ...(id.allOf ?? []).map((p) => p.pattern)].filter(
      (p): p is string => p !== undefined,
    );
    // An editor checks every pattern (ECMA-262 regular expressions, JSON Schema 2020-12 §6.3.3).
    const valid = (v: string) => patterns.every((p) => new RegExp(p, "u").test(v));
    expect(valid("github")).toBe(true);
    expect(valid("arcrun")).toBe(true);
    expect(valid("arcrun_executor")).toBe(false);
    expect(valid("Not-Snake")).toBe(false);
  });
});

describe("oauth2 refresh_on_status", () => {
  const oauth = (extra: Record<string, unknown>) =>
    RecipeSchema.safeParse({
      ...base,
      id: "example",
      primitive: "oauth2",
      oauth2: { authorize_url: "https://example.com/a", token_url: "https://example.com/t", ...extra },
    });

  it("defaults to [401]", () => {
    const r = oauth({});
    expect(r.success).toBe(true);
    expect(r.data?.oauth2?.refresh_on_status).toEqual([401]);
  });

  it("takes 4xx statuses (Figma: [401, 403]) and refuses others or an empty list", () => {
    expect(oauth({ refresh_on_status: [401, 403] }).data?.oauth2?.refresh_on_status).toEqual([401, 403]);
    expect(oauth({ refresh_on_status: [500] }).success).toBe(false);
    expect(oauth({ refresh_on_status: [200] }).success).toBe(false);
    expect(oauth({ refresh_on_status: [] }).success).toBe(false);
    expect(oauth({ refresh_on_status: [401.5] }).success).toBe(false);
  });
});

import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";

const pkg = join(import.meta.dirname, "..");

describe("built catalogue, split by recipe", () => {
  afterEach(() => vi.restoreAllMocks());

  it("getRecipe parses only the recipe asked for; loadCatalog parses the rest once", async () => {
    const parse = vi.spyOn(JSON, "parse");
    const built = (await import(join(pkg, "dist/index.js"))) as typeof import("../src/index.js");
    const recipeParses = () =>
      parse.mock.calls.filter(([t]) => typeof t === "string" && t.startsWith('{"id":'));
    expect(recipeParses()).toHaveLength(0);

    const notion = built.getRecipe("notion");
    expect(notion?.hosts).toEqual(["api.notion.com"]);
    expect(recipeParses().map(([t]) => /^\{"id":"([a-z0-9_]+)"/.exec(String(t))?.[1])).toEqual(["notion"]);
    expect(built.getRecipe("notion")).toBe(notion);
    expect(recipeParses()).toHaveLength(1);
    expect(Object.isFrozen(notion) && Object.isFrozen(notion?.hosts)).toBe(true);
    expect(built.getRecipe("no_such_service")).toBeUndefined();
    expect(built.getRecipe("toString")).toBeUndefined();

    const all = built.loadCatalog();
    expect(all.length).toBeGreaterThan(1);
    expect(all.map((r) => r.id)).toEqual([...all.map((r) => r.id)].sort());
    expect(all.find((r) => r.id === "notion")).toBe(notion);
    expect(recipeParses()).toHaveLength(all.length);
  });
});

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RecipeError } from "../src/errors.js";

describe("RecipeError", () => {
  it("says where and what, and ends with the command to run next", () => {
    const err = new RecipeError("acme.yaml", ["oauth2", "token_url"], "an absolute URL");
    expect(err).toMatchObject({
      name: "RecipeError",
      code: "ERR_RECIPE_INVALID",
      file: "acme.yaml",
      keyPath: ["oauth2", "token_url"],
      message:
        "acme.yaml: oauth2 > token_url: an absolute URL. Fix the recipe file, then run: arcrun recipe validate acme.yaml",
    });
  });

  it("instanceof holds across copies of the class (the built ESM file vs this source)", async () => {
    const built = (await import(
      join(__dirname, "..", "dist", "index.js")
    )) as typeof import("../src/index.js");
    expect(built.RecipeError).not.toBe(RecipeError);
    expect(new built.RecipeError("a.yaml", [], "x")).toBeInstanceOf(RecipeError);
    expect(new RecipeError("a.yaml", [], "x")).toBeInstanceOf(built.RecipeError);
  });

  it("instanceof refuses look-alikes: other errors, plain objects with the code", () => {
    expect(new Error("x") instanceof RecipeError).toBe(false);
    expect({ code: "ERR_RECIPE_INVALID", name: "RecipeError" } instanceof RecipeError).toBe(false);
  });

  it("a subclass keeps the ordinary check", () => {
    class Sub extends RecipeError {}
    expect(new Sub("a.yaml", [], "x")).toBeInstanceOf(RecipeError);
    expect(new RecipeError("a.yaml", [], "x") instanceof Sub).toBe(false);
  });

  it("the mark is not an own property (logging an error shows only its fields)", () => {
    const err = new RecipeError("a.yaml", [], "x");
    expect(Object.getOwnPropertySymbols(err)).toEqual([]);
  });
});

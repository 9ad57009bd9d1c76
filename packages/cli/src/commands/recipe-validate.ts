import { readFile } from "node:fs/promises";
import type { CommandSpec, Parsed } from "../internal/args.js";
import type { Context } from "../internal/context.js";
import { CliError, EXIT_FAILURE, EXIT_OK } from "../internal/errors.js";

export const spec: CommandSpec = {
  name: "recipe validate",
  summary: "Check a recipe file against the schema and its meaning (hosts, templates, extends).",
  positionals: ["<file>"],
  options: {
    json: {
      type: "boolean",
      description:
        'Print {"valid", "file", "id", "primitive", "warnings"} or {"valid": false, "file", "error"}',
    },
  },
  details:
    "The file name must be <id>.yaml. It may extend built-in recipes and bases (_google_base).\n" +
    "Example:\n  arcrun recipe validate ~/.arcrun/recipes/my_api.yaml",
};

interface RecipeErrorLike {
  code: string;
  message: string;
  file?: string;
  keyPath?: readonly string[];
  expected?: string;
}

function isRecipeError(err: unknown): err is RecipeErrorLike {
  return err instanceof Error && (err as { code?: unknown }).code === "ERR_RECIPE_INVALID";
}

export async function run(ctx: Context, args: Parsed): Promise<number> {
  const file = args.positionals[0] ?? "";
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    const why = (cause as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(cause);
    throw new CliError("ERR_FILE", `cannot read ${file}: ${why}`, "check the path and run again");
  }
  const { validateRecipe } = await import("@arcrun/recipes");
  try {
    const { recipe, warnings } = await validateRecipe(text, file);
    // Warnings never fail validation: each names where and what to do.
    const warningsJson = warnings.map((w) => ({ key_path: w.keyPath, message: w.message }));
    if (!ctx.json)
      for (const w of warnings)
        ctx.ui.err(`${ctx.ui.e.yellow("!")} ${file}: ${w.keyPath.join(" > ")}: ${w.message}`);
    if (!recipe) {
      if (ctx.json)
        ctx.ui.json({ valid: true, file, id: null, primitive: null, abstract: true, warnings: warningsJson });
      else ctx.ui.out(`${ctx.ui.o.green("✔")} ${file}: an abstract base, valid for extends`);
      return EXIT_OK;
    }
    if (ctx.json)
      ctx.ui.json({
        valid: true,
        file,
        id: recipe.id,
        primitive: recipe.primitive,
        abstract: false,
        warnings: warningsJson,
      });
    else ctx.ui.out(`${ctx.ui.o.green("✔")} ${file}: recipe "${recipe.id}" (${recipe.primitive}) is valid`);
    return EXIT_OK;
  } catch (err) {
    if (!isRecipeError(err)) throw err;
    if (ctx.json) {
      ctx.ui.json({
        valid: false,
        file,
        error: {
          code: err.code,
          key_path: err.keyPath ?? [],
          expected: err.expected ?? null,
          message: err.message,
        },
      });
    } else {
      ctx.ui.err(`${ctx.ui.e.red("✖")} ${err.message}`);
    }
    return EXIT_FAILURE;
  }
}

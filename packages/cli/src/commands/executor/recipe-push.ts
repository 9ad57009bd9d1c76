import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { bool, type CommandSpec, type Parsed, str } from "../../internal/args.js";
import type { Context } from "../../internal/context.js";
import { CliError, EXIT_OK, UsageError } from "../../internal/errors.js";
import { ExecutorApiError } from "../../internal/executor-client.js";
import { executorKey, tenantKeyFor } from "./key.js";
import { executorFor } from "./shared.js";

export const spec: CommandSpec = {
  name: "recipe push",
  summary: "Give the executor a recipe for a service the catalogue lacks, after a test with a credential.",
  positionals: ["<file>"],
  options: {
    credential: {
      type: "string",
      arg: "<name>",
      description: "The executor credential the recipe's test request runs with (arcrun creds push <name>)",
    },
    yes: {
      type: "boolean",
      short: "y",
      description: "Confirm the hosts without asking (for scripts; read them in the output)",
    },
    "key-file": {
      type: "string",
      arg: "<file>",
      description: "A file with the executor's ENCRYPTION_KEY or your tenant key (as for creds push)",
    },
    json: {
      type: "boolean",
      description: 'Print {"id", "hosts", "test_status", "bound", "replaced", "pushed_at", "executor"}',
    },
  },
  details:
    "Steps: the file is validated here (as arcrun recipe validate); the executor lists every host the\n" +
    "credential will be sent to (hosts, base_url, OAuth endpoints, rendered with the credential's values);\n" +
    "you confirm them, since data sent to these hosts leaves your control; the executor runs the recipe's\n" +
    "test request with the credential and stores the recipe for your tenant only if it passes. A credential\n" +
    "without a recipe is bound to it; more credentials: arcrun creds push <name> --recipe <id>.\n" +
    "The id may not be a built-in one (rename it, e.g. my_<id>). Without a terminal, --yes is required.\n" +
    "The push is sealed with your tenant's key (found as for creds push), not only the API key.\n" +
    "Examples:\n" +
    "  printf '%s' \"$ACME_TOKEN\" | arcrun creds push acme\n" +
    "  arcrun recipe push acme_api.yaml --credential acme\n" +
    "  arcrun recipe push acme_api.yaml --credential acme --yes --json   # in a script",
};

interface RecipeErrorLike {
  code: string;
  message: string;
}

function isRecipeError(err: unknown): err is RecipeErrorLike {
  return err instanceof Error && (err as { code?: unknown }).code === "ERR_RECIPE_INVALID";
}

/** The file, validated as a user recipe (the same check as `arcrun recipe validate`). */
async function readRecipe(ctx: Context, file: string): Promise<{ id: string; source: string }> {
  let source: string;
  try {
    source = await readFile(file, "utf8");
  } catch (cause) {
    const why = (cause as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(cause);
    throw new CliError("ERR_FILE", `cannot read ${file}: ${why}`, "check the path and run again");
  }
  const { getRecipe, validateRecipe } = await import("@arcrun/recipes");
  let validated: Awaited<ReturnType<typeof validateRecipe>>;
  try {
    validated = await validateRecipe(source, basename(file));
  } catch (err) {
    if (isRecipeError(err)) throw new CliError(err.code, err.message);
    throw err;
  }
  for (const w of validated.warnings)
    ctx.ui.err(`${ctx.ui.e.yellow("!")} ${file}: ${w.keyPath.join(" > ")}: ${w.message}`);
  const recipe = validated.recipe;
  if (!recipe) {
    throw new CliError(
      "ERR_RECIPE_INVALID",
      `${file} is an abstract base (its id starts with _); only a recipe can be pushed`,
      "push a recipe that extends it instead",
    );
  }
  if (getRecipe(recipe.id)) {
    throw new CliError(
      "ERR_RECIPE_EXISTS",
      `"${recipe.id}" is a built-in recipe; a pushed recipe may not replace it`,
      `give yours another id and file name, e.g. my_${recipe.id}.yaml with id: my_${recipe.id}`,
    );
  }
  return { id: recipe.id, source };
}

async function confirmHosts(ctx: Context, credential: string, hosts: string[], yes: boolean): Promise<void> {
  if (yes) return;
  if (!ctx.ui.interactive) {
    throw new CliError(
      "ERR_CONFIRMATION_REQUIRED",
      `recipe push sends credential "${credential}" to ${hosts.join(", ")} and needs your confirmation; nothing was stored`,
      "run it at a terminal to be asked, or add --yes to confirm these hosts",
    );
  }
  const answer = await ctx.prompter().ask({
    message: `Send credential "${credential}" to these hosts? (y/n)`,
    hidden: false,
    defaultValue: "n",
    validate: (v) => (/^(y|yes|n|no)$/i.test(v.trim()) ? undefined : "answer y or n"),
  });
  if (!/^y/i.test(answer.trim())) {
    throw new CliError(
      "ERR_CANCELLED",
      "not confirmed; nothing was stored",
      "run the command again when ready",
    );
  }
}

export async function run(ctx: Context, args: Parsed): Promise<number> {
  const { ui } = ctx;
  const file = args.positionals[0] ?? "";
  const credential = str(args, "credential");
  if (credential === undefined || !/^[A-Za-z0-9_.-]{1,128}$/.test(credential)) {
    throw new UsageError(
      "--credential <name> is required: the executor credential the recipe's test request runs with",
      spec.name,
    );
  }
  const { id, source } = await readRecipe(ctx, file);
  const executor = await executorFor(ctx);
  const key = await executorKey(ui, executor.url, str(args, "key-file"));
  const tenantKey = await tenantKeyFor(key, executor);
  const { sealRecipePush } = await import("@arcrun/workflow");

  const probe = { id, source, credential, confirm_hosts: [] as string[] };
  let check: Awaited<ReturnType<typeof executor.checkRecipe>>;
  try {
    check = await executor.checkRecipe({ ...probe, proof: await sealRecipePush(tenantKey, "check", probe) });
  } catch (err) {
    if (err instanceof ExecutorApiError && err.code === "ERR_NOT_FOUND") {
      throw new CliError(
        "ERR_EXECUTOR",
        `the executor at ${executor.url} has no POST /recipes/check: it is older than this arcrun`,
        "update the executor (wrangler deploy, or git pull and pnpm start for the local one)",
      );
    }
    throw err;
  }
  const previous = check.previous_hosts ? new Set(check.previous_hosts) : undefined;
  ui.err(`Recipe "${id}" is valid. Credential "${credential}" will be sent to these hosts:`);
  for (const h of check.hosts) {
    const mark =
      previous && !previous.has(h) ? ui.e.yellow("  (new: the stored version does not allow it)") : "";
    ui.err(`  ${h}${mark}`);
  }
  ui.err(ui.e.bold("Data sent to these hosts leaves your control."));
  await confirmHosts(ctx, credential, check.hosts, bool(args, "yes"));

  const req = { id, source, credential, confirm_hosts: check.hosts };
  const pushed = await executor.pushRecipe({ ...req, proof: await sealRecipePush(tenantKey, "push", req) });
  if (ctx.json) {
    ui.json({ ...pushed, executor: executor.url });
    return EXIT_OK;
  }
  ui.out(
    `${ui.o.green("✔")} ${pushed.replaced ? "Replaced" : "Stored"} recipe "${pushed.id}" on ${executor.url}: its test request answered ${pushed.test_status} with credential "${credential}"${pushed.bound ? ", which now uses it" : ""}`,
  );
  ui.err(ui.e.dim(`  use it in a workflow: { component: auth_static_key, credential: ${credential} }`));
  ui.err(ui.e.dim(`  more credentials for it: arcrun creds push <name> --recipe ${pushed.id}`));
  return EXIT_OK;
}

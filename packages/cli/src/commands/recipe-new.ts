import { existsSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bool, type CommandSpec, list, type Parsed, str } from "../internal/args.js";
import type { Context } from "../internal/context.js";
import { CliError, EXIT_FAILURE, EXIT_OK, UsageError } from "../internal/errors.js";
import { arcrunHome } from "../internal/recipes.js";
import {
  AUTH_KIND_HELP,
  AUTH_KINDS,
  type AuthKind,
  type ScaffoldAnswers,
  scaffoldRecipe,
  titleOf,
} from "../internal/scaffold.js";

export const spec: CommandSpec = {
  name: "recipe new",
  summary: "Write a new user recipe in $ARCRUN_HOME/recipes from a few answers, then validate it.",
  positionals: ["<id>?"],
  options: {
    name: { type: "string", arg: "<text>", description: "Display name (default from the id)" },
    "docs-url": {
      type: "string",
      arg: "<url>",
      description: "The provider's page about authentication (where the facts come from)",
    },
    "base-url": {
      type: "string",
      arg: "<url>",
      description: "The API's base URL, e.g. https://api.acme.com/v1",
    },
    auth: {
      type: "string",
      arg: "<kind>",
      description: `How it authenticates: ${AUTH_KINDS.join(", ")}`,
    },
    header: { type: "string", arg: "<name>", description: "With --auth header: the header, e.g. X-API-Key" },
    query: { type: "string", arg: "<name>", description: "With --auth query: the parameter, e.g. api_key" },
    "authorize-url": {
      type: "string",
      arg: "<url>",
      description: "With --auth oauth2: the authorization endpoint",
    },
    "token-url": { type: "string", arg: "<url>", description: "With --auth oauth2: the token endpoint" },
    scope: {
      type: "string",
      multiple: true,
      arg: "<scope>",
      description: "With --auth oauth2: a scope (repeat)",
    },
    "test-path": {
      type: "string",
      arg: "<path>",
      description: 'A cheap GET that proves the credential works, e.g. /me ("-" for none)',
    },
    category: { type: "string", multiple: true, arg: "<name>", description: "A category (repeat), e.g. ai" },
    force: { type: "boolean", description: "Replace an existing file of that id" },
    json: {
      type: "boolean",
      description: 'Print {"file", "id", "primitive", "valid", "next"}',
    },
  },
  details:
    "At a terminal it asks for what the flags do not give; in a script give the flags (missing ones are a\n" +
    "usage error naming them). The file is $ARCRUN_HOME/recipes/<id>.yaml, with the schema comment for\n" +
    "editors; it is validated at once, and the next step printed (arcrun setup <id>).\n" +
    "Auth kinds:\n" +
    AUTH_KINDS.map((k) => `  ${k.padEnd(11)}${AUTH_KIND_HELP[k]}`).join("\n") +
    "\nExamples:\n" +
    "  arcrun recipe new acme_api\n" +
    "  arcrun recipe new acme_api --base-url https://api.acme.com/v1 --auth header --header X-API-Key \\\n" +
    "    --docs-url https://docs.acme.com/auth --test-path /me",
};

const ID = /^[a-z][a-z0-9_]{0,63}$/;

function checkUrl(value: string): string | undefined {
  try {
    const u = new URL(value);
    if (
      u.protocol === "https:" ||
      (u.protocol === "http:" && /^(127\.|localhost$|\[::1\]$)/.test(u.hostname))
    )
      return undefined;
    return "an https:// URL (plain http only for 127.0.0.1 or localhost)";
  } catch {
    return "an absolute URL, e.g. https://api.acme.com/v1";
  }
}

function checkId(value: string): string | undefined {
  if (!ID.test(value)) return "a lower_snake_case id: a letter, then letters, digits and _ (acme_api)";
  if (value.startsWith("arcrun_")) return 'ids starting with "arcrun_" are reserved';
  return undefined;
}

/** Fills each answer from its flag, else (at a terminal) by asking; in a script a missing one is listed. */
class Answers {
  readonly missing: string[] = [];
  constructor(
    private readonly ctx: Context,
    private readonly args: Parsed,
  ) {}

  async get(
    flag: string,
    question: string,
    check: (v: string) => string | undefined,
    defaultValue?: string,
  ): Promise<string> {
    const given = flag === "id" ? this.args.positionals[0] : str(this.args, flag);
    if (given !== undefined) {
      const problem = check(given);
      if (problem) throw new UsageError(`${flag === "id" ? "<id>" : `--${flag}`}: ${problem}`, spec.name);
      return given;
    }
    if (defaultValue !== undefined && !this.ctx.ui.interactive) return defaultValue;
    if (!this.ctx.ui.interactive) {
      this.missing.push(flag === "id" ? "<id>" : `--${flag}`);
      return "";
    }
    return this.ctx.prompter().ask({
      message: question,
      hidden: false,
      ...(defaultValue !== undefined ? { defaultValue } : {}),
      validate: check,
    });
  }
}

export async function run(ctx: Context, args: Parsed): Promise<number> {
  const { ui } = ctx;
  const { getRecipe, validateRecipe } = await import("@arcrun/recipes");
  const ask = new Answers(ctx, args);
  const id = await ask.get("id", "Recipe id (lower_snake_case, e.g. acme_api)", checkId);
  if (id !== "" && getRecipe(id)) {
    throw new CliError(
      "ERR_RECIPE_EXISTS",
      `"${id}" is a built-in recipe`,
      `choose another id (e.g. my_${id}); to change the built-in, see: arcrun recipe show ${id}`,
    );
  }
  const displayName = await ask.get(
    "name",
    "Display name",
    (v) => (v.trim() ? undefined : "a name"),
    titleOf(id),
  );
  const baseUrl = await ask.get("base-url", "API base URL (https://api.example.com/v1)", checkUrl);
  const docsUrl = await ask.get("docs-url", "The provider's page about authentication (URL)", checkUrl);
  const auth = (await ask.get(
    "auth",
    `Auth kind (${AUTH_KINDS.map((k) => `${k}: ${AUTH_KIND_HELP[k]}`).join("; ")})`,
    (v) => (AUTH_KINDS.includes(v as AuthKind) ? undefined : `one of ${AUTH_KINDS.join(", ")}`),
    ui.interactive ? "bearer" : undefined,
  )) as AuthKind;
  const answers: ScaffoldAnswers = {
    id,
    displayName,
    docsUrl,
    baseUrl,
    auth,
    categories: list(args, "category"),
  };
  const name = (v: string) => (/^[A-Za-z0-9_.-]+$/.test(v) ? undefined : "letters, digits, _ . -");
  if (auth === "header") answers.param = await ask.get("header", "Header name (e.g. X-API-Key)", name);
  if (auth === "query") answers.param = await ask.get("query", "Query parameter (e.g. api_key)", name);
  if (auth === "oauth2") {
    answers.authorizeUrl = await ask.get("authorize-url", "Authorization endpoint (URL)", checkUrl);
    answers.tokenUrl = await ask.get("token-url", "Token endpoint (URL)", checkUrl);
    const scopes = list(args, "scope");
    answers.scopes =
      scopes.length > 0 || !ui.interactive
        ? scopes
        : (await ask.get("scope", "Scopes, separated by spaces (empty for none)", () => undefined, ""))
            .split(/\s+/)
            .filter(Boolean);
  }
  const testPath = await ask.get(
    "test-path",
    'A cheap GET that proves the credential works, e.g. /me ("-" for none)',
    (v) => (v === "-" || v.startsWith("/") ? undefined : 'a path starting with / (or "-" for none)'),
    ui.interactive ? undefined : "-",
  );
  if (ask.missing.length > 0) {
    throw new UsageError(
      `without a terminal, give ${ask.missing.join(", ")} (or run it at a terminal to be asked)`,
      spec.name,
    );
  }
  if (testPath !== "-") answers.testPath = testPath;

  const dir = join(arcrunHome(ui.env), "recipes");
  const file = join(dir, `${id}.yaml`);
  if (existsSync(file) && !bool(args, "force")) {
    throw new CliError(
      "ERR_FILE_EXISTS",
      `${file} exists`,
      `edit it, check it with: arcrun recipe validate ${file}; or replace it with --force`,
    );
  }
  const schema = fileURLToPath(import.meta.resolve("@arcrun/recipes/schema.json"));
  const text = scaffoldRecipe(answers, schema);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, file);

  const next =
    auth === "oauth2"
      ? `put your OAuth app in config.yaml (clients.${id}) or ARCRUN_${id.toUpperCase()}_CLIENT_ID/_CLIENT_SECRET, then run: arcrun setup ${id}`
      : `arcrun setup ${id}`;
  try {
    const { recipe, warnings } = await validateRecipe(text, `${id}.yaml`);
    for (const w of warnings) ui.err(`${ui.e.yellow("!")} ${file}: ${w.keyPath.join(" > ")}: ${w.message}`);
    if (ctx.json) {
      ui.json({ file, id, primitive: recipe?.primitive ?? null, valid: true, next });
      return EXIT_OK;
    }
    ui.out(`${ui.o.green("✔")} Wrote ${file}: recipe "${id}" (${recipe?.primitive}) is valid`);
    if (!answers.testPath)
      ui.err(ui.e.yellow(`  no test request: add test: { path: ... } so setup can check the credential`));
    ui.err(`  next: ${next}`);
    return EXIT_OK;
  } catch (err) {
    if ((err as { code?: unknown }).code !== "ERR_RECIPE_INVALID") throw err;
    const message = err instanceof Error ? err.message : String(err);
    if (ctx.json) ui.json({ file, id, primitive: null, valid: false, error: message });
    else
      ui.err(
        `${ui.e.red("✖")} ${message}\n  the file is kept: fix it, then run: arcrun recipe validate ${file}`,
      );
    return EXIT_FAILURE;
  }
}

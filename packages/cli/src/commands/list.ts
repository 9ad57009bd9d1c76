import { bool, type CommandSpec, type Parsed, str } from "../internal/args.js";
import { JSON_OPTION } from "../internal/common.js";
import type { Context } from "../internal/context.js";
import { EXIT_OK } from "../internal/errors.js";
import { categoriesOf, matches, type ServiceFilter } from "../internal/find.js";
import { instanceText, serviceJson, table } from "../internal/format.js";
import { styles } from "../internal/io.js";

export const spec: CommandSpec = {
  name: "list",
  summary:
    "Every service arcrun knows (built-in and user recipes), its auth kind, and its connected instances.",
  positionals: [],
  options: {
    ...JSON_OPTION,
    connected: {
      type: "boolean",
      description: "Only services with at least one stored or configured instance",
    },
    category: {
      type: "string",
      arg: "<name>",
      description: "Only services of this category (ai, email, storage, ...; any case)",
    },
    search: {
      type: "string",
      arg: "<word>",
      description: "Only services whose id, name or description holds this word (any case)",
    },
  },
  details:
    "When nothing matches, close ids and categories are suggested (on stderr; in --json as suggestions).\n" +
    "Examples:\n  arcrun list\n  arcrun list --category ai\n  arcrun list --search mail --json\n" +
    "  arcrun list --json | jq -r '.services[] | select(.connected) | .id'",
};

export async function run(ctx: Context, args: Parsed): Promise<number> {
  const { ui } = ctx;
  const api = await ctx.api();
  // An unreadable store (a wrong ARCRUN_PASSPHRASE) is an error, never an empty list that looks like nothing
  // is connected.
  await api.readStore();
  let rows = await api.services();
  const errors = await api.recipeErrors();
  const nothingConnected = rows.every((r) => r.instances.length === 0);
  if (bool(args, "connected")) rows = rows.filter((r) => r.instances.length > 0);
  const category = str(args, "category");
  const search = str(args, "search");
  const filter: ServiceFilter = {
    ...(category !== undefined ? { category } : {}),
    ...(search !== undefined ? { search } : {}),
  };
  const filtering = category !== undefined || search !== undefined;
  const recipes = filtering || ctx.json ? new Map((await api.recipes()).map((r) => [r.id, r])) : undefined;
  if (filtering && recipes) {
    rows = rows.filter((r) => {
      const recipe = recipes.get(r.id);
      return recipe !== undefined && matches(recipe, filter);
    });
  }
  const suggestions =
    filtering && rows.length === 0 && recipes ? await suggestFor(filter, [...recipes.values()]) : undefined;
  if (ctx.json) {
    ui.json({
      services: rows.map((r) => ({ ...serviceJson(r), categories: recipes?.get(r.id)?.categories ?? [] })),
      errors,
      ...(suggestions ? { suggestions } : {}),
    });
    return EXIT_OK;
  }
  const plain = styles(false);
  const head = ["SERVICE", "AUTH", "NAME", "INSTANCES"];
  const cells = (s: typeof ui.o) =>
    rows.map((r) => [
      r.id,
      r.primitive,
      r.name,
      r.instances.length ? r.instances.map((i) => instanceText(i, s)).join(", ") : s.dim("-"),
    ]);
  const lines = table([head.map((h) => ui.o.bold(h)), ...cells(ui.o)], [head, ...cells(plain)]);
  // `--connected` with nothing connected prints no table at all, only the hint below.
  if (rows.length > 0) for (const l of lines) ui.out(l);
  for (const e of errors)
    ui.err(
      ui.e.yellow(
        `warning: ${e.service} is not listed: its recipe ${e.file} does not validate. Run: arcrun recipe validate ${e.file}`,
      ),
    );
  if (suggestions) ui.err(noMatchText(filter, suggestions));
  else if (nothingConnected) ui.err(ui.e.dim("Nothing connected yet. Next: arcrun setup <service>"));
  return EXIT_OK;
}

interface Suggestions {
  ids: string[];
  categories: string[];
}

/** Close ids (to the search word, or the category) and close categories, for a filter nothing passed. */
async function suggestFor(
  filter: ServiceFilter,
  recipes: readonly Parameters<typeof matches>[0][],
): Promise<Suggestions> {
  const { suggest } = await import("arcrun-auth");
  const ids = recipes.map((r) => r.id);
  const categories = categoriesOf(recipes);
  const words = [filter.search, filter.category].filter((w): w is string => w !== undefined);
  const near = (candidates: string[]) => [
    ...new Set(words.flatMap((w) => suggest(w.toLowerCase().replace(/\s+/g, "_"), candidates))),
  ];
  return { ids: near(ids), categories: near(categories) };
}

function noMatchText(filter: ServiceFilter, s: Suggestions): string {
  const asked = [
    filter.category !== undefined ? `category "${filter.category}"` : "",
    filter.search !== undefined ? `"${filter.search}"` : "",
  ]
    .filter(Boolean)
    .join(" and ");
  const hints = [
    s.ids.length ? `services: ${s.ids.join(", ")}` : "",
    s.categories.length ? `categories: ${s.categories.join(", ")}` : "",
  ].filter(Boolean);
  const next =
    s.categories[0] !== undefined
      ? `arcrun list --category ${s.categories[0]}`
      : `arcrun list --search ${s.ids[0] ?? "<word>"}`;
  return hints.length
    ? `No service matches ${asked}. Did you mean ${hints.join("; ")}? Run: ${next}`
    : `No service matches ${asked}. See every category with: arcrun list --json | jq -r '[.services[].categories[]] | unique[]'`;
}

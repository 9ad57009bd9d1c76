import type { Recipe } from "@arcrun/recipes";
import type { CommandSpec, Parsed } from "../internal/args.js";
import type { Context } from "../internal/context.js";
import { EXIT_OK } from "../internal/errors.js";

export const spec: CommandSpec = {
  name: "recipe show",
  summary: "Print a resolved recipe: extends merged, defaults applied, user overrides included.",
  positionals: ["<service>"],
  options: { json: { type: "boolean", description: "Print the recipe as JSON (the schema's shape)" } },
  details:
    "Example:\n  arcrun recipe show notion\n  arcrun recipe show google_drive --json | jq .oauth2.scopes",
};

function block(label: string, value: unknown): string[] {
  if (value === undefined) return [];
  return [
    `${label}:`,
    ...JSON.stringify(value, null, 2)
      .split("\n")
      .map((l) => `  ${l}`),
  ];
}

function human(r: Recipe): string[] {
  const alt = (["oauth2", "service_account", "aws_sigv4"] as const).filter((p) => r[p] && p !== r.primitive);
  return [
    `${r.display_name} (${r.id})`,
    ...(r.description ? [r.description] : []),
    `primitive:  ${r.primitive}${alt.length ? ` (also via: ${alt.join(", ")})` : ""}`,
    `base_url:   ${r.base_url}`,
    `hosts:      ${r.hosts.join(", ")}`,
    `docs:       ${r.docs_url}`,
    ...(r.required_secrets.length
      ? [
          "secrets:",
          ...r.required_secrets.map(
            (s) =>
              `  ${s.key}: ${s.label}${s.optional ? " (optional)" : ""}${s.sensitive ? "" : " (not secret)"}${s.help_url ? ` -> ${s.help_url}` : ""}`,
          ),
        ]
      : []),
    ...block("inject", r.inject),
    ...block("oauth2", r.oauth2),
    ...block("service_account", r.service_account),
    ...block("aws_sigv4", r.aws_sigv4),
    ...block("test", r.test),
  ];
}

export async function run(ctx: Context, args: Parsed): Promise<number> {
  const id = args.positionals[0] ?? "";
  const recipe = await (await ctx.api()).recipe(id);
  if (ctx.json) ctx.ui.json(recipe);
  else for (const line of human(recipe)) ctx.ui.out(line);
  return EXIT_OK;
}

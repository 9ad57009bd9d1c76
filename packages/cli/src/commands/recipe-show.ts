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

const upper = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]/g, "_");

/**
 * The environment variables arcrun-auth reads a secret from, in its order (first match wins):
 * `ARCRUN_<SERVICE>_<KEY>`, then the recipe's own `env` names (docs/auth.md).
 */
function envNames(r: Recipe, s: Recipe["required_secrets"][number]): string[] {
  const own = s.env === undefined ? [] : Array.isArray(s.env) ? s.env : [s.env];
  return [`ARCRUN_${upper(r.id)}_${upper(s.key)}`, ...own];
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
          ...r.required_secrets.flatMap((s) => [
            `  ${s.key}: ${s.label}${s.optional ? " (optional)" : ""}${s.sensitive ? "" : " (not secret)"}${s.help_url ? ` -> ${s.help_url}` : ""}`,
            `    env: ${envNames(r, s).join(", ")}`,
          ]),
          `  (another instance: ARCRUN_${upper(r.id)}__<INSTANCE>_<KEY>)`,
        ]
      : []),
    ...block("inject", r.inject),
    ...block("oauth2", r.oauth2),
    ...block("service_account", r.service_account),
    ...block("aws_sigv4", r.aws_sigv4),
    ...block("http_digest", r.http_digest),
    ...block("session", r.session),
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

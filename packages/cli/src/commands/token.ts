import type { Recipe } from "@arcrun/recipes";
import type { InstanceOptions } from "../internal/api.js";
import { bool, type CommandSpec, type Parsed, str } from "../internal/args.js";
import { inject } from "../internal/child-env.js";
import { INSTANCE_OPTION, instanceOptions, JSON_OPTION, VIA_OPTION } from "../internal/common.js";
import type { Context } from "../internal/context.js";
import { CliError, EXIT_OK, UsageError } from "../internal/errors.js";
import { FORCE_OPTION, guardTerminal } from "../internal/reveal.js";

export const spec: CommandSpec = {
  name: "token",
  summary:
    "Print a valid access token of an OAuth or service-account credential (refreshed if needed) to stdout;\n" +
    "for a static-key service with one secret value (notion, github, jira's api_token, ...) it prints that\n" +
    "key (token_type static). Refuses when stdout is a terminal unless --force: it is meant for pipes and $(...).",
  positionals: ["<service>"],
  options: {
    ...INSTANCE_OPTION,
    ...VIA_OPTION,
    ...JSON_OPTION,
    ...FORCE_OPTION,
    format: {
      type: "string",
      arg: "<format>",
      description:
        "plain (default), json (as --json), env (export lines of the recipe's variables), aws-process (AWS credential_process JSON)",
    },
  },
  details: [
    "Examples:",
    '  curl -H "Authorization: Bearer $(arcrun token google_drive)" https://www.googleapis.com/drive/v3/files',
    "  arcrun token github --json | jq -r .expires_at",
    '  curl -H "Authorization: Bearer $(arcrun token notion)" -H "Notion-Version: 2022-06-28" https://api.notion.com/v1/users/me',
    "Several secret values and no token (no single key to print): use arcrun secret --key KEY.",
    '  eval "$(arcrun token openai --format env)"        # export OPENAI_API_KEY=...',
    "  ~/.aws/config: credential_process = arcrun token aws_s3 --format aws-process",
  ].join("\n"),
};

const FORMATS = ["plain", "json", "env", "aws-process"] as const;
type Format = (typeof FORMATS)[number];

/** POSIX shell single quotes: the value comes back byte for byte from `eval`. */
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, "'\\''")}'`;
}

/** Key names the aws_sigv4 primitive reads (docs/recipes.md), first match wins. */
const AWS_KEYS = {
  AccessKeyId: ["access_key_id", "aws_access_key_id"],
  SecretAccessKey: ["secret_access_key", "aws_secret_access_key"],
  SessionToken: ["session_token", "aws_session_token"],
} as const;

export async function run(ctx: Context, args: Parsed): Promise<number> {
  const service = args.positionals[0] ?? "";
  const options = instanceOptions(args, spec.name);
  const formatText = str(args, "format") ?? (ctx.json ? "json" : "plain");
  const format = FORMATS.find((f) => f === formatText);
  if (!format)
    throw new UsageError(`--format must be one of ${FORMATS.join(", ")} (got "${formatText}")`, spec.name);
  // credential_process and eval read a pipe; a person at a terminal gets the usual guard.
  guardTerminal(ctx.ui, bool(args, "force"), `token ${service}`);
  const api = await ctx.api();
  const recipe = await api.recipe(service);
  return print(ctx, format, service, options, recipe);
}

async function print(
  ctx: Context,
  format: Format,
  service: string,
  options: InstanceOptions,
  recipe: Recipe,
): Promise<number> {
  const api = await ctx.api();
  const primitive = options.via ?? recipe.primitive;
  if (format === "aws-process") {
    if (primitive !== "aws_sigv4")
      throw new CliError(
        "ERR_FORMAT_UNSUPPORTED",
        `${service} is not an AWS credential (its auth kind is ${primitive}); aws-process is for aws_sigv4 recipes such as aws_s3.`,
        `use --format plain, json or env for ${service}`,
      );
    const values = await api.secret(service, options);
    const pick = (names: readonly string[]) => names.map((n) => values[n]).find((v) => v !== undefined);
    const session = pick(AWS_KEYS.SessionToken);
    // https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sourcing-external.html
    ctx.ui.out(
      JSON.stringify({
        Version: 1,
        AccessKeyId: pick(AWS_KEYS.AccessKeyId),
        SecretAccessKey: pick(AWS_KEYS.SecretAccessKey),
        ...(session ? { SessionToken: session } : {}),
      }),
    );
    return EXIT_OK;
  }
  if (format === "env") {
    const ref = { service, instance: options.instance ?? "default" };
    const { env } = await inject(api, ref, undefined, options.via);
    for (const [name, value] of Object.entries(env)) ctx.ui.out(`export ${name}=${shellQuote(value)}`);
    return EXIT_OK;
  }
  const t = await api.token(service, options);
  if (format === "json") {
    ctx.ui.json({
      access_token: t.accessToken,
      token_type: t.tokenType,
      expires_at: t.expiresAt === undefined ? null : new Date(t.expiresAt).toISOString(),
      scopes: t.scopes ?? null,
    });
  } else {
    ctx.ui.out(t.accessToken);
  }
  return EXIT_OK;
}

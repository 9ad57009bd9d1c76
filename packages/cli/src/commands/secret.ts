import { bool, type CommandSpec, type Parsed, str } from "../internal/args.js";
import { INSTANCE_OPTION, instanceOptions, JSON_OPTION } from "../internal/common.js";
import type { Context } from "../internal/context.js";
import { CliError, EXIT_OK } from "../internal/errors.js";
import { FORCE_OPTION, guardTerminal } from "../internal/reveal.js";

export const spec: CommandSpec = {
  name: "secret",
  summary:
    "Print a static secret (from the store, the environment or a secret file) to stdout.\n" +
    "Refuses when stdout is a terminal unless --force: it is meant for pipes and $(...).",
  positionals: ["<service>"],
  options: {
    ...INSTANCE_OPTION,
    key: { type: "string", arg: "<key>", description: "Which required secret, when the recipe has several" },
    ...JSON_OPTION,
    ...FORCE_OPTION,
  },
  details: [
    "Examples:",
    "  NOTION_TOKEN=$(arcrun secret notion) node script.js",
    "  arcrun secret jira --key api_token | pbcopy",
    '  arcrun secret jira --json   # every value: {"values": {"email": ..., "api_token": ...}}',
  ].join("\n"),
};

export async function run(ctx: Context, args: Parsed): Promise<number> {
  const service = args.positionals[0] ?? "";
  const options = instanceOptions(args, spec.name);
  guardTerminal(ctx.ui, bool(args, "force"), `secret ${service}`);
  const api = await ctx.api();
  await api.recipe(service);
  const values = await api.secret(service, options);
  const key = str(args, "key");
  if (ctx.json && key === undefined) {
    ctx.ui.json({ values });
    return EXIT_OK;
  }
  const keys = Object.keys(values);
  const chosen = key ?? (keys.length === 1 ? keys[0] : undefined);
  if (chosen === undefined) {
    throw new CliError(
      "ERR_AMBIGUOUS_SECRET",
      `${service} has several values (${keys.join(", ")})`,
      `add --key <one of them>, or use --json for all`,
    );
  }
  const value = values[chosen];
  if (value === undefined) {
    throw new CliError(
      "ERR_MISSING_SECRET",
      `${service} has no value "${chosen}"${keys.length ? ` (it has: ${keys.join(", ")})` : ""}`,
      `run: arcrun recipe show ${service}`,
    );
  }
  if (ctx.json) ctx.ui.json({ values: { [chosen]: value } });
  else ctx.ui.out(value);
  return EXIT_OK;
}

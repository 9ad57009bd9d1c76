import { bool, type CommandSpec, type Parsed } from "../internal/args.js";
import { INSTANCE_OPTION, instanceOptions, JSON_OPTION, VIA_OPTION } from "../internal/common.js";
import type { Context } from "../internal/context.js";
import { EXIT_OK } from "../internal/errors.js";
import { FORCE_OPTION, guardTerminal } from "../internal/reveal.js";

export const spec: CommandSpec = {
  name: "token",
  summary:
    "Print a valid access token of an OAuth or service-account credential (refreshed if needed) to stdout;\n" +
    "for a static-key service with one secret value (notion, github, jira's api_token, ...) it prints that\n" +
    "key (token_type static). Refuses when stdout is a terminal unless --force: it is meant for pipes and $(...).",
  positionals: ["<service>"],
  options: { ...INSTANCE_OPTION, ...VIA_OPTION, ...JSON_OPTION, ...FORCE_OPTION },
  details: [
    "Examples:",
    '  curl -H "Authorization: Bearer $(arcrun token google_drive)" https://www.googleapis.com/drive/v3/files',
    "  arcrun token github --json | jq -r .expires_at",
    '  curl -H "Authorization: Bearer $(arcrun token notion)" -H "Notion-Version: 2022-06-28" https://api.notion.com/v1/users/me',
    "Several secret values and no token (no single key to print): use arcrun secret --key KEY.",
  ].join("\n"),
};

export async function run(ctx: Context, args: Parsed): Promise<number> {
  const service = args.positionals[0] ?? "";
  const options = instanceOptions(args, spec.name);
  guardTerminal(ctx.ui, bool(args, "force"), `token ${service}`);
  const api = await ctx.api();
  await api.recipe(service);
  const t = await api.token(service, options);
  if (ctx.json) {
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

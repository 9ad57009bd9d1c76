import type { CommandSpec, Parsed } from "../internal/args.js";
import { INSTANCE_OPTION, instanceName, instanceOptions, JSON_OPTION } from "../internal/common.js";
import type { Context } from "../internal/context.js";
import { EXIT_OK } from "../internal/errors.js";

export const spec: CommandSpec = {
  name: "logout",
  summary:
    "Revoke the credential at the provider where its recipe can (RFC 7009), then delete it from the store.\n" +
    "The local copy is deleted even when revocation fails.",
  positionals: ["<service>"],
  options: { ...INSTANCE_OPTION, ...JSON_OPTION },
  details: "Examples:\n  arcrun logout notion\n  arcrun logout google_drive --instance work",
};

export async function run(ctx: Context, args: Parsed): Promise<number> {
  const { ui } = ctx;
  const service = args.positionals[0] ?? "";
  const options = instanceOptions(args, spec.name);
  const api = await ctx.api();
  await api.recipe(service);
  const r = await api.logout(service, options);
  const instance = instanceName(options);
  if (ctx.json) {
    ui.json({ service, instance, ...r });
    return EXIT_OK;
  }
  if (!r.deleted) ui.err(`Nothing was stored for ${service} (instance ${instance}).`);
  else
    ui.err(
      `${ui.e.green("✔")} Logged out of ${service} (instance ${instance})${r.revocation === "revoked" ? "; revoked at the provider" : r.revocation === "failed" ? " (revocation at the provider failed: revoke it in its settings)" : ""}`,
    );
  return EXIT_OK;
}

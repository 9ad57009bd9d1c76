import type { CommandSpec, Parsed } from "../internal/args.js";
import type { Context } from "../internal/context.js";
import { EXIT_OK } from "../internal/errors.js";

export const spec: CommandSpec = {
  name: "lock",
  summary: "Make the agent of `arcrun unlock` forget the key and exit (nothing to do when none runs).",
  positionals: [],
  options: {},
  details: "Examples:\n  arcrun lock",
};

export async function run(ctx: Context, _args: Parsed): Promise<number> {
  const { ui } = ctx;
  const api = await ctx.api();
  const was = await api.lock();
  ui.err(
    was
      ? `${ui.e.green("✔")} Locked: the agent forgot the key. Next use asks for the passphrase (or run: arcrun unlock)`
      : "Nothing was unlocked (no agent runs for this ARCRUN_HOME)",
  );
  return EXIT_OK;
}

import { type CommandSpec, type Parsed, str } from "../internal/args.js";
import type { Context } from "../internal/context.js";
import { parseDuration } from "../internal/duration.js";
import { EXIT_OK } from "../internal/errors.js";

export const spec: CommandSpec = {
  name: "unlock",
  summary:
    "Unlock the passphrase-locked encrypted file for this login: a small agent of yours keeps the key in\n" +
    "memory behind a private unix socket (0600, in a 0700 directory), so scripts you start need neither the\n" +
    "passphrase nor an environment variable. It forgets the key after --for, or at: arcrun lock.",
  positionals: [],
  options: {
    for: {
      type: "string",
      arg: "<duration>",
      description: "How long to keep it unlocked (default 1h; 30s, 15m, 8h, 1d; at most 7d)",
    },
  },
  details: [
    "Examples:",
    "  arcrun unlock              # asks the passphrase (hidden), unlocked for 1 hour",
    "  arcrun unlock --for 8h",
    "  arcrun lock                # forget it now",
    "Without a terminal the passphrase comes from ARCRUN_PASSPHRASE. Cron jobs and CI need no agent: they",
    "keep working with ARCRUN_PASSPHRASE, ARCRUN_MASTER_KEY or a key file.",
  ].join("\n"),
};

export async function run(ctx: Context, args: Parsed): Promise<number> {
  const { ui } = ctx;
  const ttl = parseDuration(str(args, "for") ?? "1h", spec.name);
  const api = await ctx.api();
  const a = await api.unlock(ttl);
  ctx.prompter().close();
  const until = a.expires_at ? new Date(a.expires_at) : undefined;
  ui.err(
    `${ui.e.green("✔")} Unlocked ${a.path}${until ? ` until ${until.toLocaleString()}` : ""}; programs you start can read it without the passphrase`,
  );
  ui.err(ui.e.dim(`Agent socket ${a.socket}. Lock it again: arcrun lock`));
  return EXIT_OK;
}

import type { CommandSpec, Parsed } from "../internal/args.js";
import { JSON_OPTION } from "../internal/common.js";
import type { Context } from "../internal/context.js";
import { CliError, EXIT_FAILURE, EXIT_OK } from "../internal/errors.js";
import { capturedText, expiryText, scopesText, serviceJson } from "../internal/format.js";

export const spec: CommandSpec = {
  name: "status",
  summary:
    "Connection status of one service (every instance), or of every connected service.\n" +
    "Exits 1 when the named service has no usable instance (not set up, expired, reauth required).",
  positionals: ["<service>?"],
  options: { ...JSON_OPTION },
  details:
    "Examples:\n  arcrun status\n  arcrun status google_drive --json\n  arcrun status notion >/dev/null || arcrun setup notion",
};

export async function run(ctx: Context, args: Parsed): Promise<number> {
  const { ui } = ctx;
  const service = args.positionals[0];
  const api = await ctx.api();
  const rows = (await api.services(service)).filter((r) => service !== undefined || r.instances.length > 0);
  const usable = rows.every((r) => r.instances.some((i) => i.status === "connected"));
  const code = service !== undefined && !usable ? EXIT_FAILURE : EXIT_OK;
  if (ctx.json) {
    ui.json({ services: rows.map(serviceJson) });
    return code;
  }
  if (rows.length === 0) {
    ui.out("No service is connected.");
    ui.err(ui.e.dim("Next: arcrun list, then arcrun setup <service>"));
    return EXIT_OK;
  }
  for (const r of rows) {
    ui.out(`${ui.o.bold(r.id)} ${ui.o.dim(`(${r.name}, ${r.primitive})`)}`);
    if (r.instances.length === 0) ui.out(`  not connected`);
    for (const i of r.instances) {
      const state =
        i.status === "connected"
          ? ui.o.green("connected")
          : i.status === "expired"
            ? ui.o.yellow("expired")
            : ui.o.red("reauth required");
      const bits = [
        state,
        `from ${i.source}${i.type ? ` (${i.type})` : ""}`,
        expiryText(i),
        scopesText(i),
        capturedText(i),
      ];
      ui.out(`  ${i.instance}: ${bits.filter((b) => b !== "").join(", ")}`);
    }
  }
  if (code !== EXIT_OK && service !== undefined) {
    throw new CliError(
      "ERR_NEEDS_LOGIN",
      `${service} has no usable credential`,
      `run: arcrun setup ${service}`,
    );
  }
  return code;
}

import { bool, type CommandSpec, type Parsed } from "../internal/args.js";
import { JSON_OPTION } from "../internal/common.js";
import type { Context } from "../internal/context.js";
import { EXIT_OK } from "../internal/errors.js";
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
  },
  details: "Examples:\n  arcrun list\n  arcrun list --json | jq -r '.services[] | select(.connected) | .id'",
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
  if (ctx.json) {
    ui.json({ services: rows.map(serviceJson), errors });
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
  if (nothingConnected) ui.err(ui.e.dim("Nothing connected yet. Next: arcrun setup <service>"));
  return EXIT_OK;
}

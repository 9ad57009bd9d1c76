import type { CommandSpec, Parsed } from "../../internal/args.js";
import type { Context } from "../../internal/context.js";
import { EXIT_OK } from "../../internal/errors.js";
import { table } from "../../internal/format.js";
import { styles } from "../../internal/io.js";
import { executorFor } from "./shared.js";

export const spec: CommandSpec = {
  name: "creds list",
  summary: "The credentials stored on the executor (names and metadata; never a value).",
  positionals: [],
  options: {
    json: {
      type: "boolean",
      description: 'Print {"executor", "credentials": [{"name", "recipe", "hosts", "created_at"}]}',
    },
  },
};

export async function run(ctx: Context, _args: Parsed): Promise<number> {
  const { ui } = ctx;
  const executor = await executorFor(ctx);
  const creds = (await executor.credentials()).map((c) => ({
    name: c.name,
    recipe: c.recipe ?? null,
    hosts: c.hosts ?? [],
    created_at: c.created_at ?? null,
  }));
  if (ctx.json) {
    ui.json({ executor: executor.url, credentials: creds });
    return EXIT_OK;
  }
  if (creds.length === 0) {
    ui.err(`No credentials on ${executor.url} yet. Next: arcrun creds push <name> --recipe <id>`);
    return EXIT_OK;
  }
  const head = ["NAME", "RECIPE", "EXTRA HOSTS", "CREATED"];
  const cells = (s: typeof ui.o) =>
    creds.map((c) => [c.name, c.recipe ?? s.dim("-"), c.hosts.join(", ") || s.dim("-"), c.created_at ?? ""]);
  for (const l of table([head.map((h) => ui.o.bold(h)), ...cells(ui.o)], [head, ...cells(styles(false))]))
    ui.out(l);
  return EXIT_OK;
}

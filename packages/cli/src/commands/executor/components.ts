import type { CommandSpec, Parsed } from "../../internal/args.js";
import type { Context } from "../../internal/context.js";
import { CliError, EXIT_OK } from "../../internal/errors.js";
import type { ComponentContract } from "../../internal/executor-client.js";
import type { Ui } from "../../internal/io.js";
import { executorFor } from "./shared.js";

export const spec: CommandSpec = {
  name: "components",
  summary: "The executor's components and their contracts (parameters, output, examples).",
  positionals: ["<id>?"],
  options: {
    json: {
      type: "boolean",
      description:
        'Print {"executor", "components": [contract]} (canonical_id, category, input_schema, examples, ...)',
    },
  },
  details:
    "Without an id: one line per component. With one: its parameters and examples.\n" +
    "Examples:\n  arcrun components\n  arcrun components http_request\n" +
    "  arcrun components --json | jq -r '.components[].canonical_id'",
};

function typeText(t: unknown): string {
  if (typeof t === "string") return t;
  if (Array.isArray(t)) return t.filter((x) => typeof x === "string").join(" | ");
  return "any";
}

function showOne(ui: Ui, c: ComponentContract): void {
  ui.out(`${ui.o.bold(c.canonical_id)}${c.category ? ui.o.dim(` (${c.category})`) : ""}`);
  if (c.description) ui.out(c.description);
  const props = c.input_schema?.properties ?? {};
  const required = new Set(c.input_schema?.required ?? []);
  ui.out("");
  ui.out(ui.o.bold("Parameters"));
  const names = Object.keys(props);
  if (names.length === 0) ui.out(ui.o.dim("  (none)"));
  for (const name of names) {
    const p = props[name] ?? {};
    const req = required.has(name) ? ui.o.yellow(" required") : "";
    ui.out(`  ${name} ${ui.o.dim(typeText(p.type))}${req}${p.description ? `: ${p.description}` : ""}`);
  }
  for (const ex of c.examples ?? []) {
    ui.out("");
    ui.out(`${ui.o.bold("Example")}: ${ex.name}`);
    ui.out(`  config: ${JSON.stringify(ex.config)}`);
    ui.out(`  output: ${JSON.stringify(ex.output)}`);
  }
}

export async function run(ctx: Context, args: Parsed): Promise<number> {
  const { ui } = ctx;
  const executor = await executorFor(ctx, { storeOn401: true });
  const all = await executor.components();
  const id = args.positionals[0];
  const chosen = id === undefined ? all : all.filter((c) => c.canonical_id === id);
  if (id !== undefined && chosen.length === 0) {
    throw new CliError(
      "ERR_UNKNOWN_COMPONENT",
      `no component "${id}" on ${executor.url}`,
      "see the list with: arcrun components",
    );
  }
  if (ctx.json) {
    ui.json({ executor: executor.url, components: chosen });
    return EXIT_OK;
  }
  if (id !== undefined && chosen[0]) {
    showOne(ui, chosen[0]);
    return EXIT_OK;
  }
  const width = Math.max(...all.map((c) => c.canonical_id.length), 9) + 2;
  const catWidth = Math.max(...all.map((c) => (c.category ?? "").length), 8) + 2;
  ui.out(ui.o.bold(`${"COMPONENT".padEnd(width)}${"CATEGORY".padEnd(catWidth)}DESCRIPTION`));
  for (const c of all) {
    const first = (c.description ?? "").split(/(?<=\.)\s/)[0] ?? "";
    ui.out(`${c.canonical_id.padEnd(width)}${(c.category ?? "").padEnd(catWidth)}${first}`);
  }
  ui.err(ui.e.dim(`${all.length} components on ${executor.url}. Details: arcrun components <id>`));
  return EXIT_OK;
}

import type { CommandSpec, Parsed } from "../../internal/args.js";
import type { Context } from "../../internal/context.js";
import { EXIT_FAILURE, EXIT_OK } from "../../internal/errors.js";
import { checkWorkflow } from "./parse.js";
import { executorFor, issueText, readWorkflowFile } from "./shared.js";

export const spec: CommandSpec = {
  name: "workflow validate",
  summary: "Check a workflow file (YAML or JSON); errors name the line and the node.",
  positionals: ["<file>"],
  options: {
    json: {
      type: "boolean",
      description:
        'Print {"valid", "file", "name", "nodes", "edges", "components_checked"} or {"valid": false, "issues"}',
    },
  },
  details:
    "The checks are the executor's own (syntax, flow triplets, components, reachability, cycles, templates).\n" +
    "Component names are checked against the executor's list when it answers (ARCRUN_EXECUTOR_URL),\n" +
    "otherwise every other check still runs offline.\n" +
    "Example:\n  arcrun workflow validate examples/workflows/github-who-am-i.yaml",
};

export async function run(ctx: Context, args: Parsed): Promise<number> {
  const { ui } = ctx;
  const file = await readWorkflowFile(args.positionals[0] ?? "");
  let known: Set<string> | undefined;
  try {
    known = new Set(
      (await (await executorFor(ctx, { storeOn401: true })).components(2000)).map((c) => c.canonical_id),
    );
  } catch {
    known = undefined;
  }
  const result = checkWorkflow(file, (id) => known === undefined || known.has(id));
  const componentsChecked = known !== undefined;
  if (!result.valid) {
    if (ctx.json) {
      ui.json({
        valid: false,
        file: file.path,
        components_checked: componentsChecked,
        issues: result.issues.map((i) => ({
          line: i.line ?? null,
          node: i.node ?? null,
          message: i.message,
        })),
      });
    } else {
      ui.err(`${ui.e.red("✖")} ${file.path}: the workflow is not valid`);
      for (const i of result.issues) ui.err(`  ${issueText(i)}`);
      ui.err(`  fix it, then run: arcrun workflow validate ${file.path}`);
    }
    return EXIT_FAILURE;
  }
  const g = result.graph;
  if (ctx.json) {
    ui.json({
      valid: true,
      file: file.path,
      name: g.name,
      nodes: g.order,
      edges: g.edges,
      components_checked: componentsChecked,
    });
    return EXIT_OK;
  }
  ui.out(
    `${ui.o.green("✔")} ${file.path}: workflow "${g.name}" is valid (${g.order.length} nodes: ${g.order.join(", ")})`,
  );
  if (!componentsChecked)
    ui.err(ui.e.dim("  component names not checked: no executor answered (start one with: pnpm start)"));
  return EXIT_OK;
}

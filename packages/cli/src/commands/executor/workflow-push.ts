import type { CommandSpec, Parsed } from "../../internal/args.js";
import type { Context } from "../../internal/context.js";
import { EXIT_FAILURE, EXIT_OK } from "../../internal/errors.js";
import { ExecutorApiError } from "../../internal/executor-client.js";
import { executorFor, issueText, readWorkflowFile } from "./shared.js";

export const spec: CommandSpec = {
  name: "workflow push",
  summary: "Register (or replace) a workflow on the executor.",
  positionals: ["<file>"],
  options: {
    json: { type: "boolean", description: 'Print {"name", "nodes", "edges", "replaced", "executor"}' },
  },
  details:
    "The executor checks it first (as `arcrun workflow validate`) and keeps nothing that is not valid.\n" +
    "Examples:\n" +
    "  arcrun workflow push examples/workflows/github-who-am-i.yaml\n" +
    "  ARCRUN_EXECUTOR_URL=https://arcrun-executor.example.workers.dev ARCRUN_API_KEY=... arcrun workflow push flow.yaml",
};

export async function run(ctx: Context, args: Parsed): Promise<number> {
  const { ui } = ctx;
  const file = await readWorkflowFile(args.positionals[0] ?? "");
  const executor = await executorFor(ctx);
  try {
    const pushed = await executor.pushWorkflow(file.text, file.format);
    if (ctx.json) {
      ui.json({ ...pushed, executor: executor.url });
      return EXIT_OK;
    }
    ui.out(
      `${ui.o.green("✔")} ${pushed.replaced ? "Replaced" : "Pushed"} workflow "${pushed.name}" (${pushed.nodes.length} nodes) to ${executor.url}`,
    );
    ui.err(ui.e.dim(`  next: arcrun workflow run ${pushed.name}`));
    return EXIT_OK;
  } catch (err) {
    if (!(err instanceof ExecutorApiError) || err.code !== "ERR_WORKFLOW_INVALID" || err.issues.length === 0)
      throw err;
    if (ctx.json) {
      ui.err(
        JSON.stringify({
          error: {
            code: err.code,
            message: `${file.path}: the workflow is not valid; run: arcrun workflow validate ${file.path}`,
            issues: err.issues.map((i) => ({
              line: i.line ?? null,
              node: i.node ?? null,
              message: i.message,
            })),
          },
        }),
      );
      return EXIT_FAILURE;
    }
    ui.err(`${ui.e.red("✖")} ${file.path}: the executor refused the workflow`);
    for (const i of err.issues) ui.err(`  ${issueText(i)}`);
    ui.err(`  fix it, then run: arcrun workflow push ${file.path}`);
    return EXIT_FAILURE;
  }
}

import type { CommandSpec, Parsed } from "../../internal/args.js";
import type { Context } from "../../internal/context.js";
import { CliError, EXIT_OK } from "../../internal/errors.js";
import { ExecutorApiError } from "../../internal/executor-client.js";
import { checkName, executorFor } from "./shared.js";

export const spec: CommandSpec = {
  name: "workflow delete",
  summary: "Delete a workflow from the executor (its past executions expire on their own).",
  positionals: ["<name>"],
  options: {
    json: { type: "boolean", description: 'Print {"deleted", "executor"}' },
  },
  details:
    "Its webhook and cron trigger stop at once; the credentials it used stay (arcrun creds delete <name>).\n" +
    "Example:\n  arcrun workflow delete github-who-am-i",
};

export async function run(ctx: Context, args: Parsed): Promise<number> {
  const { ui } = ctx;
  const name = checkName(args.positionals[0] ?? "", spec.name);
  const executor = await executorFor(ctx);
  try {
    await executor.request<{ deleted: string }>("DELETE", `/workflows/${encodeURIComponent(name)}`);
  } catch (err) {
    if (err instanceof ExecutorApiError && err.code === "ERR_WORKFLOW_NOT_FOUND") {
      throw new CliError(
        err.code,
        `no workflow "${name}" on ${executor.url}`,
        "see the pushed ones with: arcrun workflow list",
      );
    }
    throw err;
  }
  if (ctx.json) {
    ui.json({ deleted: name, executor: executor.url });
    return EXIT_OK;
  }
  ui.out(`${ui.o.green("✔")} Deleted workflow "${name}" from ${executor.url}`);
  return EXIT_OK;
}

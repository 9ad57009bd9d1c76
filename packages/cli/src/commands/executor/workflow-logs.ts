import { type CommandSpec, type Parsed, str } from "../../internal/args.js";
import type { Context } from "../../internal/context.js";
import { CliError, EXIT_OK, UsageError } from "../../internal/errors.js";
import type { Execution } from "../../internal/executor-client.js";
import { checkName, executorFor, ms, statusMark } from "./shared.js";
import { executionJson } from "./workflow-run.js";

export const spec: CommandSpec = {
  name: "workflow logs",
  summary: "Recent executions of a workflow, newest first, with each node's trace.",
  positionals: ["<name>"],
  options: {
    limit: {
      type: "string",
      short: "n",
      arg: "<n>",
      description: "How many executions (default 5, at most 100)",
    },
    json: {
      type: "boolean",
      description:
        'Print {"workflow", "executions": [{"execution_id", "status", "output", "error", "trace"}]}',
    },
  },
  details:
    "Traces hold, per node run: status, duration, output size, host calls, fuel, and the error; never an\n" +
    "output of a node but the last. They are kept EXECUTION_TTL_SECONDS (default 7 days).\n" +
    "Example:\n  arcrun workflow logs github-who-am-i -n 1",
};

export async function run(ctx: Context, args: Parsed): Promise<number> {
  const { ui } = ctx;
  const name = checkName(args.positionals[0] ?? "", spec.name);
  const limitText = str(args, "limit");
  const limit = limitText === undefined ? 5 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw new UsageError(`--limit takes a whole number from 1 to 100, got "${limitText}"`, spec.name);
  const executor = await executorFor(ctx);
  const summaries = await executor.executions(name, limit);
  if (summaries.length === 0 && !(await executor.workflowExists(name))) {
    throw new CliError(
      "ERR_WORKFLOW_NOT_FOUND",
      `no workflow "${name}" on ${executor.url}`,
      "see the pushed ones with: arcrun workflow list",
    );
  }
  const executions: Execution[] = [];
  for (const s of summaries) {
    try {
      executions.push(await executor.execution(s.id));
    } catch {
      // Expired between the listing and now: skip it, the index entry goes with it.
    }
  }
  if (ctx.json) {
    ui.json({ workflow: name, executions: executions.map(executionJson) });
    return EXIT_OK;
  }
  if (executions.length === 0) {
    ui.err(`"${name}" has not run yet (or its traces expired). Next: arcrun workflow run ${name}`);
    return EXIT_OK;
  }
  for (const [i, e] of executions.entries()) {
    if (i > 0) ui.out();
    ui.out(
      `${statusMark(e.status, ui.o)} ${ui.o.bold(e.started_at)} ${e.status} in ${ms(e.duration_ms)} ${ui.o.dim(`(${e.id}${e.mode ? `, ${e.mode}` : ""})`)}`,
    );
    for (const t of e.trace) {
      const it = t.iteration !== undefined ? `[${t.iteration}]` : "";
      const facts = `${ms(t.duration_ms)}, ${t.output_bytes} B out, ${t.host_calls} host calls, fuel ${t.fuel}`;
      ui.out(`  ${statusMark(t.status, ui.o)} ${t.node}${it} ${ui.o.dim(`${t.component}: ${facts}`)}`);
      if (t.error) ui.out(`      ${ui.o.red(t.error.code)} ${t.error.message}`);
    }
    if (e.error && !e.trace.some((t) => t.error)) ui.out(`  ${ui.o.red(e.error.code)} ${e.error.message}`);
  }
  return EXIT_OK;
}

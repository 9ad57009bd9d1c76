import type { CommandSpec, Parsed } from "../../internal/args.js";
import type { Context } from "../../internal/context.js";
import { EXIT_OK } from "../../internal/errors.js";
import type { ExecutionSummary } from "../../internal/executor-client.js";
import { table } from "../../internal/format.js";
import { styles } from "../../internal/io.js";
import { executorFor, ms, statusMark } from "./shared.js";

export const spec: CommandSpec = {
  name: "workflow list",
  summary: "The workflows pushed to the executor and how their last run went.",
  positionals: [],
  options: {
    json: {
      type: "boolean",
      description: 'Print {"executor", "workflows": [{"name", "last_run": {"id", "status", ...} | null}]}',
    },
  },
  details: "Example:\n  arcrun workflow list --json | jq -r '.workflows[].name'",
};

export async function run(ctx: Context, _args: Parsed): Promise<number> {
  const { ui } = ctx;
  const executor = await executorFor(ctx);
  const names = await executor.workflows();
  const rows: { name: string; last_run: ExecutionSummary | null }[] = [];
  for (const name of names) rows.push({ name, last_run: (await executor.executions(name, 1))[0] ?? null });
  if (ctx.json) {
    ui.json({ executor: executor.url, workflows: rows });
    return EXIT_OK;
  }
  if (rows.length === 0) {
    ui.err(`No workflows on ${executor.url} yet. Next: arcrun workflow push <file>`);
    return EXIT_OK;
  }
  const head = ["WORKFLOW", "LAST RUN", "STARTED", "DURATION"];
  const cells = (s: typeof ui.o) =>
    rows.map((r) => [
      r.name,
      r.last_run ? `${statusMark(r.last_run.status, s)} ${r.last_run.status}` : s.dim("never run"),
      r.last_run?.started_at ?? "",
      r.last_run ? ms(r.last_run.duration_ms) : "",
    ]);
  for (const l of table([head.map((h) => ui.o.bold(h)), ...cells(ui.o)], [head, ...cells(styles(false))]))
    ui.out(l);
  return EXIT_OK;
}

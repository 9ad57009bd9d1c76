import { type CommandSpec, list, type Parsed, str } from "../../internal/args.js";
import type { Context } from "../../internal/context.js";
import { CliError, EXIT_OK, UsageError } from "../../internal/errors.js";
import type { Execution, TraceEntry } from "../../internal/executor-client.js";
import type { Ui } from "../../internal/io.js";
import { buildInput } from "./input.js";
import { checkName, executorFor, ms, statusMark } from "./shared.js";

export const spec: CommandSpec = {
  name: "workflow run",
  summary: "Run a pushed workflow, show each node as it finishes, and print the output.",
  positionals: ["<name>"],
  options: {
    input: {
      type: "string",
      short: "i",
      multiple: true,
      arg: "<key=value>",
      description: "An input value (a string); key:=json for a number, boolean, list or object; a.b=x nests",
    },
    data: {
      type: "string",
      arg: "<json|@file|->",
      description: "The whole input as a JSON object (-i adds to it)",
    },
    timeout: { type: "string", arg: "<seconds>", description: "Stop waiting after this long (default 120)" },
    json: {
      type: "boolean",
      description:
        'Print {"execution_id", "workflow", "status", "duration_ms", "output", "trace"}; no progress',
    },
  },
  details:
    "The run starts in the background (POST /webhooks/named/<name>/trigger); the command follows its trace\n" +
    "(GET /executions/<id>) on stderr and prints the last node's output on stdout. A failed run exits 1.\n" +
    "Examples:\n" +
    "  arcrun workflow run github-who-am-i\n" +
    "  arcrun workflow run issue-to-slack -i label=bug -i issue:=42\n" +
    "  arcrun workflow run backup --data @doc.json --json | jq .output",
};

const POLL_MS = 150;

/** The live line: one mark per finished node, rewritten in place at a terminal; a line per node otherwise. */
class Progress {
  readonly #ui: Ui;
  readonly #tty: boolean;
  readonly #name: string;
  #shown = 0;
  #frame = 0;

  constructor(ui: Ui, name: string) {
    this.#ui = ui;
    this.#name = name;
    this.#tty = (ui.io.stderr as { isTTY?: boolean }).isTTY === true;
  }

  #entry(t: TraceEntry): string {
    const it = t.iteration !== undefined ? `[${t.iteration}]` : "";
    return `${statusMark(t.status, this.#ui.e)} ${t.node}${it} ${this.#ui.e.dim(ms(t.duration_ms))}`;
  }

  update(trace: readonly TraceEntry[]): void {
    if (this.#tty) {
      const spin = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"[this.#frame++ % 10] ?? "";
      const parts = trace.map((t) => this.#entry(t));
      const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");
      const columns = (this.#ui.io.stderr as { columns?: number }).columns ?? 100;
      let line = `${spin} ${this.#name}: ${parts.join(" · ") || "starting"}`;
      // Keep the newest nodes when the line is wider than the terminal (colour codes count as nothing).
      while (parts.length > 1 && line.replace(ansi, "").length > columns - 1) {
        parts.shift();
        line = `${spin} ${this.#name}: … ${parts.join(" · ")}`;
      }
      this.#ui.io.stderr.write(`\r\u001b[2K${line}`);
      return;
    }
    for (const t of trace.slice(this.#shown)) {
      this.#ui.err(`  ${this.#entry(t)} ${this.#ui.e.dim(`(${t.component})`)}`);
    }
    this.#shown = Math.max(this.#shown, trace.length);
  }

  done(e: Execution): void {
    if (this.#tty) {
      this.#ui.io.stderr.write("\r\u001b[2K");
      for (const t of e.trace) this.#ui.err(`  ${this.#entry(t)} ${this.#ui.e.dim(`(${t.component})`)}`);
    } else {
      this.update(e.trace);
    }
    const mark = statusMark(e.status, this.#ui.e);
    this.#ui.err(`${mark} ${this.#name} ${e.status} in ${ms(e.duration_ms)} (${e.trace.length} node runs)`);
  }
}

export function executionJson(e: Execution) {
  return {
    execution_id: e.id,
    workflow: e.workflow,
    status: e.status,
    started_at: e.started_at,
    duration_ms: e.duration_ms ?? null,
    mode: e.mode ?? null,
    output: e.output ?? null,
    error: e.error ?? null,
    trace: e.trace,
  };
}

export async function run(ctx: Context, args: Parsed): Promise<number> {
  const { ui } = ctx;
  const name = checkName(args.positionals[0] ?? "", spec.name);
  const timeoutText = str(args, "timeout");
  const timeoutS = timeoutText === undefined ? 120 : Number(timeoutText);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0)
    throw new UsageError(`--timeout takes a number of seconds, got "${timeoutText}"`, spec.name);
  const input = await buildInput(str(args, "data"), list(args, "input"), ui.io, spec.name);
  const executor = await executorFor(ctx);
  const started = await executor.trigger(name, input);
  const progress = ctx.json ? undefined : new Progress(ui, name);
  const deadline = Date.now() + timeoutS * 1000;
  let execution = await executor.execution(started.execution_id);
  while (execution.status === "running") {
    progress?.update(execution.trace);
    if (Date.now() > deadline) {
      if (progress) ui.err("");
      throw new CliError(
        "ERR_RUN_TIMEOUT",
        `workflow "${name}" is still running after ${timeoutS} s (execution ${execution.id}); it goes on in the executor`,
        `see it later with: arcrun workflow logs ${name}`,
      );
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
    execution = await executor.execution(started.execution_id);
  }
  progress?.done(execution);
  if (execution.status === "failed") {
    const e = execution.error;
    throw new CliError(
      e?.code ?? "ERR_RUN_FAILED",
      `workflow "${name}" failed${e?.node ? ` at node "${e.node}"` : ""}: ${e?.message ?? "no error was recorded"}`,
      `see the trace: arcrun workflow logs ${name}`,
    );
  }
  if (ctx.json) {
    ui.json(executionJson(execution));
    return EXIT_OK;
  }
  ui.out(JSON.stringify(execution.output ?? null, null, 2));
  return EXIT_OK;
}

import { readFile } from "node:fs/promises";
import type { Context } from "../../internal/context.js";
import { CliError, UsageError } from "../../internal/errors.js";
import type { WorkflowIssue } from "../../internal/executor-client.js";
import { ExecutorClient, executorTarget } from "../../internal/executor-client.js";
import type { Styles } from "../../internal/io.js";
import { storedExecutor } from "./secrets.js";

/**
 * The executor named by the environment (ARCRUN_EXECUTOR_URL), as ARCRUN_API_KEY, else as the API key
 * arcrun-auth's credential store keeps for that executor (`arcrun init --self-hosted` puts it there).
 * With `storeOn401` the store is opened only when the executor answers 401 (it needs an API key), and the
 * request is then sent again with the stored one: for commands that need no credential (validate,
 * components), which then leave ARCRUN_HOME alone against an executor without a key or none at all.
 */
export async function executorFor(
  ctx: Context,
  options: { storeOn401?: boolean } = {},
): Promise<ExecutorClient> {
  const target = executorTarget(ctx.ui.env);
  if (target.apiKey !== undefined) return new ExecutorClient(target);
  if (options.storeOn401) {
    // Commands that need no credential open the store only when the executor asks for an API key.
    return new ExecutorClient(target, fetch, async () => (await storedExecutor(ctx.ui, target.url))?.apiKey);
  }
  const apiKey = (await storedExecutor(ctx.ui, target.url))?.apiKey;
  return new ExecutorClient(apiKey ? { ...target, apiKey } : target);
}

export interface WorkflowFile {
  path: string;
  text: string;
  format: "yaml" | "json";
}

export async function readWorkflowFile(path: string): Promise<WorkflowFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    const why = (cause as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(cause);
    throw new CliError("ERR_FILE", `cannot read ${path}: ${why}`, "check the path and run again");
  }
  return { path, text, format: /\.json$/i.test(path) ? "json" : "yaml" };
}

/** `line 7, node "me": ...`, the way the executor words its issues. */
export function issueText(i: WorkflowIssue): string {
  const where = [i.line !== undefined ? `line ${i.line}` : "", i.node ? `node "${i.node}"` : ""]
    .filter(Boolean)
    .join(", ");
  return where ? `${where}: ${i.message}` : i.message;
}

export function ms(n: number | undefined): string {
  if (n === undefined) return "-";
  return n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(n < 10_000 ? 2 : 1)} s`;
}

export function statusMark(status: string, s: Styles): string {
  if (status === "succeeded") return s.green("✔");
  if (status === "failed") return s.red("✖");
  return s.yellow("…");
}

/** A workflow name as the executor accepts it (lower case, digits, _ and -). */
export function checkName(name: string, command: string): string {
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(name)) {
    throw new UsageError(
      `"${name}" is not a workflow name (lower case letters, digits, "_" and "-"; see: arcrun workflow list)`,
      command,
    );
  }
  return name;
}

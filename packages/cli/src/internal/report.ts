import { CliError, EXIT_FAILURE, EXIT_USAGE, UsageError } from "./errors.js";
import { invocation, withInvocation } from "./invocation.js";
import type { Ui } from "./io.js";

function codeOf(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null || !("code" in err)) return undefined;
  const code = (err as { code: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

/**
 * Prints an error on stderr and returns the exit code: 2 for usage errors, 1 for everything else.
 * Messages of arcrun-auth errors already end with the next step; ours add it on a second line.
 * With --json, stderr gets one JSON line `{"error":{"code","message"}}` instead, stdout stays empty.
 */
export function reportError(ui: Ui, err: unknown, json: boolean): number {
  let code = codeOf(err) ?? "ERR_UNEXPECTED";
  let message: string;
  let next: string | undefined;
  let exit = EXIT_FAILURE;
  if (err instanceof UsageError) {
    exit = EXIT_USAGE;
    message = err.message;
    next = `run: arcrun ${err.command ? `${err.command} ` : ""}--help`;
  } else if (err instanceof CliError) {
    message = err.message;
    next = err.next;
  } else if (err instanceof Error && code.startsWith("ERR_") && code !== "ERR_UNEXPECTED") {
    message = err.message;
  } else {
    code = "ERR_UNEXPECTED";
    message = `unexpected error: ${err instanceof Error ? err.message : String(err)}`;
    next = "if it persists, run: arcrun doctor";
  }
  // The commands a message names are spelled as this user runs arcrun (npx arcrun in a project install).
  const cli = invocation(process.argv[1], ui.env);
  message = withInvocation(message, cli);
  if (next) next = withInvocation(next, cli);
  if (json) {
    ui.err(JSON.stringify({ error: { code, message: next ? `${message}; ${next}` : message } }));
    return exit;
  }
  ui.err(`${ui.e.red("arcrun:")} ${message}`);
  if (next) ui.err(`  ${next}`);
  return exit;
}

import type { OptionSpec } from "./args.js";
import { CliError } from "./errors.js";
import type { Ui } from "./io.js";

export const FORCE_OPTION: Record<string, OptionSpec> = {
  force: { type: "boolean", description: "Print even when stdout is a terminal (the value stays on screen)" },
};

/**
 * `token` and `secret` print a credential for piping. At a terminal the value would stay on screen and in
 * the scrollback, so they refuse unless --force: `arcrun token x | pbcopy`, `$(arcrun token x)` and
 * redirects work, because there stdout is not a terminal.
 */
export function guardTerminal(ui: Ui, force: boolean, command: string): void {
  if (force || ui.io.stdout.isTTY !== true) return;
  throw new CliError(
    "ERR_STDOUT_IS_TERMINAL",
    `refusing to print a credential to the terminal`,
    `pipe or capture it (arcrun ${command} | pbcopy, VAR=$(arcrun ${command})), or add --force`,
  );
}

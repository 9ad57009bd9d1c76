/** Wrong invocation (unknown command or option, missing argument): exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
  readonly code = "ERR_USAGE";
  /** The command whose `--help` the message points to, or undefined for the top level. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}

/** A failure found by the CLI itself (not by arcrun-auth): exit code 1, with the next step in `next`. */
export class CliError extends Error {
  override name = "CliError";
  readonly code: string;
  readonly next: string | undefined;

  constructor(code: string, message: string, next?: string) {
    super(message);
    this.code = code;
    this.next = next;
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

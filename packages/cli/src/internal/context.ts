import type { Api } from "./api.js";
import type { Parsed } from "./args.js";
import type { Ui } from "./io.js";
import type { Prompter } from "./prompt.js";

/** What `main` hands to a command. */
export interface Context {
  ui: Ui;
  /** `--json` was given: machine output on stdout, nothing else there. */
  json: boolean;
  /** arcrun-auth behind the CLI's seam, loaded on first use (so `--help` and `recipe` never load it). */
  api(): Promise<Api>;
  prompter(): Prompter;
}

export type Run = (ctx: Context, args: Parsed) => Promise<number>;

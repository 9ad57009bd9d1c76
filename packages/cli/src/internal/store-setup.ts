import { join } from "node:path";
import type { StoreState } from "./api.js";
import type { Context } from "./context.js";
import { CliError } from "./errors.js";
import { passphraseStrength } from "./passphrase.js";
import { arcrunHome } from "./recipes.js";

const MIN_LENGTH = 8;

/** The choices, as both the terminal menu and the error without a terminal name them. */
function choicesText(home: string): string[] {
  return [
    `  1) a passphrase you choose now: asked when arcrun needs it; "arcrun unlock" keeps it unlocked for this login`,
    `  2) a key file ${join(home, "master.key")} (mode 0600): protects against leaked backups and commits,`,
    "     NOT against other programs running as you",
    "  (scripts, CI and containers: set ARCRUN_PASSPHRASE, or ARCRUN_MASTER_KEY from: openssl rand -base64 32)",
  ];
}

async function choosePassphrase(ctx: Context): Promise<string> {
  const { ui } = ctx;
  const prompter = ctx.prompter();
  for (let attempt = 0; attempt < 3; attempt++) {
    const first = await prompter.ask({
      message: "New passphrase for the encrypted file",
      hidden: true,
      validate: (v) =>
        Array.from(v).length < MIN_LENGTH ? `At least ${MIN_LENGTH} characters, please` : undefined,
    });
    const s = passphraseStrength(first);
    const paint = s.label === "weak" ? ui.e.red : s.label === "fair" ? ui.e.yellow : ui.e.green;
    ui.err(
      `Strength: ${paint(s.label)} (about ${s.bits} bits)${s.label === "weak" || s.label === "fair" ? "; four or more random words are stronger" : ""}`,
    );
    const again = await prompter.ask({ message: "Repeat the passphrase", hidden: true });
    if (again === first) return first;
    ui.err(ui.e.yellow("The two did not match; try again."));
  }
  throw new CliError(
    "ERR_CANCELLED",
    "the passphrases did not match 3 times; nothing was saved",
    "run the command again",
  );
}

/**
 * Makes sure the store can take a secret BEFORE anyone types one (`arcrun setup`, OAuth login): a keyring
 * or a ready encrypted file goes on; a passphrase-locked file is unlocked now (asked at a terminal); with no
 * key yet a person chooses a passphrase or a key file (remembered in config.yaml). Without a terminal it
 * fails here with the choices, before reading any value from stdin.
 */
export async function ensureWritableStore(ctx: Context, service: string): Promise<void> {
  const { ui } = ctx;
  const api = await ctx.api();
  const state: StoreState = await api.storeState();
  const home = arcrunHome(ui.env);
  const tty = ctx.prompter().tty;
  switch (state.state) {
    case "ready":
      return;
    case "unavailable":
      throw new CliError(
        state.error?.code ?? "ERR_STORE_UNAVAILABLE",
        `${state.error?.message ?? "the store cannot be written"}; nothing was asked or saved`,
        "fix that first (arcrun doctor shows the store)",
      );
    case "locked":
      if (!tty) {
        throw new CliError(
          "ERR_STORE_WRONG_KEY",
          `${state.path} is locked with a passphrase, and there is no terminal to ask it; nothing was read or saved`,
          "run: arcrun unlock (at a terminal, once per login), or set ARCRUN_PASSPHRASE",
        );
      }
      // Asked now (the agent and ARCRUN_PASSPHRASE were tried first); a wrong one stops here.
      await api.readStore();
      return;
    case "needs-key": {
      const lines = [
        `No OS keyring answers here, so arcrun keeps secrets in the encrypted file ${state.path}.`,
        "It has no key yet. Choose one:",
        ...choicesText(home),
      ];
      if (!tty) {
        throw new CliError(
          "ERR_STORE_UNAVAILABLE",
          `no OS keyring answers and the encrypted file ${state.path} has no key yet; nothing was read or saved`,
          `run arcrun setup ${service} at a terminal to choose a passphrase or a key file, or set ARCRUN_PASSPHRASE (or ARCRUN_MASTER_KEY, from: openssl rand -base64 32)`,
        );
      }
      for (const l of lines) ui.err(l);
      const pick = await ctx.prompter().ask({
        message: "Choose 1 or 2",
        hidden: false,
        defaultValue: "1",
        validate: (v) => (v === "1" || v === "2" ? undefined : "Type 1 or 2"),
      });
      if (pick === "1") {
        const passphrase = await choosePassphrase(ctx);
        const made = await api.initFileKey({ kind: "passphrase", passphrase });
        ui.err(
          `${ui.e.green("✔")} Created ${made.path}, locked with your passphrase (remembered in config.yaml: store_key: passphrase)`,
        );
        ui.err(ui.e.dim("Scripts started from this login can use it after: arcrun unlock"));
      } else {
        const made = await api.initFileKey({ kind: "key-file" });
        ui.err(
          `${ui.e.green("✔")} Created ${made.path} under the key file ${made.keyFile} (mode 0600; remembered in config.yaml: store_key: key-file)`,
        );
        ui.err(
          ui.e.yellow(
            "The key file protects against leaked backups and commits of secrets.enc, not against other programs running as you. Keep it out of backups that hold secrets.enc.",
          ),
        );
      }
      return;
    }
    default: {
      const never: never = state.state;
      return never;
    }
  }
}

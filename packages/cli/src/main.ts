import { readFileSync } from "node:fs";
import type { Api } from "./internal/api.js";
import { type CommandSpec, helpText, type Parsed, parse } from "./internal/args.js";
import type { Context, Run } from "./internal/context.js";
import { EXIT_OK, EXIT_USAGE, UsageError } from "./internal/errors.js";
import { type Io, processIo, Ui } from "./internal/io.js";
import { Prompter } from "./internal/prompt.js";
import { reportError } from "./internal/report.js";

interface CommandModule {
  spec: CommandSpec;
  run: Run;
}

/** Command table: modules load only when their command runs, so `arcrun list` pays for nothing else. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  setup: {
    summary: "Connect a service: prompt for its secret or log in, verify, save",
    load: () => import("./commands/setup.js"),
  },
  list: {
    summary: "Every service, its auth kind, and which instances are connected",
    load: () => import("./commands/list.js"),
  },
  status: {
    summary: "Connection status of one service or all connected ones",
    load: () => import("./commands/status.js"),
  },
  test: {
    summary: "Run a service's test request with the stored credential",
    load: () => import("./commands/test.js"),
  },
  token: {
    summary: "Print a service's access token (or its one static key) to stdout, for piping",
    load: () => import("./commands/token.js"),
  },
  secret: {
    summary: "Print a service's stored secret to stdout (for piping)",
    load: () => import("./commands/secret.js"),
  },
  run: {
    summary: "Run a command with credentials in its environment, or behind a local proxy (--proxy)",
    load: () => import("./commands/run.js"),
  },
  proxy: {
    summary: "Serve a 127.0.0.1 proxy that applies credentials; clients hold only a proxy token",
    load: () => import("./commands/proxy.js"),
  },
  mcp: {
    summary: "An MCP server over stdio for AI agents (read-only unless config.yaml allows more)",
    load: () => import("./commands/mcp.js"),
  },
  "git-credential": {
    summary:
      "A git credential helper for the hosts of github, gitlab, bitbucket (get; store and erase do nothing)",
    load: () => import("./commands/git-credential.js"),
  },
  logout: {
    summary: "Revoke (where the provider can) and delete a stored credential",
    load: () => import("./commands/logout.js"),
  },
  unlock: {
    summary: "Keep the passphrase-locked encrypted file unlocked for this login (--for 8h)",
    load: () => import("./commands/unlock.js"),
  },
  lock: {
    summary: "Forget the key `arcrun unlock` keeps",
    load: () => import("./commands/lock.js"),
  },
  doctor: {
    summary: "Node version, active store and why, ARCRUN_HOME, broker",
    load: () => import("./commands/doctor.js"),
  },
  "recipe show": {
    summary: "Print a resolved recipe (after extends and user overrides)",
    load: () => import("./commands/recipe-show.js"),
  },
  "recipe validate": {
    summary: "Check a recipe file; errors name the file and key path",
    load: () => import("./commands/recipe-validate.js"),
  },
  "recipe new": {
    summary: "Write a new user recipe from a few answers (or flags), then validate it",
    load: () => import("./commands/recipe-new.js"),
  },
  "recipe push": {
    summary: "Give the executor a recipe the catalogue lacks: confirm its hosts, test it, store it",
    load: () => import("./commands/executor/recipe-push.js"),
  },
  "recipes update": {
    summary: "Install the signed recipe catalogue (new services without an upgrade)",
    load: () => import("./commands/recipes-update.js"),
  },
  "workflow validate": {
    summary: "Check a workflow file; errors name the line and node",
    load: () => import("./commands/executor/workflow-validate.js"),
  },
  "workflow push": {
    summary: "Register or replace a workflow on the executor",
    load: () => import("./commands/executor/workflow-push.js"),
  },
  "workflow run": {
    summary: "Run a workflow with live per-node progress; print its output",
    load: () => import("./commands/executor/workflow-run.js"),
  },
  "workflow list": {
    summary: "The executor's workflows and their last run",
    load: () => import("./commands/executor/workflow-list.js"),
  },
  "workflow logs": {
    summary: "Recent executions of a workflow and their traces",
    load: () => import("./commands/executor/workflow-logs.js"),
  },
  "workflow delete": {
    summary: "Delete a workflow from the executor",
    load: () => import("./commands/executor/workflow-delete.js"),
  },
  "creds push": {
    summary: "Encrypt a credential locally and store it on the executor",
    load: () => import("./commands/executor/creds-push.js"),
  },
  "creds list": {
    summary: "The executor's credentials (names and metadata only)",
    load: () => import("./commands/executor/creds-list.js"),
  },
  "creds delete": {
    summary: "Delete a credential from the executor",
    load: () => import("./commands/executor/creds-delete.js"),
  },
  "creds tenant-key": {
    summary: "Print a tenant's credential key (for the executor's operator)",
    load: () => import("./commands/executor/creds-tenant-key.js"),
  },
  components: {
    summary: "The executor's components and their contracts",
    load: () => import("./commands/executor/components.js"),
  },
  init: {
    summary: "Deploy your own executor and broker (--self-hosted [--dry-run])",
    load: () => import("./commands/executor/init.js"),
  },
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

function topHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length)) + 2;
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`);
  return [
    "arcrun: set up, test and use third-party API credentials.",
    "",
    "Usage: arcrun <command> [arguments] [options]",
    "",
    "Commands:",
    ...rows,
    "",
    "Options:",
    "  -h, --help      Show help (also: arcrun <command> --help)",
    "  -v, --version   Print the version",
    "",
    "Exit codes: 0 ok, 1 failure, 2 usage error. Docs: docs/cli.md",
    "",
  ].join("\n");
}

/** The subcommands of a command group ("recipe" -> show, validate), from the command table. */
function groupOf(word: string): string[] {
  return Object.keys(COMMANDS).filter((k) => k.startsWith(`${word} `));
}

/** The text of `arcrun <group> --help` / `arcrun help <group>`: the group's subcommands and what they do. */
function groupHelp(group: string): string {
  const subs = groupOf(group);
  const width = Math.max(...subs.map((k) => k.length - group.length - 1)) + 2;
  return [
    `arcrun ${group}: ${subs.map((k) => k.slice(group.length + 1)).join(", ")}`,
    "",
    `Usage: arcrun ${group} <subcommand> [arguments] [options]`,
    "",
    "Subcommands:",
    ...subs.map((k) => `  ${k.slice(group.length + 1).padEnd(width)}${COMMANDS[k]?.summary ?? ""}`),
    "",
    `Run: arcrun ${group} <subcommand> --help`,
    "",
  ].join("\n");
}

/** Finds the command named by argv's leading words ("recipe show" takes two). */
function lookup(argv: readonly string[]): { name: string; rest: string[] } | undefined {
  const [a, b] = argv;
  if (a !== undefined && b !== undefined && COMMANDS[`${a} ${b}`])
    return { name: `${a} ${b}`, rest: argv.slice(2) };
  if (a !== undefined && COMMANDS[a]) return { name: a, rest: argv.slice(1) };
  return undefined;
}

/** Runs the CLI with argv (without node and script); returns the exit code. Never throws. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const ui = new Ui(io);
  const json = argv.includes("--json");
  try {
    const first = argv[0];
    if (first === undefined || first === "-h" || first === "--help") {
      io.stdout.write(topHelp());
      return first === undefined ? EXIT_USAGE : EXIT_OK;
    }
    if (first === "-v" || first === "--version") {
      ui.out(version());
      return EXIT_OK;
    }
    if (first === "help") return help(ui, argv.slice(1));
    const found = lookup(argv);
    if (!found) {
      const group = groupOf(first);
      if (group.length > 0 && (argv[1] === "--help" || argv[1] === "-h")) {
        io.stdout.write(groupHelp(first));
        return EXIT_OK;
      }
      if (group.length > 0)
        throw new UsageError(
          `"${first}" needs a subcommand: ${group.map((g) => g.split(" ")[1]).join(", ")}`,
          first,
        );
      const { suggest } = await import("arcrun-auth");
      const near = suggest(first, new Set(Object.keys(COMMANDS).map((k) => k.split(" ")[0] ?? k)));
      throw new UsageError(
        `unknown command "${first}"${near.length ? ` (did you mean: ${near.join(", ")}?)` : ""}`,
      );
    }
    const mod = await COMMANDS[found.name]?.load();
    if (!mod) throw new UsageError(`unknown command "${found.name}"`);
    const args: Parsed = parse(mod.spec, found.rest);
    if (args.values.help === true) {
      io.stdout.write(helpText(mod.spec));
      return EXIT_OK;
    }
    let prompter: Prompter | undefined;
    let api: Promise<Api> | undefined;
    const getPrompter = () => {
      prompter ??= new Prompter(io);
      return prompter;
    };
    const ctx: Context = {
      ui,
      json: args.values.json === true,
      prompter: getPrompter,
      api: () => {
        api ??= import("./internal/auth.js").then((m) => m.createApi(ui, getPrompter));
        return api;
      },
    };
    return await mod.run(ctx, args);
  } catch (err) {
    return reportError(ui, err, json);
  }
}

async function help(ui: Ui, rest: string[]): Promise<number> {
  const found = lookup(rest);
  if (!found && rest.length === 1 && rest[0] !== undefined && groupOf(rest[0]).length > 0) {
    ui.io.stdout.write(groupHelp(rest[0]));
    return EXIT_OK;
  }
  if (!found) {
    ui.io.stdout.write(topHelp());
    return rest.length === 0 ? EXIT_OK : EXIT_USAGE;
  }
  const mod = await COMMANDS[found.name]?.load();
  if (mod) ui.io.stdout.write(helpText(mod.spec));
  return EXIT_OK;
}

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bool, type CommandSpec, type Parsed, str } from "../../internal/args.js";
import type { Context } from "../../internal/context.js";
import { CliError, EXIT_OK, UsageError } from "../../internal/errors.js";
import type { Ui } from "../../internal/io.js";
import {
  checkStoreWritable,
  EXECUTOR_SECRET,
  executorInstance,
  keepExecutor,
  migrateKeyFile,
  openAuth,
  URL_UNKNOWN,
} from "./secrets.js";

export const spec: CommandSpec = {
  name: "init",
  summary: "Deploy your own executor and broker to Cloudflare (KV namespaces, keys, wrangler deploy).",
  positionals: [],
  options: {
    "self-hosted": {
      type: "boolean",
      description: "Deploy to your own Cloudflare account (the only mode so far)",
    },
    "dry-run": {
      type: "boolean",
      description:
        "Print every step; create and store nothing; run wrangler deploy --dry-run for both Workers",
    },
    dir: {
      type: "string",
      arg: "<path>",
      description: "The arcrun checkout (default: found from here upwards)",
    },
    json: {
      type: "boolean",
      description:
        'Print {"dry_run", "steps": [{"step", "command", "status"}], "executor": {"url", "config", "store", "secret"}, "broker"}',
    },
  },
  details:
    "Steps: check the build; create the KV namespaces ARCRUN_KV and BROKER_KV; generate the executor's\n" +
    "ENCRYPTION_KEY and the broker's TOKEN_ENCRYPTION_KEY; write wrangler configs with the namespace ids\n" +
    "(packages/*/.wrangler/arcrun-init/wrangler.toml); wrangler deploy each Worker; wrangler secret put each\n" +
    "key (on stdin, never argv), and the executor's ARCRUN_API_KEY. Both executor keys are kept in arcrun-auth's\n" +
    "credential store (the OS keyring, or the encrypted file; never a plaintext file) as arcrun_executor/<host>,\n" +
    "where `arcrun creds push` and the workflow commands find them. Log in to Cloudflare first (wrangler login,\n" +
    "or CLOUDFLARE_API_TOKEN).\n" +
    "Examples:\n  arcrun init --self-hosted --dry-run\n  arcrun init --self-hosted",
};

interface Worker {
  id: "executor" | "broker";
  dir: string;
  binding: string;
  /** Worker secrets generated here (32 random bytes) and set with wrangler secret put. */
  secrets: string[];
}

type StepStatus = "done" | "dry-run" | "skipped";

interface StepRecord {
  step: string;
  command: string | null;
  status: StepStatus;
}

/** A directory with packages/executor-worker and packages/broker-worker, from `start` upwards. */
function findCheckout(starts: readonly string[]): string | undefined {
  for (const start of starts) {
    let dir = resolve(start);
    for (;;) {
      if (
        existsSync(join(dir, "packages", "executor-worker", "wrangler.toml")) &&
        existsSync(join(dir, "packages", "broker-worker", "wrangler.toml"))
      )
        return dir;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return undefined;
}

interface Exec {
  code: number;
  stdout: string;
  stderr: string;
}

function exec(
  cmd: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  input?: string,
): Promise<Exec> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, [...args], { cwd, env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.once("error", reject);
    child.once("close", (code) => resolvePromise({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}

/**
 * Wrangler's environment for one Worker: its debug logs go to the package's .wrangler/logs (as the package
 * scripts keep them), never to ~/.config/.wrangler/logs outside the checkout. A dry run also points
 * XDG_CONFIG_HOME at the package's .wrangler/config (what `pnpm build` does: metrics.json and the rest stay
 * there too); a real deploy keeps the user's, where `wrangler login` keeps its token. A WRANGLER_LOG_PATH
 * the user set wins.
 */
export function wranglerEnv(env: NodeJS.ProcessEnv, workerDir: string, dry: boolean): NodeJS.ProcessEnv {
  return {
    ...env,
    WRANGLER_LOG_PATH: env.WRANGLER_LOG_PATH || join(workerDir, ".wrangler", "logs"),
    ...(dry ? { XDG_CONFIG_HOME: join(workerDir, ".wrangler", "config") } : {}),
  };
}

/** The KV namespace id wrangler printed (a TOML or JSON snippet with `id`). */
export function namespaceId(output: string): string | undefined {
  return /\bid"?\s*[=:]\s*"([0-9a-f]{32})"/.exec(output)?.[1];
}

/** The package's wrangler.toml with the namespace id set and `main` made absolute (the copy lives elsewhere). */
export function deployConfig(toml: string, worker: Worker, kvId: string): string {
  const main = /^main\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  if (!main)
    throw new CliError("ERR_CONFIG", `${worker.dir}/wrangler.toml has no main`, "restore it from git");
  let out = toml.replace(/^main\s*=\s*"[^"]+"/m, `main = ${JSON.stringify(join(worker.dir, main))}`);
  const block = new RegExp(`(binding\\s*=\\s*"${worker.binding}"\\s*\\n\\s*id\\s*=\\s*)"[^"]*"`);
  if (!block.test(out))
    throw new CliError(
      "ERR_CONFIG",
      `${worker.dir}/wrangler.toml has no [[kv_namespaces]] binding ${worker.binding} followed by its id`,
      "restore it from git",
    );
  out = out.replace(block, `$1"${kvId}"`);
  return `# Written by arcrun init --self-hosted; regenerate rather than edit.\n${out}`;
}

export async function run(ctx: Context, args: Parsed): Promise<number> {
  const { ui } = ctx;
  if (!bool(args, "self-hosted"))
    throw new UsageError("init needs --self-hosted (deploy to your own Cloudflare account)", spec.name);
  const dry = bool(args, "dry-run");
  const here = dirname(fileURLToPath(import.meta.url));
  const dirOpt = str(args, "dir");
  const root = dirOpt !== undefined ? findCheckout([dirOpt]) : findCheckout([process.cwd(), here]);
  if (!root) {
    throw new CliError(
      "ERR_FILE",
      `no arcrun checkout${dirOpt ? ` at ${dirOpt}` : " here or above"} (packages/executor-worker and packages/broker-worker)`,
      "run it from a clone of arcrun, or pass --dir <checkout>",
    );
  }
  const workers: Worker[] = [
    {
      id: "executor",
      dir: join(root, "packages", "executor-worker"),
      binding: "ARCRUN_KV",
      // Without ARCRUN_API_KEY a deployed single-tenant executor would serve anyone who finds its URL.
      secrets: ["ENCRYPTION_KEY", "ARCRUN_API_KEY"],
    },
    {
      id: "broker",
      dir: join(root, "packages", "broker-worker"),
      binding: "BROKER_KV",
      secrets: ["TOKEN_ENCRYPTION_KEY"],
    },
  ];
  const localWrangler = join(root, "packages", "executor-worker", "node_modules", ".bin", "wrangler");
  const wrangler = existsSync(localWrangler) ? localWrangler : "wrangler";
  const env: NodeJS.ProcessEnv = {
    ...(ui.env as NodeJS.ProcessEnv),
    WRANGLER_SEND_METRICS: ui.env.WRANGLER_SEND_METRICS ?? "false",
    ...(dry ? { CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" } : {}),
  };
  const steps: StepRecord[] = [];
  const say = (n: number, text: string, command: string | null, status: StepStatus) => {
    steps.push({ step: text, command, status });
    if (ctx.json) return;
    const tag =
      status === "done" ? ui.o.green("✔") : ui.o.yellow(status === "dry-run" ? "dry run" : "skipped");
    ui.out(`${String(n).padStart(2)}. ${text} ${tag}`);
    if (command) ui.out(`    $ ${command}`);
  };
  let n = 0;
  const wranglerRun = async (worker: Worker, argv: string[], input?: string): Promise<Exec> => {
    const r = await exec(wrangler, argv, worker.dir, wranglerEnv(env, worker.dir, dry), input);
    if (r.code !== 0) {
      const tail = `${r.stderr}\n${r.stdout}`.trim().split("\n").slice(-8).join("\n");
      throw new CliError(
        "ERR_WRANGLER",
        `wrangler ${argv.slice(0, 3).join(" ")} failed for the ${worker.id} (exit ${r.code}):\n${tail}`,
        "fix what wrangler says (wrangler login, or set CLOUDFLARE_API_TOKEN), then run: arcrun init --self-hosted",
      );
    }
    return r;
  };

  const manifest = join(root, "packages", "components", "dist", "manifest.json");
  if (!existsSync(manifest))
    throw new CliError(
      "ERR_NOT_BUILT",
      "the components are not built",
      "run: pnpm build, then arcrun init --self-hosted",
    );
  say(++n, `Checkout ${root}: components built`, null, "done");

  // Before anything is created: keys that cannot be kept would be lost once they are set on the Worker.
  const auth = await openAuth(ui);
  if (!dry) await migrateKeyFile(ui, auth);
  const storeKind = await checkStoreWritable(auth);
  say(++n, `Check that the ${storeKind} store can keep the executor's keys`, null, "done");

  const kvIds: Record<string, string> = {};
  for (const w of workers) {
    const argv = ["kv", "namespace", "create", w.binding];
    if (dry) {
      kvIds[w.id] = "00000000000000000000000000000000";
      say(++n, `Create the KV namespace ${w.binding} (${w.id})`, `wrangler ${argv.join(" ")}`, "dry-run");
      continue;
    }
    const r = await wranglerRun(w, argv);
    const id = namespaceId(`${r.stdout}\n${r.stderr}`);
    if (!id)
      throw new CliError(
        "ERR_WRANGLER",
        `wrangler created ${w.binding} but printed no namespace id`,
        `find it with: wrangler kv namespace list, then put it in ${w.dir}/wrangler.toml`,
      );
    kvIds[w.id] = id;
    say(++n, `Create the KV namespace ${w.binding} (${w.id}): ${id}`, `wrangler ${argv.join(" ")}`, "done");
  }

  const keys: Record<string, string> = {};
  for (const w of workers) {
    for (const secret of w.secrets) {
      keys[secret] = randomBytes(32).toString(secret === "ARCRUN_API_KEY" ? "base64url" : "base64");
      say(++n, `Generate the ${w.id}'s ${secret} (32 random bytes)`, null, dry ? "dry-run" : "done");
    }
  }
  const executorKeys = {
    ENCRYPTION_KEY: keys.ENCRYPTION_KEY ?? "",
    ARCRUN_API_KEY: keys.ARCRUN_API_KEY ?? "",
  };
  // Kept before the deploy, under "URL unknown", so a failure later never loses them; filed under the URL after.
  const keepText = `Keep the executor's ENCRYPTION_KEY and ARCRUN_API_KEY in the ${storeKind} store (${EXECUTOR_SECRET}/${URL_UNKNOWN} until its URL is known)`;
  if (!dry) await keepExecutor(auth, URL_UNKNOWN, executorKeys);
  say(++n, keepText, null, dry ? "dry-run" : "done");

  const configs: Record<string, string> = {};
  const outRoot = dry ? await mkdtemp(join(tmpdir(), "arcrun-init-")) : undefined;
  try {
    for (const w of workers) {
      const toml = await readFile(join(w.dir, "wrangler.toml"), "utf8");
      const dir = join(outRoot ?? join(w.dir, ".wrangler"), outRoot ? w.id : "arcrun-init");
      await mkdir(dir, { recursive: true });
      const file = join(dir, "wrangler.toml");
      await writeFile(file, deployConfig(toml, w, kvIds[w.id] ?? ""), { mode: 0o644 });
      configs[w.id] = file;
      say(++n, `Write the ${w.id}'s wrangler config with the namespace id`, null, dry ? "dry-run" : "done");
    }

    const urls: Record<string, string | null> = { executor: null, broker: null };
    for (const w of workers) {
      const config = configs[w.id] ?? "";
      const argv = ["deploy", "--config", config];
      if (dry) {
        argv.push("--dry-run", "--outdir", join(outRoot ?? tmpdir(), `${w.id}-bundle`));
        await wranglerRun(w, argv);
        say(
          ++n,
          `Deploy the ${w.id} (bundled and checked, not uploaded)`,
          `wrangler ${argv.join(" ")}`,
          "done",
        );
        for (const secret of w.secrets)
          say(
            ++n,
            `Set the ${w.id}'s secret ${secret}`,
            `wrangler secret put ${secret} --config ${config}  (value on stdin)`,
            "dry-run",
          );
        continue;
      }
      const r = await wranglerRun(w, argv);
      urls[w.id] = /https:\/\/[^\s]+\.workers\.dev/.exec(`${r.stdout}\n${r.stderr}`)?.[0] ?? null;
      say(
        ++n,
        `Deploy the ${w.id}${urls[w.id] ? `: ${urls[w.id]}` : ""}`,
        `wrangler ${argv.join(" ")}`,
        "done",
      );
      for (const secret of w.secrets) {
        await wranglerRun(w, ["secret", "put", secret, "--config", config], keys[secret]);
        say(
          ++n,
          `Set the ${w.id}'s secret ${secret}`,
          `wrangler secret put ${secret} --config ${config}  (value on stdin)`,
          "done",
        );
      }
    }

    let secret = `${EXECUTOR_SECRET}/${URL_UNKNOWN}`;
    if (dry) {
      say(++n, `File the executor's keys under its URL (${EXECUTOR_SECRET}/<host>)`, null, "dry-run");
    } else if (urls.executor) {
      const instance = executorInstance(urls.executor);
      await keepExecutor(auth, instance, executorKeys);
      await auth.deleteReservedSecret(EXECUTOR_SECRET, { instance: URL_UNKNOWN });
      secret = `${EXECUTOR_SECRET}/${instance}`;
      say(++n, `File the executor's keys under its URL (${secret})`, null, "done");
    } else {
      say(
        ++n,
        `File the executor's keys under its URL: wrangler printed none, so they stay ${secret} (used for any executor not on this machine)`,
        null,
        "skipped",
      );
    }
    const result = {
      dry_run: dry,
      checkout: root,
      steps,
      executor: {
        url: urls.executor,
        config: dry ? null : configs.executor,
        store: storeKind,
        secret: dry ? null : secret,
        // Always null: the keys are never written to a plaintext file (kept for --json compatibility).
        key_file: null,
      },
      broker: { url: urls.broker, config: dry ? null : configs.broker },
    };
    if (ctx.json) ui.json(result);
    else nextSteps(ui, dry, urls.executor ?? null, storeKind);
    return EXIT_OK;
  } finally {
    if (outRoot) await rm(outRoot, { recursive: true, force: true });
  }
}

function nextSteps(ui: Ui, dry: boolean, url: string | null, storeKind: string): void {
  ui.out("");
  if (dry) {
    ui.out("Dry run: nothing was created, uploaded or stored. Next: arcrun init --self-hosted");
    return;
  }
  ui.out("Next:");
  ui.out(`  export ARCRUN_EXECUTOR_URL=${url ?? "<the executor's workers.dev URL>"}`);
  ui.out(
    `  arcrun creds push <name> --recipe <id>      # the executor's key and API key come from the ${storeKind} store`,
  );
  ui.out("  arcrun workflow push <file> && arcrun workflow run <name>");
  ui.out(
    "  The broker needs its OAuth apps: wrangler secret put CLIENT_<SERVICE>_ID / _SECRET (docs/broker.md)",
  );
}

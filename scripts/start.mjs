#!/usr/bin/env node
// `pnpm start` (after `pnpm build`): the main job on local defaults. Shows `arcrun doctor` and the catalogue,
// then runs the local executor (workerd, KV persisted) until Ctrl-C, with the next steps once it answers.
// `--check` stops after the executor answered /health (the test suite runs it that way). Ctrl-C at any point
// stops the executor and exits 0 (an interrupt is how you leave it, not a failure for pnpm to report).
import { spawn, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "packages/cli/dist/bin.js");
const check = process.argv.includes("--check");
const port = process.env.PORT ?? "8788";
const url = `http://127.0.0.1:${port}`;

const say = (text) => process.stdout.write(`${text}\n`);
let executor;
let interrupted = false;
const stop = () => {
  if (!executor) return;
  try {
    process.kill(-executor.pid, "SIGTERM");
  } catch {}
};
const interrupt = () => {
  interrupted = true;
  if (!executor) process.exit(0);
  stop();
};
process.on("SIGINT", interrupt);
process.on("SIGTERM", interrupt);

for (const args of [["doctor"], ["list"]]) {
  say(`\n$ arcrun ${args.join(" ")}`);
  spawnSync(process.execPath, [cli, ...args], { stdio: "inherit" });
  if (interrupted) process.exit(0);
}

say(`\nStarting the local executor on ${url} (workerd) ...`);
executor = spawn("pnpm", ["--silent", "--filter", "executor-worker", "dev"], {
  cwd: root,
  stdio: check ? ["ignore", "pipe", "pipe"] : ["ignore", "inherit", "inherit"],
  env: {
    ...process.env,
    PORT: port,
    // Offline and quiet: no metrics, no Cloudflare fetches, no banner (nor its update check).
    WRANGLER_SEND_METRICS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_HIDE_BANNER: "true",
  },
  detached: true,
});
let log = "";
executor.stdout?.on("data", (d) => {
  log += d;
});
executor.stderr?.on("data", (d) => {
  log += d;
});
executor.on("exit", (code) => {
  if (interrupted) {
    say("The executor stopped.");
    process.exit(0);
  }
  if (!ready) {
    process.stderr.write(`${log}\nThe executor stopped before it answered (exit ${code}). Try: pnpm build\n`);
    process.exit(1);
  }
  process.exit(0);
});

let ready = false;
const deadline = Date.now() + 120_000;
while (!ready && !interrupted && Date.now() < deadline) {
  try {
    const res = await fetch(`${url}/health`);
    ready = res.ok;
  } catch {}
  if (!ready) await new Promise((r) => setTimeout(r, 500));
}
if (interrupted) await new Promise(() => {}); // the exit handler ends the process
if (!ready) {
  process.stderr.write(`${log}\nThe executor did not answer ${url}/health within 120 s. Try: pnpm build\n`);
  stop();
  process.exit(1);
}
say(`
The executor answers on ${url}. Next, in another shell:
  pnpm -s arcrun creds push gh --recipe github   (asks for a GitHub token)
  pnpm -s arcrun workflow push examples/workflows/github-who-am-i.yaml
  pnpm -s arcrun workflow run github-who-am-i
Set up a credential for your own scripts with: pnpm -s arcrun setup <service>
Ctrl-C stops the executor.`);
if (check) {
  stop();
}

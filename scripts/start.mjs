#!/usr/bin/env node
// `pnpm start` (after `pnpm build`): the main job on local defaults. Shows `arcrun doctor` and the catalogue,
// then runs the local executor (workerd, KV persisted) until Ctrl-C, with the next steps once it answers.
// `--check` stops after the executor answered /health (the test suite runs it that way).
import { spawn, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "packages/cli/dist/bin.js");
const check = process.argv.includes("--check");
const port = process.env.PORT ?? "8788";
const url = `http://127.0.0.1:${port}`;

const say = (text) => process.stdout.write(`${text}\n`);
for (const args of [["doctor"], ["list"]]) {
  say(`\n$ arcrun ${args.join(" ")}`);
  spawnSync(process.execPath, [cli, ...args], { stdio: "inherit" });
}

say(`\nStarting the local executor on ${url} (workerd) ...`);
const executor = spawn("pnpm", ["--silent", "--filter", "executor-worker", "dev"], {
  cwd: root,
  stdio: check ? ["ignore", "pipe", "pipe"] : "inherit",
  env: { ...process.env, PORT: port },
  detached: true,
});
let log = "";
executor.stdout?.on("data", (d) => {
  log += d;
});
executor.stderr?.on("data", (d) => {
  log += d;
});
const stop = () => {
  try {
    process.kill(-executor.pid, "SIGTERM");
  } catch {}
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
executor.on("exit", (code) => {
  if (!ready) {
    process.stderr.write(`${log}\nThe executor stopped before it answered (exit ${code}). Try: pnpm build\n`);
    process.exit(1);
  }
  process.exit(0);
});

let ready = false;
const deadline = Date.now() + 120_000;
while (!ready && Date.now() < deadline) {
  try {
    const res = await fetch(`${url}/health`);
    ready = res.ok;
  } catch {}
  if (!ready) await new Promise((r) => setTimeout(r, 500));
}
if (!ready) {
  process.stderr.write(`${log}\nThe executor did not answer ${url}/health within 120 s. Try: pnpm build\n`);
  stop();
  process.exit(1);
}
say(`
The executor answers on ${url}. Next, in another shell:
  printf '%s' "$GITHUB_TOKEN" | pnpm --silent --filter executor-worker creds:push gh --recipe github
  curl -s -X POST ${url}/webhooks/named -H 'content-type: application/yaml' --data-binary @examples/workflows/github-who-am-i.yaml
  curl -s -X POST ${url}/webhooks/named/github-who-am-i/query -d '{}'
Set up a credential for your own scripts with: pnpm arcrun setup <service>   (Ctrl-C stops the executor)`);
if (check) {
  stop();
}

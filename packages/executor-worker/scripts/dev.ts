/**
 * `pnpm --filter executor-worker dev`: the executor on local workerd (wrangler dev), KV persisted in
 * .wrangler/state. Creates .dev.vars with a fresh ENCRYPTION_KEY on first run (credentials pushed to this
 * executor are encrypted with it), and builds the components if they are not built yet.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { packageRoot } from "./bundle.js";

const devVars = join(packageRoot, ".dev.vars");
if (!existsSync(devVars) || !/^ENCRYPTION_KEY=/m.test(readFileSync(devVars, "utf8"))) {
  const line = `ENCRYPTION_KEY=${randomBytes(32).toString("base64")}\n`;
  writeFileSync(devVars, existsSync(devVars) ? readFileSync(devVars, "utf8") + line : line, { mode: 0o600 });
  process.stdout.write(
    `executor: created ${devVars} with a new ENCRYPTION_KEY (keep it; credentials are encrypted with it)\n`,
  );
}

const require = createRequire(import.meta.url);
let componentsBuilt = true;
try {
  require.resolve("components/manifest.json");
} catch {
  componentsBuilt = false;
}
if (!componentsBuilt) {
  process.stdout.write("executor: building the components first\n");
  const r = spawnSync("pnpm", ["--filter", "components", "build"], { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// 8788: the broker Worker takes wrangler's default 8787.
const port = process.env.PORT ?? "8788";
const wrangler = spawn(
  "wrangler",
  ["dev", "--persist-to", ".wrangler/state", "--ip", "127.0.0.1", "--port", port, ...process.argv.slice(2)],
  {
    cwd: packageRoot,
    stdio: "inherit",
    env: {
      ...process.env,
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      WRANGLER_SEND_METRICS: "false",
      XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME ?? join(packageRoot, ".wrangler", "config"),
    },
  },
);
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => wrangler.kill(sig));
wrangler.on("exit", (code) => process.exit(code ?? 0));

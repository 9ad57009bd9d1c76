import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CliError } from "../../internal/errors.js";
import { type ExecutorClient, isLoopback } from "../../internal/executor-client.js";
import type { Ui } from "../../internal/io.js";
import { EXECUTOR_SECRET, executorInstance, storedExecutor } from "./secrets.js";

export interface ExecutorKey {
  /** base64 of 32 bytes: the executor's ENCRYPTION_KEY. */
  key: string;
  /** Where it came from, for messages (never the key itself). */
  source: string;
}

const DEV_VARS = join("packages", "executor-worker", ".dev.vars");

/** Directories from `start` up to the root. */
function* upwards(start: string): Generator<string> {
  let dir = resolve(start);
  for (;;) {
    yield dir;
    const parent = dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

/** The local executor's .dev.vars: in the checkout around the current directory, or around this CLI. */
export function findDevVars(cwd: string): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const start of [cwd, here]) {
    for (const dir of upwards(start)) {
      const p = join(dir, DEV_VARS);
      if (existsSync(p)) return p;
    }
  }
  return undefined;
}

function checked(key: string, source: string): ExecutorKey {
  // A tenant's own key (arcrun-tk1.<tenant>.<base64>): creds push checks it when it is used.
  if (key.startsWith("arcrun-tk1.")) return { key, source };
  const bytes = /^[A-Za-z0-9+/_-]+=*$/.test(key) ? Buffer.from(key, "base64") : Buffer.alloc(0);
  if (bytes.length !== 32) {
    throw new CliError(
      "ERR_EXECUTOR_KEY",
      `the executor key from ${source} is not base64 of 32 bytes`,
      "use the executor's ENCRYPTION_KEY exactly as it was set (wrangler secret put ENCRYPTION_KEY)",
    );
  }
  return { key, source };
}

async function fromFile(path: string, source: string): Promise<ExecutorKey> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new CliError(
      "ERR_FILE",
      `cannot read the executor key file ${path}`,
      "check the path and run again",
    );
  }
  // A dotenv file (.dev.vars) or a file holding only the key.
  const line = /^\s*ENCRYPTION_KEY\s*=\s*["']?([^"'\s]+)["']?\s*$/m.exec(text)?.[1];
  const key = line ?? (/^\s*[A-Za-z0-9+/_.-]+=*\s*$/.test(text) ? text.trim() : undefined);
  if (!key) {
    throw new CliError(
      "ERR_EXECUTOR_KEY",
      `${path} holds no ENCRYPTION_KEY`,
      "give a file with ENCRYPTION_KEY=<base64> or only the key, or set ARCRUN_EXECUTOR_KEY",
    );
  }
  return checked(key, source);
}

/**
 * The executor's ENCRYPTION_KEY, which credentials are encrypted with before they leave this machine. Never
 * from argv (it would show in `ps` and the shell history): `--key-file`, then ARCRUN_EXECUTOR_KEY, then
 * arcrun-auth's credential store (where `arcrun init --self-hosted` keeps it, see secrets.ts), then for an
 * executor on this machine the .dev.vars that `pnpm start` wrote (wrangler's local secrets file, gitignored).
 */
export async function executorKey(
  ui: Ui,
  executorUrl: string,
  keyFile: string | undefined,
  cwd = process.cwd(),
): Promise<ExecutorKey> {
  if (keyFile !== undefined) return fromFile(keyFile, keyFile);
  const fromEnv = ui.env.ARCRUN_EXECUTOR_KEY?.trim();
  if (fromEnv) return checked(fromEnv, "ARCRUN_EXECUTOR_KEY");
  const stored = await storedExecutor(ui, executorUrl);
  if (stored?.key) return checked(stored.key, stored.source);
  if (isLoopback(executorUrl)) {
    const devVars = findDevVars(cwd);
    if (devVars) return fromFile(devVars, devVars);
    throw new CliError(
      "ERR_EXECUTOR_KEY",
      `no key for the local executor at ${executorUrl}: ARCRUN_EXECUTOR_KEY is unset, the credential store has none (${EXECUTOR_SECRET}/${executorInstance(executorUrl)}) and no ${DEV_VARS} was found`,
      "start the executor once (pnpm start) from the arcrun checkout, or set ARCRUN_EXECUTOR_KEY",
    );
  }
  throw new CliError(
    "ERR_EXECUTOR_KEY",
    `no key for the executor at ${executorUrl}: credentials are encrypted here with its ENCRYPTION_KEY, and the credential store has none for it (${EXECUTOR_SECRET}/${executorInstance(executorUrl)})`,
    "deploy it with: arcrun init --self-hosted (which keeps its key), or set ARCRUN_EXECUTOR_KEY to it, or pass --key-file <file>",
  );
}

/**
 * The tenant's key: held as such (arcrun-tk1.<tenant>.<key>), or derived from the executor's own key for the
 * tenant of this API key. A record is bound to tenant and name (docs/executor.md).
 */
export async function tenantKeyFor(key: ExecutorKey, executor: ExecutorClient): Promise<string> {
  const { deriveTenantKey, parseTenantKey } = await import("@arcrun/workflow");
  if (key.key.startsWith("arcrun-tk1.") && !parseTenantKey(key.key)) {
    throw new CliError(
      "ERR_EXECUTOR_KEY",
      `the tenant key from ${key.source} is not arcrun-tk1.<tenant>.<base64 of 32 bytes>`,
      "use the tenant key exactly as the executor's operator gave it",
    );
  }
  return parseTenantKey(key.key) ? key.key : deriveTenantKey(key.key, await executor.tenant());
}

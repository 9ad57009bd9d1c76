/** Child processes running arcrun-auth from source (through tsx, or bundled), for tests that need several processes. */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";

const require = createRequire(import.meta.url);

export interface Worker {
  child: ChildProcessWithoutNullStreams;
  /** Resolves when the worker printed "ready". */
  ready: Promise<void>;
  /** Resolves with every line the worker printed after "ready". */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; lines: string[]; stderr: string }>;
  go(): void;
}

/**
 * Starts `script` with `env`: TypeScript through tsx, or a script bundled by support/bundle.ts as it is. The
 * script prints "ready", then waits for a line on stdin.
 */
export function startWorker(script: string, env: Record<string, string>): Worker {
  const args = script.endsWith(".ts") ? ["--import", require.resolve("tsx"), script] : [script];
  const child = spawn(process.execPath, args, { env, stdio: ["pipe", "pipe", "pipe"] });
  const lines: string[] = [];
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  let onReady!: () => void;
  const ready = new Promise<void>((r) => {
    onReady = r;
  });
  createInterface({ input: child.stdout }).on("line", (line) => {
    if (line === "ready") onReady();
    else lines.push(line);
  });
  const done = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    lines: string[];
    stderr: string;
  }>((resolve) => child.once("close", (code, signal) => resolve({ code, signal, lines, stderr })));
  return {
    child,
    ready: Promise.race([
      ready,
      done.then(() => {
        throw new Error(`worker exited before ready: ${stderr.slice(-2000)}`);
      }),
    ]),
    done,
    go: () => child.stdin.write("go\n"),
  };
}

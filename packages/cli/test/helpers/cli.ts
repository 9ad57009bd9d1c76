import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The built CLI: tests run what ships (`pnpm test` builds first). */
export const BIN = fileURLToPath(new URL("../../dist/bin.js", import.meta.url));

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Sandbox {
  home: string;
  /** Environment for the CLI: a temp ARCRUN_HOME, the encrypted-file store with a fresh key, no colour. */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

/** A temp ARCRUN_HOME with a per-run ARCRUN_MASTER_KEY; HOME and XDG dirs point inside it (no real keyring). */
export async function sandbox(): Promise<Sandbox> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing; run: pnpm --filter arcrun build`);
  const root = await mkdtemp(join(tmpdir(), "arcrun-cli-"));
  const home = join(root, "arcrun");
  await mkdir(join(home, "recipes"), { recursive: true, mode: 0o700 });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: root,
    XDG_CONFIG_HOME: join(root, ".config"),
    XDG_DATA_HOME: join(root, ".local", "share"),
    XDG_RUNTIME_DIR: join(root, "run"),
    // No D-Bus session: the keyring cannot answer, so the encrypted file is the store.
    DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent",
    ARCRUN_HOME: home,
    ARCRUN_MASTER_KEY: randomBytes(32).toString("base64"),
    NO_COLOR: "1",
    TERM: "xterm-256color",
  };
  // Loader hooks and coverage instrumentation reach the CLI processes through NODE_OPTIONS.
  if (process.env.NODE_OPTIONS) env.NODE_OPTIONS = process.env.NODE_OPTIONS;
  return { home, env, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/**
 * Runs the CLI with pipes (no terminal). `input` is written to stdin, then stdin is closed. `bin`: the
 * script to run (default the built CLI), e.g. the same file under a node_modules path.
 */
export function run(
  args: readonly string[],
  env: Record<string, string>,
  input = "",
  bin = BIN,
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, "'\\''")}'`;
}

export interface PtyStep {
  /** Wait until the terminal output (since the previous step) matches. */
  waitFor: RegExp;
  /** Then type this (use "\r" for Enter, as a terminal sends). */
  send: string;
}

/**
 * Runs the CLI under a real pseudo-terminal with util-linux `script` (stdin, stdout and stderr are all the
 * pty). The pty keeps ECHO on as a terminal does, so anything typed shows up in the output unless the
 * program turns echo off: that is what the hidden-prompt test relies on. Each step waits for text, then types.
 */
export function runInPty(
  args: readonly string[],
  env: Record<string, string>,
  steps: readonly PtyStep[],
  timeoutMs = 20_000,
): Promise<{ code: number; output: string }> {
  const command = [process.execPath, BIN, ...args].map(shellQuote).join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qfec", command, "/dev/null"], { env, stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    let from = 0;
    let step = 0;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`pty timed out at step ${step}; output so far:\n${output}`));
    }, timeoutMs);
    const advance = () => {
      const s = steps[step];
      if (!s) return;
      const m = s.waitFor.exec(output.slice(from));
      if (!m) return;
      from += m.index + m[0].length;
      step++;
      // A short pause lets the program switch the terminal to raw mode before the keys arrive, as a person's
      // typing would; writing earlier tests the terminal's cooked mode instead of the program.
      setTimeout(() => {
        child.stdin.write(s.send);
        advance();
      }, 150);
    };
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      output += d;
      advance();
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      output += d;
    });
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, output });
    });
  });
}

export interface Running {
  /** Everything printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Resolves with the first match of `re` in the output, waiting for it to appear. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  write(text: string): void;
  /** Sends a signal to the CLI process (a server command such as `arcrun proxy` runs until one). */
  kill(signal: NodeJS.Signals): void;
  done: Promise<Result>;
}

/** Starts the CLI with pipes and keeps stdin open, for commands that print something to act on. */
export function start(args: readonly string[], env: Record<string, string>): Running {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let all = "";
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of waiters) w();
  };
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
    all += d;
    wake();
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
    all += d;
    wake();
  });
  const done = new Promise<Result>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => {
      wake();
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
  return {
    output: () => all,
    write: (text) => void child.stdin.write(text),
    kill: (signal) => void child.kill(signal),
    done,
    waitFor: (re, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(all);
          if (m) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(m);
          } else if (child.exitCode !== null) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(new Error(`exited (${child.exitCode}) before ${re}; output:\n${all}`));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${re}; output:\n${all}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
  };
}

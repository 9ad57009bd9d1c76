/** Opening the consent page, and reading a redirected URL pasted back by the user. */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { holdInput, releaseInput } from "../stdin.js";

/**
 * Splits `$BROWSER` the way xdg-open and Python's webbrowser read it: a list of commands separated by `:`,
 * each given the URL as its last argument, or in place of `%s`. No shell is involved, so a URL cannot
 * inject a command.
 */
export function browserCommands(value: string): string[][] {
  return value
    .split(":")
    .map((c) => c.trim())
    .filter((c) => c !== "")
    .map((c) => c.split(/\s+/));
}

function runBrowserCommand(argv: string[], url: string): Promise<boolean> {
  const args = argv.includes("%s") ? argv.map((a) => (a === "%s" ? url : a)) : [...argv, url];
  const [cmd, ...rest] = args;
  if (!cmd) return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = spawn(cmd, rest, { stdio: "ignore", detached: true });
    child.once("error", () => resolve(false));
    child.once("spawn", () => {
      child.unref();
      resolve(true);
    });
  });
}

/**
 * Opens `url` in the user's browser: each command of `$BROWSER` in turn, else the `open` package (loaded
 * only here). Returns false when nothing could be started, so the caller falls back to printing the URL.
 */
export async function openBrowser(
  url: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<boolean> {
  const fromEnv = env.BROWSER;
  if (fromEnv) {
    for (const argv of browserCommands(fromEnv)) {
      if (await runBrowserCommand(argv, url)) return true;
    }
    return false;
  }
  try {
    const { default: open } = await import("open");
    const child = await open(url, { wait: false });
    return await new Promise<boolean>((resolve) => {
      child.once("error", () => resolve(false));
      if (child.pid !== undefined) resolve(true);
      else child.once("spawn", () => resolve(true));
    });
  } catch {
    return false;
  }
}

/**
 * Reads lines from `input` and hands each to `accept` until it returns true or `done` settles.
 * `accept` returns a message to show (and keep reading) for a line it cannot use. `onEnd` runs when the
 * input ends before that (stdin is /dev/null or a closed pipe): nobody can paste anything any more.
 */
export function readPastedLines(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  accept: (line: string) => string | true,
  done: Promise<unknown>,
  onEnd?: () => void,
): () => void {
  holdInput(input);
  const rl = createInterface({ input, terminal: false });
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    rl.close();
    // Do not keep the process alive on stdin once the sign-in is over (a pipe the parent keeps open).
    releaseInput(input);
  };
  rl.on("line", (line) => {
    if (stopped || line.trim() === "") return;
    const verdict = accept(line);
    if (verdict === true) stop();
    else output.write(`${verdict}\nPaste the redirected URL: `);
  });
  rl.on("close", () => {
    if (stopped) return;
    stop();
    onEnd?.();
  });
  done.then(stop, stop);
  return stop;
}

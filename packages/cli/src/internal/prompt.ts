import { CliError } from "./errors.js";
import type { Io } from "./io.js";

export interface AskOptions {
  /** The question, e.g. "Internal Integration Token". */
  message: string;
  /** true: nothing typed is echoed (secrets). */
  hidden: boolean;
  /** Returned for an empty answer. */
  defaultValue?: string;
  /** Returns an error message for a value to refuse, or undefined to accept it. */
  validate?: (value: string) => string | undefined;
}

const ESC = String.fromCharCode(27);
const PASTE_MARKS = new RegExp(`${ESC}\\[20[01]~`, "g");
const ESCAPE_SEQUENCES = new RegExp(`${ESC}(?:\\[[0-9;?]*[A-Za-z~]|O[A-Za-z])`, "g");

type Refable = NodeJS.ReadableStream & { ref?: () => unknown; unref?: () => unknown };

/** Reading: stdin holds the process while a person is asked. */
function hold(stream: NodeJS.ReadableStream): void {
  (stream as Refable).ref?.();
  stream.resume();
}

/** Done reading: a paused pipe stdin whose writer stays open would otherwise keep the process from exiting. */
function release(stream: NodeJS.ReadableStream): void {
  stream.pause();
  (stream as Refable).unref?.();
}

const cancelled = () =>
  new CliError("ERR_CANCELLED", "cancelled; nothing was saved", "run the command again when ready");

/**
 * Questions on stderr, answers from stdin. At a terminal the answer is read in raw mode, so a hidden
 * answer is never echoed (not even as dots: its length stays private too); Ctrl-C / Ctrl-D cancel. Without
 * a terminal each answer is one line of stdin (`printf '%s\n' "$TOKEN" | arcrun setup notion`).
 * Hand-written rather than a prompt library: it must behave exactly under a pseudo-terminal and never echo.
 */
export class Prompter {
  readonly #io: Io;
  #lines: LineReader | undefined;

  constructor(io: Io) {
    this.#io = io;
  }

  get tty(): boolean {
    return this.#io.stdin.isTTY === true && typeof this.#io.stdin.setRawMode === "function";
  }

  async ask(options: AskOptions): Promise<string> {
    for (;;) {
      const suffix = options.defaultValue !== undefined ? ` [${options.defaultValue}]` : "";
      const hint = options.hidden && this.tty ? " (input hidden)" : "";
      this.#io.stderr.write(`${options.message}${suffix}${hint}: `);
      const raw = this.tty ? await this.#readRaw(options.hidden) : await this.#readLine();
      const value = raw === "" && options.defaultValue !== undefined ? options.defaultValue : raw;
      const problem = options.validate?.(value);
      if (problem === undefined) return value;
      if (!this.tty) throw new CliError("ERR_INVALID_INPUT", problem, "fix the value and run again");
      this.#io.stderr.write(`${problem}\n`);
    }
  }

  async #readLine(): Promise<string> {
    this.#lines ??= new LineReader(this.#io.stdin);
    const line = await this.#lines.next();
    this.#io.stderr.write("\n");
    if (line === undefined) {
      throw new CliError(
        "ERR_NOT_INTERACTIVE",
        "no input: stdin ended before every value was given",
        "run it at a terminal, or pipe one value per line",
      );
    }
    return line;
  }

  #readRaw(hidden: boolean): Promise<string> {
    const { stdin, stderr } = this.#io;
    return new Promise((resolve, reject) => {
      let value = "";
      const finish = (err?: Error) => {
        stdin.removeListener("data", onData);
        stdin.setRawMode?.(false);
        release(stdin);
        stderr.write("\n");
        if (err) reject(err);
        else resolve(value);
      };
      const onData = (chunk: Buffer | string) => {
        // Bracketed-paste markers and other escape sequences (arrows) carry no input.
        const text = String(chunk).replace(PASTE_MARKS, "").replace(ESCAPE_SEQUENCES, "");
        for (const ch of text) {
          if (ch === "\r" || ch === "\n") return finish();
          if (ch === "\u0003") return finish(cancelled());
          if (ch === "\u0004") {
            if (value === "") return finish(cancelled());
            continue;
          }
          if (ch === "\u007f" || ch === "\b") {
            if (value === "") continue;
            value = Array.from(value).slice(0, -1).join("");
            if (!hidden) stderr.write("\b \b");
            continue;
          }
          if (ch === "\u0015") {
            if (!hidden) stderr.write("\b \b".repeat(Array.from(value).length));
            value = "";
            continue;
          }
          if (ch < " ") continue;
          value += ch;
          if (!hidden) stderr.write(ch);
        }
      };
      stdin.setRawMode?.(true);
      stdin.on("data", onData);
      hold(stdin);
    });
  }

  close(): void {
    this.#lines?.close();
  }
}

/** One line at a time from a non-terminal stdin, without dropping what arrived with an earlier chunk. */
class LineReader {
  readonly #stream: NodeJS.ReadableStream;
  #buffer = "";
  #ended = false;
  #waiting: (() => void) | undefined;
  readonly #onData = (chunk: Buffer | string) => {
    this.#buffer += String(chunk);
    this.#wake();
  };
  readonly #onEnd = () => {
    this.#ended = true;
    this.#wake();
  };

  #attached = false;

  constructor(stream: NodeJS.ReadableStream) {
    this.#stream = stream;
    this.#attach();
  }

  /** Listens again after close(): a later question (a second prompt in one command) reads on, keeping what was buffered. */
  #attach(): void {
    if (this.#attached) return;
    this.#attached = true;
    this.#stream.on("data", this.#onData);
    this.#stream.on("end", this.#onEnd);
    if ((this.#stream as NodeJS.ReadableStream & { readableEnded?: boolean }).readableEnded)
      this.#ended = true;
  }

  #wake(): void {
    const w = this.#waiting;
    this.#waiting = undefined;
    w?.();
  }

  async next(): Promise<string | undefined> {
    this.#attach();
    try {
      return await this.#next();
    } finally {
      release(this.#stream);
    }
  }

  async #next(): Promise<string | undefined> {
    for (;;) {
      const nl = this.#buffer.indexOf("\n");
      if (nl >= 0) {
        const line = this.#buffer.slice(0, nl).replace(/\r$/, "");
        this.#buffer = this.#buffer.slice(nl + 1);
        return line;
      }
      if (this.#ended) {
        if (this.#buffer === "") return undefined;
        const line = this.#buffer;
        this.#buffer = "";
        return line;
      }
      hold(this.#stream);
      await new Promise<void>((r) => {
        this.#waiting = r;
      });
    }
  }

  close(): void {
    this.#attached = false;
    this.#stream.removeListener("data", this.#onData);
    this.#stream.removeListener("end", this.#onEnd);
    release(this.#stream);
  }
}

/** Where a command reads and writes. `main` takes one so tests and embedders can capture output. */
export interface Io {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
}

export function processIo(): Io {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}

type Paint = (text: string) => string;

/** ANSI styles, or identity functions when colour is off. */
export interface Styles {
  bold: Paint;
  dim: Paint;
  red: Paint;
  green: Paint;
  yellow: Paint;
  cyan: Paint;
}

const sgr =
  (open: number, close: number): Paint =>
  (text) =>
    `\u001b[${open}m${text}\u001b[${close}m`;
const plain: Paint = (text) => text;

/**
 * Colour follows https://no-color.org: any non-empty NO_COLOR turns it off; FORCE_COLOR (not "0") turns it
 * on; otherwise only when the stream is a terminal and TERM is not "dumb".
 */
export function colorEnabled(env: Io["env"], stream: { isTTY?: boolean }): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true && env.TERM !== "dumb";
}

export function styles(enabled: boolean): Styles {
  if (!enabled) return { bold: plain, dim: plain, red: plain, green: plain, yellow: plain, cyan: plain };
  return {
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    cyan: sgr(36, 39),
  };
}

/** What every command gets: the streams, colour for each of them, and line helpers. */
export class Ui {
  readonly io: Io;
  /** Styles for text written to stdout. */
  readonly o: Styles;
  /** Styles for text written to stderr. */
  readonly e: Styles;

  constructor(io: Io) {
    this.io = io;
    this.o = styles(colorEnabled(io.env, io.stdout));
    this.e = styles(colorEnabled(io.env, io.stderr));
  }

  get env(): Io["env"] {
    return this.io.env;
  }

  out(line = ""): void {
    this.io.stdout.write(`${line}\n`);
  }

  err(line = ""): void {
    this.io.stderr.write(`${line}\n`);
  }

  /** Machine output: one JSON document on stdout, pretty-printed, ending with a newline. */
  json(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  get interactive(): boolean {
    return this.io.stdin.isTTY === true;
  }
}

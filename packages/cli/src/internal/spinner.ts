import type { Ui } from "./io.js";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** A spinner on stderr while waiting on the network; a plain "text..." line when stderr is not a terminal. */
export class Spinner {
  /** The spinner drawing now, if any: other stderr writers go through `Spinner.interrupt`. */
  static #active: Spinner | undefined;
  readonly #ui: Ui;
  #text: string;
  #timer: NodeJS.Timeout | undefined;
  #frame = 0;
  #draw: (() => void) | undefined;

  constructor(ui: Ui, text: string) {
    this.#ui = ui;
    this.#text = text;
  }

  get #tty(): boolean {
    return this.#ui.io.stderr.isTTY === true && this.#ui.env.TERM !== "dumb";
  }

  start(): this {
    if (!this.#tty) {
      this.#ui.err(`${this.#text}...`);
      return this;
    }
    const draw = () => {
      const f = FRAMES[this.#frame++ % FRAMES.length] ?? "-";
      this.#ui.io.stderr.write(`\r\u001b[2K${this.#ui.e.cyan(f)} ${this.#text}`);
    };
    draw();
    this.#timer = setInterval(draw, 80);
    this.#draw = draw;
    Spinner.#active = this;
    return this;
  }

  /** Writes a line on stderr without tearing the spinner: clear its line, write, draw it again. */
  static interrupt(ui: Ui, line: string): void {
    const s = Spinner.#active;
    const spinning = s !== undefined && s.#timer !== undefined && s.#tty;
    if (spinning) ui.io.stderr.write("\r\u001b[2K");
    ui.err(line);
    if (spinning) s.#draw?.();
  }

  #clear(): void {
    if (Spinner.#active === this) Spinner.#active = undefined;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#tty) this.#ui.io.stderr.write("\r\u001b[2K");
  }

  succeed(text = this.#text): void {
    this.#clear();
    this.#ui.err(`${this.#ui.e.green("✔")} ${text}`);
  }

  fail(text = this.#text): void {
    this.#clear();
    this.#ui.err(`${this.#ui.e.red("✖")} ${text}`);
  }

  stop(): void {
    this.#clear();
  }

  /**
   * Runs `work` with the spinner; the spinner stops whether it resolves or throws. `ok` says whether the
   * value is a success (✔) or a failure (✖, e.g. a test request answering 401); default: resolved is ✔.
   */
  static async run<T>(
    ui: Ui,
    text: string,
    work: () => Promise<T>,
    done?: (value: T) => string,
    ok: (value: T) => boolean = () => true,
  ): Promise<T> {
    const s = new Spinner(ui, text).start();
    try {
      const value = await work();
      const final = done ? done(value) : text;
      if (ok(value)) s.succeed(final);
      else s.fail(final);
      return value;
    } catch (err) {
      s.fail(text);
      throw err;
    }
  }
}

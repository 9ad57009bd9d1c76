import { ArcrunError } from "../errors.js";
import type { Prompter, PromptQuestion } from "../types.js";
import { holdInput, releaseInput } from "./stdin.js";

/**
 * The default prompter: reads the terminal, echoing nothing for sensitive values (not even asterisks,
 * so the length does not show). Without a TTY (interactive: true on a pipe) it reads one line of stdin.
 */
export function createTtyPrompter(
  input: NodeJS.ReadStream = process.stdin,
  output: NodeJS.WriteStream = process.stderr,
): Prompter {
  return {
    ask(q: PromptQuestion): Promise<string> {
      const help = q.help_url ? ` (get it at ${q.help_url})` : "";
      const def = q.default !== undefined && !q.sensitive ? ` [${q.default}]` : "";
      output.write(`${q.label} for ${q.service}${help}${def}: `);
      return readAnswer(input, output, q.sensitive).then((answer) => {
        if (answer === "" && q.default !== undefined) return q.default;
        return answer;
      });
    },
  };
}

/** Text read past the end of one answer (several answers piped at once) waits here for the next question. */
const leftover = new WeakMap<NodeJS.ReadStream, string>();

function readAnswer(input: NodeJS.ReadStream, output: NodeJS.WriteStream, hidden: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const raw = input.isTTY === true && typeof input.setRawMode === "function";
    let value = "";
    const wasRaw = raw ? input.isRaw : false;
    const finish = (err?: Error) => {
      input.removeListener("data", onData);
      input.removeListener("end", onEnd);
      if (raw) input.setRawMode(wasRaw);
      releaseInput(input);
      output.write("\n");
      if (err) reject(err);
      else resolve(value);
    };
    const cancelled = () =>
      new ArcrunError(
        "ERR_LOGIN_CANCELLED",
        "Cancelled; nothing was saved. Run the command again when ready.",
      );
    const onEnd = () => (value === "" ? finish(cancelled()) : finish());
    const onData = (chunk: Buffer | string) => {
      const text = typeof chunk === "string" ? chunk : chunk.toString("utf8");
      let i = 0;
      for (const ch of text) {
        i += ch.length;
        if (ch === "\r" || ch === "\n") {
          const rest = text.slice(i).replace(/^\n/, "");
          if (rest !== "") leftover.set(input, rest);
          finish();
          return;
        }
        if (raw && (ch === "\u0003" || ch === "\u0004")) {
          finish(cancelled());
          return;
        }
        if (raw && (ch === "\u007f" || ch === "\b")) {
          value = value.slice(0, -1);
          if (!hidden) output.write("\b \b");
          continue;
        }
        value += ch;
        if (raw && !hidden) output.write(ch);
      }
    };
    const pending = leftover.get(input);
    if (pending !== undefined) {
      leftover.delete(input);
      const nl = pending.search(/\r?\n/);
      if (nl >= 0) {
        value = pending.slice(0, nl);
        const rest = pending.slice(nl).replace(/^\r?\n/, "");
        if (rest !== "") leftover.set(input, rest);
        output.write("\n");
        resolve(value);
        return;
      }
      value = pending;
    }
    if (raw) input.setRawMode(true);
    holdInput(input);
    input.setEncoding("utf8");
    input.on("data", onData);
    input.on("end", onEnd);
    input.resume();
  });
}

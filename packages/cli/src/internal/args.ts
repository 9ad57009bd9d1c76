import { parseArgs } from "node:util";
import { UsageError } from "./errors.js";

export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  /** The option may be given more than once; its value is then a list (read it with `list`). */
  multiple?: boolean;
  /** Shown in --help, e.g. "<name>". */
  arg?: string;
  description: string;
}

/** A command's argv grammar and help text. */
export interface CommandSpec {
  /** "setup", or "recipe show" for a subcommand. */
  name: string;
  summary: string;
  /** Positional arguments as shown in usage, e.g. ["<service>"]; a trailing "?" marks an optional one. */
  positionals: string[];
  options: Record<string, OptionSpec>;
  /** Extra paragraphs for --help: examples, notes. */
  details?: string;
  /** Everything after the first `--` is a command to run, kept verbatim in `Parsed.command`. */
  command?: boolean;
}

export interface Parsed {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
  /** The words after `--`, for specs with `command: true`. */
  command?: string[];
}

/** Parses argv against a spec with node:util parseArgs (strict); every mistake is a UsageError (exit 2). */
export function parse(spec: CommandSpec, argv: readonly string[]): Parsed {
  if (spec.command) {
    const at = argv.indexOf("--");
    const own = at === -1 ? argv : argv.slice(0, at);
    return { ...parse({ ...spec, command: false }, own), command: at === -1 ? [] : argv.slice(at + 1) };
  }
  const options: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> = {
    help: { type: "boolean", short: "h" },
  };
  for (const [name, o] of Object.entries(spec.options)) {
    options[name] = {
      type: o.type,
      ...(o.short === undefined ? {} : { short: o.short }),
      ...(o.multiple ? { multiple: true } : {}),
    };
  }
  let result: ReturnType<typeof parseArgs>;
  try {
    result = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const message = err instanceof Error ? err.message : String(err);
    const option = /'(-[^']*)'/.exec(message)?.[1];
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && option)
      throw new UsageError(`unknown option "${option}"`, spec.name);
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && option)
      throw new UsageError(
        `option "${option}" ${/argument missing/.test(message) ? "needs a value" : "takes no value"}`,
        spec.name,
      );
    throw new UsageError(message.split(/\.\s/)[0] ?? "invalid arguments", spec.name);
  }
  const values = result.values as Parsed["values"];
  const positionals = result.positionals;
  if (values.help === true) return { values, positionals };
  const required = spec.positionals.filter((p) => !p.endsWith("?")).length;
  if (positionals.length < required) {
    const missing = spec.positionals[positionals.length] ?? "argument";
    throw new UsageError(`missing ${missing}`, spec.name);
  }
  if (positionals.length > spec.positionals.length) {
    throw new UsageError(`unexpected argument "${positionals[spec.positionals.length]}"`, spec.name);
  }
  return { values, positionals };
}

export function usageLine(spec: CommandSpec): string {
  const pos = spec.positionals.map((p) => (p.endsWith("?") ? `[${p.slice(0, -1)}]` : p));
  const opts = Object.keys(spec.options).length > 0 ? ["[options]"] : [];
  return ["arcrun", spec.name, ...pos, ...opts, ...(spec.command ? ["--", "<command> [args...]"] : [])].join(
    " ",
  );
}

/** The text of `arcrun <command> --help`. */
export function helpText(spec: CommandSpec): string {
  const lines = [`${spec.summary}`, "", `Usage: ${usageLine(spec)}`];
  const entries = Object.entries(spec.options);
  const rows = [
    ...entries.map(([name, o]) => {
      const flag = `${o.short ? `-${o.short}, ` : "    "}--${name}${o.arg ? ` ${o.arg}` : ""}`;
      return [flag, o.description] as const;
    }),
    ["-h, --help", "Show this help"] as const,
  ];
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  lines.push("", "Options:");
  for (const [flag, desc] of rows) lines.push(`  ${flag.padEnd(width)}${desc}`);
  if (spec.details) lines.push("", spec.details.trimEnd());
  return `${lines.join("\n")}\n`;
}

export function str(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === "string" ? v : undefined;
}

/** Every value of an option declared with `multiple` (empty when not given). */
export function list(p: Parsed, name: string): string[] {
  const v = p.values[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === "string");
}

export function bool(p: Parsed, name: string): boolean {
  return p.values[name] === true;
}

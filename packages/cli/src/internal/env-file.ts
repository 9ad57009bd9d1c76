import { CliError } from "./errors.js";

/** `arcrun://github/token`, `arcrun://github/work/token`. */
export interface SecretReference {
  service: string;
  instance: string;
  key: string;
}

const REFERENCE = /^arcrun:\/\/([a-z0-9_]+)(?:\/([A-Za-z0-9][A-Za-z0-9_.-]{0,63}))?\/([a-z][a-z0-9_]*)$/;

/** A reference when `value` is one; undefined for a plain value. A malformed `arcrun://` value is an error. */
export function parseReference(value: string, where: string): SecretReference | undefined {
  if (!value.startsWith("arcrun://")) return undefined;
  const m = REFERENCE.exec(value);
  if (!m?.[1] || !m[3])
    throw new CliError(
      "ERR_ENV_FILE",
      `${where}: "${value}" is not a reference arcrun understands.`,
      "write arcrun://<service>/<key> or arcrun://<service>/<instance>/<key> (keys: arcrun recipe show <service>)",
    );
  return { service: m[1], instance: m[2] ?? "default", key: m[3] };
}

/**
 * Reads a dotenv file: `NAME=value` lines, `export ` allowed, `#` comments, values in single quotes (verbatim)
 * or double quotes (with \n, \t, \", \\ escapes) or bare (trailing ` #comment` removed).
 */
export function parseEnvFile(
  text: string,
  file: string,
): Array<{ name: string; value: string; line: number }> {
  const out: Array<{ name: string; value: string; line: number }> = [];
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m?.[1] || m[2] === undefined)
      throw new CliError(
        "ERR_ENV_FILE",
        `${file}:${i + 1}: expected NAME=value.`,
        "fix the line, or remove it (comments start with #)",
      );
    let value = m[2];
    if (value.startsWith("'")) {
      const end = value.indexOf("'", 1);
      if (end === -1)
        throw new CliError("ERR_ENV_FILE", `${file}:${i + 1}: unclosed quote.`, "close the ' quote");
      value = value.slice(1, end);
    } else if (value.startsWith('"')) {
      const m2 = /^"((?:[^"\\]|\\.)*)"/.exec(value);
      if (!m2 || m2[1] === undefined)
        throw new CliError("ERR_ENV_FILE", `${file}:${i + 1}: unclosed quote.`, 'close the " quote');
      value = m2[1].replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : c));
    } else {
      value = value.replace(/\s+#.*$/, "").trim();
    }
    out.push({ name: m[1], value, line: i + 1 });
  }
  return out;
}

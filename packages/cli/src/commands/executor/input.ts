import { readFile } from "node:fs/promises";
import { UsageError } from "../../internal/errors.js";
import type { Io } from "../../internal/io.js";

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === "string" ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * The run's input: `--data` (JSON, `@file` or `-` for stdin) as the base, then each `-i key=value` (a
 * string) or `-i key:=json` (a JSON value) on top; `a.b=x` sets a nested key.
 */
export async function buildInput(
  data: string | undefined,
  pairs: readonly string[],
  io: Io,
  command: string,
): Promise<Record<string, unknown>> {
  let base: Record<string, unknown> = {};
  if (data !== undefined) {
    let text = data;
    if (data === "-") text = await readAll(io.stdin);
    else if (data.startsWith("@")) {
      try {
        text = await readFile(data.slice(1), "utf8");
      } catch {
        throw new UsageError(`--data ${data}: cannot read ${data.slice(1)}`, command);
      }
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new UsageError("--data must be a JSON object (or @file, or - for stdin)", command);
    }
    if (!isRecord(parsed)) throw new UsageError("--data must be a JSON object", command);
    base = parsed;
  }
  for (const pair of pairs) {
    const m = /^([A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*)(:?=)([\s\S]*)$/.exec(pair);
    if (!m) {
      throw new UsageError(
        `-i takes key=value (a string) or key:=json (a number, boolean, list, object), got "${pair}"`,
        command,
      );
    }
    const [, path = "", op, raw = ""] = m;
    let value: unknown = raw;
    if (op === ":=") {
      try {
        value = JSON.parse(raw);
      } catch {
        throw new UsageError(`-i ${path}:= needs a JSON value, got ${JSON.stringify(raw)}`, command);
      }
    }
    const keys = path.split(".");
    let obj = base;
    for (const k of keys.slice(0, -1)) {
      const next = obj[k];
      if (!isRecord(next)) obj[k] = {};
      obj = obj[k] as Record<string, unknown>;
    }
    obj[keys[keys.length - 1] ?? path] = value;
  }
  return base;
}

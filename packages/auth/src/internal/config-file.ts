/** `$ARCRUN_HOME/config.yaml`: OAuth clients (`clients.<service>`), `broker_url`, `store_key`. */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ArcrunError } from "../errors.js";
import { writeFileAtomic } from "./atomic-write.js";

/**
 * The parsed config.yaml of a home, or undefined when there is none. The YAML parser is the one
 * `@arcrun/recipes/node` bundles, loaded only when the file exists.
 */
export async function readConfigFile(home: string): Promise<unknown> {
  const file = join(home, "config.yaml");
  // Most homes have none: one stat instead of a failed read through the thread pool on the cold path.
  if (!existsSync(file)) return undefined;
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new ArcrunError("ERR_STORE_UNAVAILABLE", `cannot read ${file}; check its permissions`, {
      cause: err,
    });
  }
  const { parseYaml } = await import("@arcrun/recipes/node");
  try {
    return await parseYaml(text);
  } catch (cause) {
    throw new ArcrunError("ERR_INVALID_OPTION", `${file} is not valid YAML; fix it or remove it`, { cause });
  }
}

/**
 * Sets one top-level scalar of config.yaml (`store_key: passphrase`), keeping every other line and comment
 * as it is: the line is replaced where it is, or appended. `value` is a plain word, never a secret.
 */
export async function setConfigValue(home: string, key: string, value: string): Promise<void> {
  if (!/^[a-z_]+$/.test(key) || !/^[a-z0-9-]+$/.test(value)) throw new TypeError("plain words only");
  const file = join(home, "config.yaml");
  const text = await readFile(file, "utf8").catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return "";
    throw err;
  });
  const line = `${key}: ${value}`;
  const re = new RegExp(`^${key}:.*$`, "m");
  const next = re.test(text)
    ? text.replace(re, line)
    : `${text}${text === "" || text.endsWith("\n") ? "" : "\n"}${line}\n`;
  await writeFileAtomic(file, next, { mode: 0o600 });
}

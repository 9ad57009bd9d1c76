/** `$ARCRUN_HOME/config.yaml`: OAuth clients (`clients.<service>`) and `broker_url`. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ArcrunError } from "../errors.js";

/**
 * The parsed config.yaml of a home, or undefined when there is none. The YAML parser is the one
 * `@arcrun/recipes/node` bundles, loaded only when the file exists.
 */
export async function readConfigFile(home: string): Promise<unknown> {
  const file = join(home, "config.yaml");
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

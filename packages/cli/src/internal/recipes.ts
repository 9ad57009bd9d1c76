import { homedir } from "node:os";
import { delimiter, join } from "node:path";

type Env = Readonly<Record<string, string | undefined>>;

/** `$ARCRUN_HOME`, default `~/.arcrun`. */
export function arcrunHome(env: Env): string {
  return env.ARCRUN_HOME || join(homedir(), ".arcrun");
}

/** User recipe directories in override order: `$ARCRUN_HOME/recipes`, then each of `ARCRUN_RECIPES_DIR`. */
export function recipeDirs(env: Env): string[] {
  const extra = (env.ARCRUN_RECIPES_DIR ?? "").split(delimiter).filter((d) => d !== "");
  return [join(arcrunHome(env), "recipes"), ...extra];
}

import { accessSync, constants, realpathSync } from "node:fs";
import { basename, delimiter, join } from "node:path";

function real(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/**
 * How the user runs this CLI, for the commands that messages name: `arcrun` when an `arcrun` on PATH is this
 * very program (a global install, a linked checkout), `npx arcrun` when it runs from a project's
 * node_modules and is not on PATH. See docs/agents.md.
 */
export function invocation(
  script: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string {
  if (script === undefined) return "arcrun";
  const self = real(script);
  if (self === undefined) return "arcrun";
  // Only the arcrun program itself (its bin, or a link named arcrun) says how the user started it; code that
  // imports the CLI's commands (a test runner, another tool) is not a `npx arcrun` invocation.
  if (!/^bin\.[cm]?js$/.test(basename(self)) && basename(script) !== "arcrun") return "arcrun";
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, "arcrun");
    try {
      accessSync(candidate, constants.X_OK);
    } catch {
      continue;
    }
    if (real(candidate) === self) return "arcrun";
  }
  const inModules = (p: string) => p.split(/[\\/]/).includes("node_modules");
  return inModules(script) || inModules(self) ? "npx arcrun" : "arcrun";
}

/** Rewrites the commands a message suggests ("run: arcrun setup notion") to how this user runs arcrun. */
export function withInvocation(text: string, cli: string): string {
  if (cli === "arcrun") return text;
  return text.replace(/(^|[\s:(`'"])arcrun (?=[a-z])/g, `$1${cli} `);
}

import { type CommandSpec, type Parsed, str } from "../internal/args.js";
import { INSTANCE_OPTION } from "../internal/common.js";
import type { Context } from "../internal/context.js";
import { EXIT_OK, UsageError } from "../internal/errors.js";

export const spec: CommandSpec = {
  name: "git-credential",
  summary:
    "A git credential helper: answers `get` for the hosts of recipes with a git block (github.com, gitlab.com,\n" +
    "bitbucket.org) with the stored token; `store` and `erase` do nothing (arcrun setup and arcrun logout\n" +
    "manage the credential).",
  positionals: ["<get|store|erase>"],
  options: { ...INSTANCE_OPTION },
  details: [
    "Configure git to use it (https remotes):",
    "  git config --global credential.https://github.com.helper '!arcrun git-credential'",
    "  git config --global credential.https://github.com.helper '!npx arcrun git-credential'   # project install",
    "Protocol: https://git-scm.com/docs/gitcredentials and https://git-scm.com/docs/git-credential",
  ].join("\n"),
};

/** Reads git's `key=value` lines up to a blank line or the end of input. */
async function readRequest(stdin: NodeJS.ReadableStream): Promise<Map<string, string>> {
  let text = "";
  stdin.setEncoding?.("utf8");
  for await (const chunk of stdin) {
    text += String(chunk);
    if (/(^|\n)\n/.test(text)) break;
  }
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line === "") break;
    const eq = line.indexOf("=");
    if (eq > 0) out.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return out;
}

export async function run(ctx: Context, args: Parsed): Promise<number> {
  const action = args.positionals[0];
  if (action !== "get" && action !== "store" && action !== "erase")
    throw new UsageError(`the action must be get, store or erase (got "${action}")`, spec.name);
  const request = await readRequest(ctx.ui.io.stdin);
  // git asks the next helper (or the user) when a helper prints nothing: that is the answer for hosts and
  // actions arcrun does not serve (git-credential(1), "OUTPUT FORMAT").
  if (action !== "get" || request.get("protocol") !== "https") return EXIT_OK;
  const host = request.get("host")?.toLowerCase();
  if (!host) return EXIT_OK;
  const api = await ctx.api();
  const recipe = (await api.recipes()).find((r) => r.git?.hosts.some((h) => h.toLowerCase() === host));
  if (!recipe?.git) return EXIT_OK;
  const instance = str(args, "instance");
  const options = instance === undefined ? {} : { instance };
  const key = recipe.git.secret;
  const password = await (async () => {
    // A recipe whose password is one of several secrets (bitbucket: api_token) names it; else the token.
    const value = key === undefined ? undefined : (await api.secret(recipe.id, options))[key];
    return value ?? (await api.token(recipe.id, options)).accessToken;
  })().catch((err: unknown) => {
    // Not connected: git goes on to the next helper; the reason goes to stderr, which git shows.
    ctx.ui.err(`arcrun: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  });
  if (password === undefined) return EXIT_OK;
  // git's helper protocol is one key=value a line: a value holding a newline or NUL would add lines of its own.
  if (/[\n\0]/.test(password)) {
    ctx.ui.err(
      `arcrun: the ${recipe.id} credential holds a line break, which git's helper protocol cannot carry`,
    );
    return EXIT_OK;
  }
  ctx.ui.out(`username=${recipe.git.username}`);
  ctx.ui.out(`password=${password}`);
  return EXIT_OK;
}

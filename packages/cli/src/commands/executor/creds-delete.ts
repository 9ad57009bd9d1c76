import type { CommandSpec, Parsed } from "../../internal/args.js";
import type { Context } from "../../internal/context.js";
import { CliError, EXIT_OK, UsageError } from "../../internal/errors.js";
import { ExecutorApiError } from "../../internal/executor-client.js";
import { executorFor } from "./shared.js";

export const spec: CommandSpec = {
  name: "creds delete",
  summary: "Delete a credential from the executor (and its cached OAuth token).",
  positionals: ["<name>"],
  options: {
    json: { type: "boolean", description: 'Print {"deleted", "executor"}' },
  },
  details:
    "Workflows that use it fail at their auth node until it is pushed again (arcrun creds push <name>).\n" +
    "It is deleted on the executor only: revoke it at the provider too if it leaked.\n" +
    "Example:\n  arcrun creds delete gh",
};

export async function run(ctx: Context, args: Parsed): Promise<number> {
  const { ui } = ctx;
  const name = args.positionals[0] ?? "";
  if (!/^[A-Za-z0-9_.-]{1,128}$/.test(name))
    throw new UsageError(
      `"${name}" is not a credential name (1-128 letters, digits, "_", "-", "."; see: arcrun creds list)`,
      spec.name,
    );
  const executor = await executorFor(ctx);
  try {
    await executor.request<{ deleted: string }>("DELETE", `/credentials/${encodeURIComponent(name)}`);
  } catch (err) {
    if (err instanceof ExecutorApiError && err.code === "ERR_CREDENTIAL_NOT_FOUND") {
      throw new CliError(
        err.code,
        `no credential "${name}" on ${executor.url}`,
        "see the stored ones with: arcrun creds list",
      );
    }
    throw err;
  }
  if (ctx.json) {
    ui.json({ deleted: name, executor: executor.url });
    return EXIT_OK;
  }
  ui.out(`${ui.o.green("✔")} Deleted credential "${name}" from ${executor.url}`);
  return EXIT_OK;
}

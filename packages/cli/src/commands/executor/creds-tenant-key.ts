import { type CommandSpec, type Parsed, str } from "../../internal/args.js";
import type { Context } from "../../internal/context.js";
import { CliError, EXIT_OK, UsageError } from "../../internal/errors.js";
import { executorTarget } from "../../internal/executor-client.js";
import { executorKey } from "./key.js";

const TENANT = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export const spec: CommandSpec = {
  name: "creds tenant-key",
  summary: "Print a tenant's credential key, derived from the executor's key (for its operator).",
  positionals: ["<tenant>"],
  options: {
    "key-file": {
      type: "string",
      arg: "<file>",
      description: "The executor's ENCRYPTION_KEY (a .dev.vars-style file or the key alone)",
    },
  },
  details:
    "Each tenant's credentials are encrypted with its own key, HKDF of the executor's ENCRYPTION_KEY and\n" +
    "the tenant id (docs/executor.md). Give a tenant this key, not the executor's: with it in\n" +
    "ARCRUN_EXECUTOR_KEY, `arcrun creds push` works for that tenant and for no other.\n" +
    "The key goes to stdout only (pipe it to where the tenant keeps secrets); nothing is sent anywhere.\n" +
    "Example:\n  arcrun creds tenant-key acme > acme.key",
};

export async function run(ctx: Context, args: Parsed): Promise<number> {
  const { ui } = ctx;
  const tenant = args.positionals[0] ?? "";
  if (!TENANT.test(tenant)) {
    throw new UsageError(
      `"${tenant}" is not a tenant id (1-64 of a-z, 0-9, "_", "-", starting with a letter or digit; as in ARCRUN_API_KEYS)`,
      spec.name,
    );
  }
  const url = executorTarget(ui.env).url;
  const key = await executorKey(ui, url, str(args, "key-file"));
  const { deriveTenantKey, parseTenantKey } = await import("@arcrun/workflow");
  if (parseTenantKey(key.key)) {
    throw new CliError(
      "ERR_EXECUTOR_KEY",
      `the key from ${key.source} is already a tenant's key, not the executor's`,
      "run this with the executor's ENCRYPTION_KEY (--key-file or ARCRUN_EXECUTOR_KEY), as its operator",
    );
  }
  ui.out(await deriveTenantKey(key.key, tenant));
  ui.err(
    ui.e.dim(
      `  give it to tenant "${tenant}" as ARCRUN_EXECUTOR_KEY; it opens no other tenant's credentials`,
    ),
  );
  return EXIT_OK;
}

import { findExprs, type PrimitiveName, parseExpr } from "@arcrun/recipes";
import { injectFor } from "arcrun-auth";
import { bool, type CommandSpec, list, type Parsed, str } from "../../internal/args.js";
import { instanceOptions } from "../../internal/common.js";
import type { Context } from "../../internal/context.js";
import { CliError, EXIT_OK, UsageError } from "../../internal/errors.js";
import { ExecutorApiError } from "../../internal/executor-client.js";
import { executorKey, tenantKeyFor } from "./key.js";
import { executorFor } from "./shared.js";

export const spec: CommandSpec = {
  name: "creds push",
  summary: "Encrypt a credential here with the executor's key and store it on the executor.",
  positionals: ["<name>"],
  options: {
    recipe: {
      type: "string",
      arg: "<id>",
      description:
        "The recipe it is for (github, notion, ..., or one pushed with arcrun recipe push); sets its hosts",
    },
    host: {
      type: "string",
      multiple: true,
      arg: "<host>",
      description: "Another host the credential may be sent to (repeat; *.example.com for subdomains)",
    },
    "from-service": {
      type: "string",
      arg: "<service>",
      description:
        "Take the value from arcrun-auth's stored credential (as set up by: arcrun setup <service>)",
    },
    instance: {
      type: "string",
      arg: "<name>",
      description: 'With --from-service: which account (default "default")',
    },
    raw: {
      type: "boolean",
      description:
        "A raw secret for no service (an HMAC key for the hash component): no recipe, and no warning about it",
    },
    stdin: { type: "boolean", description: "Read the value from stdin even at a terminal" },
    "key-file": {
      type: "string",
      arg: "<file>",
      description: "A file with the executor's ENCRYPTION_KEY (a .dev.vars, or only the key)",
    },
    json: {
      type: "boolean",
      description: 'Print {"name", "recipe", "hosts", "created_at", "executor", "key_source"}',
    },
  },
  details:
    "The value is read from a hidden prompt at a terminal, from stdin otherwise (one value: a secret, or a\n" +
    "JSON object of a recipe's secrets, an OAuth token set, a Google key file), or from arcrun-auth's store\n" +
    "with --from-service. Never from an argument. It is encrypted with AES-256-GCM before it is sent.\n" +
    "Without --recipe (or --from-service) the auth components cannot use it (they need the recipe, or\n" +
    "config.recipe in the node): a warning says so, unless --raw says it is a secret for no service.\n" +
    "Where the executor's encryption key comes from (the first that has one):\n" +
    "  1. --key-file <file>    a .dev.vars-style file with ENCRYPTION_KEY=, or only the key\n" +
    "  2. ARCRUN_EXECUTOR_KEY  the key itself (base64 of 32 bytes), in the environment\n" +
    "  3. credential store    arcrun-auth's keyring or encrypted file, entry arcrun_executor/<host>\n" +
    "                          (kept there by `arcrun init --self-hosted`)\n" +
    "  4. .dev.vars            for an executor on this machine (127.0.0.1, localhost):\n" +
    "                          packages/executor-worker/.dev.vars, written by `pnpm start`\n" +
    "None: exit 1, ERR_EXECUTOR_KEY. The key never goes on the command line.\n" +
    "Examples:\n" +
    "  arcrun creds push gh --recipe github                 # hidden prompt\n" +
    "  printf '%s' \"$SLACK_TOKEN\" | arcrun creds push slack --recipe slack\n" +
    "  arcrun creds push notion --from-service notion",
};

async function readStdin(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === "string" ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

/** The value as the executor's auth components read it, from the credential arcrun-auth would use. */
async function fromService(
  ctx: Context,
  service: string,
  args: Parsed,
): Promise<{ value: string; primitive: PrimitiveName }> {
  const api = await ctx.api();
  const recipe = await api.recipe(service);
  const options = instanceOptions(args, spec.name);
  if (recipe.primitive === "oauth2") {
    const t = await api.token(service, options);
    // A recipe that sends the client id beside the token (Twitch's Client-Id, Trakt's trakt-api-key) needs
    // the id of the client the token was issued to: the executor fills {{client.id}} from client_id.
    const sendsClientId = findExprs(JSON.stringify(injectFor(recipe, "oauth2") ?? {})).some((raw) => {
      const expr = parseExpr(raw);
      return typeof expr !== "string" && expr.kind === "client";
    });
    if (t.clientId === undefined && sendsClientId) {
      throw new CliError(
        "ERR_NEEDS_LOGIN",
        `${service}'s stored token does not say which OAuth client it was issued to, and its recipe sends that client id with every request`,
        `sign in again (arcrun setup ${service}), then push again; or push a JSON token set with client_id on stdin`,
      );
    }
    ctx.ui.err(
      ctx.ui.e.yellow(
        `note: ${service} is OAuth; its current access token is pushed${t.expiresAt ? ` (valid until ${new Date(t.expiresAt).toISOString()})` : ""}, and the executor cannot refresh it without a refresh token and client: push a JSON token set on stdin for that`,
      ),
    );
    return {
      primitive: recipe.primitive,
      value: JSON.stringify({
        access_token: t.accessToken,
        token_type: t.tokenType,
        ...(t.expiresAt ? { expires_at: Math.floor(t.expiresAt / 1000) } : {}),
        // Not a secret (RFC 6749 section 2.2), but like the rest of the value it is never printed.
        ...(t.clientId !== undefined ? { client_id: t.clientId } : {}),
      }),
    };
  }
  const values = await api.secret(service, options);
  const keys = Object.keys(values);
  const only = keys.length === 1 ? values[keys[0] ?? ""] : undefined;
  return { primitive: recipe.primitive, value: only ?? JSON.stringify(values) };
}

export async function run(ctx: Context, args: Parsed): Promise<number> {
  const { ui } = ctx;
  const name = args.positionals[0] ?? "";
  if (!/^[A-Za-z0-9_.-]{1,128}$/.test(name))
    throw new UsageError(
      `"${name}" is not a credential name (1-128 letters, digits, "_", "-", ".")`,
      spec.name,
    );
  const service = str(args, "from-service");
  if (str(args, "instance") !== undefined && service === undefined)
    throw new UsageError("--instance goes with --from-service", spec.name);
  if (service !== undefined && bool(args, "stdin"))
    throw new UsageError("give the value either with --from-service or on --stdin, not both", spec.name);
  const recipe = str(args, "recipe") ?? service;
  const raw = bool(args, "raw");
  if (raw && recipe !== undefined)
    throw new UsageError(
      "--raw is a secret for no service: give either --raw or --recipe/--from-service",
      spec.name,
    );
  const hosts = list(args, "host");
  const executor = await executorFor(ctx);
  // The key first: no point asking for a secret that cannot be encrypted.
  const key = await executorKey(ui, executor.url, str(args, "key-file"));

  let value: string;
  if (service !== undefined) {
    value = (await fromService(ctx, service, args)).value;
  } else if (ui.interactive && !bool(args, "stdin")) {
    value = await ctx.prompter().ask({ message: `Value of credential "${name}"`, hidden: true });
  } else {
    value = await readStdin(ui.io.stdin);
  }
  if (value === "") {
    throw new CliError(
      "ERR_INVALID_INPUT",
      `no value for credential "${name}": the input was empty`,
      `pipe it in: printf '%s' "$TOKEN" | arcrun creds push ${name}`,
    );
  }
  const { sealEnvelope } = await import("@arcrun/workflow");
  const tenantKey = await tenantKeyFor(key, executor);
  const sealed = await sealEnvelope(tenantKey, name, value);
  value = "";
  let stored: { name: string; recipe: string | null; created_at: string };
  try {
    stored = await executor.pushCredential({
      ...sealed,
      ...(recipe !== undefined ? { recipe } : {}),
      ...(hosts.length > 0 ? { hosts } : {}),
    });
  } catch (err) {
    if (
      err instanceof ExecutorApiError &&
      err.code === "ERR_CREDENTIAL_INVALID" &&
      /ENCRYPTION_KEY/.test(err.message)
    ) {
      throw new CliError(
        err.code,
        `the executor at ${executor.url} could not decrypt "${name}": the key from ${key.source} is not its ENCRYPTION_KEY`,
        "set ARCRUN_EXECUTOR_KEY (or --key-file) to the executor's key and push again",
      );
    }
    throw err;
  }
  if (recipe === undefined && !raw) {
    // A warning, not a refusal: a secret for no service (the hash component's key) needs no recipe.
    ui.err(
      ui.e.yellow(
        `warning: credential "${stored.name}" has no recipe, so auth components (auth_static_key, auth_oauth2, ...) cannot use it unless the node sets config.recipe; push it again with --recipe <id> (see: arcrun list), or with --raw if it is a secret for no service`,
      ),
    );
  }
  if (ctx.json) {
    ui.json({
      name: stored.name,
      recipe: stored.recipe,
      hosts,
      created_at: stored.created_at,
      executor: executor.url,
      key_source: key.source,
    });
    return EXIT_OK;
  }
  ui.out(
    `${ui.o.green("✔")} Stored credential "${stored.name}"${stored.recipe ? ` (recipe ${stored.recipe})` : ""} on ${executor.url}, encrypted with the key from ${key.source}`,
  );
  const component = recipe === undefined ? "hash" : "auth_static_key";
  ui.err(ui.e.dim(`  use it in a workflow: { component: ${component}, credential: ${stored.name} }`));
  return EXIT_OK;
}

import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { constants } from "node:os";
import type { Api } from "../internal/api.js";
import { bool, type CommandSpec, list, type Parsed } from "../internal/args.js";
import { ARCRUN_STORE_KEYS, inject } from "../internal/child-env.js";
import type { Context } from "../internal/context.js";
import { parseEnvFile, parseReference, type SecretReference } from "../internal/env-file.js";
import { CliError, UsageError } from "../internal/errors.js";
import { MaskStream } from "../internal/mask.js";
import { newProxyToken, type RunningProxy, startProxy } from "../internal/proxy.js";
import { parseServiceRef, refKey, type ServiceRef } from "../internal/service-ref.js";

export const spec: CommandSpec = {
  name: "run",
  summary:
    "Run a command with credentials in its environment (op run-style): each --service fills the recipe's\n" +
    "variables (OPENAI_API_KEY, GITHUB_TOKEN, ...); --env-file values arcrun://<service>[/<instance>]/<key> are\n" +
    "resolved. With --proxy the command gets a local proxy URL and a per-run proxy token, never the secret.",
  positionals: [],
  command: true,
  options: {
    service: {
      type: "string",
      short: "s",
      multiple: true,
      arg: "<service[:instance]>",
      description: "A service whose credential the command gets (repeatable), e.g. --service github:work",
    },
    "env-file": {
      type: "string",
      multiple: true,
      arg: "<file>",
      description: "A dotenv file whose arcrun:// references are resolved (repeatable; later files win)",
    },
    proxy: {
      type: "boolean",
      description: "Keep secrets out of the command: a 127.0.0.1 proxy applies them (see docs/agents.md)",
    },
    "no-masking": {
      type: "boolean",
      description: "Do not mask injected secrets in the command's output (output is then not piped)",
    },
  },
  details: [
    "Examples:",
    "  arcrun run --service openai -- python summarize.py",
    "  arcrun run --proxy --service notion -- sh -c 'curl -H \"Authorization: Bearer $NOTION_TOKEN\" $ARCRUN_PROXY_URL/notion/users/me'",
    "  arcrun run --env-file .env.arcrun -- npm start      # .env.arcrun: GITHUB_TOKEN=arcrun://github/token",
    "The exit code is the command's (128 + the signal number when a signal ended it).",
  ].join("\n"),
};

/** What `arcrun run` sets up before it starts the command. */
interface Prepared {
  env: Record<string, string | undefined>;
  secrets: string[];
  proxy: RunningProxy | undefined;
}

async function resolveReference(
  api: Api,
  ref: SecretReference,
  proxyToken: string | undefined,
): Promise<{ value: string; secret: boolean }> {
  const recipe = await api.recipe(ref.service);
  const options = { instance: ref.instance };
  const info = await api.bind(ref.service, options).ready();
  const spec = recipe.required_secrets.find((s) => s.key === ref.key);
  const tokenKey = ref.key === "access_token" || (ref.key === "token" && spec === undefined);
  if (!spec && !tokenKey) {
    const keys = [...recipe.required_secrets.map((s) => s.key), "access_token"].join(", ");
    throw new CliError(
      "ERR_ENV_FILE",
      `arcrun://${ref.service}/${ref.key}: ${ref.service} has no key "${ref.key}" (keys: ${keys}).`,
      `use one of those keys; see: arcrun recipe show ${ref.service}`,
    );
  }
  const sensitive = spec ? spec.sensitive : true;
  if (proxyToken !== undefined && sensitive) return { value: proxyToken, secret: false };
  if (tokenKey && (info.primitive === "oauth2" || info.primitive === "service_account" || !spec)) {
    return { value: (await api.token(ref.service, options)).accessToken, secret: true };
  }
  const value = (await api.secret(ref.service, options))[ref.key];
  if (value === undefined)
    throw new CliError(
      "ERR_ENV_FILE",
      `arcrun://${ref.service}/${ref.key}: no value is stored for "${ref.key}".`,
      `run: arcrun setup ${ref.service}`,
    );
  return { value, secret: sensitive };
}

async function prepare(ctx: Context, args: Parsed): Promise<Prepared> {
  const services = list(args, "service").map((s) => parseServiceRef(s, spec.name));
  const files: Array<{ name: string; value: string; ref?: SecretReference }> = [];
  for (const file of list(args, "env-file")) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (err) {
      throw new CliError(
        "ERR_ENV_FILE",
        `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}.`,
        "check the path given to --env-file",
      );
    }
    for (const v of parseEnvFile(text, file)) {
      const ref = parseReference(v.value, `${file}:${v.line}`);
      files.push(ref ? { name: v.name, value: v.value, ref } : { name: v.name, value: v.value });
    }
  }
  const api = await ctx.api();
  const useProxy = bool(args, "proxy");
  const served = new Map<string, ServiceRef>();
  for (const s of services) served.set(refKey(s.service, s.instance), s);
  for (const f of files) if (f.ref) served.set(refKey(f.ref.service, f.ref.instance), f.ref);

  let proxy: RunningProxy | undefined;
  let token: string | undefined;
  if (useProxy) {
    token = newProxyToken();
    proxy = await startProxy({
      token,
      resolve: async (service, instance) => {
        if (!served.has(refKey(service, instance))) return undefined;
        return {
          service,
          instance,
          recipe: await api.recipe(service),
          client: api.bind(service, { instance }),
        };
      },
    });
  }
  try {
    const env: Record<string, string | undefined> = { ...ctx.ui.env };
    for (const k of ARCRUN_STORE_KEYS) delete env[k];
    if (proxy) {
      // A credential the parent has in ARCRUN_<SERVICE>_... (a key, a client secret) stays with the proxy.
      const prefixes = [...served.values()].map((s) => `ARCRUN_${s.service.toUpperCase()}_`);
      for (const k of Object.keys(env)) if (prefixes.some((p) => k.startsWith(p))) delete env[k];
    }
    const secrets: string[] = [];
    for (const s of services) {
      const inj = await inject(api, s, proxy && token ? { url: proxy.url, token } : undefined);
      Object.assign(env, inj.env);
      secrets.push(...inj.secrets);
    }
    for (const f of files) {
      if (!f.ref) {
        env[f.name] = f.value;
        continue;
      }
      const r = await resolveReference(api, f.ref, token);
      env[f.name] = r.value;
      if (r.secret) secrets.push(r.value);
    }
    if (proxy && token) {
      env.ARCRUN_PROXY_URL = proxy.url;
      env.ARCRUN_PROXY_TOKEN = token;
    }
    return { env, secrets, proxy };
  } catch (err) {
    await proxy?.close();
    throw err;
  }
}

const FORWARDED = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"] as const;

export async function run(ctx: Context, args: Parsed): Promise<number> {
  const command = args.command ?? [];
  const [file, ...argv] = command;
  if (file === undefined)
    throw new UsageError(
      "missing the command to run: arcrun run [options] -- <command> [args...]",
      spec.name,
    );
  const { env, secrets, proxy } = await prepare(ctx, args);
  const mask = !bool(args, "no-masking") && secrets.length > 0;
  // The handlers go in before the child exists: a signal that arrives between spawn and their
  // installation would otherwise end arcrun with its default action and orphan the command.
  let child: ReturnType<typeof spawn> | undefined;
  const pending: NodeJS.Signals[] = [];
  const handlers = FORWARDED.map((sig) => {
    const h = () => {
      if (child) child.kill(sig);
      else pending.push(sig);
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  try {
    child = spawn(file, argv, { env, stdio: mask ? ["inherit", "pipe", "pipe"] : "inherit" });
    if (mask) {
      child.stdout?.pipe(new MaskStream(secrets)).pipe(ctx.ui.io.stdout, { end: false });
      child.stderr?.pipe(new MaskStream(secrets)).pipe(ctx.ui.io.stderr, { end: false });
    }
    for (const sig of pending) child.kill(sig);
    const started = child;
    try {
      return await new Promise<number>((resolve, reject) => {
        started.once("error", (err: NodeJS.ErrnoException) => {
          if (err.code === "ENOENT")
            reject(
              new CliError(
                "ERR_COMMAND_NOT_FOUND",
                `command not found: ${file}`,
                "check the command after --",
              ),
            );
          else reject(err);
        });
        started.once("close", (code, signal) => {
          resolve(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1));
        });
      });
    } finally {
      await proxy?.close();
    }
  } finally {
    for (const [sig, h] of handlers) process.off(sig, h);
  }
}

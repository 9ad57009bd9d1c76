import { readFile } from "node:fs/promises";
import { type PrimitiveName, type Recipe, type RequiredSecretSpec, registration } from "@arcrun/recipes";
import type { Api, TestResult } from "../internal/api.js";
import { bool, type CommandSpec, type Parsed, str } from "../internal/args.js";
import { INSTANCE_OPTION, instanceName, instanceOptions, target, VIA_OPTION } from "../internal/common.js";
import type { Context } from "../internal/context.js";
import { CliError, EXIT_OK, UsageError } from "../internal/errors.js";
import { type ClientFile, looksLikePath, readClientFile } from "../internal/oauth-client-file.js";
import { Spinner } from "../internal/spinner.js";
import { ensureWritableStore } from "../internal/store-setup.js";

export const spec: CommandSpec = {
  name: "setup",
  summary:
    "Connect a service. Static keys: a hidden prompt per required secret, then the recipe's test request;\n" +
    "saved only if it passes. OAuth: browser consent (or --device / --no-browser), token saved.",
  positionals: ["<service>"],
  options: {
    ...INSTANCE_OPTION,
    ...VIA_OPTION,
    "no-verify": { type: "boolean", description: "Save without running the recipe's test request" },
    "no-browser": {
      type: "boolean",
      description: "OAuth: print the URL instead of opening a browser; paste the redirected URL back",
    },
    device: {
      type: "boolean",
      description: "OAuth: use the device code flow (code shown, enter it elsewhere)",
    },
    scopes: { type: "string", arg: "<a,b>", description: "OAuth: scopes to ask for besides the recipe's" },
    "client-file": {
      type: "string",
      arg: "<path>",
      description:
        "OAuth: your app's client file as the provider downloads it (Google's client_secret_*.json), kept in the credential store",
    },
  },
  details: [
    "Examples:",
    "  arcrun setup notion",
    "  arcrun setup github --instance work",
    "  printf '%s\\n' \"$NOTION_TOKEN\" | arcrun setup notion     # no terminal: one value per line on stdin",
    "  arcrun setup google_drive --no-browser                  # over SSH: paste the redirected URL",
    "  arcrun setup gmail --client-file ~/Downloads/client_secret_123.json   # your own Google client",
    "OAuth without a client configured: setup prints what to register at the provider (client type, the",
    "exact redirect URI, scopes) and asks for the client id and secret, or the path of the downloaded file.",
  ].join("\n"),
};

/** A `format: json` value (a service-account key) may be given as the JSON itself or a path to the file. */
async function jsonValue(raw: string, secret: RequiredSecretSpec): Promise<string> {
  const text = raw.trim().startsWith("{") ? raw : await readFile(raw.trim(), "utf8").catch(() => undefined);
  if (text === undefined) {
    throw new CliError("ERR_INVALID_INPUT", `${secret.label}: no such file`, "give the JSON or a path to it");
  }
  try {
    JSON.parse(text);
  } catch {
    throw new CliError(
      "ERR_INVALID_INPUT",
      `${secret.label}: not valid JSON`,
      "give the JSON or a path to it",
    );
  }
  return text;
}

async function askSecrets(ctx: Context, recipe: Recipe): Promise<Record<string, string>> {
  const { ui } = ctx;
  const prompter = ctx.prompter();
  const values: Record<string, string> = {};
  try {
    for (const s of recipe.required_secrets) {
      if (s.help_url) ui.err(ui.e.dim(`${s.label}: get it at ${s.help_url}`));
      if (s.description) ui.err(ui.e.dim(s.description));
      // At a terminal a value of the wrong form is asked again; from a pipe arcrun-auth refuses it with
      // ERR_INVALID_SECRET naming the key and the expected form.
      const pattern = s.pattern && prompter.tty ? new RegExp(`^(?:${s.pattern})$`) : undefined;
      const raw = await prompter.ask({
        message: `${s.label}${s.optional ? " (optional)" : ""}`,
        hidden: s.sensitive,
        ...(s.default !== undefined ? { defaultValue: s.default } : {}),
        validate: (v) => {
          if (v === "") return s.optional ? undefined : `${s.label} is required`;
          if (pattern && !pattern.test(v))
            return `${s.label} does not have the expected form (${s.pattern}); try again`;
          return undefined;
        },
      });
      if (raw === "") continue;
      values[s.key] = s.format === "json" ? await jsonValue(raw, s) : raw;
    }
  } finally {
    prompter.close();
  }
  return values;
}

/** A value the OAuth recipe's endpoints name is set nowhere (arcrun-auth's ERR_NEEDS_LOGIN during a sign-in). */
const isNeedsValues = (err: unknown) =>
  err instanceof Error && (err as Error & { code?: unknown }).code === "ERR_NEEDS_LOGIN";

const isNoClient = (err: unknown) =>
  err instanceof Error && (err as Error & { code?: unknown }).code === "ERR_NO_CLIENT";

/** What to register at the provider, from the recipe: the same steps docs/providers.md shows. */
function printRegistration(ctx: Context, recipe: Recipe): void {
  const { ui } = ctx;
  const o = recipe.oauth2;
  if (!o) return;
  ui.err(`${recipe.display_name} needs an OAuth app of your own. Register one at the provider:`);
  for (const [label, text] of registration(recipe, o)) ui.err(`  ${label}: ${text}`);
}

/** A Web application client file must list the exact redirect URI; a Desktop ("installed") one takes any loopback. */
function warnRedirect(ctx: Context, recipe: Recipe, file: ClientFile): void {
  const r = recipe.oauth2?.redirect;
  if (file.kind !== "web") return;
  const exact = r?.port !== undefined ? `http://${r.host}:${r.port}${r.path}` : undefined;
  if (exact !== undefined && file.redirect_uris.includes(exact)) return;
  ctx.ui.err(
    ctx.ui.e.yellow(
      exact !== undefined
        ? `The client file does not list the redirect URI ${exact}; add it to the client in the provider's console`
        : "The client file is a Web application client, which must list the exact redirect URI with its port; a Desktop app client takes any loopback port",
    ),
  );
}

async function saveClient(
  ctx: Context,
  api: Api,
  recipe: Recipe,
  client: ClientFile | { client_id: string; client_secret?: string },
): Promise<void> {
  if ("kind" in client) warnRedirect(ctx, recipe, client);
  await api.saveOAuthClient(recipe.id, {
    client_id: client.client_id,
    ...(client.client_secret !== undefined ? { client_secret: client.client_secret } : {}),
  });
  ctx.ui.err(`Saved the ${recipe.id} OAuth client (${client.client_id}) to the credential store`);
}

/** Asks for the client id and secret, or the path of the provider's client file, and saves the client. */
async function askForClient(ctx: Context, api: Api, recipe: Recipe): Promise<void> {
  printRegistration(ctx, recipe);
  const required = recipe.oauth2?.client_secret === "required";
  const prompter = ctx.prompter();
  let client: ClientFile | { client_id: string; client_secret?: string };
  try {
    const first = (
      await prompter.ask({
        message: "Client ID, or the path of the client file the console downloaded (client_secret_*.json)",
        hidden: false,
        validate: (v) => (v.trim() === "" ? "a client id or a file path is required" : undefined),
      })
    ).trim();
    if (looksLikePath(first)) {
      client = await readClientFile(first);
    } else {
      const secret = await prompter.ask({
        message: `Client secret${required ? "" : " (Enter for none: a public client)"}`,
        hidden: true,
        validate: (v) => (v === "" && required ? `${recipe.id} needs the client secret` : undefined),
      });
      client = { client_id: first, ...(secret !== "" ? { client_secret: secret } : {}) };
    }
  } finally {
    prompter.close();
  }
  await saveClient(ctx, api, recipe, client);
}

/** Runs `work` (which verifies, then saves) under a spinner when there is a test request to wait for. */
async function withTest<T extends { test: TestResult | null }>(
  ctx: Context,
  service: string,
  verify: boolean,
  work: () => Promise<T>,
): Promise<T> {
  if (!verify) return work();
  return Spinner.run(
    ctx.ui,
    `Testing ${service}`,
    work,
    (r) => (r.test?.tested ? `Testing ${service}: HTTP ${r.test.status}` : `${service} has no test request`),
    (r) => r.test?.ok !== false,
  );
}

function chosenPrimitive(recipe: Recipe, via: PrimitiveName | undefined): PrimitiveName {
  const p = via ?? recipe.primitive;
  if (via && via !== recipe.primitive && (via === "static_key" || recipe[via] === undefined)) {
    throw new CliError(
      "ERR_PRIMITIVE_UNSUPPORTED",
      `${recipe.id} has no ${via} block`,
      `run: arcrun recipe show ${recipe.id}`,
    );
  }
  return p;
}

/**
 * Where the credential is about to be saved matters to the person saving it: the encrypted-file fallback
 * notice is shown on every setup (arcrun-auth prints it itself only once per ARCRUN_HOME).
 */
async function showStoreNotice(ctx: Context): Promise<void> {
  const notice = await (await ctx.api()).storeNotice();
  if (notice) ctx.ui.err(ctx.ui.e.yellow(notice));
}

export async function run(ctx: Context, args: Parsed): Promise<number> {
  const { ui } = ctx;
  const service = args.positionals[0] ?? "";
  const options = instanceOptions(args, spec.name);
  const noVerify = bool(args, "no-verify");
  const api = await ctx.api();
  const recipe = await api.recipe(service);
  const primitive = chosenPrimitive(recipe, options.via);
  // The store first: a store that cannot be written says so (and offers the choices) before any secret
  // is typed or any browser opens.
  await ensureWritableStore(ctx, service);
  const who = `${recipe.display_name} (${service}, instance ${instanceName(options)})`;

  if (primitive === "oauth2") {
    const scopesText = str(args, "scopes");
    const scopes = scopesText
      ?.split(",")
      .map((x) => x.trim())
      .filter((x) => x !== "");
    if (scopesText !== undefined && (scopes?.length ?? 0) === 0)
      throw new UsageError("--scopes needs at least one scope, comma-separated", spec.name);
    await showStoreNotice(ctx);
    const clientFile = str(args, "client-file");
    if (clientFile !== undefined) await saveClient(ctx, api, recipe, await readClientFile(clientFile));
    ui.err(`Connecting ${who}`);
    // Values the recipe's endpoints name (a tenant domain) that nothing else gave: asked once, kept with the token.
    let values: Record<string, string> | undefined;
    const login = () =>
      api.login(service, {
        ...options,
        browser: !bool(args, "no-browser"),
        device: bool(args, "device"),
        verify: false,
        ...(scopes ? { scopes } : {}),
        ...(values ? { values } : {}),
      });
    let askedClient = clientFile !== undefined;
    for (;;) {
      try {
        await login();
        break;
      } catch (err) {
        const wanted = recipe.required_secrets.filter((s) => !s.optional && s.default === undefined);
        if (isNeedsValues(err) && values === undefined && wanted.length > 0) {
          values = await askSecrets(ctx, { ...recipe, required_secrets: wanted });
          continue;
        }
        // No client yet: say what to register, take the client (pasted, or the downloaded file), then sign in.
        if (!isNoClient(err) || askedClient) throw err;
        askedClient = true;
        await askForClient(ctx, api, recipe);
      }
    }
    if (!noVerify && recipe.test) {
      const t = await withTest(ctx, service, true, async () => ({ test: await api.test(service, options) }));
      if (t.test && !t.test.ok) {
        throw new CliError(
          "ERR_TEST_FAILED",
          `${service}: logged in, but the test request answered HTTP ${t.test.status} (expected ${t.test.expected.join(" or ")}); the token is kept`,
          `check the scopes (arcrun recipe show ${service}), then run: arcrun setup ${target(service, options)}`,
        );
      }
    }
    ui.err(`${ui.e.green("✔")} ${who} is connected`);
    return EXIT_OK;
  }

  for (const flag of ["no-browser", "device", "scopes", "client-file"]) {
    if (args.values[flag] !== undefined)
      throw new UsageError(`--${flag} is for OAuth services; ${service} uses ${primitive}`, spec.name);
  }

  if (primitive === "service_account") {
    // arcrun-auth's service-account login asks for the key file (and the recipe's other values through the
    // CLI's prompt), checks the key by minting a token, and with verify keeps it only if the test passes.
    const store = await api.store();
    await showStoreNotice(ctx);
    if (!ctx.prompter().tty) ui.err(ui.e.dim("stdin is not a terminal: reading one value per line"));
    ui.err(`Setting up ${who} with a service account key`);
    const verify = !noVerify && recipe.test !== undefined;
    let r: { test: TestResult | null };
    try {
      r = await api.login(service, { ...options, browser: false, device: false, verify });
    } finally {
      ctx.prompter().close();
    }
    if (r.test?.tested) ui.err(`${ui.e.green("✔")} Testing ${service}: HTTP ${r.test.status}`);
    ui.err(`${ui.e.green("✔")} Saved ${who} to the ${store.kind} store`);
    return EXIT_OK;
  }

  if (recipe.required_secrets.length === 0) {
    throw new CliError(
      "ERR_RECIPE_INVALID",
      `${service} (${primitive}) asks for no secrets, so there is nothing to set up`,
      `run: arcrun recipe show ${service}`,
    );
  }
  // The store first: a store problem (wrong ARCRUN_MASTER_KEY, no keyring) shows before anyone types a secret.
  const store = await api.store();
  await showStoreNotice(ctx);
  if (!ctx.prompter().tty) ui.err(ui.e.dim("stdin is not a terminal: reading one value per line"));
  ui.err(`Setting up ${who}`);
  const values = await askSecrets(ctx, recipe);
  const verify = !noVerify && recipe.test !== undefined;
  await withTest(ctx, service, verify, () => api.save(service, values, { ...options, verify }));
  if (!recipe.test)
    ui.err(ui.e.yellow(`${service} has no test request in its recipe; saved without a check`));
  ui.err(`${ui.e.green("✔")} Saved ${who} to the ${store.kind} store`);
  return EXIT_OK;
}

import { join } from "node:path";
import type { Recipe } from "@arcrun/recipes";
import type {
  AgentStatus,
  Auth,
  InstanceInfo,
  Prompter as LibPrompter,
  TestResult as LibTestResult,
  PromptQuestion,
  ServiceInfo,
} from "arcrun-auth";
import type { AgentInfo, Api, InstanceRow, ServiceRow, StoreState, TestResult } from "./api.js";
import { CliError } from "./errors.js";
import type { Ui } from "./io.js";
import type { Prompter } from "./prompt.js";
import { arcrunHome } from "./recipes.js";
import { Spinner } from "./spinner.js";

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

function instanceRow(i: InstanceInfo): InstanceRow {
  return {
    instance: i.instance,
    status: i.status,
    source: i.source,
    type: i.type ?? null,
    expires_at: iso(i.expiresAt),
    updated_at: i.updatedAt ?? null,
    scopes: i.scopes ?? null,
    ...(i.scopesMissing && i.scopesMissing.length > 0 ? { scopes_missing: i.scopesMissing } : {}),
    ...(i.captured ? { captured: i.captured } : {}),
  };
}

function serviceRow(s: ServiceInfo): ServiceRow {
  return {
    id: s.id,
    name: s.displayName,
    primitive: s.primitive,
    alternatives: s.primitives.filter((p) => p !== s.primitive),
    user_recipe: s.userRecipe,
    instances: s.instances.map(instanceRow),
  };
}

function testResult(t: LibTestResult | undefined): TestResult | null {
  if (!t) return null;
  return { ok: t.ok, tested: t.tested, status: t.status ?? null, expected: t.expected };
}

/** The CLI's prompt behind the library's Prompter interface (the library asks for service-account keys). */
function libPrompter(ui: Ui, prompter: () => Prompter): LibPrompter {
  return {
    ask: (q: PromptQuestion) => {
      if (q.help_url) ui.err(ui.e.dim(`${q.label}: get it at ${q.help_url}`));
      return prompter().ask({
        message: `${q.label}${q.optional ? " (optional)" : ""}`,
        hidden: q.sensitive,
        ...(q.default !== undefined ? { defaultValue: q.default } : {}),
      });
    },
  };
}

/** Asks for the encrypted file's passphrase, hidden; `retry` after a wrong one. */
function askPassphrase(ui: Ui, prompter: () => Prompter): (retry: boolean) => Promise<string> {
  return async (retry) => {
    if (retry) ui.err(ui.e.yellow("That is not the passphrase; try again."));
    return prompter().ask({
      message: `Passphrase for ${join(arcrunHome(ui.env), "secrets.enc")}`,
      hidden: true,
    });
  };
}

const agentInfo = (a: AgentStatus): AgentInfo => ({
  running: a.running,
  socket: a.socket,
  expires_at: a.expiresAt === undefined ? null : new Date(a.expiresAt).toISOString(),
});

/** arcrun-auth behind the CLI's seam. One Auth per command run, with the CLI's environment and prompt. */
export async function createApi(ui: Ui, prompter: () => Prompter): Promise<Api> {
  const lib = await import("arcrun-auth");
  const { createAuth, findBroker, checkBroker, EncryptedFileStore, KeyringStore } = lib;
  /** What the library printed through the logger in this run, so a notice is not shown twice. */
  const warned = new Set<string>();
  const auth: Auth = createAuth({
    env: ui.env,
    prompt: libPrompter(ui, prompter),
    // At a terminal, a passphrase-locked file with no agent and no ARCRUN_PASSPHRASE is unlocked by asking.
    ...(prompter().tty ? { askPassphrase: askPassphrase(ui, prompter) } : {}),
    logger: {
      warn: (message) => {
        warned.add(message);
        Spinner.interrupt(ui, ui.e.yellow(message));
      },
    },
  });

  // arcrun-auth's ERR_UNKNOWN_SERVICE already names the nearest ids ("did you mean") and the next step.
  const recipe = (id: string): Promise<Recipe> => auth.recipe(id);

  return {
    recipes: () => auth.recipes(),
    async recipeErrors() {
      return (await auth.recipeErrors()).map((e) => ({
        file: e.file,
        service: e.service,
        code: e.error.code,
        message: e.error.message,
      }));
    },
    recipe,
    async services(service) {
      if (service === undefined) return (await auth.listServices()).map(serviceRow);
      await recipe(service);
      return [serviceRow(await auth.status(service))];
    },
    async test(service, options) {
      const t = await auth.test(service, { ...options, interactive: false });
      return testResult(t) ?? { ok: true, tested: false, status: null, expected: [] };
    },
    async save(service, values, options) {
      const { verify, ...rest } = options;
      const r = await auth.login(service, { ...rest, values, verify });
      return { test: testResult(r.test) };
    },
    async login(service, options) {
      const { browser, device, scopes, verify, ...rest } = options;
      const r = await auth.login(service, {
        ...rest,
        browser,
        device,
        verify,
        ...(scopes ? { scopes } : {}),
      });
      return { test: testResult(r.test) };
    },
    async saveOAuthClient(service, client) {
      await auth.setReservedSecret(lib.OAUTH_CLIENT_ENTRY, { ...client }, { instance: service });
    },
    async logout(service, options) {
      const r = await auth.logout(service, options);
      return { deleted: r.deleted, revocation: r.revocation };
    },
    token: (service, options) => auth.getToken(service, { ...options, interactive: false }),
    secret: (service, options) => auth.getSecret(service, { ...options, interactive: false }),
    async broker() {
      const fromEnv = ui.env.ARCRUN_BROKER_URL;
      const none = { reachable: null, status: null, health: null, services: null, error: null };
      let found: Awaited<ReturnType<typeof findBroker>>;
      try {
        found = await findBroker({ env: ui.env, home: auth.home });
      } catch (err) {
        return {
          ...none,
          url: fromEnv || null,
          source: fromEnv ? "ARCRUN_BROKER_URL" : "config.yaml",
          reachable: false,
          error: err instanceof Error ? err.message : String(err),
        };
      }
      if (!found) return { ...none, url: null, source: "none" };
      const h = await checkBroker(found, undefined, { timeoutMs: 3000 });
      return {
        url: h.url,
        source: h.from,
        reachable: h.reachable,
        status: h.httpStatus ?? null,
        health: h.status ?? null,
        services: h.services ?? null,
        error: h.error ?? null,
      };
    },
    async store() {
      const info = await auth.storeInfo();
      return {
        kind: info.kind,
        reason: info.reason,
        path: info.path ?? null,
        key_source: info.keySource ?? null,
        notice: info.notice ?? null,
      };
    },
    async readStore() {
      await (await auth.store()).list();
    },
    async storeState() {
      const info = await auth.storeInfo();
      const store = await auth.store();
      const base: StoreState = {
        state: "ready",
        kind: store.kind,
        path: info.path ?? null,
        key_choice: info.keyChoice ?? null,
        error: null,
      };
      if (store instanceof EncryptedFileStore) {
        const c = await store.check();
        return c.state === "unavailable"
          ? { ...base, state: c.state, error: { code: c.error.code, message: c.error.message } }
          : { ...base, state: c.state };
      }
      if (store instanceof KeyringStore) {
        const probe = await KeyringStore.probe({ keyringService: store.keyringService });
        if (!probe.ok) {
          return {
            ...base,
            state: "unavailable",
            error: {
              code: "ERR_STORE_UNAVAILABLE",
              message: `The OS keyring did not answer (${probe.reason}). Unset ARCRUN_STORE to fall back to the encrypted file, or run: arcrun doctor`,
            },
          };
        }
      }
      return base;
    },
    async initFileKey(choice) {
      const made = await lib.initEncryptedFile(auth.home, choice);
      const store = await auth.store();
      if (store instanceof EncryptedFileStore) store.useKey(made.key);
      made.key.fill(0);
      return { path: made.path, keyFile: made.keyFile ?? null };
    },
    async unlock(ttlMs) {
      const store = await auth.store();
      if (!(store instanceof EncryptedFileStore)) {
        throw new CliError(
          "ERR_NOTHING_TO_UNLOCK",
          `the active store is the ${store.kind} store, which arcrun does not lock`,
          "nothing to do; arcrun doctor shows the store",
        );
      }
      const how = await store.lockedWith();
      if (how === undefined) {
        throw new CliError(
          "ERR_NOTHING_TO_UNLOCK",
          `${store.path} does not exist yet`,
          "run: arcrun setup <service> (at a terminal it offers a passphrase)",
        );
      }
      if (how !== "passphrase") {
        throw new CliError(
          "ERR_NOTHING_TO_UNLOCK",
          `${store.path} is kept under ${how === "key-file" ? "the key file master.key" : how}, not a passphrase`,
          "nothing to unlock; arcrun doctor shows the store",
        );
      }
      if (!prompter().tty && !ui.env.ARCRUN_PASSPHRASE) {
        throw new CliError(
          "ERR_NOT_INTERACTIVE",
          "no terminal to ask the passphrase on, and ARCRUN_PASSPHRASE is not set",
          "run arcrun unlock at a terminal (once per login)",
        );
      }
      const key = await store.key();
      try {
        const a = await lib.startKeyAgent({ home: auth.home, env: ui.env, key, ttlMs });
        return { ...agentInfo(a), path: store.path };
      } finally {
        key.fill(0);
      }
    },
    lock: () => lib.lockAgent(auth.home, ui.env),
    async agent() {
      return agentInfo(await lib.agentStatus(auth.home, ui.env));
    },
    bind: (service, options) => auth.bind(service, { ...options, interactive: false }),
    home: () => auth.home,
    async storeNotice() {
      const { notice } = await auth.storeInfo();
      return notice !== undefined && !warned.has(notice) ? notice : null;
    },
  };
}

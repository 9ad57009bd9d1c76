import type { Recipe } from "@arcrun/recipes";
import type {
  Auth,
  InstanceInfo,
  Prompter as LibPrompter,
  TestResult as LibTestResult,
  PromptQuestion,
  ServiceInfo,
} from "arcrun-auth";
import type { Api, InstanceRow, ServiceRow, TestResult } from "./api.js";
import type { Ui } from "./io.js";
import type { Prompter } from "./prompt.js";
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

/** arcrun-auth behind the CLI's seam. One Auth per command run, with the CLI's environment and prompt. */
export async function createApi(ui: Ui, prompter: () => Prompter): Promise<Api> {
  const { createAuth, findBroker, checkBroker } = await import("arcrun-auth");
  /** What the library printed through the logger in this run, so a notice is not shown twice. */
  const warned = new Set<string>();
  const auth: Auth = createAuth({
    env: ui.env,
    prompt: libPrompter(ui, prompter),
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
    async storeNotice() {
      const { notice } = await auth.storeInfo();
      return notice !== undefined && !warned.has(notice) ? notice : null;
    },
  };
}

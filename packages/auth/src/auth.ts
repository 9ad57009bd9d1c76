import { homedir } from "node:os";
import { join } from "node:path";
import type { Recipe } from "@arcrun/recipes";
import type {
  AuthLoginOptions,
  AuthOptions,
  BindOptions,
  InstanceOptions,
  LoginResult,
  LogoutResult,
  TestResult,
  Token,
} from "./auth-options.js";
import type { Client } from "./client.js";
import { ArcrunError, isArcrunError } from "./errors.js";
import { checkInstance, choosePrimitive } from "./internal/auth/checks.js";
import { Clients } from "./internal/auth/clients.js";
import { CredentialSources } from "./internal/auth/credential-sources.js";
import type { Logins } from "./internal/auth/logins.js";
import { RecipeSource, unknownService } from "./internal/auth/recipe-source.js";
import { checkReservedValues, reservedInstance } from "./internal/auth/reserved.js";
import type { AuthStatus, InstanceInfo, InstanceStatus, ServiceInfo } from "./internal/auth/status.js";
import { StoreHolder } from "./internal/auth/store-holder.js";
import { StrategyCache } from "./internal/auth/strategy-cache.js";
import { checkExplicitSecret } from "./internal/explicit-secret.js";
import { checkValues, needsLogin, valuesCredential } from "./internal/secrets.js";
import type { StoreInfo } from "./internal/store-select.js";
import type { RecipeFileError } from "./internal/user-recipes.js";
import type { CredentialStore, Logger, Prompter } from "./types.js";

export type {
  AuthLoginOptions,
  AuthOptions,
  BindOptions,
  InstanceOptions,
  LoginResult,
  LogoutResult,
  TestResult,
  Token,
} from "./auth-options.js";
export type { AuthStatus, InstanceInfo, InstanceStatus, ServiceInfo };

const stderrLogger: Logger = { warn: (m) => void process.stderr.write(`${m}\n`) };

/**
 * An arcrun-auth instance: recipes, a credential store, and the HTTP agent its clients share.
 * `auth` (the default export) uses the defaults; `createAuth` makes an isolated one. A facade: each job is
 * a part of its own (internal/auth/: recipe source, credential sources, store, strategy cache, status),
 * and parts get what they need as values; nothing calls back up into Auth (docs/architecture.md).
 */
export class Auth {
  readonly home: string;
  readonly #options: AuthOptions;
  readonly #env: Readonly<Record<string, string | undefined>>;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #recipes: RecipeSource;
  readonly #stores: StoreHolder;
  readonly #sources: CredentialSources;
  readonly #strategies: StrategyCache;
  readonly #clients: Clients;
  #logins: Promise<Logins> | undefined;
  #prompt: Prompter | undefined;

  constructor(options: AuthOptions = {}) {
    this.#options = options;
    this.#env = options.env ?? process.env;
    this.home = options.home ?? (this.#env.ARCRUN_HOME || join(homedir(), ".arcrun"));
    this.#logger = options.logger ?? stderrLogger;
    this.#now = options.now ?? Date.now;
    const env = this.#env;
    this.#recipes = new RecipeSource({ home: this.home, env, recipesDirs: options.recipesDirs });
    this.#stores = new StoreHolder({
      home: this.home,
      env,
      logger: this.#logger,
      store: options.store,
      askPassphrase: options.askPassphrase,
    });
    this.#sources = new CredentialSources({ env, secretsDirs: options.secretsDirs, stores: this.#stores });
    this.#strategies = new StrategyCache({
      home: this.home,
      env,
      now: this.#now,
      logger: this.#logger,
      recipes: this.#recipes,
      stores: this.#stores,
      sources: this.#sources,
      fetch: this.#fetch(),
      prompt: options.prompt ?? { ask: async (q) => (await this.#ttyPrompt()).ask(q) },
      interactive: () => this.#interactive(),
      broker: options.broker,
    });
    this.#clients = new Clients({
      recipes: this.#recipes,
      strategies: this.#strategies,
      dispatcher: options.dispatcher,
      retries: options.retries ?? 2,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 30_000,
      maxRedirects: options.maxRedirects ?? 10,
      now: this.#now,
    });
  }

  /** setSecret, login and logout; loaded on first use, a script that only binds clients never needs them. */
  #loginsPart(): Promise<Logins> {
    this.#logins ??= import("./internal/auth/logins.js").then(
      ({ Logins }) =>
        new Logins({
          recipes: this.#recipes,
          stores: this.#stores,
          strategies: this.#strategies,
          logger: this.#logger,
          now: this.#now,
          interactive: () => this.#interactive(),
          prompt: () => this.#ttyPrompt(),
          clients: this.#clients,
        }),
    );
    return this.#logins;
  }

  /**
   * The resolved recipe for a service: a user recipe wins over the built-in one. When the user recipe file
   * of that id does not validate, ERR_RECIPE_INVALID naming the file and key path (never the built-in one).
   */
  recipe(service: string): Promise<Recipe> {
    return this.#recipes.recipe(service);
  }

  /**
   * Every usable recipe: built-in ones and user ones (which override by id), sorted by id. A service whose
   * user recipe file does not validate is left out (see `recipeErrors`).
   */
  recipes(): Promise<Recipe[]> {
    return this.#recipes.recipes();
  }

  /**
   * The user recipe files that do not validate, one per broken service id (sorted by id). Each breaks only
   * its own service: `recipe`, `bind`, `login` of that id fail with its `error`; every other service works.
   */
  recipeErrors(): Promise<RecipeFileError[]> {
    return this.#recipes.recipeErrors();
  }

  /** The active credential store (chosen on first use). */
  store(): Promise<CredentialStore> {
    return this.#stores.store();
  }

  async storeInfo(): Promise<StoreInfo> {
    return this.#stores.info();
  }

  /**
   * One of arcrun's own secrets that belong to no recipe (the executor's ENCRYPTION_KEY and API key), from
   * the active store; `undefined` when none is stored. Filed like a credential under a reserved name
   * (`arcrun_` + lower_snake_case) and an instance, so it is as protected as one: the OS keyring, or the
   * AES-256-GCM encrypted file.
   */
  async getReservedSecret(
    name: string,
    options: { instance?: string } = {},
  ): Promise<Readonly<Record<string, string>> | undefined> {
    const instance = reservedInstance(name, options.instance);
    const stored = await (await this.store()).get(name, instance);
    return stored ? { ...stored.values } : undefined;
  }

  /**
   * Stores (replaces) one of arcrun's own secrets under a reserved name (`arcrun_` + lower_snake_case) and
   * an instance: a non-empty object of string values, no recipe checks. See getReservedSecret.
   * @throws ArcrunError ERR_INVALID_OPTION for a name outside that form or values that are not strings.
   */
  async setReservedSecret(
    name: string,
    values: Readonly<Record<string, string>>,
    options: { instance?: string } = {},
  ): Promise<void> {
    const instance = reservedInstance(name, options.instance);
    checkReservedValues(name, values);
    const store = await this.store();
    const previous = await store.get(name, instance);
    await store.set(name, instance, valuesCredential("static_key", { ...values }, this.#now(), previous));
  }

  /** Deletes one of arcrun's own secrets from the active store; false when none was stored. See getReservedSecret. */
  async deleteReservedSecret(name: string, options: { instance?: string } = {}): Promise<boolean> {
    const instance = reservedInstance(name, options.instance);
    return (await this.store()).delete(name, instance);
  }

  /** The instances under which one of arcrun's own secrets (a reserved name) is stored, sorted. */
  async listReservedSecret(name: string): Promise<string[]> {
    reservedInstance(name, undefined);
    const all = await (await this.store()).list();
    return all
      .filter((e) => e.service === name)
      .map((e) => e.instance)
      .sort();
  }

  #fetch(): typeof globalThis.fetch {
    if (this.#options.fetch) return this.#options.fetch;
    const dispatcher = this.#options.dispatcher;
    if (!dispatcher) return globalThis.fetch;
    return (input, init) => globalThis.fetch(input, { ...init, dispatcher } as unknown as RequestInit);
  }

  #interactive(override?: boolean): boolean {
    if (override !== undefined) return override;
    if (this.#options.interactive !== undefined) return this.#options.interactive;
    return process.stdin.isTTY === true && !this.#env.CI;
  }

  /** The prompter; the TTY one is loaded only when a question is actually asked. */
  async #ttyPrompt(): Promise<Prompter> {
    if (this.#options.prompt) return this.#options.prompt;
    if (!this.#prompt) {
      const { createTtyPrompter } = await import("./internal/prompt.js");
      this.#prompt = createTtyPrompter();
    }
    return this.#prompt;
  }

  /**
   * A client for one service instance. Synchronous and lazy: nothing is read until the first request (or
   * `ready()`). Throws ERR_UNKNOWN_SERVICE at once when the service is unknown and no user recipes exist.
   */
  bind(service: string, options: BindOptions = {}): Client {
    return this.#clients.bind(service, options);
  }

  /**
   * The access token for a service (refreshed if needed), to hand to an SDK. For a static_key recipe with
   * one sensitive secret, that secret (tokenType "static").
   */
  async getToken(service: string, options: BindOptions = {}): Promise<Token> {
    const { recipe, strategy, primitive } = await this.#strategies.setup(service, options, true);
    const cred = await strategy.resolve();
    const access = cred.values.runtime?.access_token;
    if (access !== undefined) {
      const token: Token = { accessToken: access, tokenType: cred.values.runtime?.token_type ?? "Bearer" };
      if (cred.expiresAt !== undefined) token.expiresAt = cred.expiresAt;
      if (cred.scopes !== undefined) token.scopes = cred.scopes;
      if (cred.values.client?.id !== undefined) token.clientId = cred.values.client.id;
      return token;
    }
    const sensitive = recipe.required_secrets.filter((s) => s.sensitive);
    const only = sensitive.length === 1 ? sensitive[0] : undefined;
    const value = only ? cred.values.secret[only.key] : undefined;
    if (primitive === "static_key" && value !== undefined) return { accessToken: value, tokenType: "static" };
    throw new ArcrunError(
      "ERR_PRIMITIVE_UNSUPPORTED",
      `${service} has no single token to hand out (it uses ${primitive} with ${recipe.required_secrets.length} values). Use auth.getSecret("${service}") or auth.bind("${service}")`,
      { service },
    );
  }

  /** The values of a service's required_secrets (static keys), from sources 1-4 (and a prompt when allowed). */
  async getSecret(service: string, options: BindOptions = {}): Promise<Readonly<Record<string, string>>> {
    const recipe = await this.recipe(service);
    const instance = checkInstance(service, options.instance);
    const primitive = choosePrimitive(recipe, options.via);
    if (primitive === "static_key") {
      const { strategy } = await this.#strategies.setup(service, options, true);
      const cred = await strategy.resolve();
      return Object.fromEntries(
        Object.entries(cred.values.secret).filter((e): e is [string, string] => e[1] !== undefined),
      );
    }
    const secret = checkExplicitSecret(recipe, service, options.secret, options.via);
    const r = await this.#sources.readValues(recipe, service, instance, secret?.values);
    if (r.missing.length > 0) throw needsLogin(recipe, service, instance, r.missing);
    return checkValues(recipe, service, instance, r.values);
  }

  /**
   * Stores values for a service instance (static keys, service-account keys, AWS keys), after checking
   * them against the recipe. Replaces what was stored for that instance.
   */
  setSecret(
    service: string,
    values: Readonly<Record<string, string>>,
    options: InstanceOptions = {},
  ): Promise<void> {
    return this.#loginsPart().then((l) => l.setSecret(service, values, options));
  }

  /**
   * Sets a service up: for static keys, a hidden prompt per required secret (or `values`), optionally
   * verified with the recipe's test request before saving; for OAuth and service accounts, the strategy's login flow (a service account key is kept only if `verify` passes).
   */
  login(service: string, options: AuthLoginOptions = {}): Promise<LoginResult> {
    return this.#loginsPart().then((l) => l.login(service, options));
  }

  /** Revokes at the provider where the strategy can, then deletes locally (even when revocation failed). */
  logout(service: string, options: InstanceOptions = {}): Promise<LogoutResult> {
    return this.#loginsPart().then((l) => l.logout(service, options));
  }

  /** Runs the recipe's `test` request with the credential; `ok` when the status is the expected one. */
  test(service: string, options: BindOptions = {}): Promise<TestResult> {
    return this.#clients.test(service, options);
  }

  /** Every recipe with its connected instances and their status. */
  async listServices(): Promise<ServiceInfo[]> {
    const { listServices } = await import("./internal/auth/status.js");
    return listServices({
      recipes: this.#recipes,
      stores: this.#stores,
      sources: this.#sources,
      logger: this.#logger,
      now: this.#now,
    });
  }

  /** One service's info, or everything connected plus which store is active (for `arcrun status`/`doctor`). */
  status(): Promise<AuthStatus>;
  status(service: string): Promise<ServiceInfo>;
  async status(service?: string): Promise<AuthStatus | ServiceInfo> {
    if (service !== undefined) {
      await this.recipe(service);
      const all = await this.listServices();
      const one = all.find((s) => s.id === service);
      if (!one) throw unknownService(service);
      return one;
    }
    let store: AuthStatus["store"];
    try {
      store = { ...(await this.storeInfo()) };
    } catch (err) {
      if (!isArcrunError(err)) throw err;
      store = { kind: "unavailable", reason: err.message, error: { code: err.code, message: err.message } };
    }
    const services = (await this.listServices()).filter((s) => s.instances.length > 0);
    return { home: this.home, store, services };
  }

  /**
   * Kept for callers that close what they create; resolves at once. The clients send through the caller's
   * dispatcher or the process's global one (Node's fetch's), neither of which is this instance's to close.
   */
  close(): Promise<void> {
    // Idle keep-alive sockets of either dispatcher do not hold the process open.
    return Promise.resolve();
  }
}

/** Creates an isolated arcrun-auth instance (tests, multi-tenant apps, a custom store or dispatcher). */
export function createAuth(options: AuthOptions = {}): Auth {
  return new Auth(options);
}

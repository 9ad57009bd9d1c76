import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { getRecipe, loadCatalog, type PrimitiveName, type Recipe } from "@arcrun/recipes";
import { BoundClient, type Client, renderWithCredential } from "./client.js";
import { ArcrunError, isArcrunError } from "./errors.js";
import { entryKey, validInstance } from "./internal/credential.js";
import { jsonMismatch } from "./internal/expect-json.js";
import { primitivesOf } from "./internal/recipe.js";
import {
  checkValues,
  invalidSecret,
  matchesPattern,
  needsLogin,
  promptValues,
  setupCommand,
  valuesCredential,
} from "./internal/secrets.js";
import { isStoreChoice, type StoreChoice, type StoreInfo, selectStore } from "./internal/store-select.js";
import { suggest } from "./internal/suggest.js";
import { type Agent, type Dispatcher, loadAgent } from "./internal/undici.js";
import { loadUserRecipes, type RecipeFileError, type UserRecipes } from "./internal/user-recipes.js";
import { envNames, readEnvValues } from "./stores/env.js";
import { readSecretFiles, secretFileDirs, secretFileName } from "./stores/secret-files.js";
import { strategyFactories } from "./strategies/index.js";
import type {
  CredentialSource,
  CredentialStore,
  Logger,
  LoginOptions,
  Prompter,
  ResolvedValues,
  StoredCredential,
  Strategy,
  StrategyFactoryContext,
} from "./types.js";

/** Options of `createAuth`. Everything has a default; tests pass their own home, store, env and prompt. */
export interface AuthOptions {
  /** Where arcrun keeps its files. Default `$ARCRUN_HOME`, else `~/.arcrun`. */
  home?: string;
  /** A store object, or which one to pick. Default `$ARCRUN_STORE`, else "auto". */
  store?: CredentialStore | StoreChoice;
  /** The dispatcher the bound clients (and token requests) go through. Default: one keep-alive undici Agent. */
  dispatcher?: Dispatcher;
  /** The fetch strategies use for token endpoints. Default: global fetch through `dispatcher` when given. */
  fetch?: typeof globalThis.fetch;
  /** The environment to read credentials from. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** User recipe directories, later ones win. Default `$ARCRUN_HOME/recipes` then `$ARCRUN_RECIPES_DIR` (path-list). */
  recipesDirs?: readonly string[];
  /** Directories of secret files. Default `$ARCRUN_SECRETS_DIR` then `/run/secrets`. */
  secretsDirs?: readonly string[];
  /** Whether a person can answer prompts. Default: stdin is a TTY and `CI` is not set. */
  interactive?: boolean;
  prompt?: Prompter;
  /** Default: warnings to stderr. */
  logger?: Logger;
  /** Epoch ms clock. */
  now?: () => number;
  /** Retries of idempotent requests answered 429/503. Default 2. */
  retries?: number;
  /** A Retry-After longer than this is not waited for; the 429/503 response is returned. Default 30 s. */
  maxRetryDelayMs?: number;
  /** Default 10. */
  maxRedirects?: number;
}

/** Options shared by `bind`, `getToken`, `getSecret`, `test`. */
export interface BindOptions {
  /** Default "default". */
  instance?: string;
  /** An alternative primitive the recipe offers (`service_account` for a Google recipe). */
  via?: PrimitiveName;
  scopes?: readonly string[];
  /** Explicit values, source 1: they win over env, secret files and the store, and are never stored. */
  secret?: Readonly<Record<string, string>>;
  /**
   * Service accounts: the user to act as (the JWT `sub`, Google domain-wide delegation). Default: the recipe's
   * `service_account > subject` rendered with the values (gmail_sa: `{{secret.subject}}`).
   */
  subject?: string;
  /** Override `createAuth({ interactive })` for this call. */
  interactive?: boolean;
}

export interface InstanceOptions {
  instance?: string;
  via?: PrimitiveName;
}

/** The result of `getToken`. */
export interface Token {
  accessToken: string;
  /** "Bearer" for OAuth tokens; "static" for a static key handed out as a token. */
  tokenType: string;
  expiresAt?: number;
  scopes?: string[];
}

export type InstanceStatus = "connected" | "reauth_required" | "expired";

export interface InstanceInfo {
  instance: string;
  status: InstanceStatus;
  /** Where the credential is: the store, or the environment / secret files (not stored). */
  source: Extract<CredentialSource, "store" | "env" | "secret-file">;
  /** The kind of credential stored. */
  type?: StoredCredential["type"];
  expiresAt?: number;
  /** The scopes granted to an oauth2 credential (the provider's `scope` answer, else the ones asked for). */
  scopes?: string[];
  /** Requested scopes the provider's token response did not cover (recorded, not refused). */
  scopesMissing?: string[];
  updatedAt?: string;
}

export interface ServiceInfo {
  id: string;
  displayName: string;
  description?: string;
  docsUrl: string;
  categories: string[];
  /** The recipe's default primitive. */
  primitive: PrimitiveName;
  /** Every primitive it can be used with (`via`). */
  primitives: PrimitiveName[];
  /** Whether it comes from a user recipe directory. */
  userRecipe: boolean;
  instances: InstanceInfo[];
}

export interface AuthStatus {
  home: string;
  store: StoreInfo & { error?: { code: string; message: string } };
  /** Services with at least one connected (or failing) instance. */
  services: ServiceInfo[];
}

export interface AuthLoginOptions extends LoginOptions {
  instance?: string;
  via?: PrimitiveName;
  /** Values to save instead of prompting (static keys). */
  values?: Readonly<Record<string, string>>;
  /** Run the recipe's test request with the new values first; save only if it passes (ERR_TEST_FAILED). */
  verify?: boolean;
}

export interface LoginResult {
  service: string;
  instance: string;
  primitive: PrimitiveName;
  test?: TestResult;
}

export interface LogoutResult {
  service: string;
  instance: string;
  /** Whether a stored credential was deleted. */
  deleted: boolean;
  /** "revoked" at the provider, "failed" (deleted locally anyway), or "not-supported". */
  revocation: "revoked" | "failed" | "not-supported";
}

export interface TestResult {
  ok: boolean;
  /** false when the recipe has no test request. */
  tested: boolean;
  method?: string;
  path?: string;
  status?: number;
  expected: number[];
  /** Why the body failed the recipe's `expect_json`, when the status was right but the body was not. */
  mismatch?: string;
}

interface Setup {
  recipe: Recipe;
  primitive: PrimitiveName;
  strategy: Strategy;
}

/** Names under which arcrun keeps its own secrets (never a recipe's id). */
const RESERVED_NAME = /^arcrun_[a-z0-9_]{1,56}$/;

const stderrLogger: Logger = { warn: (m) => void process.stderr.write(`${m}\n`) };

/**
 * An arcrun-auth instance: recipes, a credential store, and the HTTP agent its clients share.
 * `auth` (the default export) uses the defaults; `createAuth` makes an isolated one.
 */
export class Auth {
  readonly home: string;
  readonly #options: AuthOptions;
  readonly #env: Readonly<Record<string, string | undefined>>;
  readonly #logger: Logger;
  readonly #now: () => number;
  #store: Promise<{ store: CredentialStore; info: StoreInfo }> | undefined;
  #userRecipes: Promise<UserRecipes> | undefined;
  #agent: Dispatcher | undefined;
  #ownAgent: Agent | undefined;
  #prompt: Prompter | undefined;
  /** Strategies per service/instance/primitive/scopes, so tokens are cached and refreshed once. */
  readonly #strategies = new Map<string, Promise<Setup>>();

  constructor(options: AuthOptions = {}) {
    this.#options = options;
    this.#env = options.env ?? process.env;
    this.home = options.home ?? (this.#env.ARCRUN_HOME || join(homedir(), ".arcrun"));
    this.#logger = options.logger ?? stderrLogger;
    this.#now = options.now ?? Date.now;
  }

  // ---- recipes ----

  #recipeDirs(): string[] {
    if (this.#options.recipesDirs) return [...this.#options.recipesDirs];
    const extra = (this.#env.ARCRUN_RECIPES_DIR ?? "").split(delimiter).filter((d) => d !== "");
    return [join(this.home, "recipes"), ...extra];
  }

  /**
   * User recipes, loaded (with yaml and zod) only when a recipe directory exists. A file that does not
   * validate breaks only the service it defines (see `recipeErrors`).
   */
  #loadUserRecipes(): Promise<UserRecipes> {
    if (!this.#userRecipes) {
      const dirs = this.#recipeDirs().filter((d) => existsSync(d));
      this.#userRecipes =
        dirs.length === 0
          ? Promise.resolve({ recipes: new Map(), broken: new Map() })
          : loadUserRecipes(dirs).catch((err: unknown) => {
              this.#userRecipes = undefined;
              throw toRecipeError(err);
            });
    }
    return this.#userRecipes;
  }

  #hasUserRecipeDirs(): boolean {
    return this.#recipeDirs().some((d) => existsSync(d));
  }

  /**
   * The resolved recipe for a service: a user recipe wins over the built-in one. When the user recipe file
   * of that id does not validate, ERR_RECIPE_INVALID naming the file and key path (never the built-in one).
   */
  async recipe(service: string): Promise<Recipe> {
    const { recipes: user, broken } = await this.#loadUserRecipes();
    const bad = broken.get(service);
    if (bad) throw bad.error;
    const r = user.get(service) ?? getRecipe(service);
    if (!r) throw unknownService(service, [...loadCatalog().map((c) => c.id), ...user.keys()]);
    return r;
  }

  /**
   * Every usable recipe: built-in ones and user ones (which override by id), sorted by id. A service whose
   * user recipe file does not validate is left out (see `recipeErrors`).
   */
  async recipes(): Promise<Recipe[]> {
    const { recipes: user, broken } = await this.#loadUserRecipes();
    const all = new Map(loadCatalog().map((r) => [r.id, r]));
    for (const [id, r] of user) all.set(id, r);
    for (const id of broken.keys()) all.delete(id);
    return [...all.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /**
   * The user recipe files that do not validate, one per broken service id (sorted by id). Each breaks only
   * its own service: `recipe`, `bind`, `login` of that id fail with its `error`; every other service works.
   */
  async recipeErrors(): Promise<RecipeFileError[]> {
    const { broken } = await this.#loadUserRecipes();
    return [...broken.values()].sort((a, b) => a.service.localeCompare(b.service));
  }

  // ---- store ----

  #getStore(): Promise<{ store: CredentialStore; info: StoreInfo }> {
    if (!this.#store) {
      const opt = this.#options.store;
      if (opt !== undefined && typeof opt === "object") {
        this.#store = Promise.resolve({
          store: opt,
          info: { kind: opt.kind, reason: "passed to createAuth" },
        });
      } else {
        const fromEnv = this.#env.ARCRUN_STORE;
        let choice: StoreChoice = opt ?? "auto";
        if (opt === undefined && fromEnv) {
          if (!isStoreChoice(fromEnv)) {
            return Promise.reject(
              new ArcrunError(
                "ERR_INVALID_OPTION",
                `ARCRUN_STORE is "${fromEnv}"; use one of auto, keyring, encrypted-file, memory. Fix it, or run: arcrun doctor`,
              ),
            );
          }
          choice = fromEnv;
        }
        this.#store = selectStore(choice, this.home, this.#env, this.#logger);
      }
    }
    return this.#store;
  }

  /** The active credential store (chosen on first use). */
  async store(): Promise<CredentialStore> {
    return (await this.#getStore()).store;
  }

  async storeInfo(): Promise<StoreInfo> {
    return (await this.#getStore()).info;
  }

  // ---- arcrun's own secrets ----

  #reserved(name: string, instance: string | undefined): string {
    if (!RESERVED_NAME.test(name)) {
      throw new ArcrunError(
        "ERR_INVALID_OPTION",
        `${JSON.stringify(name).slice(0, 80)} is not a reserved name: arcrun's own secrets are filed under "arcrun_" and lower_snake_case (arcrun_executor). Use setSecret for a service's credential`,
      );
    }
    return this.#instance(name, instance);
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
    const instance = this.#reserved(name, options.instance);
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
    const instance = this.#reserved(name, options.instance);
    const entries = Object.entries(values);
    if (
      entries.length === 0 ||
      entries.some(([k, v]) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) || typeof v !== "string")
    ) {
      throw new ArcrunError(
        "ERR_INVALID_OPTION",
        `${name}: values must be a non-empty object of string values under names of letters, digits and "_". Fix the call`,
      );
    }
    const store = await this.store();
    const previous = await store.get(name, instance);
    await store.set(name, instance, valuesCredential("static_key", { ...values }, this.#now(), previous));
  }

  /** Deletes one of arcrun's own secrets from the active store; false when none was stored. See getReservedSecret. */
  async deleteReservedSecret(name: string, options: { instance?: string } = {}): Promise<boolean> {
    const instance = this.#reserved(name, options.instance);
    return (await this.store()).delete(name, instance);
  }

  /** The instances under which one of arcrun's own secrets (a reserved name) is stored, sorted. */
  async listReservedSecret(name: string): Promise<string[]> {
    this.#reserved(name, undefined);
    const all = await (await this.store()).list();
    return all
      .filter((e) => e.service === name)
      .map((e) => e.instance)
      .sort();
  }

  // ---- plumbing ----

  #agentFor(): Dispatcher {
    if (this.#options.dispatcher) return this.#options.dispatcher;
    if (!this.#agent) {
      const AgentCtor = loadAgent();
      this.#ownAgent = new AgentCtor({ keepAliveTimeout: 10_000, connections: 128 });
      this.#agent = this.#ownAgent;
    }
    return this.#agent;
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

  async #getPrompt(): Promise<Prompter> {
    if (this.#options.prompt) return this.#options.prompt;
    if (!this.#prompt) {
      const { createTtyPrompter } = await import("./internal/prompt.js");
      this.#prompt = createTtyPrompter();
    }
    return this.#prompt;
  }

  #instance(service: string, instance: string | undefined): string {
    const i = instance ?? "default";
    if (!validInstance(i)) {
      throw new ArcrunError(
        "ERR_INVALID_OPTION",
        `Instance names are letters, digits, "_", "-" and "." (up to 64), got ${JSON.stringify(i).slice(0, 80)}. Run: arcrun list`,
        { service },
      );
    }
    return i;
  }

  #primitive(recipe: Recipe, via: PrimitiveName | undefined): PrimitiveName {
    if (via === undefined) return recipe.primitive;
    const offered = primitivesOf(recipe);
    if (!offered.includes(via)) {
      throw new ArcrunError(
        "ERR_INVALID_OPTION",
        `${recipe.id} cannot be used via ${via}; it offers ${offered.join(", ")}. Run: arcrun recipe show ${recipe.id}`,
        { service: recipe.id },
      );
    }
    return via;
  }

  /** Sources 1-4 for the recipe's required_secrets, per key, first match wins. */
  async #readValues(
    recipe: Recipe,
    service: string,
    instance: string,
    secret: Readonly<Record<string, string>> | undefined,
  ): Promise<ResolvedValues> {
    const values: Record<string, string> = {};
    const sources: Record<string, CredentialSource> = {};
    const take = (from: Readonly<Record<string, string>>, source: CredentialSource) => {
      for (const [k, v] of Object.entries(from)) {
        if (values[k] === undefined && v !== "" && recipe.required_secrets.some((s) => s.key === k)) {
          values[k] = v;
          sources[k] = source;
        }
      }
    };
    const missingKeys = () =>
      recipe.required_secrets.filter(
        (s) => values[s.key] === undefined && !s.optional && s.default === undefined,
      );
    if (secret) take(secret, "option");
    take(readEnvValues(recipe, service, instance, this.#env), "env");
    const dirs = this.#options.secretsDirs ?? secretFileDirs(this.#env);
    if (missingKeys().length > 0 || recipe.required_secrets.some((s) => values[s.key] === undefined)) {
      take(await readSecretFiles(recipe, service, instance, dirs), "secret-file");
    }
    const result: ResolvedValues = { values, sources, missing: [] };
    if (missingKeys().length > 0 || recipe.required_secrets.length === 0) {
      const stored = await (await this.store()).get(service, instance);
      if (stored) {
        take(stored.values, "store");
        result.stored = stored;
      }
    }
    result.missing = missingKeys().map((s) => s.key);
    // Every source is checked the same way (env and secret files too): a value that does not match the
    // recipe's pattern never reaches a request (it may be interpolated into a host), and defaults fill in.
    for (const s of recipe.required_secrets) {
      const v = values[s.key];
      if (v === undefined) {
        if (s.default !== undefined) values[s.key] = s.default;
        continue;
      }
      if (!matchesPattern(s, v)) {
        const where = sources[s.key];
        throw invalidSecret(
          s,
          service,
          instance,
          this.#sourceText(recipe, service, instance, s.key, where, v),
        );
      }
    }
    return result;
  }

  /** Where a value came from, in words for an error message (a variable or file name, never the value). */
  #sourceText(
    recipe: Recipe,
    service: string,
    instance: string,
    key: string,
    source: CredentialSource | undefined,
    value: string,
  ): string {
    switch (source) {
      case "env": {
        const name = envNames(recipe, service, instance, key).find((n) => this.#env[n] === value);
        return name ? `The value of ${name}` : "The environment value";
      }
      case "secret-file":
        return `The secret file ${secretFileName(service, instance, key)}`;
      case "store":
        return "The stored value";
      case "option":
        return "The value passed as secret";
      default:
        return "The value given";
    }
  }

  /**
   * The primitive for a call without `via`: the recipe's own, unless what is stored for the instance was set
   * up through another one the recipe offers (`arcrun setup google_drive --via service_account`).
   */
  async #storedPrimitive(recipe: Recipe, instance: string): Promise<PrimitiveName> {
    const offered = primitivesOf(recipe);
    if (offered.length < 2) return recipe.primitive;
    const stored = await (await this.store()).get(recipe.id, instance).catch(() => undefined);
    return stored && stored.type !== recipe.primitive && offered.includes(stored.type)
      ? stored.type
      : recipe.primitive;
  }

  async #setup(service: string, opts: BindOptions, cache: boolean): Promise<Setup> {
    const recipe = await this.recipe(service);
    const instance = this.#instance(service, opts.instance);
    const primitive = opts.via
      ? this.#primitive(recipe, opts.via)
      : await this.#storedPrimitive(recipe, instance);
    const key = `${entryKey(service, instance)}/${primitive}/${(opts.scopes ?? []).join(" ")}/${opts.interactive ?? ""}/${opts.subject ?? ""}`;
    const useCache = cache && opts.secret === undefined;
    if (useCache) {
      const hit = this.#strategies.get(key);
      if (hit) return hit;
    }
    const made = this.#makeStrategy(recipe, service, instance, primitive, opts).then((strategy) => ({
      recipe,
      primitive,
      strategy,
    }));
    if (useCache) {
      this.#strategies.set(key, made);
      made.catch(() => this.#strategies.delete(key));
    }
    return made;
  }

  async #makeStrategy(
    recipe: Recipe,
    service: string,
    instance: string,
    primitive: PrimitiveName,
    opts: BindOptions,
  ): Promise<Strategy> {
    const { store } = await this.#getStore();
    const prompt = await this.#getPromptLazy();
    const ctx: StrategyFactoryContext = {
      recipe,
      service,
      instance,
      primitive,
      home: this.home,
      store,
      fetch: this.#fetch(),
      env: this.#env,
      now: this.#now,
      logger: this.#logger,
      prompt,
      interactive: this.#interactive(opts.interactive),
      readValues: () => this.#readValues(recipe, service, instance, opts.secret),
    };
    if (opts.secret) ctx.secret = opts.secret;
    if (opts.scopes) ctx.scopes = opts.scopes;
    if (opts.subject) ctx.subject = opts.subject;
    const token = opts.secret?.access_token;
    if (token !== undefined && (primitive === "oauth2" || primitive === "service_account")) {
      const { createExplicitTokenStrategy } = await import("./strategies/explicit-token.js");
      return createExplicitTokenStrategy(ctx, token);
    }
    const factory = strategyFactories[primitive];
    if (!factory) {
      throw new ArcrunError(
        "ERR_PRIMITIVE_UNSUPPORTED",
        `${recipe.display_name} (${service}) uses ${primitive}, which this build of arcrun-auth cannot run yet. Pass a token with { secret: { access_token } }, or update arcrun-auth`,
        { service, instance },
      );
    }
    return factory(ctx);
  }

  /** The prompter, without loading the TTY code until a question is actually asked. */
  async #getPromptLazy(): Promise<Prompter> {
    if (this.#options.prompt) return this.#options.prompt;
    return { ask: async (q) => (await this.#getPrompt()).ask(q) };
  }

  #forget(service: string, instance: string): void {
    const prefix = `${entryKey(service, instance)}/`;
    for (const k of [...this.#strategies.keys()]) if (k.startsWith(prefix)) this.#strategies.delete(k);
  }

  // ---- public API ----

  /**
   * A client for one service instance. Synchronous and lazy: nothing is read until the first request (or
   * `ready()`). Throws ERR_UNKNOWN_SERVICE at once when the service is unknown and no user recipes exist.
   */
  bind(service: string, options: BindOptions = {}): Client {
    const instance = this.#instance(service, options.instance);
    if (!this.#hasUserRecipeDirs() && !getRecipe(service)) throw unknownService(service);
    return new BoundClient({
      service,
      instance,
      setup: () => this.#setup(service, options, true),
      agent: () => this.#agentFor(),
      retries: this.#options.retries ?? 2,
      maxRetryDelayMs: this.#options.maxRetryDelayMs ?? 30_000,
      maxRedirects: this.#options.maxRedirects ?? 10,
      now: this.#now,
    });
  }

  /**
   * The access token for a service (refreshed if needed), to hand to an SDK. For a static_key recipe with
   * one sensitive secret, that secret (tokenType "static").
   */
  async getToken(service: string, options: BindOptions = {}): Promise<Token> {
    const { recipe, strategy, primitive } = await this.#setup(service, options, true);
    const cred = await strategy.resolve();
    const access = cred.values.runtime?.access_token;
    if (access !== undefined) {
      const token: Token = { accessToken: access, tokenType: cred.values.runtime?.token_type ?? "Bearer" };
      if (cred.expiresAt !== undefined) token.expiresAt = cred.expiresAt;
      if (cred.scopes !== undefined) token.scopes = cred.scopes;
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
    const instance = this.#instance(service, options.instance);
    const primitive = this.#primitive(recipe, options.via);
    if (primitive === "static_key") {
      const { strategy } = await this.#setup(service, options, true);
      const cred = await strategy.resolve();
      return Object.fromEntries(
        Object.entries(cred.values.secret).filter((e): e is [string, string] => e[1] !== undefined),
      );
    }
    const r = await this.#readValues(recipe, service, instance, options.secret);
    if (r.missing.length > 0) throw needsLogin(recipe, service, instance, r.missing);
    return checkValues(recipe, service, instance, r.values);
  }

  /**
   * Stores values for a service instance (static keys, service-account keys, AWS keys), after checking
   * them against the recipe. Replaces what was stored for that instance.
   */
  async setSecret(
    service: string,
    values: Readonly<Record<string, string>>,
    options: InstanceOptions = {},
  ): Promise<void> {
    const recipe = await this.recipe(service);
    const instance = this.#instance(service, options.instance);
    const primitive = this.#primitive(recipe, options.via);
    if (primitive === "oauth2") {
      throw new ArcrunError(
        "ERR_PRIMITIVE_UNSUPPORTED",
        `${service} uses OAuth: its tokens come from a login, not from values. Run: ${setupCommand(service, instance)}`,
        { service, instance },
      );
    }
    const checked = checkValues(recipe, service, instance, values);
    const store = await this.store();
    const previous = await store.get(service, instance);
    await store.set(service, instance, valuesCredential(primitive, checked, this.#now(), previous));
    this.#forget(service, instance);
  }

  /**
   * Sets a service up: for static keys, a hidden prompt per required secret (or `values`), optionally
   * verified with the recipe's test request before saving; for OAuth and service accounts, the strategy's login flow (a service account key is kept only if `verify` passes).
   */
  async login(service: string, options: AuthLoginOptions = {}): Promise<LoginResult> {
    const recipe = await this.recipe(service);
    const instance = this.#instance(service, options.instance);
    const primitive = this.#primitive(recipe, options.via);
    const result: LoginResult = { service, instance, primitive };
    if ((primitive === "oauth2" || primitive === "service_account") && options.values === undefined) {
      const { strategy } = await this.#setup(service, { instance, via: primitive, interactive: true }, false);
      if (!strategy.login) {
        throw new ArcrunError(
          "ERR_PRIMITIVE_UNSUPPORTED",
          `${service} has no interactive login in this build. Update arcrun-auth`,
          { service, instance },
        );
      }
      const { instance: _i, via: _v, values: _vals, verify: _ver, ...loginOptions } = options;
      const store = await this.store();
      // A service account key is saved only if the test passes: keep what was there to put it back.
      const keepPrevious = primitive === "service_account" && options.verify === true;
      const previous = keepPrevious ? await store.get(service, instance) : undefined;
      await strategy.login(loginOptions);
      this.#forget(service, instance);
      if (options.verify) {
        try {
          result.test = await this.#verify(service, { instance, via: primitive }, recipe);
        } catch (err) {
          if (keepPrevious) {
            if (previous) await store.set(service, instance, previous);
            else await store.delete(service, instance);
            this.#forget(service, instance);
          }
          throw err;
        }
      }
      return result;
    }
    let values: Record<string, string>;
    if (options.values) {
      values = { ...options.values };
    } else {
      if (!this.#interactive()) {
        throw new ArcrunError(
          "ERR_NOT_INTERACTIVE",
          `Cannot ask for the ${service} secrets: no terminal here. Pass them as values, set them in the environment, or run: ${setupCommand(service, instance)} in a terminal`,
          { service, instance },
        );
      }
      values = await promptValues(await this.#getPrompt(), recipe, service);
    }
    const checked = checkValues(recipe, service, instance, values);
    if (options.verify) {
      result.test = await this.#verify(service, { instance, via: primitive, secret: checked }, recipe);
    }
    await this.setSecret(service, checked, { instance, via: primitive });
    return result;
  }

  async #verify(service: string, opts: BindOptions, recipe: Recipe): Promise<TestResult> {
    const instance = opts.instance ?? "default";
    let t: TestResult;
    try {
      t = await this.test(service, { ...opts, interactive: false });
    } catch (err) {
      // The request never got an answer: say so, that nothing was saved, and how to save without the check.
      if (!isArcrunError(err) || err.code !== "ERR_NETWORK") throw err;
      const what = err.message.replace(/\. Check the network.*$/s, "");
      const cmd = setupCommand(service, instance);
      throw new ArcrunError(
        "ERR_NETWORK",
        `${what}: the test request got no answer, so the credential was not saved. Check the network and the recipe's base_url, then run: ${cmd} (or save it without the test: ${cmd} --no-verify)`,
        { cause: err, service, instance },
      );
    }
    if (t.tested && !t.ok) {
      throw new ArcrunError(
        "ERR_TEST_FAILED",
        `The test request ${t.method} ${t.path} answered ${t.status}${t.mismatch ? ` but ${t.mismatch}` : `, expected ${t.expected.join(" or ")}`}: the credential was not saved. Check it${recipe.required_secrets[0]?.help_url ? ` at ${recipe.required_secrets[0].help_url}` : ""}, then run: ${setupCommand(service, opts.instance ?? "default")}`,
        { service, instance: opts.instance ?? "default" },
      );
    }
    return t;
  }

  /** Revokes at the provider where the strategy can, then deletes locally (even when revocation failed). */
  async logout(service: string, options: InstanceOptions = {}): Promise<LogoutResult> {
    const recipe = await this.recipe(service);
    const instance = this.#instance(service, options.instance);
    const store = await this.store();
    const stored = await store.get(service, instance);
    let revocation: LogoutResult["revocation"] = "not-supported";
    if (stored) {
      const primitive =
        stored.type === "static_key" ? "static_key" : this.#primitive(recipe, options.via ?? stored.type);
      const setup = await this.#setup(service, { instance, via: primitive, interactive: false }, false).catch(
        () => undefined,
      );
      if (setup?.strategy.revoke) {
        try {
          await setup.strategy.revoke(stored);
          revocation = "revoked";
        } catch (err) {
          revocation = "failed";
          this.#logger.warn(
            `arcrun: could not revoke the ${service} credential at the provider (${isArcrunError(err) ? err.code : "error"}); deleting it locally anyway. Revoke it in the provider's settings if needed.`,
          );
        }
      }
    }
    const deleted = await store.delete(service, instance);
    this.#forget(service, instance);
    return { service, instance, deleted, revocation };
  }

  /** Runs the recipe's `test` request with the credential; `ok` when the status is the expected one. */
  async test(service: string, options: BindOptions = {}): Promise<TestResult> {
    const recipe = await this.recipe(service);
    const spec = recipe.test;
    if (!spec) return { ok: true, tested: false, expected: [] };
    const expected = Array.isArray(spec.expect_status) ? spec.expect_status : [spec.expect_status];
    const client = this.bind(service, options) as BoundClient;
    const init: { method: string; headers?: Record<string, string>; body?: string } = { method: spec.method };
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(spec.headers ?? {}))
      headers[k] = await client[renderWithCredential](v);
    if (spec.json !== undefined) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(spec.json);
    }
    init.headers = headers;
    const res = await client.fetch(await client[renderWithCredential](spec.path), init);
    const statusOk = expected.includes(res.status);
    const mismatch =
      statusOk && spec.expect_json !== undefined
        ? jsonMismatch(await res.text(), spec.expect_json)
        : undefined;
    if (!statusOk || spec.expect_json === undefined) await res.body?.cancel().catch(() => undefined);
    return {
      ok: statusOk && mismatch === undefined,
      tested: true,
      method: spec.method,
      path: spec.path,
      status: res.status,
      expected,
      ...(mismatch !== undefined ? { mismatch } : {}),
    };
  }

  /** Every recipe with its connected instances and their status. */
  async listServices(): Promise<ServiceInfo[]> {
    const recipes = await this.recipes();
    const { recipes: user } = await this.#loadUserRecipes();
    let stored: Array<{ service: string; instance: string }> = [];
    let store: CredentialStore | undefined;
    try {
      store = await this.store();
      stored = await store.list();
    } catch (err) {
      if (!isArcrunError(err)) throw err;
      this.#logger.warn(`arcrun: ${err.message}`);
    }
    const byService = new Map<string, string[]>();
    for (const e of stored) byService.set(e.service, [...(byService.get(e.service) ?? []), e.instance]);
    const out: ServiceInfo[] = [];
    for (const r of recipes) {
      const instances: InstanceInfo[] = [];
      for (const instance of byService.get(r.id) ?? []) {
        const cred = await store?.get(r.id, instance).catch(() => undefined);
        if (cred) instances.push(instanceInfo(instance, cred, this.#now()));
      }
      if (!instances.some((i) => i.instance === "default") && r.required_secrets.length > 0) {
        const env = readEnvValues(r, r.id, "default", this.#env);
        const files =
          Object.keys(env).length < r.required_secrets.length
            ? await readSecretFiles(
                r,
                r.id,
                "default",
                this.#options.secretsDirs ?? secretFileDirs(this.#env),
              )
            : {};
        const have = (k: string) => env[k] !== undefined || files[k] !== undefined;
        const complete = r.required_secrets.every(
          (s) => s.optional || s.default !== undefined || have(s.key),
        );
        if (complete && r.required_secrets.some((s) => have(s.key))) {
          const fromEnv = r.required_secrets.some((s) => env[s.key] !== undefined);
          instances.unshift({
            instance: "default",
            status: "connected",
            source: fromEnv ? "env" : "secret-file",
          });
        }
      }
      const info: ServiceInfo = {
        id: r.id,
        displayName: r.display_name,
        docsUrl: r.docs_url,
        categories: [...r.categories],
        primitive: r.primitive,
        primitives: primitivesOf(r),
        userRecipe: user.has(r.id),
        instances: instances.sort((a, b) =>
          a.instance === "default" ? -1 : b.instance === "default" ? 1 : a.instance.localeCompare(b.instance),
        ),
      };
      if (r.description !== undefined) info.description = r.description;
      out.push(info);
    }
    return out;
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

  /** Closes the HTTP agent this instance created (keep-alive sockets); a no-op for a caller's dispatcher. */
  async close(): Promise<void> {
    const agent = this.#ownAgent;
    this.#ownAgent = undefined;
    this.#agent = undefined;
    await agent?.close();
  }
}

function instanceInfo(instance: string, cred: StoredCredential, now: number): InstanceInfo {
  let status: InstanceStatus = "connected";
  let expiresAt: number | undefined;
  if (cred.type === "oauth2") {
    expiresAt = cred.expires_at;
    if (cred.status === "reauth_required") status = "reauth_required";
    else if (expiresAt !== undefined && expiresAt <= now && !cred.refresh_token) status = "expired";
  }
  const info: InstanceInfo = {
    instance,
    status,
    source: "store",
    type: cred.type,
    updatedAt: cred.updated_at,
  };
  if (expiresAt !== undefined) info.expiresAt = expiresAt;
  if (cred.type === "oauth2" && cred.scopes !== undefined) info.scopes = [...cred.scopes];
  if (cred.type === "oauth2" && cred.scopes_missing !== undefined)
    info.scopesMissing = [...cred.scopes_missing];
  return info;
}

/** ERR_UNKNOWN_SERVICE, with the nearest ids by edit distance (`notoin` -> notion). */
function unknownService(
  service: string,
  ids: Iterable<string> = loadCatalog().map((r) => r.id),
): ArcrunError {
  const near = suggest(service.slice(0, 64), ids);
  return new ArcrunError(
    "ERR_UNKNOWN_SERVICE",
    `Unknown service "${service.slice(0, 64)}"${near.length > 0 ? ` (did you mean: ${near.join(", ")}?)` : ""}; a new service needs a recipe in $ARCRUN_HOME/recipes/; to see every service, run: arcrun list`,
    { service },
  );
}

function toRecipeError(err: unknown): unknown {
  if (
    err instanceof Error &&
    (err as { code?: string }).code === "ERR_RECIPE_INVALID" &&
    !isArcrunError(err)
  ) {
    return new ArcrunError("ERR_RECIPE_INVALID", err.message, { cause: err });
  }
  return err;
}

/** Creates an isolated arcrun-auth instance (tests, multi-tenant apps, a custom store or dispatcher). */
export function createAuth(options: AuthOptions = {}): Auth {
  return new Auth(options);
}

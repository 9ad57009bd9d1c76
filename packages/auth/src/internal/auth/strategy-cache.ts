import type { PrimitiveName, Recipe } from "@arcrun/recipes";
import { ArcrunError } from "../../errors.js";
import { primitives, strategyFactories } from "../../strategies/index.js";
import type { Logger, Prompter, Strategy, StrategyFactoryContext } from "../../types.js";
import type { BrokerClientFactory } from "../broker/seam.js";
import { entryKey } from "../credential.js";
import { checkExplicitSecret, type ExplicitSecret } from "../explicit-secret.js";
import { injectFor, primitivesOf } from "../recipe.js";
import { checkInstance, choosePrimitive } from "./checks.js";
import type { CredentialSources } from "./credential-sources.js";
import type { RecipeSource } from "./recipe-source.js";
import type { StoreHolder } from "./store-holder.js";

/** What a bound client, getToken and login need: the recipe, the primitive chosen, its strategy. */
export interface Setup {
  recipe: Recipe;
  primitive: PrimitiveName;
  strategy: Strategy;
}

/** The per-call choices that make a strategy (bind's options as the facade passes them down). */
export interface SetupOptions {
  instance?: string | undefined;
  via?: PrimitiveName | undefined;
  scopes?: readonly string[] | undefined;
  secret?: unknown;
  subject?: string | undefined;
  interactive?: boolean | undefined;
}

/** Everything strategies receive besides the recipe and the call's options; values and small objects. */
export interface StrategyCacheDeps {
  home: string;
  env: Readonly<Record<string, string | undefined>>;
  now: () => number;
  logger: Logger;
  recipes: RecipeSource;
  stores: StoreHolder;
  sources: CredentialSources;
  /** The fetch for token endpoints (the caller's, or through the caller's dispatcher). */
  fetch: typeof globalThis.fetch;
  prompt: Prompter;
  /** Whether a person can answer, unless the call overrides it. */
  interactive: () => boolean;
  broker?: BrokerClientFactory | undefined;
}

/**
 * Strategies per service/instance/primitive/scopes/subject, so a token is cached and refreshed once for all
 * the clients of one Auth. A call with explicit `secret` values gets its own, uncached.
 */
export class StrategyCache {
  readonly #deps: StrategyCacheDeps;
  readonly #made = new Map<string, Promise<Setup>>();

  constructor(deps: StrategyCacheDeps) {
    this.#deps = deps;
  }

  async setup(service: string, opts: SetupOptions, cache: boolean): Promise<Setup> {
    const recipe = await this.#deps.recipes.recipe(service);
    const instance = checkInstance(service, opts.instance);
    const secret = checkExplicitSecret(recipe, service, opts.secret, opts.via);
    const via = opts.via ?? secret?.via;
    const primitive = via
      ? choosePrimitive(recipe, via)
      : await this.#storedPrimitive(recipe, instance, secret);
    const key = `${entryKey(service, instance)}/${primitive}/${(opts.scopes ?? []).join(" ")}/${opts.interactive ?? ""}/${opts.subject ?? ""}`;
    const useCache = cache && opts.secret === undefined;
    if (useCache) {
      const hit = this.#made.get(key);
      if (hit) return hit;
    }
    const made = this.#make(recipe, service, instance, primitive, opts, secret?.values).then((strategy) => ({
      recipe,
      primitive,
      strategy,
    }));
    if (useCache) {
      this.#made.set(key, made);
      made.catch(() => this.#made.delete(key));
    }
    return made;
  }

  /** Drops the strategies of one instance (after setup, login or logout changed its credential). */
  forget(service: string, instance: string): void {
    const prefix = `${entryKey(service, instance)}/`;
    for (const k of [...this.#made.keys()]) if (k.startsWith(prefix)) this.#made.delete(k);
  }

  /**
   * The primitive for a call without `via`: the recipe's own, unless what is stored for the instance was set
   * up through another one the recipe offers (`arcrun setup google_drive --via service_account`). Values
   * given as an option, or complete in the environment or secret files, use the recipe's own primitive
   * without opening the store.
   */
  async #storedPrimitive(
    recipe: Recipe,
    instance: string,
    secret: ExplicitSecret | undefined,
  ): Promise<PrimitiveName> {
    const offered = primitivesOf(recipe);
    if (offered.length < 2 || secret !== undefined) return recipe.primitive;
    if (await this.#deps.sources.completeOutsideStore(recipe, instance)) return recipe.primitive;
    const stored = await (await this.#deps.stores.store()).get(recipe.id, instance).catch(() => undefined);
    return stored && stored.type !== recipe.primitive && offered.includes(stored.type)
      ? stored.type
      : recipe.primitive;
  }

  async #make(
    recipe: Recipe,
    service: string,
    instance: string,
    primitive: PrimitiveName,
    opts: SetupOptions,
    secret: Readonly<Record<string, string>> | undefined,
  ): Promise<Strategy> {
    const d = this.#deps;
    const ctx: StrategyFactoryContext = {
      recipe,
      service,
      instance,
      primitive,
      inject: injectFor(recipe, primitive),
      home: d.home,
      store: d.stores.lazy(),
      fetch: d.fetch,
      env: d.env,
      now: d.now,
      logger: d.logger,
      prompt: d.prompt,
      interactive: opts.interactive ?? d.interactive(),
      readValues: () => d.sources.readValues(recipe, service, instance, secret),
    };
    if (d.broker) ctx.broker = d.broker;
    if (secret) ctx.secret = secret;
    if (opts.scopes) ctx.scopes = opts.scopes;
    if (opts.subject) ctx.subject = opts.subject;
    const token = secret?.access_token;
    if (token !== undefined && primitives[primitive].acceptsToken) {
      const { createExplicitTokenStrategy } = await import("../../strategies/explicit-token.js");
      return createExplicitTokenStrategy(ctx, token);
    }
    // strategyFactories is the registry's public view (a caller may have put its own factory there).
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
}

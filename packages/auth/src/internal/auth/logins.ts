import type { Recipe } from "@arcrun/recipes";
import type {
  AuthLoginOptions,
  BindOptions,
  InstanceOptions,
  LoginResult,
  LogoutResult,
  TestResult,
} from "../../auth-options.js";
import { ArcrunError, isArcrunError } from "../../errors.js";
import { primitives } from "../../strategies/index.js";
import type { Logger, Prompter } from "../../types.js";
import { checkValues, promptValues, setupCommand, valuesCredential } from "../secrets.js";
import { checkInstance, choosePrimitive } from "./checks.js";
import type { Clients } from "./clients.js";
import type { RecipeSource } from "./recipe-source.js";
import type { StoreHolder } from "./store-holder.js";
import type { StrategyCache } from "./strategy-cache.js";

/** What setting a service up and removing it need; values and small functions, as the other parts get. */
export interface LoginsDeps {
  recipes: RecipeSource;
  stores: StoreHolder;
  strategies: StrategyCache;
  logger: Logger;
  now: () => number;
  /** Whether a person can answer (Auth's `interactive` option, else a TTY outside CI). */
  interactive: () => boolean;
  /** The prompter, loaded only when a question is asked. */
  prompt: () => Promise<Prompter>;
  /** Bound clients of that Auth: the recipe's test request runs through one before a credential is saved. */
  clients: Clients;
}

/**
 * Auth's setSecret, login and logout (docs/auth.md): values checked against the recipe and stored, a
 * strategy's login flow or prompted values with the optional test request before saving, and revocation at
 * the provider before the local delete. Auth keeps the public methods and their documentation.
 */
export class Logins {
  readonly #deps: LoginsDeps;

  constructor(deps: LoginsDeps) {
    this.#deps = deps;
  }

  /** Auth.setSecret: values checked against the recipe, replacing what the instance had stored. */
  async setSecret(
    service: string,
    values: Readonly<Record<string, string>>,
    options: InstanceOptions = {},
  ): Promise<void> {
    const recipe = await this.#deps.recipes.recipe(service);
    const instance = checkInstance(service, options.instance);
    const primitive = choosePrimitive(recipe, options.via);
    if (primitive === "oauth2" || !primitives[primitive].storesValues) {
      throw new ArcrunError(
        "ERR_PRIMITIVE_UNSUPPORTED",
        `${service} uses OAuth: its tokens come from a login, not from values. Run: ${setupCommand(service, instance)}`,
        { service, instance },
      );
    }
    const checked = checkValues(recipe, service, instance, values);
    const store = await this.#deps.stores.store();
    const previous = await store.get(service, instance);
    await store.set(service, instance, valuesCredential(primitive, checked, this.#deps.now(), previous));
    this.#deps.strategies.forget(service, instance);
  }

  /** Auth.login: the strategy's flow, or values (given or prompted), each optionally verified first. */
  async login(service: string, options: AuthLoginOptions = {}): Promise<LoginResult> {
    const recipe = await this.#deps.recipes.recipe(service);
    const instance = checkInstance(service, options.instance);
    const primitive = choosePrimitive(recipe, options.via);
    const result: LoginResult = { service, instance, primitive };
    // An OAuth sign-in may be given the recipe's values its endpoints and base URL name (a tenant): they are
    // used for this sign-in and kept with the token (docs/auth.md "The rest of the API").
    const flowValues =
      primitive === "oauth2" && options.values !== undefined
        ? checkValues(recipe, service, instance, options.values)
        : undefined;
    if (primitives[primitive].setup === "flow" && (options.values === undefined || flowValues)) {
      const { strategy } = await this.#deps.strategies.setup(
        service,
        { instance, via: primitive, interactive: true, ...(flowValues ? { secret: flowValues } : {}) },
        false,
      );
      if (!strategy.login) {
        throw new ArcrunError(
          "ERR_PRIMITIVE_UNSUPPORTED",
          `${service} has no interactive login in this build. Update arcrun-auth`,
          { service, instance },
        );
      }
      const { instance: _i, via: _v, values: _vals, verify: _ver, ...loginOptions } = options;
      const store = await this.#deps.stores.store();
      // A service account key is saved only if the test passes: keep what was there to put it back.
      const keepPrevious = primitive === "service_account" && options.verify === true;
      const previous = keepPrevious ? await store.get(service, instance) : undefined;
      await strategy.login(loginOptions);
      this.#deps.strategies.forget(service, instance);
      if (options.verify) {
        try {
          result.test = await this.#verify(service, { instance, via: primitive }, recipe);
        } catch (err) {
          if (keepPrevious) {
            if (previous) await store.set(service, instance, previous);
            else await store.delete(service, instance);
            this.#deps.strategies.forget(service, instance);
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
      if (!this.#deps.interactive()) {
        throw new ArcrunError(
          "ERR_NOT_INTERACTIVE",
          `Cannot ask for the ${service} secrets: no terminal here. Pass them as values, set them in the environment, or run: ${setupCommand(service, instance)} in a terminal`,
          { service, instance },
        );
      }
      values = await promptValues(await this.#deps.prompt(), recipe, service);
    }
    const checked = checkValues(recipe, service, instance, values);
    if (options.verify && primitive === "session") {
      // A session login is saved before its test, so that the session it logs in to is kept beside the
      // values (the provider limits logins); the test uses the values given (not the environment's), and the
      // previous record comes back if it fails.
      const store = await this.#deps.stores.store();
      const previous = await store.get(service, instance);
      await this.setSecret(service, checked, { instance, via: primitive });
      try {
        result.test = await this.#verify(service, { instance, via: primitive, secret: checked }, recipe);
      } catch (err) {
        if (previous) await store.set(service, instance, previous);
        else await store.delete(service, instance);
        this.#deps.strategies.forget(service, instance);
        throw err;
      }
      return result;
    }
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
      t = await this.#deps.clients.test(service, { ...opts, interactive: false });
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

  /** Auth.logout: revokes at the provider where the strategy can, then deletes locally in any case. */
  async logout(service: string, options: InstanceOptions = {}): Promise<LogoutResult> {
    const recipe = await this.#deps.recipes.recipe(service);
    const instance = checkInstance(service, options.instance);
    const store = await this.#deps.stores.store();
    const stored = await store.get(service, instance);
    let revocation: LogoutResult["revocation"] = "not-supported";
    if (stored) {
      const primitive =
        stored.type === "static_key" ? "static_key" : choosePrimitive(recipe, options.via ?? stored.type);
      const setup = await this.#deps.strategies
        .setup(service, { instance, via: primitive, interactive: false }, false)
        .catch(() => undefined);
      if (setup?.strategy.revoke) {
        try {
          await setup.strategy.revoke(stored);
          revocation = "revoked";
        } catch (err) {
          revocation = "failed";
          this.#deps.logger.warn(
            `arcrun: could not revoke the ${service} credential at the provider (${isArcrunError(err) ? err.code : "error"}); deleting it locally anyway. Revoke it in the provider's settings if needed.`,
          );
        }
      }
    }
    const deleted = await store.delete(service, instance);
    this.#deps.strategies.forget(service, instance);
    return { service, instance, deleted, revocation };
  }
}

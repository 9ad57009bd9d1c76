import type { BindOptions, TestResult } from "../../auth-options.js";
import { BoundClient } from "../../client.js";
import { type Dispatcher, defaultDispatcher } from "../undici.js";
import { checkInstance } from "./checks.js";
import type { RecipeSource } from "./recipe-source.js";
import type { StrategyCache } from "./strategy-cache.js";

export interface ClientsDeps {
  recipes: RecipeSource;
  strategies: StrategyCache;
  /** The caller's dispatcher (AuthOptions.dispatcher); else the process's global one, as fetch uses. */
  dispatcher: Dispatcher | undefined;
  retries: number;
  maxRetryDelayMs: number;
  maxRedirects: number;
  now: () => number;
}

/**
 * The bound clients of one Auth and the HTTP agent they share: `Auth.bind`, and the recipe's test request
 * through a client (`Auth.test`, and `Logins` before it saves a credential). See docs/architecture.md.
 */
export class Clients {
  readonly #deps: ClientsDeps;

  constructor(deps: ClientsDeps) {
    this.#deps = deps;
  }

  #agentFor(): Dispatcher {
    return this.#deps.dispatcher ?? defaultDispatcher();
  }

  /** Auth.bind: synchronous and lazy; ERR_UNKNOWN_SERVICE at once when no recipe can have that id. */
  bind(service: string, options: BindOptions = {}): BoundClient {
    const instance = checkInstance(service, options.instance);
    const deps = this.#deps;
    deps.recipes.checkKnownSync(service);
    return new BoundClient({
      service,
      instance,
      setup: () => deps.strategies.setup(service, options, true),
      agent: () => this.#agentFor(),
      retries: deps.retries,
      maxRetryDelayMs: deps.maxRetryDelayMs,
      maxRedirects: deps.maxRedirects,
      now: deps.now,
    });
  }

  /** The recipe's `test` request with the credential; `ok` when the status is the expected one. */
  async test(service: string, options: BindOptions = {}): Promise<TestResult> {
    const spec = (await this.#deps.recipes.recipe(service)).test;
    if (!spec) return { ok: true, tested: false, expected: [] };
    // Loaded here: only login and `arcrun test` run a recipe's test request.
    const { runTestRequest } = await import("./test-request.js");
    return runTestRequest(this.bind(service, options), spec);
  }
}

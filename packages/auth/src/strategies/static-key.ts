import { injectApplier } from "../internal/apply.js";
import { valuesResolver } from "../internal/values-strategy.js";
import type { Strategy, StrategyFactoryContext } from "../types.js";

/**
 * Static keys: API keys, bearer tokens, HTTP Basic, injected in a header, the query or the path.
 * The values come from sources 1-4 (option, env, secret files, store), then a prompt when a person is there.
 */
export function createStaticKeyStrategy(ctx: StrategyFactoryContext): Strategy {
  return {
    primitive: "static_key",
    applier: injectApplier(ctx.inject, ctx.service, ctx.instance),
    ...valuesResolver(ctx, "static_key", "secrets"),
  };
}

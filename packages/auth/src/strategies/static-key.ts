import { checkValues, needsLogin, promptAndStoreValues } from "../internal/secrets.js";
import type { LoginOptions, ResolvedCredential, Strategy, StrategyFactoryContext } from "../types.js";

/**
 * Static keys: API keys, bearer tokens, HTTP Basic, injected in a header, the query or the path.
 * The values come from sources 1-4 (option, env, secret files, store), then a prompt when a person is there.
 */
export function createStaticKeyStrategy(ctx: StrategyFactoryContext): Strategy {
  const { recipe, service, instance } = ctx;
  let current: ResolvedCredential | undefined;
  let fingerprint = "";

  const read = async (): Promise<ResolvedCredential | undefined> => {
    const r = await ctx.readValues();
    if (r.missing.length > 0) return undefined;
    const values = checkValues(recipe, service, instance, r.values);
    const first = recipe.required_secrets[0]?.key;
    const source = (first !== undefined ? r.sources[first] : undefined) ?? "store";
    fingerprint = JSON.stringify(values);
    return { values: { secret: values }, source };
  };

  const strategy: Strategy = {
    primitive: "static_key",

    async resolve(options = {}) {
      if (current && !options.force) return current;
      let resolved = await read();
      if (!resolved) {
        const r = await ctx.readValues();
        if (!ctx.interactive) throw needsLogin(recipe, service, instance, r.missing);
        await strategy.login?.({});
        resolved = await read();
        if (!resolved) throw needsLogin(recipe, service, instance, r.missing);
        resolved = { ...resolved, source: "interactive" };
      }
      current = resolved;
      return current;
    },

    async onUnauthorized() {
      // Retry only when the key changed since it was read (e.g. `arcrun setup` ran meanwhile).
      const before = fingerprint;
      const again = await read().catch(() => undefined);
      if (!again || fingerprint === before) return false;
      current = again;
      return true;
    },

    async login(_options: LoginOptions) {
      await promptAndStoreValues(ctx, "static_key", "secrets");
      current = undefined;
    },
  };
  return strategy;
}

import type { ResolvedCredential, Strategy, StrategyFactoryContext } from "../types.js";
import { checkValues, needsLogin, promptAndStoreValues } from "./secrets.js";

/**
 * The part static keys and AWS keys share: the recipe's values from sources 1-4, a prompt when a person is
 * there, and a retry after a 401 only when the values changed since they were read (`arcrun setup` ran
 * meanwhile). `check` adds the primitive's own rule on the values.
 */
export function valuesResolver(
  ctx: StrategyFactoryContext,
  type: "static_key" | "aws_sigv4" | "http_digest",
  what: string,
  check: (values: Record<string, string>) => void = () => undefined,
): Pick<Strategy, "resolve" | "onUnauthorized" | "login"> {
  const { recipe, service, instance } = ctx;
  let current: ResolvedCredential | undefined;
  let fingerprint = "";

  const read = async (): Promise<ResolvedCredential | undefined> => {
    const r = await ctx.readValues();
    if (r.missing.length > 0) return undefined;
    const values = checkValues(recipe, service, instance, r.values);
    check(values);
    const first = recipe.required_secrets[0]?.key;
    fingerprint = JSON.stringify(values);
    return {
      values: { secret: values },
      source: (first !== undefined ? r.sources[first] : undefined) ?? "store",
    };
  };

  const login = async (): Promise<void> => {
    await promptAndStoreValues(ctx, type, what);
    current = undefined;
  };

  return {
    async resolve(options = {}) {
      if (current && !options.force) return current;
      let resolved = await read();
      if (!resolved) {
        const r = await ctx.readValues();
        if (!ctx.interactive) throw needsLogin(recipe, service, instance, r.missing);
        await login();
        resolved = await read();
        if (!resolved) throw needsLogin(recipe, service, instance, r.missing);
        resolved = { ...resolved, source: "interactive" };
      }
      current = resolved;
      return current;
    },
    async onUnauthorized() {
      const before = fingerprint;
      const again = await read().catch(() => undefined);
      if (!again || fingerprint === before) return false;
      current = again;
      return true;
    },
    login,
  };
}

import type { PrimitiveName } from "@arcrun/recipes";
import type { Strategy, StrategyFactoryContext } from "../types.js";

/**
 * Builds the strategy for one bound service instance. It receives everything it needs in `ctx`
 * (types.ts StrategyFactoryContext): `recipe`, `service`, `instance`, `primitive` (the recipe's own or
 * `via`), the active `store`, `fetch` (through the caller's dispatcher, for token endpoints), `env`,
 * `now()`, `logger`, `prompt`, `interactive`, the explicit `secret` values, `scopes`, `home` (for lock files:
 * internal/lock.ts `withFileLock(credentialLockPath(home, service, instance), fn)`), and `readValues()`
 * (the recipe's required_secrets through option, env, secret files and store).
 *
 * A factory validates what it needs eagerly and throws a coded ArcrunError; it must not do network I/O
 * (that belongs in `resolve` / `login`). It is called once per bound client and may be async.
 */
export type StrategyFactory = (ctx: StrategyFactoryContext) => Strategy | Promise<Strategy>;

/**
 * The registry: one entry per primitive. Each entry imports its module on first use, so that `import
 * "arcrun-auth"` loads no strategy code. Add a primitive by adding its entry here.
 */
export const strategyFactories: Partial<Record<PrimitiveName, StrategyFactory>> = {
  static_key: async (ctx) => (await import("./static-key.js")).createStaticKeyStrategy(ctx),
  oauth2: async (ctx) =>
    ctx.recipe.oauth2?.grant === "client_credentials"
      ? (await import("./client-credentials.js")).createClientCredentialsStrategy(ctx)
      : (await import("./oauth2-code.js")).createOAuth2CodeStrategy(ctx),
  service_account: async (ctx) => (await import("./service-account.js")).createServiceAccountStrategy(ctx),
  aws_sigv4: async (ctx) => (await import("./sigv4.js")).createSigV4Strategy(ctx),
};

import type { InjectSpec, PrimitiveName, Recipe } from "@arcrun/recipes";
import type { Strategy, StrategyFactoryContext } from "../types.js";
import { createStaticKeyStrategy } from "./static-key.js";

/**
 * Builds the strategy for one bound service instance. It receives everything it needs in `ctx`
 * (types.ts StrategyFactoryContext): `recipe`, `service`, `instance`, `primitive` (the recipe's own or
 * `via`), the `inject` block for that primitive, the `store` (opened on first use), `fetch` (through the
 * caller's dispatcher, for token endpoints), `env`, `now()`, `logger`, `prompt`, `interactive`, the explicit
 * `secret` values, `scopes`, `home` (for lock files: internal/lock.ts), and `readValues()` (the recipe's
 * required_secrets through option, env, secret files and store).
 *
 * A factory validates what it needs eagerly and throws a coded ArcrunError; it must not do network I/O
 * (that belongs in `resolve` / `login`). It is called once per bound client and may be async.
 */
export type StrategyFactory = (ctx: StrategyFactoryContext) => Strategy | Promise<Strategy>;

/** What arcrun knows about one auth primitive; see docs/architecture.md "Adding a primitive". */
export interface PrimitiveEntry {
  /**
   * Builds the strategy. Each imports its module on first use, except static_key: most recipes use it and
   * it is small, so it is part of the entry and a first request loads no file of its own (docs/bench.md).
   */
  create: StrategyFactory;
  /** The recipe's block of this primitive (`oauth2:`): a recipe can be used via a primitive whose block it has. */
  block?(recipe: Recipe): object | undefined;
  /** The block's own `inject`, which wins over the recipe's top-level one. */
  inject?(recipe: Recipe): InjectSpec | undefined;
  /** How a person sets it up: "values" (a prompt per required secret) or "flow" (the strategy's `login`). */
  setup: "values" | "flow";
  /** Whether `setSecret` may store values for it (a key), rather than only a login producing tokens (oauth2). */
  storesValues: boolean;
  /** Whether a token minted elsewhere (`secret: { access_token }`) can stand in for its credential. */
  acceptsToken: boolean;
}

/** The registry: one entry per primitive of the recipe schema. Add a primitive here and in the schema. */
export const primitives: { readonly [P in PrimitiveName]: PrimitiveEntry } = {
  static_key: {
    create: createStaticKeyStrategy,
    setup: "values",
    storesValues: true,
    acceptsToken: false,
  },
  oauth2: {
    create: async (ctx) =>
      ctx.recipe.oauth2?.grant === "client_credentials"
        ? (await import("./client-credentials.js")).createClientCredentialsStrategy(ctx)
        : (await import("./oauth2-code.js")).createOAuth2CodeStrategy(ctx),
    block: (recipe) => recipe.oauth2,
    inject: (recipe) => recipe.oauth2?.inject,
    setup: "flow",
    storesValues: false,
    acceptsToken: true,
  },
  service_account: {
    create: async (ctx) => (await import("./service-account.js")).createServiceAccountStrategy(ctx),
    block: (recipe) => recipe.service_account,
    inject: (recipe) => recipe.service_account?.inject,
    setup: "flow",
    storesValues: true,
    acceptsToken: true,
  },
  aws_sigv4: {
    create: async (ctx) => (await import("./sigv4.js")).createSigV4Strategy(ctx),
    block: (recipe) => recipe.aws_sigv4,
    setup: "values",
    storesValues: true,
    acceptsToken: false,
  },
  http_digest: {
    create: async (ctx) => (await import("./http-digest.js")).createHttpDigestStrategy(ctx),
    block: (recipe) => recipe.http_digest,
    setup: "values",
    storesValues: true,
    acceptsToken: false,
  },
  session: {
    create: async (ctx) => (await import("./session.js")).createSessionStrategy(ctx),
    block: (recipe) => recipe.session,
    inject: (recipe) => recipe.session?.inject,
    setup: "values",
    storesValues: true,
    acceptsToken: true,
  },
};

/** The factories of the registry, by primitive (the public view of `primitives`). */
export const strategyFactories: Partial<Record<PrimitiveName, StrategyFactory>> = Object.fromEntries(
  Object.entries(primitives).map(([name, entry]) => [name, entry.create]),
);

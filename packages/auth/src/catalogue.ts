/**
 * Signed catalogue updates (`arcrun recipes update`): the public functions, each loading the update code
 * (internal/catalogue/update.ts) on first use. Only `arcrun recipes update` needs it; a script that binds a
 * client does not load it at import (docs/bench.md, "Cold start"). Reading an installed update, which every
 * recipe lookup does, is internal/catalogue/installed.ts.
 */
import type { Auth } from "./auth.js";
import type {
  AppliedCatalogue,
  CataloguePlan,
  CatalogueSource,
  FetchedCatalogue,
} from "./internal/catalogue/update.js";

export { TEST_PUBLIC_KEY_ENV as CATALOGUE_TEST_PUBLIC_KEY_ENV } from "./internal/catalogue/release-key.js";
export type {
  AppliedCatalogue,
  CatalogueChange,
  CataloguePlan,
  CatalogueSource,
  FetchedCatalogue,
} from "./internal/catalogue/update.js";

type Env = Readonly<Record<string, string | undefined>>;

const update = () => import("./internal/catalogue/update.js");

/**
 * The catalogue source: `url` (the `--from` flag), else `catalogue_url` in `$ARCRUN_HOME/config.yaml`, else
 * the configured broker's `GET /catalogue.json` (docs/broker.md). None configured is ERR_CATALOGUE_SOURCE.
 */
export async function findCatalogueSource(options: {
  home: string;
  env: Env;
  url?: string | undefined;
}): Promise<CatalogueSource> {
  return (await update()).findCatalogueSource(options);
}

/** Fetches the catalogue and its signature (`<url>.sig`); a missing signature is refused later, on verify. */
export async function fetchCatalogue(
  source: CatalogueSource,
  fetchFn: typeof globalThis.fetch = globalThis.fetch,
): Promise<FetchedCatalogue> {
  return (await update()).fetchCatalogue(source, fetchFn);
}

/**
 * Verifies a fetched catalogue (signature over the exact bytes, format, version not older than the one
 * installed) and compares it with the recipes in effect below user recipes. Changes nothing on disk.
 */
export async function planCatalogueUpdate(
  auth: Auth,
  fetched: FetchedCatalogue,
  options: { env?: Env } = {},
): Promise<CataloguePlan> {
  return (await update()).planCatalogueUpdate(auth, fetched, options);
}

/**
 * Installs a planned update atomically. Each service of `plan.needsConfirmation` not in `confirmed` keeps
 * its previous recipe (recorded as held; a later update run asks again).
 */
export async function applyCatalogueUpdate(
  auth: Auth,
  plan: CataloguePlan,
  options: { confirmed?: readonly string[] } = {},
): Promise<AppliedCatalogue> {
  return (await update()).applyCatalogueUpdate(auth, plan, options);
}

import type { PrimitiveName, Recipe } from "@arcrun/recipes";
import type { Api, InstanceOptions } from "./api.js";
import { routeSegment, type ServiceRef } from "./service-ref.js";

/** Environment variables of arcrun itself that open the store: a child never gets them. */
export const ARCRUN_STORE_KEYS = ["ARCRUN_MASTER_KEY", "ARCRUN_PASSPHRASE", "ARCRUN_EXECUTOR_KEY"] as const;

export function envNames(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** `ARCRUN_GOOGLE_DRIVE_ACCESS_TOKEN`: where an OAuth token goes when the recipe names no env_token. */
export function defaultTokenEnv(service: string): string {
  return `ARCRUN_${service.toUpperCase()}_ACCESS_TOKEN`;
}

/** The variables a recipe fills in `arcrun run`, each with whether its value is a secret. */
export function recipeEnv(
  recipe: Recipe,
  primitive: string,
): Array<{ name: string; key: string | null; sensitive: boolean }> {
  if (primitive === "oauth2" || primitive === "service_account") {
    const names = envNames(recipe.env_token);
    return (names.length > 0 ? names : [defaultTokenEnv(recipe.id)]).map((name) => ({
      name,
      key: null,
      sensitive: true,
    }));
  }
  return recipe.required_secrets.flatMap((s) =>
    envNames(s.env).map((name) => ({ name, key: s.key, sensitive: s.sensitive })),
  );
}

export interface Injection {
  /** Variables for the child. */
  env: Record<string, string>;
  /** Secret values that went into `env` (to mask in the child's output). */
  secrets: string[];
}

/**
 * Fills the recipe's conventional variables for one service: static keys from the stored values, OAuth and
 * service accounts with an access token refreshed just before the start (getToken refreshes ahead of expiry).
 * With a proxy, each secret variable gets the proxy token instead and the SDK base-URL variables point at it.
 * `arcrun run` and `arcrun token --format env` both render a service's variables here.
 */
export async function inject(
  api: Api,
  ref: ServiceRef,
  proxy: { url: string; token: string } | undefined,
  via?: PrimitiveName,
): Promise<Injection> {
  const recipe = await api.recipe(ref.service);
  const options: InstanceOptions = { instance: ref.instance, ...(via ? { via } : {}) };
  const info = await api.bind(ref.service, options).ready();
  const vars = recipeEnv(recipe, info.primitive);
  const env: Record<string, string> = {};
  const secrets: string[] = [];
  const tokenBased = info.primitive === "oauth2" || info.primitive === "service_account";
  const needsReal = vars.some((v) => !proxy || !v.sensitive);
  const values = needsReal && !tokenBased ? await api.secret(ref.service, options) : {};
  const token = needsReal && tokenBased ? (await api.token(ref.service, options)).accessToken : undefined;
  for (const v of vars) {
    if (proxy && v.sensitive) {
      env[v.name] = proxy.token;
      continue;
    }
    const value = v.key === null ? token : values[v.key];
    if (value === undefined) continue;
    env[v.name] = value;
    if (v.sensitive) secrets.push(value);
  }
  if (proxy) {
    const root = `${proxy.url}/${routeSegment(ref.service, ref.instance)}`;
    for (const [name, path] of Object.entries(recipe.env_base_url ?? {})) {
      env[name] = `${root}/_${path === "/" ? "" : path}`;
    }
  }
  return { env, secrets };
}

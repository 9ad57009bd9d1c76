import type { Recipe } from "@arcrun/recipes";

const upper = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]/g, "_");

/**
 * The environment variables that may hold one secret, first match wins:
 * `ARCRUN_<SERVICE>_<KEY>` then the recipe's own `env:` names (e.g. NOTION_TOKEN) for the default instance;
 * `ARCRUN_<SERVICE>__<INSTANCE>_<KEY>` (two underscores) for any other instance.
 */
export function envNames(recipe: Recipe, service: string, instance: string, key: string): string[] {
  if (instance !== "default") return [`ARCRUN_${upper(service)}__${upper(instance)}_${upper(key)}`];
  const spec = recipe.required_secrets.find((s) => s.key === key);
  const own = spec?.env === undefined ? [] : Array.isArray(spec.env) ? spec.env : [spec.env];
  return [`ARCRUN_${upper(service)}_${upper(key)}`, ...own];
}

/** A read-only credential source: the recipe's secrets found in the environment (CI, containers). */
export function readEnvValues(
  recipe: Recipe,
  service: string,
  instance: string,
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of recipe.required_secrets) {
    for (const name of envNames(recipe, service, instance, s.key)) {
      const v = env[name];
      if (v !== undefined && v !== "") {
        out[s.key] = v;
        break;
      }
    }
  }
  return out;
}

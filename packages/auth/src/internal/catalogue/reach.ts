import { OAUTH_URL_KEYS, type Recipe } from "@arcrun/recipes";

/** The host part of a URL or URL template, as written (`{{secret.shop}}.myshopify.com` stays a template). */
function hostOf(url: string): string | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]+)/i.exec(url.trim());
  return m?.[1]?.replace(/^[^@]*@/, "").toLowerCase();
}

/**
 * Every host, or host template, a recipe may send a credential to: its `hosts`, its base URL's host, and the
 * hosts of its OAuth and service-account endpoints. Templates are compared as written, not rendered: a
 * changed template counts as a new host, which errs on the side of asking.
 */
export function credentialHosts(recipe: Recipe | undefined): Set<string> {
  const out = new Set<string>();
  if (!recipe) return out;
  for (const h of recipe.hosts) out.add(h.toLowerCase());
  const add = (u: unknown) => {
    const h = typeof u === "string" ? hostOf(u) : undefined;
    if (h) out.add(h);
  };
  add(recipe.base_url);
  const oauth2 = recipe.oauth2 as Record<string, unknown> | undefined;
  if (oauth2) for (const k of OAUTH_URL_KEYS) add(oauth2[k]);
  const sa = recipe.service_account as Record<string, unknown> | undefined;
  if (sa) add(sa.token_url);
  return out;
}

/** The hosts `next` may send a credential to that `prev` may not, sorted; empty when nothing widens. */
export function widenedHosts(prev: Recipe | undefined, next: Recipe): string[] {
  const before = credentialHosts(prev);
  return [...credentialHosts(next)].filter((h) => !before.has(h)).sort();
}

import type { Recipe } from "@arcrun/recipes";

/**
 * What the executor does with each recipe primitive (docs/executor.md "Primitives"): secrets never enter the
 * sandbox, so a primitive runs here only if the host can apply it at egress. static_key, oauth2 and
 * service_account go through the recipe's inject; aws_sigv4 and http_digest through a signing handle the
 * host replaces by the signature or the answer to the server's challenge.
 *
 * A `session` recipe (a login that gives a session token, such as Bluesky's app passwords) is refused: the
 * host would have to keep and renew a session per credential across isolates, where each renewal rotates the
 * refresh token (two isolates renewing at once leave one with a refused token and a new login, and the
 * provider limits logins: 30 per 5 minutes for Bluesky). arcrun-auth runs such recipes with its lock.
 */
export function executorRefusal(recipe: Recipe): string | undefined {
  if (recipe.primitive !== "session") return undefined;
  return `recipe "${recipe.id}" logs in for a session token (primitive session), which the executor does not run: it cannot keep one session per credential across isolates without losing it to refresh-token rotation. Call ${recipe.id} from arcrun-auth instead (arcrun-auth's bind), or use a recipe of the service with a static key or OAuth`;
}

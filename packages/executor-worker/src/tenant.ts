import { getRecipe, type Recipe } from "@arcrun/recipes";
import type { MiddlewareHandler } from "hono";
import { ExecutorError, isExecutorError } from "./errors.js";
import { clientAddress, failedKeyLimit, recordFailedKey, throttledFor } from "./internal/throttle.js";
import type { AppContext, AppEnv } from "./routes/common.js";
import { errorResponse } from "./routes/common.js";
import { Store } from "./store.js";

export const DEFAULT_TENANT = "default";
const TENANT = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const DEFAULT_EXECUTION_TTL = 7 * 24 * 3600;

/** Constant-time comparison of two strings (the API key check). */
function sameKey(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/**
 * Resolves the tenant from X-Arcrun-API-Key. Single-tenant mode (the default) has one tenant and checks
 * ARCRUN_API_KEY when it is set; multi-tenant mode maps keys to tenants through ARCRUN_API_KEYS.
 */
export const tenancy: MiddlewareHandler<AppEnv> = async (c, next) => {
  const key = c.req.header("x-arcrun-api-key") ?? "";
  const mode = c.env.ARCRUN_TENANCY ?? "single";
  const address = clientAddress(c.req.raw.headers);
  try {
    // An address that sent too many wrong keys is not let to try another, right or wrong.
    const wait = throttledFor(address);
    if (wait > 0) throw rateLimited(c, wait);
    if (mode === "single") {
      if (c.env.ARCRUN_API_KEY && !sameKey(key, c.env.ARCRUN_API_KEY)) {
        throw new ExecutorError(
          "ERR_UNAUTHORIZED",
          "missing or wrong X-Arcrun-API-Key; set ARCRUN_API_KEY to this executor's key",
        );
      }
      c.set("tenant", DEFAULT_TENANT);
    } else if (mode === "multi") {
      let keys: Record<string, unknown>;
      try {
        keys = JSON.parse(c.env.ARCRUN_API_KEYS ?? "{}") as Record<string, unknown>;
      } catch {
        throw new ExecutorError(
          "ERR_CONFIG",
          "ARCRUN_API_KEYS is not a JSON object of key -> tenant; fix the Worker's configuration",
        );
      }
      const tenant = Object.entries(keys).find(([k]) => key !== "" && sameKey(k, key))?.[1];
      if (typeof tenant !== "string" || !TENANT.test(tenant)) {
        throw new ExecutorError(
          "ERR_UNAUTHORIZED",
          "missing or unknown X-Arcrun-API-Key; set ARCRUN_API_KEY to your tenant's key",
        );
      }
      c.set("tenant", tenant);
    } else {
      throw new ExecutorError("ERR_CONFIG", `ARCRUN_TENANCY must be "single" or "multi", got "${mode}"`);
    }
  } catch (err) {
    if (!isExecutorError(err, "ERR_UNAUTHORIZED")) return errorResponse(c, err);
    try {
      const wait = await recordFailedKey(
        c.env.FAILED_KEYS,
        address,
        failedKeyLimit(c.env.ARCRUN_FAILED_KEYS),
      );
      return errorResponse(c, wait > 0 ? rateLimited(c, wait) : err);
    } catch (countErr) {
      return errorResponse(c, countErr);
    }
  }
  await next();
};

function rateLimited(c: AppContext, wait: number): ExecutorError {
  c.header("Retry-After", String(wait));
  return new ExecutorError(
    "ERR_RATE_LIMITED",
    `too many wrong X-Arcrun-API-Key values from your address; wait ${wait} seconds, then retry with the right key`,
  );
}

export function storeFor(c: AppContext): Store {
  const ttl = Number(c.env.EXECUTION_TTL_SECONDS ?? "") || DEFAULT_EXECUTION_TTL;
  return new Store(c.env.ARCRUN_KV, c.get("tenant"), Math.max(60, ttl));
}

let extraSource: string | undefined;
let extra = new Map<string, Recipe>();

/** Built-in recipes, plus ARCRUN_RECIPES (a JSON array) for self-hosted custom services; extras win. */
export function recipeFor(c: AppContext): (id: string) => Recipe | undefined {
  return recipesFrom(c.env.ARCRUN_RECIPES);
}

/** recipeFor, from the raw ARCRUN_RECIPES (for handlers without a request, such as the scheduled one). */
export function recipesFrom(raw: string | undefined): (id: string) => Recipe | undefined {
  if (raw !== extraSource) {
    extraSource = raw;
    extra = new Map();
    if (raw) {
      let list: unknown;
      try {
        list = JSON.parse(raw);
      } catch {
        throw new ExecutorError("ERR_CONFIG", "ARCRUN_RECIPES is not JSON; give an array of recipes");
      }
      if (!Array.isArray(list))
        throw new ExecutorError("ERR_CONFIG", "ARCRUN_RECIPES must be a JSON array of recipes");
      for (const r of list) {
        if (r && typeof r === "object" && typeof r.id === "string" && Array.isArray(r.hosts))
          extra.set(r.id, r as Recipe);
      }
    }
  }
  return (id) => extra.get(id) ?? getRecipe(id);
}

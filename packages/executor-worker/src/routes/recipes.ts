import { Hono } from "hono";
import { ExecutorError } from "../errors.js";
import { recipeKey } from "../keys.js";
import {
  checkRecipe,
  getStoredRecipe,
  type PushPlace,
  pushRecipe,
  readPushRequest,
  tenantRecipes,
} from "../recipes.js";
import { recipeFor } from "../tenant.js";
import type { AppContext, AppEnv } from "./common.js";

/** Tenant recipes (src/recipes.ts): check, push after confirmation and a passing test, list, delete. */
export const recipeRoutes = new Hono<AppEnv>();

function placeOf(c: AppContext): PushPlace {
  return {
    kv: c.env.ARCRUN_KV,
    tenant: c.get("tenant"),
    encryptionKey: c.env.ENCRYPTION_KEY,
    base: recipeFor(c),
    fetch: (req) => fetch(req),
  };
}

async function body(c: AppContext): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new ExecutorError(
      "ERR_RECIPE_INVALID",
      "send JSON { id, source, credential, confirm_hosts, proof } (arcrun recipe push does)",
    );
  }
}

/** POST /recipes/check: where the credential would go under this recipe; nothing is sent or stored. */
recipeRoutes.post("/recipes/check", async (c) => {
  return c.json(await checkRecipe(readPushRequest(await body(c)), placeOf(c)));
});

/** POST /recipes: stores the recipe for the tenant once its hosts are confirmed and its test passes. */
recipeRoutes.post("/recipes", async (c) => {
  const pushed = await pushRecipe(readPushRequest(await body(c)), placeOf(c));
  return c.json(pushed, pushed.replaced ? 200 : 201);
});

/** GET /recipes: the tenant's pushed recipes (id, hosts, when), not their sources. */
recipeRoutes.get("/recipes", async (c) => {
  const own = await tenantRecipes(c.env.ARCRUN_KV, c.get("tenant"));
  const recipes = [...own.values()]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((s) => ({ id: s.id, hosts: s.hosts, credential: s.credential, pushed_at: s.pushed_at }));
  return c.json({ recipes });
});

recipeRoutes.delete("/recipes/:id", async (c) => {
  const id = c.req.param("id");
  if (!(await getStoredRecipe(c.env.ARCRUN_KV, c.get("tenant"), id))) {
    throw new ExecutorError("ERR_RECIPE_NOT_FOUND", `no pushed recipe "${id}"; see them with: GET /recipes`);
  }
  await c.env.ARCRUN_KV.delete(recipeKey(c.get("tenant"), id));
  return c.json({ deleted: id });
});

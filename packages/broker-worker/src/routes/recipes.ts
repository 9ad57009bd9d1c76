import { builtinBases } from "@arcrun/recipes";
import { Hono } from "hono";
import type { AppEnv } from "../env.js";
import { type Config, getConfig } from "../internal/config.js";
import { sha256 } from "../internal/crypto.js";
import { BrokerError } from "../internal/errors.js";

interface Entity {
  body: string;
  etag: string;
}

const CACHE = "public, max-age=300";
const entities = new WeakMap<Config, Promise<{ all: Entity; one: Map<string, Entity> }>>();

async function entity(value: unknown): Promise<Entity> {
  const body = JSON.stringify(value);
  return { body, etag: `"${await sha256(body)}"` };
}

function catalogue(config: Config) {
  let e = entities.get(config);
  if (!e) {
    e = (async () => {
      const all = await entity({ version: 1, recipes: config.recipes, bases: builtinBases().bases });
      const one = new Map<string, Entity>();
      for (const r of config.recipes) one.set(r.id, await entity(r));
      return { all, one };
    })();
    entities.set(config, e);
  }
  return e;
}

/**
 * True when If-None-Match names the current entity (weak comparison, as for GET).
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-13.1.2
 */
function notModified(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((t) => t.trim().replace(/^W\//, "") === etag);
}

function send(ifNoneMatch: string | undefined, e: Entity): Response {
  const headers = { ETag: e.etag, "Cache-Control": CACHE, Vary: "Accept-Encoding" };
  if (notModified(ifNoneMatch, e.etag)) return new Response(null, { status: 304, headers });
  return new Response(e.body, { status: 200, headers: { ...headers, "Content-Type": "application/json" } });
}

export const recipes = new Hono<AppEnv>();

/** The recipe catalogue (built-ins plus the operator's EXTRA_RECIPES), for `arcrun` to pick up new recipes. */
recipes.get("/recipes", async (c) => {
  const { all } = await catalogue(await getConfig(c.env));
  return send(c.req.header("if-none-match"), all);
});

recipes.get("/recipes/:id", async (c) => {
  const id = c.req.param("id");
  const { one } = await catalogue(await getConfig(c.env));
  const e = one.get(id);
  if (!e) {
    throw new BrokerError(
      404,
      "unknown_recipe",
      `No recipe has the id "${/^[a-z0-9_]{1,64}$/.test(id) ? id : "(invalid id)"}".`,
      "GET /recipes lists every recipe.",
    );
  }
  return send(c.req.header("if-none-match"), e);
});

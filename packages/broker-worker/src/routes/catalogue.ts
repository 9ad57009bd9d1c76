import { Hono } from "hono";
import type { AppEnv } from "../env.js";
import { BrokerError } from "../internal/errors.js";

/**
 * KV keys of the signed catalogue the operator publishes (docs/broker.md "Signed catalogue"): the exact
 * bytes scripts/sign-catalogue.mjs wrote, and their detached signature. The broker never signs and never
 * verifies: it cannot hold the release key, and `arcrun recipes update` verifies with the key it ships.
 */
export const CATALOGUE_KEYS = { "catalogue.json": "catalogue:json", "catalogue.json.sig": "catalogue:sig" };

export const catalogue = new Hono<AppEnv>();

for (const [name, key] of Object.entries(CATALOGUE_KEYS)) {
  catalogue.get(`/${name}`, async (c) => {
    const body = await c.env.BROKER_KV.get(key, "arrayBuffer");
    if (body === null) {
      throw new BrokerError(
        404,
        "catalogue_not_published",
        "This broker serves no signed catalogue.",
        `Its operator publishes one with: wrangler kv key put --binding BROKER_KV ${key} --path ${name}`,
      );
    }
    return new Response(body, {
      status: 200,
      headers: {
        "Content-Type": name.endsWith(".sig") ? "text/plain; charset=utf-8" : "application/json",
        "Cache-Control": "public, max-age=300",
      },
    });
  });
}

import { loadCatalog } from "@arcrun/recipes";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Broker, baseVars, bundleWorker, startBroker } from "../support/worker.js";

let bundle: Awaited<ReturnType<typeof bundleWorker>>;
let broker: Broker;

const extra = {
  id: "acme",
  display_name: "Acme",
  docs_url: "https://acme.example/docs",
  primitive: "static_key",
  base_url: "https://api.acme.example",
  hosts: ["api.acme.example"],
  required_secrets: [{ key: "token", label: "API token" }],
  inject: { header: { Authorization: "Bearer {{secret.token}}" } },
};

beforeAll(async () => {
  bundle = await bundleWorker();
  broker = await startBroker(bundle.scriptPath, { ...baseVars(), EXTRA_RECIPES: JSON.stringify([extra]) });
}, 60_000);

afterAll(async () => {
  await broker?.dispose();
  await bundle?.dispose();
});

/** The ETag of a 200 answer; its body is read so that no response stays open when the broker is disposed. */
async function etagOf(path: string): Promise<string> {
  const res = await broker.fetch(path);
  await res.arrayBuffer();
  return res.headers.get("etag") ?? "";
}

describe("GET /recipes", () => {
  test("serves the built-in catalogue plus EXTRA_RECIPES, with an ETag and a cache lifetime", async () => {
    const res = await broker.fetch("/recipes");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    const etag = res.headers.get("etag");
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    const body = (await res.json()) as { version: number; recipes: Array<{ id: string }> };
    expect(body.version).toBe(1);
    const ids = body.recipes.map((r) => r.id);
    expect(ids).toEqual([...ids].sort());
    expect(ids).toEqual(expect.arrayContaining([...loadCatalog().map((r) => r.id), "acme"]));
  });

  test("If-None-Match with the current ETag is a 304 without a body; weak and listed forms match too", async () => {
    const etag = await etagOf("/recipes");
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`, "*"]) {
      const res = await broker.fetch("/recipes", { headers: { "if-none-match": header } });
      expect(res.status).toBe(304);
      expect(res.headers.get("etag")).toBe(etag);
      expect(await res.text()).toBe("");
    }
    const stale = await broker.fetch("/recipes", { headers: { "if-none-match": '"stale"' } });
    expect(stale.status).toBe(200);
    await stale.arrayBuffer();
  });
});

describe("GET /recipes/:id", () => {
  test("one recipe, with its own ETag", async () => {
    const res = await broker.fetch("/recipes/notion");
    expect(res.status).toBe(200);
    const etag = res.headers.get("etag")!;
    expect(((await res.json()) as { id: string }).id).toBe("notion");
    expect((await broker.fetch("/recipes/notion", { headers: { "if-none-match": etag } })).status).toBe(304);
    expect(etag).not.toBe(await etagOf("/recipes"));
  });

  test("an unknown id is a JSON 404 that says where the list is", async () => {
    const res = await broker.fetch("/recipes/nope");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: "unknown_recipe",
      error_description: 'No recipe has the id "nope". GET /recipes lists every recipe.',
      next_step: "GET /recipes lists every recipe.",
    });
  });
});

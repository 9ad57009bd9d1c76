import type { webcrypto } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getRecipe, loadCatalog, type Recipe } from "@arcrun/recipes";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAuth } from "../src/auth.js";
import {
  applyCatalogueUpdate,
  CATALOGUE_TEST_PUBLIC_KEY_ENV,
  fetchCatalogue,
  findCatalogueSource,
  planCatalogueUpdate,
} from "../src/catalogue.js";
import { ArcrunError } from "../src/errors.js";
import { MemoryStore } from "../src/stores/memory.js";

const { subtle } = globalThis.crypto;

async function signer() {
  const pair = (await subtle.generateKey({ name: "Ed25519" }, true, [
    "sign",
    "verify",
  ])) as webcrypto.CryptoKeyPair;
  const publicKey = Buffer.from(await subtle.exportKey("raw", pair.publicKey)).toString("base64");
  return {
    env: { [CATALOGUE_TEST_PUBLIC_KEY_ENV]: publicKey },
    async fetched(recipes: Recipe[], version: number) {
      const bytes = new TextEncoder().encode(JSON.stringify({ format: 1, version, recipes }));
      const sig = Buffer.from(await subtle.sign({ name: "Ed25519" }, pair.privateKey, bytes)).toString(
        "base64",
      );
      return {
        url: "https://catalogue.test/catalogue.json",
        bytes,
        signature: new TextEncoder().encode(sig),
      };
    },
  };
}

const demo = (host: string): Recipe => ({
  ...(structuredClone(getRecipe("notion")) as Recipe),
  id: "layer_demo",
  display_name: "Layer Demo",
  base_url: `https://${host}/v1`,
  hosts: [host],
});

describe("catalogue updates in the library", () => {
  let home: string;
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), "arcrun-catalogue-"));
  });
  afterEach(() => rm(home, { recursive: true, force: true }));

  it("findCatalogueSource: --from, then catalogue_url in config.yaml, then the broker; none is ERR_CATALOGUE_SOURCE", async () => {
    const none = await findCatalogueSource({ home, env: {} }).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(ArcrunError);
    expect((none as ArcrunError).code).toBe("ERR_CATALOGUE_SOURCE");
    expect((none as ArcrunError).message).toContain("pass --from <url>");

    const broker = await findCatalogueSource({
      home,
      env: { ARCRUN_BROKER_URL: "https://broker.example/base" },
    });
    expect(broker).toMatchObject({ from: "broker" });
    expect(broker.url.href).toBe("https://broker.example/base/catalogue.json");

    await writeFile(join(home, "config.yaml"), "catalogue_url: https://cdn.example/arcrun/catalogue.json\n");
    const config = await findCatalogueSource({ home, env: { ARCRUN_BROKER_URL: "https://broker.example/" } });
    expect(config).toMatchObject({ from: "config.yaml" });
    expect(config.url.href).toBe("https://cdn.example/arcrun/catalogue.json");

    const option = await findCatalogueSource({ home, env: {}, url: "http://127.0.0.1:9/c.json" });
    expect(option).toMatchObject({ from: "option" });
    const plain = await findCatalogueSource({ home, env: {}, url: "http://cdn.example/c.json" }).catch(
      (e: unknown) => e,
    );
    expect((plain as ArcrunError).code).toBe("ERR_CATALOGUE_SOURCE");
  });

  it("layers: built-in, then the installed update, then user recipes; a held service keeps its recipe", async () => {
    const s = await signer();
    const store = new MemoryStore();
    const auth = () => createAuth({ home, env: s.env, store, interactive: false });
    const a = auth();
    await expect(a.recipe("layer_demo")).rejects.toMatchObject({ code: "ERR_UNKNOWN_SERVICE" });

    const one = await planCatalogueUpdate(a, await s.fetched([...loadCatalog(), demo("one.example")], 5), {
      env: s.env,
    });
    expect(one.changes).toEqual([
      expect.objectContaining({ service: "layer_demo", kind: "added", stored: false }),
    ]);
    expect(one.needsConfirmation).toEqual([]);
    await applyCatalogueUpdate(a, one);
    const b = auth();
    expect((await b.recipe("layer_demo")).hosts).toEqual(["one.example"]);
    expect((await b.recipes()).some((r) => r.id === "layer_demo")).toBe(true);
    b.bind("layer_demo");

    // A stored credential: moving it to another host waits for confirmation.
    await b.setSecret("layer_demo", { token: "secret_value_for_test" });
    const two = await planCatalogueUpdate(b, await s.fetched([...loadCatalog(), demo("two.example")], 6), {
      env: s.env,
    });
    expect(two.needsConfirmation).toEqual([
      expect.objectContaining({ service: "layer_demo", newHosts: ["two.example"], stored: true }),
    ]);
    expect(await applyCatalogueUpdate(b, two)).toMatchObject({
      version: 6,
      held: ["layer_demo"],
      confirmed: [],
    });
    expect((await auth().recipe("layer_demo")).hosts).toEqual(["one.example"]);
    expect(await applyCatalogueUpdate(b, two, { confirmed: ["layer_demo"] })).toMatchObject({ held: [] });
    expect((await auth().recipe("layer_demo")).hosts).toEqual(["two.example"]);

    // A user recipe file wins over the update.
    await mkdir(join(home, "recipes"));
    await writeFile(
      join(home, "recipes", "layer_demo.yaml"),
      "id: layer_demo\nextends: notion\ndisplay_name: Mine\nbase_url: https://mine.example/v1\nhosts: [mine.example]\n",
    );
    expect((await auth().recipe("layer_demo")).hosts).toEqual(["mine.example"]);
  });

  it("an older catalogue than the installed one is ERR_CATALOGUE_DOWNGRADE; the same version is accepted", async () => {
    const s = await signer();
    const a = createAuth({ home, env: s.env, store: new MemoryStore(), interactive: false });
    await applyCatalogueUpdate(
      a,
      await planCatalogueUpdate(a, await s.fetched(loadCatalog().slice(), 8), { env: s.env }),
    );
    const older = await planCatalogueUpdate(a, await s.fetched(loadCatalog().slice(), 7), {
      env: s.env,
    }).catch((e: unknown) => e);
    expect(older).toMatchObject({ code: "ERR_CATALOGUE_DOWNGRADE" });
    expect((older as ArcrunError).message).toContain("version 7, older than the one in use (8)");
    const same = await planCatalogueUpdate(a, await s.fetched(loadCatalog().slice(), 8), { env: s.env });
    expect(same.changes).toEqual([]);
    const resigned = await planCatalogueUpdate(a, await s.fetched([...loadCatalog(), demo("x.example")], 8), {
      env: s.env,
    }).catch((e: unknown) => e);
    expect(resigned).toMatchObject({ code: "ERR_CATALOGUE_INVALID" });
    expect((resigned as ArcrunError).message).toContain("installed already with other content");
  });

  it("a signed recipe this library's schema refuses is ERR_CATALOGUE_INVALID, naming the recipe", async () => {
    const s = await signer();
    const a = createAuth({ home, env: s.env, store: new MemoryStore(), interactive: false });
    const odd = { ...demo("odd.example"), primitive: "quantum_key" } as unknown as Recipe;
    const err = await planCatalogueUpdate(a, await s.fetched([...loadCatalog(), odd], 3), {
      env: s.env,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "ERR_CATALOGUE_INVALID" });
    expect((err as ArcrunError).message).toContain("layer_demo.yaml");
    expect((err as ArcrunError).message).toContain("Upgrade arcrun-auth");
  });

  it("fetchCatalogue reads the catalogue and <url>.sig from a real server, and stops reading past 8 MiB", async () => {
    const big = Buffer.alloc(64 * 1024, 0x20);
    const server = createServer((req, res) => {
      if (req.url === "/c.json") return void res.end('{"format":1}');
      if (req.url === "/c.json.sig") return void res.end("c2ln");
      if (req.url === "/big.json") {
        // Chunked, no Content-Length: the cap must hold while reading.
        res.writeHead(200, { "content-type": "application/json" });
        let sent = 0;
        const more = () => {
          while (sent <= 8 * 1024 * 1024) {
            sent += big.length;
            if (!res.write(big)) return void res.once("drain", more);
          }
          res.end();
        };
        res.on("error", () => undefined);
        return void more();
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const ok = await fetchCatalogue({ url: new URL(`${origin}/c.json`), from: "option" });
      expect(new TextDecoder().decode(ok.bytes)).toBe('{"format":1}');
      expect(new TextDecoder().decode(ok.signature)).toBe("c2ln");
      const none = await fetchCatalogue({ url: new URL(`${origin}/big.json.sig`), from: "option" }).catch(
        (e: unknown) => e,
      );
      expect(none).toMatchObject({ code: "ERR_CATALOGUE_SOURCE" });
      expect((none as ArcrunError).message).toContain("answered HTTP 404");
      const huge = await fetchCatalogue({ url: new URL(`${origin}/big.json`), from: "option" }).catch(
        (e: unknown) => e,
      );
      expect(huge).toMatchObject({ code: "ERR_CATALOGUE_INVALID" });
      expect((huge as ArcrunError).message).toContain("too large for a catalogue");
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Broker, baseVars, bundleWorker, startBroker } from "../support/worker.js";

let bundle: Awaited<ReturnType<typeof bundleWorker>>;
let broker: Broker;

beforeAll(async () => {
  bundle = await bundleWorker();
  broker = await startBroker(bundle.scriptPath, baseVars());
}, 60_000);

afterAll(async () => {
  await broker?.dispose();
  await bundle?.dispose();
});

describe("GET /catalogue.json and /catalogue.json.sig", () => {
  test("404 catalogue_not_published, naming the wrangler command, until the operator publishes", async () => {
    for (const [path, key] of [
      ["/catalogue.json", "catalogue:json"],
      ["/catalogue.json.sig", "catalogue:sig"],
    ]) {
      const res = await broker.fetch(path ?? "");
      expect(res.status).toBe(404);
      const body = (await res.json()) as { error: string; next_step: string };
      expect(body.error).toBe("catalogue_not_published");
      expect(body.next_step).toContain(`wrangler kv key put --binding BROKER_KV ${key}`);
    }
  });

  test("serves the published bytes unchanged (the client verifies the signature over exactly these)", async () => {
    const kv = await broker.mf.getKVNamespace("BROKER_KV");
    // Bytes that no JSON round trip would keep: odd spacing, a trailing newline, a non-ASCII character.
    const doc = Buffer.from(`{"format":1,  "version":3,"recipes":[], "note":"é"}\n`);
    const sig = Buffer.from(`${randomBytes(64).toString("base64")}\n`);
    // Raw bytes, as `wrangler kv key put --path` stores a file.
    const raw = (b: Buffer) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    await kv.put("catalogue:json", raw(doc));
    await kv.put("catalogue:sig", raw(sig));
    const res = await broker.fetch("/catalogue.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    expect(Buffer.from(await res.arrayBuffer()).equals(doc)).toBe(true);
    const s = await broker.fetch("/catalogue.json.sig");
    expect(s.status).toBe(200);
    expect(Buffer.from(await s.arrayBuffer()).equals(sig)).toBe(true);
  });
});

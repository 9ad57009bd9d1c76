import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Broker, baseVars, bundleWorker, startBroker, TEST_CLIENT } from "../support/worker.js";

let bundle: Awaited<ReturnType<typeof bundleWorker>>;
const brokers: Broker[] = [];

async function broker(vars: Record<string, string>): Promise<Broker> {
  const b = await startBroker(bundle.scriptPath, vars);
  brokers.push(b);
  return b;
}

beforeAll(async () => {
  bundle = await bundleWorker();
}, 60_000);

afterAll(async () => {
  for (const b of brokers) await b.dispose();
  await bundle?.dispose();
});

describe("GET /health", () => {
  test("ok, listing the services that are ready", async () => {
    const res = await (await broker(baseVars())).fetch("/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: "ok",
      services: ["google_drive"],
      misconfigured: [],
      encryption_key: true,
    });
  });

  test("degraded (503) when a listed service lacks its client or the key is missing; no values shown", async () => {
    const vars = {
      ...baseVars(),
      BROKER_SERVICES: "google_drive,notion,github_missing",
      TOKEN_ENCRYPTION_KEY: "short",
    };
    const res = await (await broker(vars)).fetch("/health");
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      status: "degraded",
      services: ["google_drive"],
      misconfigured: ["github_missing", "notion"],
      encryption_key: false,
    });
    expect(text).not.toContain(TEST_CLIENT.secret);
  });

  test("an invalid EXTRA_RECIPES is named with the file and key path", async () => {
    const vars = { ...baseVars(), EXTRA_RECIPES: JSON.stringify([{ id: "bad", primitive: "static_key" }]) };
    const res = await (await broker(vars)).fetch("/health");
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: string; error_description: string };
    expect(body.error).toBe("server_error");
    expect(body.error_description).toContain("EXTRA_RECIPES: bad.yaml");
  });
});

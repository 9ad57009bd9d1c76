import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Miniflare, type WorkerOptions } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleWorker, packageRoot } from "../../scripts/bundle.js";
import { type LocalExecutor, startExecutor } from "../helpers/executor.js";

// Failed API keys per client address on workerd through Miniflare (multi-tenant mode). The address is
// CF-Connecting-IP, which Cloudflare's edge sets; here the test sets it, as the edge would.
let ex: LocalExecutor;
const RIGHT = "key-right";

function call(address: string, apiKey: string) {
  return ex.request("/workflows", { apiKey, headers: { "cf-connecting-ip": address } });
}

beforeAll(async () => {
  ex = await startExecutor({ ARCRUN_TENANCY: "multi", ARCRUN_API_KEYS: JSON.stringify({ [RIGHT]: "acme" }) });
}, 120_000);

afterAll(async () => ex?.dispose());

describe("failed API keys are throttled per address", () => {
  it("after 10 wrong keys an address gets 429 with Retry-After, even with the right key; others do not", async () => {
    for (let i = 0; i < 10; i++) {
      const res = await call("203.0.113.7", `guess-${i}`);
      expect(res.status).toBe(401);
      expect((res.json as { error: { code: string } }).error.code).toBe("ERR_UNAUTHORIZED");
    }
    const res = await ex.mf.dispatchFetch("http://executor.test/workflows", {
      headers: { "x-arcrun-api-key": "guess-10", "cf-connecting-ip": "203.0.113.7" },
    });
    expect(res.status).toBe(429);
    const retry = Number(res.headers.get("retry-after"));
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(60);
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: "ERR_RATE_LIMITED",
      message: expect.stringContaining(`wait ${retry} seconds`),
    });
    expect((await call("203.0.113.7", RIGHT)).status).toBe(429);
    expect((await call("198.51.100.2", RIGHT)).status).toBe(200);
    expect((await call("198.51.100.2", "one-wrong")).status).toBe(401);
  });

  it("right keys are never counted", async () => {
    for (let i = 0; i < 15; i++) expect((await call("192.0.2.44", RIGHT)).status).toBe(200);
  });
});

// Two isolates of the executor on one workerd (two Workers from the same bundle, each with its own module
// state), both bound to the Durable Object class that the first exports, as wrangler.toml binds it.
describe("failed API keys count across isolates and restarts (Durable Object per address)", () => {
  // A window long enough that no machine is slow enough to see it end during a test that does not wait.
  const LIMITS = JSON.stringify({ limit: 3, window_s: 600 });
  const bindings = {
    ARCRUN_TENANCY: "multi",
    ARCRUN_API_KEYS: JSON.stringify({ [RIGHT]: "acme" }),
    ARCRUN_FAILED_KEYS: LIMITS,
  };
  let outdir: string;
  let scriptPath: string;

  beforeAll(async () => {
    process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
    outdir = join(packageRoot, ".tmp", `throttle-${randomUUID()}`);
    scriptPath = await bundleWorker(join(packageRoot, "test/fixtures/worker.ts"), join(outdir, "worker"));
  }, 120_000);

  afterAll(async () => {
    if (outdir) await rm(outdir, { recursive: true, force: true });
  });

  function worker(
    name: string,
    durableObjects: WorkerOptions["durableObjects"],
    extra: Record<string, string>,
  ) {
    return {
      name,
      modules: true,
      scriptPath,
      modulesRoot: dirname(scriptPath),
      modulesRules: [{ type: "CompiledWasm" as const, include: ["**/*.wasm"] }],
      compatibilityDate: "2026-04-01",
      kvNamespaces: ["ARCRUN_KV"],
      durableObjects,
      bindings: { ...bindings, ...extra },
    };
  }

  type Fetcher = (url: string, init: { headers: Record<string, string> }) => Promise<globalThis.Response>;

  async function ask(fetcher: Fetcher, address: string, apiKey: string) {
    const res = await fetcher("http://executor.test/workflows", {
      headers: { "x-arcrun-api-key": apiKey, "cf-connecting-ip": address },
    });
    const body = (await res.json()) as { error?: { code: string; message: string } };
    return { status: res.status, retryAfter: res.headers.get("retry-after"), code: body.error?.code };
  }

  it("wrong keys sent to one isolate count in the other", async () => {
    const mf = new Miniflare({
      workers: [
        worker("executor-a", { FAILED_KEYS: { className: "AddressWindow", useSQLite: true } }, {}),
        worker(
          "executor-b",
          { FAILED_KEYS: { className: "AddressWindow", scriptName: "executor-a", useSQLite: true } },
          {},
        ),
      ],
    });
    try {
      await mf.ready;
      const a: Fetcher = async (url, init) => (await mf.getWorker("executor-a")).fetch(url, init) as never;
      const b: Fetcher = async (url, init) => (await mf.getWorker("executor-b")).fetch(url, init) as never;
      const X = "203.0.113.90";

      for (let i = 0; i < 3; i++) expect(await ask(a, X, `guess-a-${i}`)).toMatchObject({ status: 401 });
      // Isolate A saw the address reach its limit: refused before its key is checked.
      const aRight = await ask(a, X, RIGHT);
      expect(aRight).toMatchObject({ status: 429, code: "ERR_RATE_LIMITED" });
      expect(Number(aRight.retryAfter)).toBeGreaterThan(2);
      // B is another isolate (its memory knows nothing of X), and a good key asks no object: let in.
      expect(await ask(b, X, RIGHT)).toMatchObject({ status: 200 });
      // B's first wrong key from X is the fourth in the object's window.
      const bWrong = await ask(b, X, "guess-b-0");
      expect(bWrong).toMatchObject({ status: 429, code: "ERR_RATE_LIMITED" });
      expect(Number(bWrong.retryAfter)).toBeGreaterThan(2);
      expect(Number(bWrong.retryAfter)).toBeLessThanOrEqual(600);
      // Now B knows too, and refuses the right key from X; another address is not affected.
      const bRight = await ask(b, X, RIGHT);
      expect(bRight).toMatchObject({ status: 429 });
      expect(await ask(b, "198.51.100.90", RIGHT)).toMatchObject({ status: 200 });
    } finally {
      await mf.dispose();
    }
  }, 60_000);

  it("after the window that Retry-After names, the right key works and a wrong one is a 401 again", async () => {
    const mf = new Miniflare(
      worker(
        "executor",
        { FAILED_KEYS: { className: "AddressWindow", useSQLite: true } },
        {
          ARCRUN_FAILED_KEYS: JSON.stringify({ limit: 1, window_s: 2 }),
        },
      ),
    );
    try {
      const f: Fetcher = (url, init) => mf.dispatchFetch(url, init) as never;
      const X = "203.0.113.93";
      // Two wrong keys in one 2-second window give 429; a slow machine may need a few tries to fit two in.
      let refused: Awaited<ReturnType<typeof ask>> | undefined;
      for (let i = 0; i < 10 && !refused; i++) {
        const res = await ask(f, X, `guess-${i}`);
        if (res.status === 429) refused = res;
        else expect(res).toMatchObject({ status: 401 });
      }
      expect(refused).toMatchObject({ code: "ERR_RATE_LIMITED" });
      const wait = Number(refused?.retryAfter);
      expect(wait).toBeGreaterThanOrEqual(1);
      expect(wait).toBeLessThanOrEqual(2);
      await new Promise((r) => setTimeout(r, wait * 1000 + 100));
      expect(await ask(f, X, RIGHT)).toMatchObject({ status: 200 });
      expect(await ask(f, X, "guess-after")).toMatchObject({ status: 401, code: "ERR_UNAUTHORIZED" });
    } finally {
      await mf.dispose();
    }
  }, 60_000);

  it("a restarted executor keeps the count (persisted Durable Object storage)", async () => {
    const persist = join(outdir, "do-state");
    const start = () =>
      new Miniflare({
        ...worker(
          "executor",
          { FAILED_KEYS: { className: "AddressWindow", useSQLite: true } },
          {
            ARCRUN_FAILED_KEYS: JSON.stringify({ limit: 3, window_s: 600 }),
          },
        ),
        durableObjectsPersist: persist,
      });
    const X = "203.0.113.91";
    const first = start();
    try {
      const f: Fetcher = (url, init) => first.dispatchFetch(url, init) as never;
      for (let i = 0; i < 3; i++) expect(await ask(f, X, `guess-${i}`)).toMatchObject({ status: 401 });
    } finally {
      await first.dispose();
    }
    const second = start();
    try {
      const f: Fetcher = (url, init) => second.dispatchFetch(url, init) as never;
      const res = await ask(f, X, "guess-3");
      expect(res).toMatchObject({ status: 429, code: "ERR_RATE_LIMITED" });
      expect(Number(res.retryAfter)).toBeGreaterThan(2);
      expect(Number(res.retryAfter)).toBeLessThanOrEqual(600);
      expect(await ask(f, X, RIGHT)).toMatchObject({ status: 429 });
    } finally {
      await second.dispose();
    }
  }, 60_000);

  it("a malformed ARCRUN_FAILED_KEYS is a configuration error that names the variable", async () => {
    const mf = new Miniflare(
      worker(
        "executor",
        { FAILED_KEYS: { className: "AddressWindow", useSQLite: true } },
        {
          ARCRUN_FAILED_KEYS: JSON.stringify({ limit: 0 }),
        },
      ),
    );
    try {
      const f: Fetcher = (url, init) => mf.dispatchFetch(url, init) as never;
      // A right key never reads the setting; a wrong one does, and the operator learns what to fix.
      expect(await ask(f, "203.0.113.92", RIGHT)).toMatchObject({ status: 200 });
      const res = await mf.dispatchFetch("http://executor.test/workflows", {
        headers: { "x-arcrun-api-key": "wrong", "cf-connecting-ip": "203.0.113.92" },
      });
      expect(res.status).toBe(500);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("ERR_CONFIG");
      expect(body.error.message).toContain("ARCRUN_FAILED_KEYS");
    } finally {
      await mf.dispose();
    }
  }, 60_000);
});

describe("a request with a good key never reaches the failed-key object", () => {
  let counted: LocalExecutor;
  // The fixture logs the FAILED_KEYS objects the last request asked for (test/fixtures/kv-reads-worker.ts).
  const objectsOfLast = async () =>
    ((await counted.request("/__test/kv-ops")).json as { objects: string[] }).objects;

  beforeAll(async () => {
    counted = await startExecutor(
      { ARCRUN_TENANCY: "multi", ARCRUN_API_KEYS: JSON.stringify({ [RIGHT]: "acme" }) },
      "test/fixtures/kv-reads-worker.ts",
    );
  }, 120_000);
  afterAll(async () => counted?.dispose());

  it("right keys ask no object; a wrong key asks the object of its address once", async () => {
    const headers = { "cf-connecting-ip": "192.0.2.60" };
    for (let i = 0; i < 3; i++) {
      expect((await counted.request("/workflows", { apiKey: RIGHT, headers })).status).toBe(200);
      expect(await objectsOfLast()).toEqual([]);
    }
    expect((await counted.request("/workflows", { apiKey: "wrong", headers })).status).toBe(401);
    expect(await objectsOfLast()).toEqual(["192.0.2.60"]);
    expect((await counted.request("/workflows", { apiKey: RIGHT, headers })).status).toBe(200);
    expect(await objectsOfLast()).toEqual([]);
  });
});

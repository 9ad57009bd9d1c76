import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

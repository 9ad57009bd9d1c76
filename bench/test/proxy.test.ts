import { describe, expect, it } from "vitest";
import { measure } from "../figures/proxy.mjs";

// Shape only: figures from a loaded CI machine mean nothing, so no assertion on their values. It runs the
// built `arcrun proxy` (packages/cli/dist) in its own process, against the bench server.
describe("bench: proxy figures", () => {
  it("measures arcrun proxy against the bound client: a throughput ratio and an added p50 latency", async () => {
    const r = (await measure({ requests: 200, concurrency: 4, rounds: 2 })) as {
      proxy_vs_bound_client_throughput_ratio: unknown;
      proxy_added_latency_p50_ms: unknown;
      details: { proxy: Record<string, unknown> };
    };
    expect(r.proxy_vs_bound_client_throughput_ratio).toBeGreaterThan(0);
    expect(r.proxy_added_latency_p50_ms).toEqual(expect.any(Number));
    expect(r.details.proxy).toMatchObject({
      requests_per_round: 200,
      concurrency: 4,
      rounds: 2,
      latency_samples: 200,
      client_rps_median: expect.any(Number),
      proxy_rps_median: expect.any(Number),
      ratio_per_round: [expect.any(Number), expect.any(Number)],
      client_latency_p50_ms: expect.any(Number),
      proxy_latency_p50_ms: expect.any(Number),
    });
  });
});

import { describe, expect, it } from "vitest";
import { measure } from "../figures/proxy.mjs";

// Shape only: figures from a loaded CI machine mean nothing, so no assertion on their values. It runs the
// built `arcrun proxy` (packages/cli/dist) in its own process, against the bench server.
describe("bench: proxy figures", () => {
  it("measures arcrun proxy against a pass-through proxy and the bound client: throughput ratios, added p50 latency, CPU per request", async () => {
    const r = (await measure({ requests: 200, concurrency: 4, rounds: 2 })) as {
      proxy_vs_passthrough_throughput_ratio: unknown;
      proxy_vs_passthrough_cpu_ratio: unknown;
      proxy_vs_bound_client_throughput_ratio: unknown;
      proxy_added_latency_p50_ms: unknown;
      details: { proxy: Record<string, unknown> };
    };
    expect(r.proxy_vs_passthrough_throughput_ratio).toBeGreaterThan(0);
    expect(r.proxy_vs_bound_client_throughput_ratio).toBeGreaterThan(0);
    expect(r.proxy_added_latency_p50_ms).toEqual(expect.any(Number));
    expect(r.details.proxy).toMatchObject({
      requests_per_round: 200,
      concurrency: 4,
      rounds: 2,
      latency_samples: 200,
      client_rps_median: expect.any(Number),
      proxy_rps_median: expect.any(Number),
      passthrough_rps_median: expect.any(Number),
      ratio_per_round: [expect.any(Number), expect.any(Number)],
      passthrough_ratio_per_round: [expect.any(Number), expect.any(Number)],
      passthrough_vs_bound_client_throughput_ratio: expect.any(Number),
      client_latency_p50_ms: expect.any(Number),
      proxy_latency_p50_ms: expect.any(Number),
      passthrough_latency_p50_ms: expect.any(Number),
      proxy_vs_passthrough_added_latency_p50_ms: expect.any(Number),
    });
    // CPU time per request of each proxy process, read from /proc (this suite runs on Linux).
    expect(r.proxy_vs_passthrough_cpu_ratio).toBeGreaterThan(0);
    expect(r.details.proxy.proxy_cpu_us_per_request).toBeGreaterThan(0);
    expect(r.details.proxy.passthrough_cpu_us_per_request).toBeGreaterThan(0);
  });
});

import { describe, expect, it } from "vitest";
import { measure } from "../figures/throughput.mjs";
import { runBench, TARGETS } from "../run.mjs";

// Shape only: figures from a loaded CI machine mean nothing, so no assertion on their values.
describe("bench: throughput figure", () => {
  it("measures the bound client against raw undici and reports a ratio with its details", async () => {
    const r = (await measure({ requests: 200, concurrency: 4, rounds: 2 })) as {
      client_vs_undici_throughput_ratio: unknown;
      details: { throughput: Record<string, unknown> };
    };
    expect(r.client_vs_undici_throughput_ratio).toEqual(expect.any(Number));
    expect(r.client_vs_undici_throughput_ratio).toBeGreaterThan(0);
    expect(r.details.throughput).toMatchObject({
      requests_per_round: 200,
      concurrency: 4,
      rounds: 2,
      undici_rps_median: expect.any(Number),
      client_rps_median: expect.any(Number),
      ratio_per_round: [expect.any(Number), expect.any(Number)],
    });
  });

  it("runBench returns one JSON-serialisable object with figures, targets, details and meta", async () => {
    const out = (await runBench({ only: ["throughput"], quick: true })) as Record<string, unknown>;
    const parsed = JSON.parse(JSON.stringify(out)) as Record<string, unknown>;
    expect(parsed).toMatchObject({
      client_vs_undici_throughput_ratio: expect.any(Number),
      targets: TARGETS,
      details: { throughput: expect.any(Object) },
      meta: { node: process.version, quick: true },
    });
    expect(parsed).not.toHaveProperty("errors");
  });

  it("an unknown figure is an error that names the known ones", async () => {
    await expect(runBench({ only: ["nope"] })).rejects.toThrow(/unknown figure "nope" \(known: throughput/);
  });
});

// client_vs_undici_throughput_ratio: the bound client against raw undici.request, same local keep-alive
// server, same concurrency, same process, rounds interleaved (ABBA) so drift and noise hit both sides.

import { benchHome, importArcrunAuth, importUndici } from "../lib/paths.mjs";
import { startServer } from "../lib/server-process.mjs";
import { median, round } from "../lib/stats.mjs";

async function drive(total, concurrency, once) {
  let next = 0;
  const worker = async () => {
    while (next < total) {
      next++;
      await once();
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return total / seconds;
}

/**
 * @param {{ requests?: number, concurrency?: number, rounds?: number }} [options]
 * requests per side per round, concurrent requests in flight, interleaved rounds (plus one warm-up).
 */
export async function measure(options = {}) {
  const requests = options.requests ?? 10_000;
  const concurrency = options.concurrency ?? 16;
  const rounds = options.rounds ?? 8;
  const server = await startServer();
  const { home, cleanup } = await benchHome(server.origin);
  const undici = await importUndici();
  // The dispatcher the bound client sends through without a `dispatcher` option (the process's global one,
  // Node's own undici's Agent): raw undici.request goes through the same one, so the ratio is arcrun's cost.
  void globalThis.Response;
  const agent = globalThis[Symbol.for("undici.globalDispatcher.1")];
  try {
    const { createAuth } = await importArcrunAuth();
    const auth = createAuth({ home, env: { ARCRUN_STORE: "memory" } });
    const client = auth.bind("bench_api", { secret: { token: "bench-token-not-secret" } });
    const url = `${server.origin}/v1/users/me`;
    const sides = {
      undici: async () => {
        const res = await undici.request(url, {
          dispatcher: agent,
          headers: { authorization: "Bearer bench-token-not-secret", "notion-version": "2022-06-28" },
        });
        await res.body.text();
        if (res.statusCode !== 200) throw new Error(`undici: HTTP ${res.statusCode}`);
      },
      client: async () => {
        const res = await client.get("/users/me");
        await res.text();
        if (res.status !== 200) throw new Error(`client: HTTP ${res.status}`);
      },
    };
    const warm = Math.max(50, Math.floor(requests / 10));
    await drive(warm, concurrency, sides.undici);
    await drive(warm, concurrency, sides.client);
    const perRound = [];
    const rps = { undici: [], client: [] };
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? ["undici", "client"] : ["client", "undici"];
      const got = {};
      for (const side of order) got[side] = await drive(requests, concurrency, sides[side]);
      rps.undici.push(got.undici);
      rps.client.push(got.client);
      perRound.push(got.client / got.undici);
    }
    // Both sides must really have reached the server: count what it answered.
    const stats = await undici.request(`${server.origin}/stats`, { dispatcher: agent });
    const { requests: answered } = await stats.body.json();
    const sent = 2 * warm + 2 * rounds * requests;
    if (answered !== sent) throw new Error(`the server answered ${answered} requests, ${sent} were sent`);
    return {
      client_vs_undici_throughput_ratio: round(median(perRound)),
      details: {
        throughput: {
          requests_per_round: requests,
          concurrency,
          rounds,
          server_requests: answered,
          undici_rps_median: round(median(rps.undici), 0),
          client_rps_median: round(median(rps.client), 0),
          ratio_per_round: perRound.map((x) => round(x)),
        },
      },
    };
  } finally {
    // The global dispatcher is not the bench's to close.
    await server.stop();
    await cleanup();
  }
}

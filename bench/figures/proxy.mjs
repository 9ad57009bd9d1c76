// proxy_vs_bound_client_throughput_ratio and proxy_added_latency_p50_ms: `arcrun proxy` (the built CLI, in
// its own process, as users run it) against the bound client calling the same local server directly.
// Throughput: raw undici.request through the proxy vs client.get, same concurrency, rounds interleaved (ABBA).
// Latency: one request at a time, the two paths alternating; the difference of the medians.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { benchHome, importArcrunAuth, importUndici, repoRoot } from "../lib/paths.mjs";
import { startServer } from "../lib/server-process.mjs";
import { median, round } from "../lib/stats.mjs";

const CLI = join(repoRoot, "packages", "cli", "dist", "bin.js");
const TOKEN = "bench-token-not-secret";

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
  return total / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** Starts `arcrun proxy --service bench_api`; resolves with its URL, token and a stop function. */
function startProxy(home) {
  if (!existsSync(CLI)) throw new Error("packages/cli is not built; run: pnpm build");
  const child = spawn(process.execPath, [CLI, "proxy", "--service", "bench_api"], {
    env: {
      PATH: process.env.PATH ?? "",
      ARCRUN_HOME: home,
      ARCRUN_STORE: "memory",
      ARCRUN_BENCH_API_TOKEN: TOKEN,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stderr.setEncoding("utf8").on("data", (d) => {
      err += d;
    });
    child.stdout.setEncoding("utf8").on("data", (d) => {
      out += d;
      const url = /ARCRUN_PROXY_URL=(\S+)/.exec(out)?.[1];
      const token = /ARCRUN_PROXY_TOKEN=(\S+)/.exec(out)?.[1];
      if (url && token)
        resolve({
          url,
          token,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done();
              child.once("exit", () => done());
              child.kill("SIGTERM");
            }),
        });
    });
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`arcrun proxy exited early (${code}): ${err.trim()}`)));
  });
}

/**
 * @param {{ requests?: number, concurrency?: number, rounds?: number }} [options]
 */
export async function measure(options = {}) {
  const requests = options.requests ?? 5_000;
  const concurrency = options.concurrency ?? 16;
  const rounds = options.rounds ?? 6;
  const samples = Math.max(200, Math.floor(requests / 5));
  const server = await startServer();
  const { home, cleanup } = await benchHome(server.origin);
  const undici = await importUndici();
  const agent = new undici.Agent({ keepAliveTimeout: 30_000 });
  let proxy;
  try {
    proxy = await startProxy(home);
    const { createAuth } = await importArcrunAuth();
    const auth = createAuth({ home, env: { ARCRUN_STORE: "memory" } });
    const client = auth.bind("bench_api", { secret: { token: TOKEN } });
    const viaProxy = `${proxy.url}/bench_api/users/me`;
    const headers = { authorization: `Bearer ${proxy.token}` };
    const sides = {
      client: async () => {
        const res = await client.get("/users/me");
        await res.text();
        if (res.status !== 200) throw new Error(`client: HTTP ${res.status}`);
      },
      proxy: async () => {
        const res = await undici.request(viaProxy, { dispatcher: agent, headers });
        const body = await res.body.text();
        if (res.statusCode !== 200) throw new Error(`proxy: HTTP ${res.statusCode} ${body.slice(0, 200)}`);
      },
    };
    const warm = Math.max(50, Math.floor(requests / 10));
    await drive(warm, concurrency, sides.client);
    await drive(warm, concurrency, sides.proxy);
    const perRound = [];
    const rps = { client: [], proxy: [] };
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? ["client", "proxy"] : ["proxy", "client"];
      const got = {};
      for (const side of order) got[side] = await drive(requests, concurrency, sides[side]);
      rps.client.push(got.client);
      rps.proxy.push(got.proxy);
      perRound.push(got.proxy / got.client);
    }
    const latency = { client: [], proxy: [] };
    for (let i = 0; i < samples; i++) {
      for (const side of i % 2 === 0 ? ["client", "proxy"] : ["proxy", "client"]) {
        const t = process.hrtime.bigint();
        await sides[side]();
        latency[side].push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }
    // Every request must really have reached the server.
    const stats = await undici.request(`${server.origin}/stats`, { dispatcher: agent });
    const { requests: answered } = await stats.body.json();
    const sent = 2 * warm + 2 * rounds * requests + 2 * samples;
    if (answered !== sent) throw new Error(`the server answered ${answered} requests, ${sent} were sent`);
    const p50 = { client: median(latency.client), proxy: median(latency.proxy) };
    return {
      proxy_vs_bound_client_throughput_ratio: round(median(perRound)),
      proxy_added_latency_p50_ms: round(p50.proxy - p50.client),
      details: {
        proxy: {
          requests_per_round: requests,
          concurrency,
          rounds,
          latency_samples: samples,
          client_rps_median: round(median(rps.client), 0),
          proxy_rps_median: round(median(rps.proxy), 0),
          ratio_per_round: perRound.map((x) => round(x)),
          client_latency_p50_ms: round(p50.client),
          proxy_latency_p50_ms: round(p50.proxy),
        },
      },
    };
  } finally {
    await agent.close();
    await proxy?.stop();
    await server.stop();
    await cleanup();
  }
}

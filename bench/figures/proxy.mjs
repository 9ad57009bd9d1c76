// The proxy figures: `arcrun proxy` (the built CLI, in its own process, as users run it) against
//  - a minimal pass-through proxy (lib/passthrough-proxy.mjs, also its own process, no credential logic):
//    proxy_vs_passthrough_throughput_ratio and proxy_vs_passthrough_cpu_ratio (CPU time per request of each
//    proxy process) isolate what arcrun's proxy adds to what any proxy costs;
//  - the bound client calling the same local server directly: proxy_vs_bound_client_throughput_ratio, which
//    also counts the second process and loopback hop (see docs/bench.md for why both are reported).
// Throughput: raw undici.request through each proxy vs client.get, same concurrency, rounds interleaved with
// the order rotating. Latency: one request at a time, the three paths alternating; differences of medians.

import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { authDir, benchHome, importArcrunAuth, importUndici, repoRoot } from "../lib/paths.mjs";
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

/**
 * CPU time (user + system, microseconds) a process has used so far, from /proc/<pid>/stat (Linux; undefined
 * elsewhere). Unlike requests per second it does not depend on what else the machine is running.
 */
function cpuMicros(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of proc(5), in clock ticks (100 per second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
  } catch {
    return undefined;
  }
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
          pid: child.pid,
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
  let passthrough;
  try {
    proxy = await startProxy(home);
    passthrough = await startServer({
      script: fileURLToPath(new URL("../lib/passthrough-proxy.mjs", import.meta.url)),
      env: {
        UPSTREAM: `${server.origin}/v1`,
        UPSTREAM_AUTHORIZATION: `Bearer ${TOKEN}`,
        ARCRUN_AUTH_DIR: authDir,
      },
    });
    const { createAuth } = await importArcrunAuth();
    const auth = createAuth({ home, env: { ARCRUN_STORE: "memory" } });
    const client = auth.bind("bench_api", { secret: { token: TOKEN } });
    const viaProxy = `${proxy.url}/bench_api/users/me`;
    const viaPassthrough = `${passthrough.origin}/bench_api/users/me`;
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
      passthrough: async () => {
        const res = await undici.request(viaPassthrough, { dispatcher: agent });
        const body = await res.body.text();
        if (res.statusCode !== 200)
          throw new Error(`passthrough: HTTP ${res.statusCode} ${body.slice(0, 200)}`);
      },
    };
    const names = ["client", "proxy", "passthrough"];
    /** The three paths in a rotating order, so that none always runs first or last. */
    const rotated = (i) => names.map((_, k) => names[(i + k) % names.length]);
    const warm = Math.max(50, Math.floor(requests / 10));
    for (const side of names) await drive(warm, concurrency, sides[side]);
    const perRound = [];
    const perRoundPassthrough = [];
    const rps = { client: [], proxy: [], passthrough: [] };
    const cpu = { proxy: 0, passthrough: 0 };
    const pids = { proxy: proxy.pid, passthrough: passthrough.pid };
    for (let r = 0; r < rounds; r++) {
      const got = {};
      for (const side of rotated(r)) {
        const before = side === "client" ? undefined : cpuMicros(pids[side]);
        got[side] = await drive(requests, concurrency, sides[side]);
        const after = side === "client" ? undefined : cpuMicros(pids[side]);
        if (before !== undefined && after !== undefined) cpu[side] += after - before;
      }
      for (const side of names) rps[side].push(got[side]);
      perRound.push(got.proxy / got.client);
      perRoundPassthrough.push(got.proxy / got.passthrough);
    }
    const latency = { client: [], proxy: [], passthrough: [] };
    for (let i = 0; i < samples; i++) {
      for (const side of rotated(i)) {
        const t = process.hrtime.bigint();
        await sides[side]();
        latency[side].push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }
    // Every request must really have reached the server.
    const stats = await undici.request(`${server.origin}/stats`, { dispatcher: agent });
    const { requests: answered } = await stats.body.json();
    const sent = 3 * warm + 3 * rounds * requests + 3 * samples;
    if (answered !== sent) throw new Error(`the server answered ${answered} requests, ${sent} were sent`);
    const p50 = {
      client: median(latency.client),
      proxy: median(latency.proxy),
      passthrough: median(latency.passthrough),
    };
    return {
      proxy_vs_passthrough_throughput_ratio: round(median(perRoundPassthrough)),
      // The pass-through's CPU time per request over arcrun's: the throughput ratio a CPU-bound machine would
      // show, read from /proc and so far steadier than requests per second on a shared machine (null off Linux).
      proxy_vs_passthrough_cpu_ratio:
        cpu.proxy && cpu.passthrough ? round(cpu.passthrough / cpu.proxy) : null,
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
          passthrough_rps_median: round(median(rps.passthrough), 0),
          ratio_per_round: perRound.map((x) => round(x)),
          passthrough_ratio_per_round: perRoundPassthrough.map((x) => round(x)),
          passthrough_vs_bound_client_throughput_ratio: round(
            median(rps.passthrough.map((p, i) => p / (rps.client[i] ?? 1))),
          ),
          client_latency_p50_ms: round(p50.client),
          proxy_latency_p50_ms: round(p50.proxy),
          passthrough_latency_p50_ms: round(p50.passthrough),
          proxy_vs_passthrough_added_latency_p50_ms: round(p50.proxy - p50.passthrough),
          // CPU time each proxy process spent per request in the throughput rounds (null off Linux).
          proxy_cpu_us_per_request: cpu.proxy ? round(cpu.proxy / (rounds * requests), 1) : null,
          passthrough_cpu_us_per_request: cpu.passthrough
            ? round(cpu.passthrough / (rounds * requests), 1)
            : null,
        },
      },
    };
  } finally {
    await agent.close();
    await proxy?.stop();
    await passthrough?.stop();
    await server.stop();
    await cleanup();
  }
}

#!/usr/bin/env node
// Compares the throughput of two builds of arcrun-auth in one process: this tree's packages/auth/dist and
// another build (a directory with index.js, e.g. an older commit's dist), each driven like the throughput
// figure (bound client `get` + `text()`, concurrency 16) against raw undici.request on the same local server,
// rounds rotating the order of the three sides. On a loaded machine the figure's ratio to undici moves a lot
// from run to run; the per-round ratio of the two builds moves far less, so it says whether a change made
// the request path faster or slower. See docs/bench.md.
// Usage: node bench/compare.mjs <other-dist-dir> [--requests 5000] [--rounds 8]
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { authDir, benchHome, importUndici } from "./lib/paths.mjs";
import { startServer } from "./lib/server-process.mjs";
import { median, round } from "./lib/stats.mjs";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { requests: { type: "string" }, rounds: { type: "string" } },
});
const other = positionals[0];
if (!other) {
  process.stderr.write("usage: node bench/compare.mjs <other-dist-dir> [--requests N] [--rounds N]\n");
  process.exit(2);
}
const requests = Number(values.requests ?? 5000);
const rounds = Number(values.rounds ?? 8);
const concurrency = 16;

async function drive(total, once) {
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

const server = await startServer();
const { home, cleanup } = await benchHome(server.origin);
const undici = await importUndici();
const agent = new undici.Agent({ keepAliveTimeout: 30_000 });
try {
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
  };
  const builds = { this: join(authDir, "dist"), other };
  for (const [name, dir] of Object.entries(builds)) {
    const { createAuth } = await import(pathToFileURL(join(dir, "index.js")).href);
    const client = createAuth({ home, env: { ARCRUN_STORE: "memory" } }).bind("bench_api", {
      secret: { token: "bench-token-not-secret" },
    });
    sides[name] = async () => {
      const res = await client.get("/users/me");
      await res.text();
      if (res.status !== 200) throw new Error(`${name}: HTTP ${res.status}`);
    };
  }
  for (const once of Object.values(sides)) await drive(Math.max(50, requests / 10), once);
  const names = Object.keys(sides);
  const ratios = { this: [], other: [], thisOverOther: [] };
  for (let r = 0; r < rounds; r++) {
    const got = {};
    for (let i = 0; i < names.length; i++) {
      const side = names[(i + r) % names.length];
      got[side] = await drive(requests, sides[side]);
    }
    ratios.this.push(got.this / got.undici);
    ratios.other.push(got.other / got.undici);
    ratios.thisOverOther.push(got.this / got.other);
  }
  const out = {
    this_vs_undici_ratio: round(median(ratios.this)),
    other_vs_undici_ratio: round(median(ratios.other)),
    this_vs_other_ratio: round(median(ratios.thisOverOther)),
    per_round_this_vs_other: ratios.thisOverOther.map((x) => round(x)),
    requests_per_round: requests,
    rounds,
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
} finally {
  await agent.close();
  await server.stop();
  await cleanup();
}

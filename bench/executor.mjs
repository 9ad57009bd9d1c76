// executor_per_node_overhead_ms: if_control as a WASM component through the executor's host (JSPI on
// workerd) vs the same logic as a plain function, timed inside one local workerd in the same run.
// executor_workflow_p50_ms: p50 wall time of POST /webhooks/named/:name/query for a 5-node workflow
// (auth_static_key -> http_request -> if_control -> http_request -> if_control) against a local API.
// Needs `pnpm build` (components and arcrun-auth). Exports `run()` and `measure()` (bench/run.mjs shape).

import { randomBytes, randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "./lib/paths.mjs";

const executorDir = join(repoRoot, "packages", "executor-worker");
const requireExecutor = createRequire(join(executorDir, "package.json"));

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

async function startApi() {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      if (req.url === "/v1/me") return void res.end(JSON.stringify({ name: "Ada", plan: "pro" }));
      if (req.url === "/v1/events") return void res.end(JSON.stringify({ ok: true }));
      res.writeHead(404).end("{}");
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: server.address().port, close: () => new Promise((r) => server.close(r)) };
}

const WORKFLOW = `
name: bench-five
flow:
  - input >> ON_SUCCESS >> auth
  - auth >> ON_SUCCESS >> me
  - me >> ON_SUCCESS >> is_pro
  - is_pro >> ON_TRUE >> record
  - record >> ON_SUCCESS >> done
config:
  auth: { component: auth_static_key, credential: bench }
  me: { component: http_request, url: "{{auth.data.base_url}}/me", headers: "{{auth.data.headers}}" }
  is_pro: { component: if_control, left: "{{me.data.body.plan}}", operator: eq, right: pro }
  record: { component: http_request, method: POST, url: "{{auth.data.base_url}}/events", headers: "{{auth.data.headers}}", body: { who: "{{me.data.body.name}}" } }
  done: { component: if_control, left: "{{record.status}}", operator: eq, right: 200 }
`;

export async function run({ runs = 60, nodeCalls = 300, rounds = 3 } = {}) {
  const { build } = await import(pathToFileURL(requireExecutor.resolve("esbuild")).href);
  const { Miniflare } = await import(pathToFileURL(requireExecutor.resolve("miniflare")).href);
  const { deriveTenantKey, sealEnvelope } = await import(
    pathToFileURL(join(repoRoot, "packages", "workflow", "dist", "index.js")).href
  );
  const outdir = join(tmpdir(), `arcrun-bench-executor-${randomUUID()}`);
  const api = await startApi();
  let mf;
  try {
    await build({
      entryPoints: { index: join(executorDir, "test/fixtures/bench-worker.ts") },
      outdir,
      bundle: true,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      conditions: ["workerd", "worker", "browser", "import"],
      mainFields: ["module", "main"],
      loader: { ".wasm": "copy" },
      assetNames: "[name]-[hash]",
      logLevel: "error",
      absWorkingDir: executorDir,
    });
    const key = randomBytes(32).toString("base64");
    const recipe = {
      id: "bench_api",
      display_name: "Bench API",
      docs_url: "http://127.0.0.1/",
      categories: [],
      primitive: "static_key",
      base_url: `http://127.0.0.1:${api.port}/v1`,
      hosts: [`127.0.0.1:${api.port}`],
      required_secrets: [
        { key: "token", label: "Token", sensitive: true, optional: false, format: "string" },
      ],
      inject: { header: { Authorization: "Bearer {{secret.token}}" } },
    };
    mf = new Miniflare({
      modules: true,
      scriptPath: join(outdir, "index.js"),
      modulesRoot: outdir,
      modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
      compatibilityDate: "2026-04-01",
      kvNamespaces: ["ARCRUN_KV"],
      // As wrangler.toml declares it (failed API keys per address; a bench request with a good key never reaches it).
      durableObjects: { FAILED_KEYS: { className: "AddressWindow", useSQLite: true } },
      bindings: { ENCRYPTION_KEY: key, ARCRUN_RECIPES: JSON.stringify([recipe]) },
    });
    await mf.ready;
    const call = async (path, init) => {
      const res = await mf.dispatchFetch(`http://executor.bench${path}`, init);
      const body = await res.json();
      if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
      return body;
    };
    // The single-tenant executor's tenant is "default"; the credential is bound to it (docs/executor.md).
    const sealed = await sealEnvelope(await deriveTenantKey(key, "default"), "bench", "bench-token-123456");
    await call("/credentials", { method: "POST", body: JSON.stringify({ ...sealed, recipe: "bench_api" }) });
    await call("/webhooks/named", {
      method: "POST",
      headers: { "content-type": "application/yaml" },
      body: WORKFLOW,
    });

    // Per node: n calls each way, a few rounds, median of the per-call difference.
    const perNode = [];
    let mode = "";
    for (let r = 0; r < rounds; r++) {
      const m = await call(`/__bench/node?n=${nodeCalls}`);
      if (m.wasm_ms === 0) throw new Error("workerd's timer did not advance; cannot time inside the Worker");
      mode = m.mode;
      perNode.push({ wasm: m.wasm_ms / m.n, plain: m.plain_ms / m.n });
    }
    const wasmPerCall = median(perNode.map((p) => p.wasm));
    const plainPerCall = median(perNode.map((p) => p.plain));

    const walls = [];
    const inside = [];
    for (let i = 0; i < runs + 5; i++) {
      const started = process.hrtime.bigint();
      const out = await call("/webhooks/named/bench-five/query", { method: "POST", body: "{}" });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (out.status !== "succeeded" || out.trace.length !== 5)
        throw new Error(`bench workflow: ${JSON.stringify(out)}`);
      if (i >= 5) {
        walls.push(ms);
        inside.push(out.trace.reduce((n, t) => n + t.duration_ms, 0));
      }
    }
    return {
      executor_per_node_overhead_ms: Number((wasmPerCall - plainPerCall).toFixed(4)),
      executor_workflow_p50_ms: Number(median(walls).toFixed(2)),
      details: {
        executor_suspend_mode: mode,
        executor_wasm_node_ms: Number(wasmPerCall.toFixed(4)),
        executor_plain_node_ms: Number(plainPerCall.toFixed(4)),
        executor_workflow_runs: runs,
        executor_workflow_p90_ms: Number(
          [...walls].sort((a, b) => a - b)[Math.floor(walls.length * 0.9)].toFixed(2),
        ),
        executor_workflow_nodes_sum_p50_ms: median(inside),
      },
    };
  } finally {
    await mf?.dispose();
    await api.close();
    await rm(outdir, { recursive: true, force: true });
  }
}

/** The bench/run.mjs figure-module shape: `{ <figure>, details }`. */
export async function measure(options = {}) {
  // bench/run.mjs --quick passes small counts (runs, rounds); scale down the same way.
  return run(options.runs !== undefined ? { runs: 15, nodeCalls: 100, rounds: 2 } : {});
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { details, ...figure } = await run();
  process.stdout.write(`${JSON.stringify({ ...figure, details })}\n`);
}

// refresh_requests_for_1000_concurrent_calls: 1,000 concurrent calls through one bound client whose stored
// OAuth token has expired, against a local token endpoint that rotates refresh tokens and refuses a used
// one (as Auth0, Okta and oidc-provider do). Target: exactly 1 refresh request.
// Exports `run()` (the figure) and `measure()` (the bench/run.mjs figure-module shape).

import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importArcrunAuth } from "./lib/paths.mjs";

function startTokenServer() {
  let refreshToken = randomBytes(16).toString("hex");
  let accessToken = "expired-access";
  const counts = { refresh: 0, reuse: 0, ok: 0, unauthorized: 0 };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      if (req.method === "POST" && url.pathname === "/token") {
        const body = new URLSearchParams(Buffer.concat(chunks).toString());
        if (body.get("grant_type") !== "refresh_token") return void res.writeHead(400).end();
        counts.refresh++;
        res.setHeader("content-type", "application/json");
        if (body.get("refresh_token") !== refreshToken) {
          counts.reuse++;
          res.writeHead(400).end(JSON.stringify({ error: "invalid_grant" }));
          return;
        }
        refreshToken = randomBytes(16).toString("hex");
        accessToken = randomBytes(16).toString("hex");
        res.end(
          JSON.stringify({
            access_token: accessToken,
            token_type: "Bearer",
            expires_in: 3600,
            refresh_token: refreshToken,
          }),
        );
        return;
      }
      if (req.headers.authorization === `Bearer ${accessToken}` && accessToken !== "expired-access") {
        counts.ok++;
        res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
      } else {
        counts.unauthorized++;
        res.writeHead(401).end();
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const origin = `http://127.0.0.1:${server.address().port}`;
      resolve({
        origin,
        counts,
        refreshToken: () => refreshToken,
        close: () =>
          new Promise((r) => {
            server.close(() => r());
            server.closeAllConnections();
          }),
      });
    }),
  );
}

/** @param {{ calls?: number }} [options] */
export async function run(options = {}) {
  const calls = options.calls ?? 1000;
  const { createAuth } = await importArcrunAuth();
  const server = await startTokenServer();
  const home = await mkdtemp(join(tmpdir(), "arcrun-bench-refresh-"));
  try {
    await mkdir(join(home, "recipes"), { recursive: true, mode: 0o700 });
    const recipe = {
      id: "bench_refresh",
      display_name: "Bench refresh",
      docs_url: "https://example.com/docs",
      primitive: "oauth2",
      base_url: `${server.origin}/api`,
      hosts: ["127.0.0.1"],
      oauth2: {
        authorize_url: `${server.origin}/authorize`,
        token_url: `${server.origin}/token`,
        token_auth_method: "none",
        client: "byo",
      },
      inject: { header: { Authorization: "Bearer {{runtime.access_token}}" } },
    };
    await writeFile(join(home, "recipes", "bench_refresh.yaml"), JSON.stringify(recipe));
    const env = {
      ARCRUN_HOME: home,
      ARCRUN_STORE: "encrypted-file",
      ARCRUN_MASTER_KEY: randomBytes(32).toString("hex"),
      ARCRUN_BENCH_REFRESH_CLIENT_ID: "bench-client",
    };
    const auth = createAuth({ env, interactive: false, logger: { warn: () => {} } });
    const now = Date.now();
    await (await auth.store()).set("bench_refresh", "default", {
      v: 1,
      type: "oauth2",
      values: {},
      created_at: new Date(now).toISOString(),
      updated_at: new Date(now).toISOString(),
      access_token: "expired-access",
      token_type: "Bearer",
      refresh_token: server.refreshToken(),
      issued_at: now - 3_600_000,
      expires_at: now - 1000,
      client: "byo",
      status: "ok",
    });
    const client = auth.bind("bench_refresh");
    const started = process.hrtime.bigint();
    const statuses = await Promise.all(
      Array.from({ length: calls }, async () => {
        const res = await client.get("/items");
        await res.arrayBuffer();
        return res.status;
      }),
    );
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    await auth.close();
    const failed = statuses.filter((s) => s !== 200).length;
    if (failed > 0)
      throw new Error(`${failed} of ${calls} calls failed (statuses: ${[...new Set(statuses)].join(", ")})`);
    return {
      refresh_requests_for_1000_concurrent_calls: server.counts.refresh,
      details: {
        refresh_calls: calls,
        refresh_reuse_rejections: server.counts.reuse,
        refresh_total_ms: Math.round(ms),
      },
    };
  } finally {
    await server.close();
    await rm(home, { recursive: true, force: true });
  }
}

/** The bench/run.mjs figure-module shape: `{ <figure>, details }`. */
export async function measure() {
  return run();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { details, ...figure } = await run();
  process.stdout.write(`${JSON.stringify({ ...figure, details })}\n`);
}

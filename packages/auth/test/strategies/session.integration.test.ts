import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuth, type SessionCredential } from "../../src/index.js";
import { bluesky } from "../providers/profiles/bluesky.js";
import { ProviderState, type SimRequest } from "../providers/simulator.js";
import { makeHome, type TestHome } from "../support/home.js";
import { startWorker } from "../support/processes.js";

// The session primitive across processes: a session due for renewal in several processes at once is renewed
// once, under the credential's file lock, against the Bluesky stand-in (profiles/bluesky.ts), which rotates
// the refresh token on each use and refuses a used one (so a second renewal would fail and log in again).
const WORKER = fileURLToPath(new URL("../oauth/fixtures/refresh-worker.ts", import.meta.url));
const XRPC = "https://bsky.social/xrpc";
let server: Server;
let origin: string;
let home: TestHome;
const state = new ProviderState();

const count = (method: string) => state.seen.filter((r) => r.url.pathname === `/xrpc/${method}`).length;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const sim: SimRequest = {
        method: req.method ?? "GET",
        url: new URL(`https://bsky.social${req.url ?? "/"}`),
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      state.seen.push(sim);
      // The worker's GET /me is getSession: the stand-in's check of a live access JWT.
      const key =
        sim.method === "GET"
          ? `GET ${XRPC}/com.atproto.server.getSession`
          : `${sim.method} https://bsky.social${sim.url.pathname}`;
      const route = bluesky.routes[key];
      Promise.resolve(route ? route(sim, state) : { status: 404, body: "" }).then((reply) => {
        res.writeHead(reply.status, reply.headers ?? {});
        res.end(reply.body ?? "");
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  home = await makeHome();
  // The bluesky recipe's session block, on the stand-in's loopback origin.
  await home.writeRecipe({
    id: "local_bsky",
    display_name: "Local Bluesky",
    docs_url: "https://docs.bsky.app/docs/api/com-atproto-server-create-session",
    primitive: "session",
    base_url: `${origin}/xrpc`,
    hosts: ["127.0.0.1"],
    required_secrets: [
      { key: "identifier", label: "handle", sensitive: false },
      { key: "app_password", label: "app password" },
    ],
    session: {
      login: {
        url: `${origin}/xrpc/com.atproto.server.createSession`,
        json: { identifier: "{{secret.identifier}}", password: "{{secret.app_password}}" },
      },
      refresh: { url: `${origin}/xrpc/com.atproto.server.refreshSession`, bearer: "refresh_token" },
      token_path: "accessJwt",
      refresh_token_path: "refreshJwt",
      expiry_from_jwt: true,
      relogin_errors: ["ExpiredToken", "InvalidToken"],
      refresh_on_status: [400, 401],
      inject: { header: { Authorization: "Bearer {{runtime.access_token}}" } },
    },
    test: { method: "GET", path: "/com.atproto.server.getSession", expect_status: 200 },
  });
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await home?.cleanup();
});

async function stored(): Promise<SessionCredential> {
  const auth = createAuth({ env: home.env, interactive: false });
  const c = await (await auth.store()).get("local_bsky", "default");
  await auth.close();
  if (c?.type !== "session") throw new Error("no session credential stored");
  return c;
}

describe("a session renewed under contention", () => {
  it("4 processes x 20 concurrent requests on a session due for renewal: all succeed, exactly one refresh, no new login", async () => {
    const setup = createAuth({ env: home.env, interactive: false });
    await setup.login("local_bsky", { values: bluesky.values, verify: true });
    await setup.close();
    const before = await stored();
    expect(count("com.atproto.server.createSession")).toBe(1);
    // Due: the record says the access token has expired (the stand-in still takes it; only the client decides).
    const auth = createAuth({ env: home.env, interactive: false });
    await (await auth.store()).set("local_bsky", "default", {
      ...before,
      issued_at: Date.now() - 7_200_000,
      expires_at: Date.now() - 1000,
    });
    await auth.close();

    const workers = Array.from({ length: 4 }, () =>
      startWorker(WORKER, { ...home.env, WORKER_SERVICE: "local_bsky", WORKER_REQUESTS: "20" }),
    );
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.go();
    const outcomes = await Promise.all(workers.map((w) => w.done));
    const statuses = outcomes.flatMap((o) => {
      expect(o.code, o.stderr).toBe(0);
      return (JSON.parse(o.lines.at(-1) ?? "{}") as { results: Array<number | string> }).results;
    });
    expect(statuses).toHaveLength(80);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(count("com.atproto.server.refreshSession")).toBe(1);
    expect(count("com.atproto.server.createSession")).toBe(1);
    const after = await stored();
    expect(after.refresh_token).not.toBe(before.refresh_token);
    expect(after.expires_at).toBeGreaterThan(Date.now() + 3_600_000);
  });
});

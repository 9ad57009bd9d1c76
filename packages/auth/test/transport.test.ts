// The transport under the bound client: with no `dispatcher` option it sends through the process's global
// dispatcher (Node's fetch's), and its response handler works with a dispatcher of every undici major a
// caller may hold: 6 (Node 20 and 22's own; the old handler API only), 7 (both APIs), 8 (the new one only).
// Real local servers and real undici copies (devDependencies undici-v6 and undici-v8), nothing mocked.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";
import { resolve } from "node:path";
import { promisify } from "node:util";
import * as undici7 from "undici";
import * as undici6 from "undici-v6";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Auth, createAuth, MemoryStore } from "../src/index.js";
import { localRecipe, tempHome } from "./helpers/home.js";
import { startServer, type TestServer } from "./helpers/server.js";

const run = promisify(execFile);
const PKG = resolve(import.meta.dirname, "..");
const DIST = resolve(PKG, "dist/index.js");
const GLOBAL_DISPATCHER = Symbol.for("undici.globalDispatcher.1");
const [major, minor] = process.versions.node.split(".").map(Number) as [number, number];
/** undici 8's engines field: node >= 22.19. */
const undici8Runs = major > 22 || (major === 22 && minor >= 19);
/** NODE_USE_ENV_PROXY: Node 24, and 22.21 onwards. */
const envProxyRuns = major > 22 || (major === 22 && minor >= 21);

const BIG = 3 * 1024 * 1024;
let api: TestServer;
let home: ReturnType<typeof tempHome>;

beforeAll(async () => {
  api = await startServer((req, res) => {
    if (req.url.endsWith("/cookies")) {
      res.setHeader("set-cookie", ["a=1", "b=2"]);
      res.end("ok");
      return;
    }
    if (req.url.endsWith("/big")) {
      // More than the client buffers before it pauses the connection (1 MiB): backpressure both ways.
      res.setHeader("content-length", String(BIG));
      const chunk = Buffer.alloc(64 * 1024, 120);
      let left = BIG;
      const write = () => {
        while (left > 0) {
          left -= chunk.length;
          if (!res.write(chunk)) {
            res.once("drain", write);
            return;
          }
        }
        res.end();
      };
      write();
      return;
    }
    if (req.url.endsWith("/empty")) {
      res.statusCode = 204;
      res.end();
      return;
    }
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ url: req.url, authorization: req.headers.authorization, body: req.body }));
  });
  home = tempHome({ notion_local: localRecipe("notion_local", "notion", api.url, "/v1") });
});

afterAll(async () => {
  await api.close();
  home.cleanup();
});

function authWith(dispatcher?: undici7.Dispatcher): Auth {
  return createAuth({
    home: home.home,
    store: new MemoryStore(),
    env: {},
    interactive: false,
    secretsDirs: [],
    ...(dispatcher ? { dispatcher } : {}),
  });
}

interface AgentLike {
  close(): Promise<void>;
}

/** The same checks through each dispatcher: headers, a streamed body with backpressure, 204, POST, abort. */
async function exercise(dispatcher: undici7.Dispatcher | undefined): Promise<void> {
  const client = authWith(dispatcher).bind("notion_local", { secret: { token: "secret_t" } });

  const res = await client.get("/users/me");
  expect(res).toBeInstanceOf(Response);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("application/json");
  expect(await res.json()).toEqual({ url: "/v1/users/me", authorization: "Bearer secret_t", body: "" });

  const cookies = await client.get("/cookies");
  expect(cookies.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
  expect(await cookies.text()).toBe("ok");

  const big = await client.get("/big");
  expect((await big.arrayBuffer()).byteLength).toBe(BIG);

  // Read as a stream, slowly: the connection is paused and resumed, and every byte arrives.
  const streamed = await client.get("/big");
  let total = 0;
  const reader = (streamed.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total < 256 * 1024) await new Promise((r) => setTimeout(r, 1));
  }
  expect(total).toBe(BIG);

  const empty = await client.get("/empty");
  expect(empty.status).toBe(204);
  expect(empty.body).toBeNull();

  const posted = await client.post("/pages", { json: { a: 1 } });
  expect(await posted.json()).toMatchObject({ url: "/v1/pages", body: '{"a":1}' });

  // Cancelled mid-body: the reader stops, the request is aborted, the client keeps working.
  const cancelled = await client.get("/big");
  const r2 = (cancelled.body as ReadableStream<Uint8Array>).getReader();
  await r2.read();
  await r2.cancel();
  const ac = new AbortController();
  const aborted = client.get("/big", { signal: ac.signal }).then(async (r) => {
    ac.abort(new Error("stop"));
    return r.arrayBuffer();
  });
  await expect(aborted).rejects.toThrow();
  expect((await client.get("/users/me")).status).toBe(200);

  // Nothing listens there: a clear ERR_NETWORK, not undici's error.
  const closed = await startServer();
  const port = closed.port;
  await closed.close();
  const deadHome = tempHome({ dead_local: localRecipe("dead_local", "notion", `http://127.0.0.1:${port}`) });
  const dead = createAuth({
    home: deadHome.home,
    store: new MemoryStore(),
    env: {},
    interactive: false,
    secretsDirs: [],
    ...(dispatcher ? { dispatcher } : {}),
  });
  try {
    await expect(dead.bind("dead_local", { secret: { token: "t" } }).get("/x")).rejects.toMatchObject({
      code: "ERR_NETWORK",
    });
  } finally {
    deadHome.cleanup();
  }
}

describe("the bound client's transport", () => {
  it("default: Node's own undici through the global dispatcher (the old handler API on Node 20/22)", async () => {
    await exercise(undefined);
  });

  it("a caller's undici 7 Agent (both handler APIs; the new one is used)", async () => {
    const agent = new undici7.Agent();
    try {
      await exercise(agent);
    } finally {
      await agent.close();
    }
  });

  it("a caller's undici 6 Agent (only the old handler API)", async () => {
    const agent = new undici6.Agent();
    try {
      await exercise(agent as unknown as undici7.Dispatcher);
    } finally {
      await agent.close();
    }
  });

  it.skipIf(!undici8Runs)(
    "a caller's undici 8 Agent (only the new handler API; undici 8 needs Node >= 22.19)",
    async () => {
      const undici8 = (await import("undici-v8")) as unknown as typeof undici7;
      const agent = new undici8.Agent() as unknown as undici7.Dispatcher & AgentLike;
      try {
        await exercise(agent);
      } finally {
        await agent.close();
      }
    },
  );

  it("undici's setGlobalDispatcher applies to a client without a dispatcher, as it does to fetch", async () => {
    const g = globalThis as unknown as Record<symbol, unknown>;
    const before = g[GLOBAL_DISPATCHER];
    const seen: string[] = [];
    const agent = new undici7.Agent();
    undici7.setGlobalDispatcher(
      agent.compose((dispatch) => (opts, handler) => {
        seen.push(`${opts.method} ${opts.path}`);
        return dispatch(opts, handler);
      }),
    );
    try {
      const res = await authWith()
        .bind("notion_local", { secret: { token: "t" } })
        .get("/users/me");
      expect(res.status).toBe(200);
      await res.text();
      await (await fetch(`${api.url}/v1/by-fetch`)).text();
      expect(seen).toEqual(["GET /v1/users/me", "GET /v1/by-fetch"]);
    } finally {
      g[GLOBAL_DISPATCHER] = before;
      await agent.close();
    }
  });
});

/** Runs a script against the built package in a fresh Node process; its stdout parsed as JSON. */
async function child(script: string, env: Record<string, string>): Promise<Record<string, unknown>> {
  // Asynchronous: the proxy below answers from this process while the child runs.
  const { stdout } = await run(
    process.execPath,
    ["--import", "./test/fixtures/trace-loads.mjs", "--input-type=module", "-e", script],
    { cwd: PKG, env: { PATH: process.env.PATH ?? "", DIST, ...env } },
  );
  return JSON.parse(stdout) as Record<string, unknown>;
}

const COLD = `
const mod = await import(process.env.DIST);
const auth = mod.createAuth({ home: process.env.HOME_DIR, store: "memory", env: {}, interactive: false });
const res = await auth.bind("notion_local", { secret: { token: "t" } }).get("/users/me");
const body = await res.json();
await globalThis.__flushLoads();
const npmUndici = [...globalThis.__loadedModules].filter((u) => /undici/.test(u));
process.stdout.write(JSON.stringify({ status: res.status, body, npmUndici }));
`;

describe("the transport in a fresh process (built package)", () => {
  let proxy: Server;
  let proxyUrl: string;
  const proxied: string[] = [];
  beforeAll(async () => {
    // A forward proxy: a request in absolute form (RFC 9112 section 3.2.2) is forwarded; CONNECT (RFC 9110
    // section 9.3.6, what undici's proxy agent sends, even for http:// targets) opens a tunnel.
    proxy = createServer((req, res) => {
      proxied.push(`${req.method} ${req.url}`);
      const target = new URL(req.url ?? "");
      const up = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method: req.method,
          headers: req.headers,
        },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      req.pipe(up);
    });
    proxy.on("connect", (req, socket: Socket, head: Buffer) => {
      proxied.push(`${req.method} ${req.url}`);
      const [host, port] = (req.url ?? "").split(":");
      const up = connect(Number(port), host ?? "", () => {
        socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        if (head.length > 0) up.write(head);
        up.pipe(socket);
        socket.pipe(up);
      });
      up.on("error", () => socket.destroy());
      socket.on("error", () => up.destroy());
    });
    await new Promise<void>((done) => proxy.listen(0, "127.0.0.1", done));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((done) => proxy.close(() => done())));

  it("a bind and first request without a dispatcher load no npm undici (one HTTP stack, Node's own)", async () => {
    expect(existsSync(DIST), "build first: pnpm --filter arcrun-auth build").toBe(true);
    const out = await child(COLD, { HOME_DIR: home.home });
    expect(out.status).toBe(200);
    expect(out.body).toMatchObject({ url: "/v1/users/me", authorization: "Bearer t" });
    expect(out.npmUndici).toEqual([]);
  });

  it.skipIf(!envProxyRuns)(
    "NODE_USE_ENV_PROXY=1 with HTTP_PROXY sends the bound client through the proxy, as fetch (Node 22.21+ and 24 only)",
    async () => {
      proxied.length = 0;
      const out = await child(COLD, {
        HOME_DIR: home.home,
        NODE_USE_ENV_PROXY: "1",
        HTTP_PROXY: proxyUrl,
        NODE_NO_WARNINGS: "1",
      });
      expect(out.status).toBe(200);
      expect(proxied).toEqual([`CONNECT 127.0.0.1:${api.port}`]);
    },
  );
});

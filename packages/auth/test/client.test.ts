import { Readable } from "node:stream";
import { request, fetch as undiciFetch } from "undici";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Auth, createAuth, MemoryStore } from "../src/index.js";
import { localRecipe, tempHome } from "./helpers/home.js";
import { startServer, type TestServer } from "./helpers/server.js";

let api: TestServer;
let other: TestServer;
let home: ReturnType<typeof tempHome>;
let auth: Auth;

beforeAll(async () => {
  other = await startServer((_req, res) => res.end("other"));
  api = await startServer((req, res) => {
    const u = new URL(req.url, "http://x");
    if (u.pathname.endsWith("/redirect-out")) {
      res.writeHead(302, { location: `http://localhost:${other.port}/stolen` });
      res.end();
      return;
    }
    if (u.pathname.endsWith("/redirect-in")) {
      res.writeHead(307, { location: "/v1/landed" });
      res.end();
      return;
    }
    if (u.pathname.endsWith("/see-other")) {
      res.writeHead(303, { location: "/v1/landed" });
      res.end();
      return;
    }
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ method: req.method, url: req.url, body: req.body }));
  });
  home = tempHome({
    notion_local: localRecipe("notion_local", "notion", api.url, "/v1"),
    trello_local: localRecipe("trello_local", "trello", api.url, "/1"),
    telegram_local: localRecipe("telegram_local", "telegram", api.url),
    twilio_local: localRecipe("twilio_local", "twilio", api.url, "/2010-04-01"),
    mailgun_local: localRecipe("mailgun_local", "mailgun", api.url),
  });
  auth = createAuth({
    home: home.home,
    store: new MemoryStore(),
    env: {},
    interactive: false,
    secretsDirs: [],
  });
  await auth.setSecret("notion_local", { token: "secret_notion_1" });
  await auth.setSecret("trello_local", { api_key: "trello-key-1", token: "trello-token-1" });
  await auth.setSecret("telegram_local", { token: "123456:telegram-secret" });
  await auth.setSecret("twilio_local", {
    account_sid: "AC0123456789abcdef0123456789abcdef",
    auth_token: "twilio-tok",
  });
  await auth.setSecret("mailgun_local", { username: "api", api_key: "key-mailgun" });
});

afterAll(async () => {
  await auth.close();
  await api.close();
  await other.close();
  home.cleanup();
});

const last = () => api.seen[api.seen.length - 1];

describe("injection against a real HTTP server", () => {
  it("header injection (notion): Authorization and Notion-Version", async () => {
    const res = await auth.bind("notion_local").get("/users/me");
    expect(res).toBeInstanceOf(Response);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ method: "GET", url: "/v1/users/me" });
    expect(last()?.headers.authorization).toBe("Bearer secret_notion_1");
    expect(last()?.headers["notion-version"]).toBe("2022-06-28");
  });

  it("query injection (trello): key and token appended to the caller's query", async () => {
    await auth.bind("trello_local").get("/members/me", { query: { fields: "username", n: 2 } });
    const u = new URL(last()?.url ?? "", "http://x");
    expect(u.pathname).toBe("/1/members/me");
    expect(u.searchParams.get("fields")).toBe("username");
    expect(u.searchParams.get("n")).toBe("2");
    expect(u.searchParams.get("key")).toBe("trello-key-1");
    expect(u.searchParams.get("token")).toBe("trello-token-1");
  });

  it("path prefix injection (telegram): /bot<token>/method", async () => {
    await auth.bind("telegram_local").post("/sendMessage", { json: { chat_id: 1, text: "hi" } });
    expect(last()?.url).toBe("/bot123456:telegram-secret/sendMessage");
    expect(last()?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(last()?.body ?? "")).toEqual({ chat_id: 1, text: "hi" });
  });

  it("basic injection (twilio, mailgun): base64(user:password)", async () => {
    await auth.bind("twilio_local").get("/Accounts.json");
    expect(last()?.headers.authorization).toBe(
      `Basic ${Buffer.from("AC0123456789abcdef0123456789abcdef:twilio-tok").toString("base64")}`,
    );
    await auth.bind("mailgun_local").get("/v4/domains");
    expect(last()?.headers.authorization).toBe(`Basic ${Buffer.from("api:key-mailgun").toString("base64")}`);
  });

  it("the recipe's test request renders secrets in its path (twilio)", async () => {
    const t = await auth.test("twilio_local");
    expect(t).toMatchObject({ ok: true, tested: true, status: 200 });
    expect(last()?.url).toBe("/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef.json");
  });

  it("injected headers override the caller's; other caller headers pass through", async () => {
    await auth.bind("notion_local").fetch("/pages", {
      method: "PATCH",
      headers: { Authorization: "Bearer caller", "X-Trace": "t1" },
      body: "raw",
    });
    expect(last()?.method).toBe("PATCH");
    expect(last()?.headers.authorization).toBe("Bearer secret_notion_1");
    expect(last()?.headers["x-trace"]).toBe("t1");
    expect(last()?.body).toBe("raw");
  });

  it("sends bodies of every fetch kind (URLSearchParams, bytes, stream)", async () => {
    const c = auth.bind("notion_local");
    await c.post("/form", { body: new URLSearchParams({ a: "1" }) });
    expect(last()?.headers["content-type"]).toContain("application/x-www-form-urlencoded");
    expect(last()?.body).toBe("a=1");
    await c.put("/bytes", { body: new TextEncoder().encode("bytes!") });
    expect(last()?.body).toBe("bytes!");
    await c.post("/stream", { body: Readable.from([Buffer.from("str"), Buffer.from("eam")]) });
    expect(last()?.body).toBe("stream");
  });

  it("response body can be streamed, cloned, and read once", async () => {
    const res = await auth.bind("notion_local").get("/users/me");
    const copy = res.clone();
    const reader = res.body?.getReader();
    let text = "";
    for (;;) {
      const r = await reader?.read();
      if (!r || r.done) break;
      text += new TextDecoder().decode(r.value);
    }
    expect(JSON.parse(text).url).toBe("/v1/users/me");
    expect(await copy.json()).toMatchObject({ url: "/v1/users/me" });
    const again = await auth.bind("notion_local").get("/users/me");
    await again.text();
    await expect(again.text()).rejects.toThrow(TypeError);
    expect(again.bodyUsed).toBe(true);
    expect(again.url).toBe(`${api.url}/v1/users/me`);
  });
});

describe("host allow-list", () => {
  it("refuses an absolute URL on another host before sending anything", async () => {
    const before = other.seen.length;
    const err = await auth
      .bind("notion_local")
      .fetch(`http://localhost:${other.port}/x`)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "ERR_HOST_NOT_ALLOWED" });
    expect((err as Error).message).toContain(
      "Refused to send the notion_local credential to http://localhost:",
    );
    expect((err as Error).message).toMatch(/run: arcrun recipe show notion_local$/);
    expect((err as Error).message).not.toContain("secret_notion_1");
    expect(other.seen.length).toBe(before);
  });

  it("refuses a redirect to a host outside the list; the other host receives nothing", async () => {
    const before = other.seen.length;
    const err = await auth
      .bind("notion_local")
      .get("/redirect-out")
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "ERR_HOST_NOT_ALLOWED" });
    expect(other.seen.length).toBe(before);
  });

  it("redirect: manual returns the 3xx untouched", async () => {
    const res = await auth.bind("notion_local").get("/redirect-out", { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toContain("/stolen");
  });

  it("follows a redirect inside the allowed hosts with the credential (307 keeps method and body)", async () => {
    const res = await auth.bind("notion_local").post("/redirect-in", { json: { a: 1 } });
    expect(await res.json()).toMatchObject({ method: "POST", url: "/v1/landed" });
    expect(last()?.headers.authorization).toBe("Bearer secret_notion_1");
    expect(last()?.body).toBe('{"a":1}');
  });

  it("303 turns into a GET without body", async () => {
    const res = await auth.bind("notion_local").post("/see-other", { json: { a: 1 } });
    expect(await res.json()).toMatchObject({ method: "GET", url: "/v1/landed" });
  });

  it("a redirect to another allowed host keeps the credential; query credentials are not copied into Location", async () => {
    const h = tempHome({
      trello_two: localRecipe("trello_two", "trello", api.url, "/1", ["127.0.0.1", "localhost"]),
    });
    const a = createAuth({
      home: h.home,
      store: new MemoryStore(),
      env: {},
      interactive: false,
      secretsDirs: [],
    });
    await a.setSecret("trello_two", { api_key: "k2", token: "t2" });
    const jump = await startServer((_req, res) => {
      res.writeHead(302, { location: `http://localhost:${other.port}/moved?key=k2&token=t2&x=1` });
      res.end();
    });
    try {
      const res = await a.bind("trello_two").fetch(`${jump.url.replace("127.0.0.1", "127.0.0.1")}/start`);
      expect(await res.text()).toBe("other");
      const got = new URL(other.seen[other.seen.length - 1]?.url ?? "", "http://x");
      expect(got.searchParams.getAll("key")).toEqual(["k2"]);
      expect(got.searchParams.get("x")).toBe("1");
    } finally {
      await jump.close();
      await a.close();
      h.cleanup();
    }
  });
});

describe("retry", () => {
  it("honours Retry-After on 429 for GET, then succeeds", async () => {
    let n = 0;
    const s = await startServer((_req, res) => {
      n++;
      if (n === 1) {
        res.writeHead(429, { "retry-after": "1" });
        res.end("slow down");
        return;
      }
      res.end("ok");
    });
    const h = tempHome({ notion_r: localRecipe("notion_r", "notion", s.url, "/v1") });
    const a = createAuth({
      home: h.home,
      store: new MemoryStore(),
      env: {},
      interactive: false,
      secretsDirs: [],
    });
    await a.setSecret("notion_r", { token: "t" });
    try {
      const t0 = Date.now();
      const res = await a.bind("notion_r").get("/x");
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("ok");
      expect(s.seen.length).toBe(2);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    } finally {
      await a.close();
      await s.close();
      h.cleanup();
    }
  });

  it("does not retry a POST, nor wait for a Retry-After longer than maxRetryDelayMs", async () => {
    const s = await startServer((_req, res) => {
      res.writeHead(503, { "retry-after": new Date(Date.now() + 3_600_000).toUTCString() });
      res.end("down");
    });
    const h = tempHome({ notion_r: localRecipe("notion_r", "notion", s.url, "/v1") });
    const a = createAuth({
      home: h.home,
      store: new MemoryStore(),
      env: {},
      interactive: false,
      secretsDirs: [],
      maxRetryDelayMs: 5_000,
    });
    await a.setSecret("notion_r", { token: "t" });
    try {
      expect((await a.bind("notion_r").post("/x", { json: {} })).status).toBe(503);
      expect(s.seen.length).toBe(1);
      expect((await a.bind("notion_r").get("/x")).status).toBe(503);
      expect(s.seen.length).toBe(2);
    } finally {
      await a.close();
      await s.close();
      h.cleanup();
    }
  });

  it("retries once after a 401 when the stored key changed meanwhile", async () => {
    let good = "old";
    const s = await startServer((req, res) => {
      res.statusCode = req.headers.authorization === `Bearer ${good}` ? 200 : 401;
      res.end();
    });
    const h = tempHome({ notion_r: localRecipe("notion_r", "notion", s.url, "/v1") });
    const store = new MemoryStore();
    const opts = { home: h.home, store, env: {}, interactive: false, secretsDirs: [] };
    const a = createAuth(opts);
    const b = createAuth(opts);
    await a.setSecret("notion_r", { token: "old" });
    try {
      const c = a.bind("notion_r");
      expect((await c.get("/x")).status).toBe(200);
      good = "new";
      await b.setSecret("notion_r", { token: "new" });
      expect((await c.get("/x")).status).toBe(200);
      expect(s.seen.map((r) => r.headers.authorization)).toEqual(["Bearer old", "Bearer old", "Bearer new"]);
      // Same key still rejected: one request, no retry loop.
      good = "other";
      expect((await c.get("/x")).status).toBe(401);
      expect(s.seen.length).toBe(4);
    } finally {
      await a.close();
      await s.close();
      h.cleanup();
    }
  });
});

describe("fetchFn and dispatcher", () => {
  it("fetchFn is fetch-compatible (string, URL, Request)", async () => {
    const f = auth.bind("notion_local").fetchFn;
    await f(`${api.url}/v1/a`, { method: "POST", body: "x", headers: new Headers({ "x-a": "1" }) });
    expect(last()).toMatchObject({ method: "POST", url: "/v1/a", body: "x" });
    expect(last()?.headers["x-a"]).toBe("1");
    expect(last()?.headers.authorization).toBe("Bearer secret_notion_1");
    await f(new Request(`${api.url}/v1/b`, { method: "PUT", body: "y" }));
    expect(last()).toMatchObject({ method: "PUT", url: "/v1/b", body: "y" });
    await expect(f("https://example.com/")).rejects.toMatchObject({ code: "ERR_HOST_NOT_ALLOWED" });
  });

  it("bad input rejects the returned promise, never throws where the call is made", async () => {
    // The methods build a request without awaiting when nothing has to be read; errors still arrive as
    // rejections, as from an async function.
    const c = auth.bind("notion_local");
    let p: Promise<Response> | undefined;
    expect(() => {
      p = c.post("/v1/x", { body: 42 as unknown as string });
    }).not.toThrow();
    await expect(p).rejects.toMatchObject({ code: "ERR_INVALID_OPTION" });
    let q: Promise<Response> | undefined;
    expect(() => {
      q = c.fetch("https://[not-a-host/x");
    }).not.toThrow();
    await expect(q).rejects.toThrow();
  });

  it("an absolute URL on the recipe's host works without an options object (no fast path skips the check)", async () => {
    const c = auth.bind("notion_local");
    const res = await c.get(`${api.url}/v1/users/me`);
    expect(res.status).toBe(200);
    expect(last()?.url).toBe("/v1/users/me");
    expect(last()?.headers.authorization).toBe("Bearer secret_notion_1");
    const before = other.seen.length;
    await expect(c.get(`http://localhost:${other.port}/v1/x`)).rejects.toMatchObject({
      code: "ERR_HOST_NOT_ALLOWED",
    });
    expect(other.seen.length).toBe(before);
  });

  it("dispatcher retries once after a 401 when the stored key changed meanwhile, as the methods do", async () => {
    let good = "old";
    const s = await startServer((req, res) => {
      res.statusCode = req.headers.authorization === `Bearer ${good}` ? 200 : 401;
      res.end(req.method === "POST" ? req.body : "");
    });
    const h = tempHome({ notion_d: localRecipe("notion_d", "notion", s.url, "/v1") });
    const store = new MemoryStore();
    const opts = { home: h.home, store, env: {}, interactive: false, secretsDirs: [] };
    const a = createAuth(opts);
    const b = createAuth(opts);
    await a.setSecret("notion_d", { token: "old" });
    try {
      const d = a.bind("notion_d").dispatcher;
      const first = await request(`${s.url}/v1/x`, { dispatcher: d });
      expect(first.statusCode).toBe(200);
      await first.body.text();
      good = "new";
      await b.setSecret("notion_d", { token: "new" });
      const second = await request(`${s.url}/v1/x`, { dispatcher: d, method: "POST", body: "payload" });
      expect(second.statusCode).toBe(200);
      expect(await second.body.text()).toBe("payload");
      expect(s.seen.map((r) => r.headers.authorization)).toEqual(["Bearer old", "Bearer old", "Bearer new"]);
    } finally {
      await a.close();
      await s.close();
      h.cleanup();
    }
  });

  it("dispatcher serves undici's fetch too, streaming a large body to the end", async () => {
    const big = "x".repeat(1 << 20);
    const s = await startServer((req, res) => {
      res.statusCode = req.headers.authorization === "Bearer secret_notion_1" ? 200 : 401;
      res.end(big);
    });
    const h = tempHome({ notion_big: localRecipe("notion_big", "notion", s.url, "/v1") });
    const a = createAuth({
      home: h.home,
      store: new MemoryStore(),
      env: {},
      interactive: false,
      secretsDirs: [],
    });
    await a.setSecret("notion_big", { token: "secret_notion_1" });
    try {
      const res = await undiciFetch(`${s.url}/v1/big`, { dispatcher: a.bind("notion_big").dispatcher });
      expect(res.status).toBe(200);
      expect((await res.text()).length).toBe(big.length);
    } finally {
      await a.close();
      await s.close();
      h.cleanup();
    }
  });

  it("dispatcher hands undici the response as it came: repeated headers, the body in order", async () => {
    const parts = Array.from({ length: 64 }, (_, i) => `${String(i).padStart(4, "0")}${"y".repeat(16_380)}`);
    const s = await startServer((_req, res) => {
      res.setHeader("set-cookie", ["a=1; Path=/", "b=2; Path=/"]);
      res.setHeader("x-one", "1");
      for (const p of parts) res.write(p);
      res.end();
    });
    const h = tempHome({ notion_h: localRecipe("notion_h", "notion", s.url, "/v1") });
    const a = createAuth({
      home: h.home,
      store: new MemoryStore(),
      env: {},
      interactive: false,
      secretsDirs: [],
    });
    await a.setSecret("notion_h", { token: "secret_notion_1" });
    try {
      const r = await request(`${s.url}/v1/h`, { dispatcher: a.bind("notion_h").dispatcher });
      expect(r.statusCode).toBe(200);
      expect(r.headers["set-cookie"]).toEqual(["a=1; Path=/", "b=2; Path=/"]);
      expect(r.headers["x-one"]).toBe("1");
      expect(await r.body.text()).toBe(parts.join(""));
      expect(s.seen[0]?.headers.authorization).toBe("Bearer secret_notion_1");
    } finally {
      await a.close();
      await s.close();
      h.cleanup();
    }
  });

  it("dispatcher: a reader that stops early cancels the upstream request", async () => {
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    const s = await startServer((_req, res) => {
      // An endless body: only the client going away ends it.
      timer = setInterval(() => res.write("z".repeat(65_536)), 5);
      res.on("close", () => {
        clearInterval(timer);
        closed = true;
      });
    });
    const h = tempHome({ notion_c: localRecipe("notion_c", "notion", s.url, "/v1") });
    const a = createAuth({
      home: h.home,
      store: new MemoryStore(),
      env: {},
      interactive: false,
      secretsDirs: [],
    });
    await a.setSecret("notion_c", { token: "secret_notion_1" });
    try {
      const r = await request(`${s.url}/v1/c`, { dispatcher: a.bind("notion_c").dispatcher });
      expect(r.statusCode).toBe(200);
      for await (const chunk of r.body) {
        expect(chunk.length).toBeGreaterThan(0);
        break;
      }
      await vi.waitFor(() => expect(closed).toBe(true), { timeout: 10_000 });
    } finally {
      clearInterval(timer);
      await a.close();
      await s.close();
      h.cleanup();
    }
  });

  it("dispatcher injects the credential into undici.request and refuses other hosts", async () => {
    const d = auth.bind("trello_local").dispatcher;
    const r = await request(`${api.url}/1/boards?x=1`, { dispatcher: d });
    await r.body.text();
    const u = new URL(last()?.url ?? "", "http://x");
    expect(u.searchParams.get("token")).toBe("trello-token-1");
    expect(u.searchParams.get("x")).toBe("1");
    const before = other.seen.length;
    await expect(request(`http://localhost:${other.port}/x`, { dispatcher: d })).rejects.toMatchObject({
      code: "ERR_HOST_NOT_ALLOWED",
    });
    expect(other.seen.length).toBe(before);
  });
});

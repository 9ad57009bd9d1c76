import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getRecipe } from "@arcrun/recipes";
import { type Auth, createAuth } from "arcrun-auth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newProxyToken, type RunningProxy, startProxy } from "../../src/internal/proxy.js";

const KEY = `sk-ant-${randomBytes(16).toString("hex")}`;
const BOT = `123456:${randomBytes(16).toString("hex")}`;
const ROBOT = `u${randomBytes(12).toString("hex")}`;
const OAUTH_TOKEN = `oauth-${randomBytes(12).toString("hex")}`;
let api: Server;
let proxy: RunningProxy;
let auth: Auth;
let home: string;
/** TCP connections the stand-in accepted (the proxy keeps its upstream connections alive). */
let connections = 0;
/** Server-sent event streams of the stand-in that ended (their client went away). */
let streamsClosed = 0;
const token = newProxyToken();
const seen: Array<{
  method: string;
  url: string;
  headers: Record<string, unknown>;
  sha: string;
  bytes: number;
}> = [];

beforeAll(async () => {
  // A stand-in for the Anthropic API (docs.anthropic.com/en/api/overview): "x-api-key" and
  // "anthropic-version" are required headers; a wrong key is 401 authentication_error, a missing version
  // 400 invalid_request_error (docs.anthropic.com/en/api/errors).
  api = createServer((req, res) => {
    const hash = createHash("sha256");
    let bytes = 0;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => {
      hash.update(c);
      bytes += c.length;
      chunks.push(c);
    });
    req.on("end", () => {
      seen.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        sha: hash.digest("hex"),
        bytes,
      });
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (req.url?.startsWith("/v2/")) {
        // UptimeRobot (https://uptimerobot.com/api/): the api_key in the form body; a wrong one is 200 with
        // "stat": "fail".
        const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
        const ok = form.get("api_key") === ROBOT;
        return send(200, ok ? { stat: "ok", form: Object.fromEntries(form) } : { stat: "fail" });
      }
      if (req.headers["x-api-key"] !== KEY)
        return send(401, {
          type: "error",
          error: { type: "authentication_error", message: "invalid x-api-key" },
        });
      if (!req.headers["anthropic-version"])
        return send(400, {
          type: "error",
          error: { type: "invalid_request_error", message: "anthropic-version: header is required" },
        });
      if (req.url?.startsWith("/v1/stream")) {
        // Server-sent events until the reader goes away, after an optional delay before the headers.
        const delay = Number(new URL(req.url, "http://x").searchParams.get("delay") ?? 0);
        let timer: NodeJS.Timeout | undefined;
        res.on("close", () => {
          clearInterval(timer);
          streamsClosed++;
        });
        setTimeout(() => {
          if (res.destroyed) return;
          res.writeHead(200, { "content-type": "text/event-stream" });
          timer = setInterval(() => res.write("data: tick\n\n"), 20);
        }, delay);
        return;
      }
      send(200, { data: [{ id: "claude-test", type: "model" }], url: req.url, bytes });
    });
  });
  api.on("connection", () => {
    connections++;
  });
  await new Promise<void>((r) => api.listen(0, "127.0.0.1", r));
  const origin = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  // The shipped anthropic recipe; its real host goes to the stand-in (test-only preload, see its header).
  process.env.ARCRUN_TEST_HOST_MAP = JSON.stringify({
    "api.anthropic.com": origin,
    "api.telegram.org": origin,
    "api.uptimerobot.com": origin,
  });
  await import("../support/host-map.mjs");
  home = await mkdtemp(join(tmpdir(), "arcrun-proxy-"));
  // UptimeRobot with an OAuth alternative whose inject is a header (a made-up shape, to test the proxy's
  // rule): connected through OAuth, the key's body field api_key is not filled by anything.
  await mkdir(join(home, "recipes"), { recursive: true });
  await writeFile(
    join(home, "recipes", "uptimerobot_oauth.yaml"),
    [
      "id: uptimerobot_oauth",
      "extends: uptimerobot",
      "oauth2:",
      "  authorize_url: https://api.uptimerobot.com/oauth/authorize",
      "  token_url: https://api.uptimerobot.com/oauth/token",
      "  scopes: [read]",
      "  client: byo",
      '  inject: { header: { Authorization: "Bearer {{runtime.access_token}}" } }',
      "",
    ].join("\n"),
  );
  auth = createAuth({
    home,
    store: "memory",
    env: { ANTHROPIC_API_KEY: KEY, TELEGRAM_BOT_TOKEN: BOT, UPTIMEROBOT_API_KEY: ROBOT },
    interactive: false,
  });
  proxy = await startProxy({
    token,
    resolve: async (service, instance) => {
      if (service === "uptimerobot_oauth") {
        const client = auth.bind(service, { instance, via: "oauth2", secret: { access_token: OAUTH_TOKEN } });
        return { service, instance, recipe: await auth.recipe(service), client };
      }
      if (!["anthropic", "openai", "telegram", "uptimerobot"].includes(service)) return undefined;
      const recipe = getRecipe(service);
      if (!recipe) return undefined;
      return { service, instance, recipe, client: auth.bind(service, { instance }) };
    },
  });
});

afterAll(async () => {
  await proxy?.close();
  await auth?.close();
  api?.closeAllConnections();
  await new Promise((r) => api?.close(r));
  await rm(home, { recursive: true, force: true });
});

async function call(
  path: string,
  headers: Record<string, string>,
  init: RequestInit & { duplex?: "half" } = {},
) {
  const res = await fetch(`${proxy.url}${path}`, { ...init, headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("the local proxy on the shipped anthropic recipe", () => {
  it("takes the token in the recipe's key header, X-Arcrun-Proxy-Token or a Bearer; base and root routes", async () => {
    const cases: Array<Record<string, string>> = [
      { "x-api-key": token },
      { "x-arcrun-proxy-token": token },
      { authorization: `Bearer ${token}` },
    ];
    for (const headers of cases) {
      const before = seen.length;
      const r = await call("/anthropic/models", headers);
      expect(r).toMatchObject({ status: 200, body: { url: "/v1/models" } });
      const got = seen[before];
      expect(got?.headers["x-api-key"]).toBe(KEY);
      expect(got?.headers["anthropic-version"]).toBe("2023-06-01");
      expect(JSON.stringify(got?.headers)).not.toContain(token);
    }
    expect(await call("/anthropic/_/v1/models", { "x-api-key": token })).toMatchObject({
      status: 200,
      body: { url: "/v1/models" },
    });
    expect(await call("/anthropic/models?limit=2", { "x-api-key": token })).toMatchObject({
      body: { url: "/v1/models?limit=2" },
    });
  });

  it("puts the recipe's path_prefix (the Telegram bot token in the path) in front of a base route's path", async () => {
    const before = seen.length;
    await call("/telegram/getMe?x=1", { authorization: `Bearer ${token}` });
    expect(seen[before]?.url).toBe(`/bot${BOT}/getMe?x=1`);
  });

  it("refuses a request without the token, or with another one, before anything is sent", async () => {
    const before = seen.length;
    const cases: Array<Record<string, string>> = [
      {},
      { "x-api-key": KEY },
      { "x-api-key": newProxyToken() },
      { authorization: "Bearer x" },
    ];
    for (const headers of cases) {
      const r = await call("/anthropic/models", headers);
      expect(r).toMatchObject({ status: 401, body: { error: { code: "ERR_PROXY_TOKEN" } } });
    }
    expect(seen.length).toBe(before);
  });

  it("answers 401 to a request without the token before it resolves any service or credential", async () => {
    const resolved: string[] = [];
    const guarded = await startProxy({
      token,
      resolve: async (service, instance) => {
        resolved.push(service);
        const recipe = getRecipe(service);
        return recipe ? { service, instance, recipe, client: auth.bind(service, { instance }) } : undefined;
      },
    });
    try {
      for (const path of ["/anthropic/models", "/github/user", "/", "/no such service/x"]) {
        const res = await fetch(`${guarded.url}${path}`, { headers: { "x-api-key": "wrong" } });
        expect(res.status).toBe(401);
        expect(await res.json()).toMatchObject({ error: { code: "ERR_PROXY_TOKEN" } });
      }
      expect(resolved).toEqual([]);
      // With the token the same proxy resolves the service once, and keeps it.
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${guarded.url}/anthropic/models`, { headers: { "x-api-key": token } });
        expect(res.status).toBe(200);
      }
      expect(resolved).toEqual(["anthropic"]);
    } finally {
      await guarded.close();
    }
  });

  it("sends one request after another over the same upstream connection (keep-alive)", async () => {
    await call("/anthropic/models", { "x-api-key": token });
    const before = connections;
    for (let i = 0; i < 5; i++) {
      expect((await call("/anthropic/models", { "x-api-key": token })).status).toBe(200);
    }
    expect(connections).toBe(before);
  });

  it("a client that leaves a stream, or leaves before the answer, ends the upstream request", async () => {
    for (const path of ["/anthropic/stream", "/anthropic/stream?delay=300"]) {
      const before = streamsClosed;
      const leave = new AbortController();
      const pending = fetch(`${proxy.url}${path}`, { headers: { "x-api-key": token }, signal: leave.signal });
      if (path.includes("delay")) {
        // Gone while the API has not answered yet.
        await new Promise((r) => setTimeout(r, 50));
        leave.abort();
        await pending.catch(() => undefined);
      } else {
        const res = await pending;
        const reader = res.body?.getReader();
        expect(new TextDecoder().decode((await reader?.read())?.value)).toContain("data: tick");
        leave.abort();
      }
      await expect.poll(() => streamsClosed, { timeout: 5_000 }).toBe(before + 1);
    }
  });

  it("takes the token in any header or query parameter and never forwards it", async () => {
    const before = seen.length;
    expect(await call(`/anthropic/models?key=${token}&limit=1`, {})).toMatchObject({
      status: 200,
      body: { url: "/v1/models?limit=1" },
    });
    expect(await call("/anthropic/models", { "x-custom-key": token })).toMatchObject({ status: 200 });
    // HTTP Basic of the token as user, with an empty password, or as the whole user-pass (WakaTime's form).
    for (const pair of [`${token}:`, token]) {
      const authorization = `Basic ${Buffer.from(pair).toString("base64")}`;
      expect(await call("/anthropic/models", { authorization })).toMatchObject({ status: 200 });
    }
    expect(seen.length).toBe(before + 4);
    for (const got of seen.slice(before)) {
      expect(JSON.stringify(got)).not.toContain(token);
      expect(got.headers["x-api-key"]).toBe(KEY);
    }
  });

  it("takes the token in the body field the recipe fills (UptimeRobot's api_key), never in another", async () => {
    const before = seen.length;
    const post = (form: Record<string, string>) =>
      call(
        "/uptimerobot/getAccountDetails",
        { "content-type": "application/x-www-form-urlencoded" },
        {
          method: "POST",
          body: new URLSearchParams(form).toString(),
        },
      );
    const ok = await post({ api_key: token, format: "json" });
    expect(ok).toMatchObject({ status: 200, body: { stat: "ok", form: { api_key: ROBOT, format: "json" } } });
    // In a field the recipe does not fill, the token would be forwarded as it is: refused, nothing sent.
    const other = await post({ note: token });
    expect(other.status).toBe(401);
    expect(other.body.error).toMatchObject({ code: "ERR_PROXY_TOKEN" });
    expect(JSON.stringify(other.body.error)).toContain("body field note");
    expect(seen.length).toBe(before + 1);
    expect(JSON.stringify(seen.slice(before))).not.toContain(token);
  });

  it("takes the token in a body field only where the credential in use fills it (not the key's field when connected through OAuth)", async () => {
    const before = seen.length;
    const res = await call(
      "/uptimerobot_oauth/getAccountDetails",
      { "content-type": "application/x-www-form-urlencoded" },
      { method: "POST", body: new URLSearchParams({ api_key: token, format: "json" }).toString() },
    );
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: "ERR_PROXY_TOKEN" });
    expect(JSON.stringify(res.body.error)).toContain("body field api_key");
    expect(seen.length).toBe(before);
    // As a Bearer token it is replaced by the OAuth token, and the body goes as sent.
    const ok = await call(
      "/uptimerobot_oauth/getAccountDetails",
      { authorization: `Bearer ${token}`, "content-type": "application/x-www-form-urlencoded" },
      { method: "POST", body: new URLSearchParams({ format: "json" }).toString() },
    );
    expect(ok.status).toBe(200);
    expect(seen.at(-1)?.headers.authorization).toBe(`Bearer ${OAUTH_TOKEN}`);
    expect(JSON.stringify(seen.slice(before))).not.toContain(token);
  });

  it("answers 404 for a path without a service and for a service it does not serve", async () => {
    expect(await call("/", { "x-api-key": token })).toMatchObject({
      status: 404,
      body: { error: { code: "ERR_PROXY_ROUTE" } },
    });
    expect(await call("/github/user", { "x-api-key": token })).toMatchObject({
      status: 404,
      body: { error: { code: "ERR_PROXY_SERVICE", message: expect.stringContaining("--service github") } },
    });
  });

  it("a service without a credential is a 502 with arcrun's code and the command to run", async () => {
    const r = await call("/openai/models", { authorization: `Bearer ${token}` });
    expect(r.status).toBe(502);
    expect(r.body).toMatchObject({
      error: { code: "ERR_NEEDS_LOGIN", message: expect.stringContaining("arcrun setup openai") },
    });
  });

  it("streams a request body of unknown length (chunked, 3 MiB) to the API unchanged", async () => {
    const body = randomBytes(3 * 1024 * 1024);
    const before = seen.length;
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${proxy.url}/anthropic/messages`,
        { method: "POST", headers: { "x-api-key": token, "content-type": "application/octet-stream" } },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
      req.end();
    });
    expect(status).toBe(200);
    expect(seen[before]).toMatchObject({
      method: "POST",
      url: "/v1/messages",
      bytes: body.length,
      sha: createHash("sha256").update(body).digest("hex"),
    });
  });
});

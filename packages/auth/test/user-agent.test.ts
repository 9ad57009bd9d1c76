import type { ServerResponse } from "node:http";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { version } from "../package.json";
import { checkBroker, createAuth, MemoryStore } from "../src/index.js";
import { requestDeviceAuthorization } from "../src/internal/oauth/device.js";
import { revokeBearer, revokeToken } from "../src/internal/oauth/revoke.js";
import { localRecipe, tempHome } from "./helpers/home.js";
import { type Seen, startServer, type TestServer } from "./helpers/server.js";

const UA = `arcrun/${version}`;

/**
 * A stand-in for api.github.com that enforces GitHub's rule on User-Agent:
 * "Requests with no User-Agent header will be rejected. If you provide an invalid User-Agent header, you
 * will receive a 403 Forbidden response."
 * https://docs.github.com/en/rest/using-the-rest-api/getting-started-with-the-rest-api#user-agent
 * It also answers the OAuth endpoints the library calls (token, revoke, device, broker health), recording
 * what they receive.
 */
function github(req: Seen, res: ServerResponse): void {
  if (!req.headers["user-agent"]) {
    res.writeHead(403, { "content-type": "text/plain" });
    res.end(
      "Request forbidden by administrative rules. Please make sure your request has a User-Agent header",
    );
    return;
  }
  res.setHeader("content-type", "application/json");
  const path = new URL(req.url, "http://x").pathname;
  if (path === "/token") {
    res.end(JSON.stringify({ access_token: "cc-token", token_type: "Bearer", expires_in: 3600 }));
  } else if (path === "/device") {
    res.end(
      JSON.stringify({
        device_code: "dc",
        user_code: "ABCD-EFGH",
        verification_uri: "https://example.com/device",
        expires_in: 600,
        interval: 5,
      }),
    );
  } else if (path === "/health") {
    res.end(JSON.stringify({ status: "ok", services: [] }));
  } else {
    res.end(JSON.stringify({ login: "octocat", ua: req.headers["user-agent"] }));
  }
}

let api: TestServer;
let home: ReturnType<typeof tempHome>;

beforeAll(async () => {
  api = await startServer(github);
  home = tempHome({
    github_local: localRecipe("github_local", "github", api.url),
    cc_local: JSON.stringify({
      id: "cc_local",
      display_name: "Local client credentials",
      docs_url: "https://example.com/docs",
      primitive: "oauth2",
      base_url: api.url,
      hosts: ["127.0.0.1"],
      oauth2: {
        token_url: `${api.url}/token`,
        grant: "client_credentials",
        token_auth_method: "client_secret_post",
        client: "byo",
      },
      inject: { header: { Authorization: "Bearer {{runtime.access_token}}" } },
    }),
  });
});

afterAll(async () => {
  await api.close();
  home.cleanup();
});

const last = () => api.seen[api.seen.length - 1];

function make() {
  return createAuth({
    home: home.home,
    store: new MemoryStore(),
    env: {
      ARCRUN_GITHUB_LOCAL_TOKEN: "ghp_test",
      ARCRUN_CC_LOCAL_CLIENT_ID: "cid",
      ARCRUN_CC_LOCAL_CLIENT_SECRET: "csecret",
    },
    interactive: false,
    secretsDirs: [],
  });
}

describe("User-Agent: arcrun/<version> on every request the library sends, unless the caller set one", () => {
  it("the stand-in refuses a request without User-Agent (so the checks below can fail)", async () => {
    const r = await request(`${api.url}/user`);
    expect(r.statusCode).toBe(403);
    await r.body.text();
  });

  it("the bound client's methods, fetch, fetchFn and dispatcher", async () => {
    const auth = make();
    const c = auth.bind("github_local");
    expect((await c.get("/user")).status).toBe(200);
    expect(last()?.headers["user-agent"]).toBe(UA);
    expect((await c.fetch("/user")).status).toBe(200);
    expect((await c.fetchFn(`${api.url}/user`)).status).toBe(200);
    expect(last()?.headers["user-agent"]).toBe(UA);
    const viaDispatcher = await request(`${api.url}/user`, { dispatcher: c.dispatcher });
    expect(viaDispatcher.statusCode).toBe(200);
    await viaDispatcher.body.text();
    expect(last()?.headers["user-agent"]).toBe(UA);
    expect(last()?.headers.authorization).toBe("Bearer ghp_test");
    await auth.close();
  });

  it("a caller's own User-Agent is kept", async () => {
    const auth = make();
    await auth.bind("github_local").get("/user", { headers: { "User-Agent": "my-app/2.0" } });
    expect(last()?.headers["user-agent"]).toBe("my-app/2.0");
    await auth.close();
  });

  it("token requests (client credentials grant)", async () => {
    const auth = make();
    const res = await auth.bind("cc_local").get("/user");
    expect(res.status).toBe(200);
    const token = api.seen.find((r) => r.url === "/token");
    expect(token?.headers["user-agent"]).toBe(UA);
    expect(last()?.headers.authorization).toBe("Bearer cc-token");
    await auth.close();
  });

  it("revocation, device authorization and the broker's health check", async () => {
    const flow = { service: "cc_local", instance: "default", fetch: globalThis.fetch };
    const client = { clientId: "cid", authMethod: "none" as const };
    await revokeToken(
      flow,
      { url: `${api.url}/revoke`, client, bodyFormat: "form" },
      { value: "t", hint: "access_token" },
    );
    expect(last()?.headers["user-agent"]).toBe(UA);
    await revokeBearer(flow, `${api.url}/revoke-bearer`, "t");
    expect(last()?.headers["user-agent"]).toBe(UA);
    await requestDeviceAuthorization(flow, {
      url: `${api.url}/device`,
      client,
      bodyFormat: "form",
      params: {},
    });
    expect(last()?.headers["user-agent"]).toBe(UA);
    const health = await checkBroker({ url: new URL(`${api.url}/`), from: "ARCRUN_BROKER_URL" });
    expect(health.reachable).toBe(true);
    expect(last()?.url).toBe("/health");
    expect(last()?.headers["user-agent"]).toBe(UA);
  });
});

import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { createAuth, type OAuth2Credential } from "arcrun-auth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providerRecipe } from "../../../auth/test/support/home.js";
import { startTestProvider, type TestProvider } from "../../../auth/test/support/oidc-provider.js";
import { BIN, run, type Sandbox, sandbox } from "../helpers/cli.js";
import { notionStandIn, type StandIn } from "../helpers/notion-standin.js";

const HOST_MAP = fileURLToPath(new URL("../support/host-map.mjs", import.meta.url));
const TOKEN = `secret_${randomBytes(16).toString("hex")}`;
let notion: StandIn;
let op: TestProvider;
let box: Sandbox;
let oauthToken = "";
/** Every tool result's text, to check that none holds a credential. */
const results: string[] = [];

beforeAll(async () => {
  notion = await notionStandIn(TOKEN);
  // The protected resource answers /api/echo with the request's Authorization header, as an API that
  // echoes its request would (httpbin's /headers): the MCP server must not hand that back.
  op = await startTestProvider({
    resource: (req, res) => {
      if (!req.url?.startsWith("/api/echo")) return false;
      res.writeHead(200, {
        "content-type": "application/json",
        "x-request-id": String(req.headers.authorization),
      });
      // It also echoes the token in HTTP Basic form (base64 of `user:token`), as an API showing the
      // credential it would forward elsewhere might.
      const bearer = String(req.headers.authorization).replace(/^Bearer /, "");
      const basic = `Basic ${Buffer.from(`arcrun:${bearer}`).toString("base64")}`;
      res.end(JSON.stringify({ authorization: req.headers.authorization, basic }));
      return true;
    },
  });
  box = await sandbox();
  box.env.ARCRUN_STORE = "encrypted-file";
  box.env.ARCRUN_TEST_HOST_MAP = JSON.stringify({ "api.notion.com": notion.origin });
  box.env.NODE_OPTIONS = `${box.env.NODE_OPTIONS ?? ""} --import ${HOST_MAP}`.trim();
  await writeFile(
    join(box.home, "recipes", "local_oauth.yaml"),
    JSON.stringify(providerRecipe(op, "local_oauth")),
  );
  box.env.ARCRUN_LOCAL_OAUTH_CLIENT_ID = op.nativeClient.client_id;
  const setup = await run(["setup", "notion"], box.env, `${TOKEN}\n`);
  expect(setup.code, setup.stderr).toBe(0);
  const grant = await op.seedGrant({ accessTokenTtl: 3600 });
  oauthToken = grant.access_token;
  const auth = createAuth({ env: box.env, interactive: false });
  const now = Date.now();
  const cred: OAuth2Credential = {
    v: 1,
    type: "oauth2",
    values: {},
    created_at: new Date(now).toISOString(),
    updated_at: new Date(now).toISOString(),
    access_token: grant.access_token,
    token_type: "Bearer",
    refresh_token: grant.refresh_token,
    issued_at: now,
    expires_at: now + 3_600_000,
    scopes: ["openid", "offline_access"],
    client: "byo",
    status: "ok",
  };
  await (await auth.store()).set("local_oauth", "default", cred);
  await auth.close();
});

afterAll(async () => {
  await notion?.close();
  await op?.close();
  await box?.cleanup();
  const all = results.join("\n");
  expect(all).not.toContain(TOKEN);
  if (oauthToken) expect(all).not.toContain(oauthToken);
});

async function connect(): Promise<Client> {
  const client = new Client({ name: "arcrun-test", version: "1.0.0" });
  await client.connect(
    new StdioClientTransport({ command: process.execPath, args: [BIN, "mcp"], env: box.env, stderr: "pipe" }),
  );
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown>) {
  const r = (await client.callTool({ name, arguments: args })) as {
    content: Array<{ type: string; text?: string }>;
    isError?: boolean;
  };
  const text = r.content.map((c) => c.text ?? "").join("\n");
  results.push(text);
  return { text, isError: r.isError === true };
}

describe("arcrun mcp, driven by the MCP SDK's own client over stdio", () => {
  it("lists the tools; list_services and service_status say what is connected and how to connect", async () => {
    const client = await connect();
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(["http_request", "list_services", "service_status"]);
      const list = await call(client, "list_services", {});
      const services = JSON.parse(list.text) as Array<{ id: string; connected: boolean; connect?: string }>;
      expect(services.find((s) => s.id === "notion")).toMatchObject({ connected: true, auth: "static_key" });
      expect(services.find((s) => s.id === "github")).toMatchObject({
        connected: false,
        connect: expect.stringMatching(/arcrun setup github$/),
      });
      const status = await call(client, "service_status", { service: "notion" });
      expect(JSON.parse(status.text)).toMatchObject({
        id: "notion",
        hosts: ["api.notion.com"],
        methods_allowed: ["GET", "HEAD"],
        instances: [{ instance: "default", status: "connected" }],
      });
    } finally {
      await client.close();
    }
  });

  it("makes a GET through the shipped notion recipe, refuses a POST by default, and allows it from config.yaml", async () => {
    const client = await connect();
    try {
      const get = await call(client, "http_request", { service: "notion", method: "GET", path: "/users/me" });
      expect(get.isError).toBe(false);
      expect(JSON.parse(get.text)).toMatchObject({
        status: 200,
        headers: { "content-type": "application/json" },
        body: { object: "user", id: "bot-1" },
      });
      const post = await call(client, "http_request", {
        service: "notion",
        method: "POST",
        path: "/search",
        json: { query: "backup" },
      });
      expect(post.isError).toBe(true);
      expect(post.text).toContain("POST on notion is not allowed");
      expect(post.text).toContain("notion: [GET, POST]");
      expect(notion.requests.some((r) => r.method === "POST")).toBe(false);
      const outside = await call(client, "http_request", {
        service: "notion",
        path: "https://example.com/x",
      });
      expect(outside.isError).toBe(true);
      expect(outside.text).toContain("ERR_HOST_NOT_ALLOWED");
    } finally {
      await client.close();
    }
    await writeFile(join(box.home, "config.yaml"), "mcp:\n  allow:\n    notion: [GET, POST]\n");
    const again = await connect();
    try {
      const post = await call(again, "http_request", {
        service: "notion",
        method: "POST",
        path: "/search",
        json: { query: "backup" },
      });
      expect(post.isError).toBe(false);
      expect(JSON.parse(post.text)).toMatchObject({ status: 200, body: { object: "list", query: "backup" } });
    } finally {
      await again.close();
    }
  });

  it("takes an echoed token out of the body and headers it returns", async () => {
    const client = await connect();
    try {
      const r = await call(client, "http_request", { service: "local_oauth", path: "/echo" });
      expect(r.isError).toBe(false);
      expect(JSON.parse(r.text)).toMatchObject({
        status: 200,
        headers: { "x-request-id": "Bearer <arcrun:redacted>" },
        body: { authorization: "Bearer <arcrun:redacted>" },
      });
      const basic = String(JSON.parse(r.text).body.basic);
      expect(basic).toContain("<arcrun:redacted>");
      // Whatever is left of the base64 decodes to no more than a few bytes of the token at either end.
      const left = basic
        .replace(/^Basic /, "")
        .split("<arcrun:redacted>")
        .map((part) => Buffer.from(part, "base64").toString("latin1"));
      for (const part of left) expect(part.length).toBeLessThan(12);
      expect(r.text).not.toContain(Buffer.from(`arcrun:${oauthToken}`).toString("base64"));
    } finally {
      await client.close();
    }
  });
});

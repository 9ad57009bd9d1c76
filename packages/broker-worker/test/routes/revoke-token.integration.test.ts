import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Broker, baseVars, bundleWorker, startBroker, TEST_CLIENT } from "../support/worker.js";

/*
 * A recipe with `revoke_token: access`, revoked through the broker on workerd at a stand-in with Twitch's
 * revocation rules (https://dev.twitch.tv/docs/authentication/revoke-tokens/): POST, x-www-form-urlencoded,
 * client_id and token ("The access token to revoke") both required; "200 OK (with no body)" on success, "400
 * Bad Request if the client ID is valid but the access token is not" ({"status":400,"message":"Invalid
 * token"}), "404 Not Found if the client ID is not valid". A refresh token is not an access token.
 * The library (arcrun-auth's source, loaded by computed path as in e2e.integration.test.ts) logs out through
 * the broker; nothing is mocked.
 */
interface StoreLike {
  set(service: string, instance: string, cred: Record<string, unknown>): Promise<void>;
  get(service: string, instance: string): Promise<unknown>;
}
interface AuthLike {
  logout(service: string): Promise<{ deleted: boolean; revocation: string }>;
  close(): Promise<void>;
}
const lib = (path: string) => import(new URL(`../../../auth/${path}`, import.meta.url).href);
const { createAuth, MemoryStore } = (await lib("src/index.ts")) as {
  createAuth(options: { env: Record<string, string>; interactive: boolean; store: StoreLike }): AuthLike;
  MemoryStore: new () => StoreLike;
};

const LIVE_ACCESS = `at-${randomBytes(8).toString("hex")}`;
const REFRESH = `rt-${randomBytes(8).toString("hex")}`;
let provider: Server;
let bundle: Awaited<ReturnType<typeof bundleWorker>>;
let broker: Broker;
let home: string;
let recipe: Record<string, unknown>;
const seen: { contentType: string | undefined; body: URLSearchParams }[] = [];
const live = new Set<string>();

beforeAll(async () => {
  provider = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk: Buffer) => {
      raw += chunk.toString();
    });
    req.on("end", () => {
      const contentType = req.headers["content-type"];
      const body = new URLSearchParams(raw);
      seen.push({ contentType, body });
      const answer = (status: number, message?: string) => {
        res.writeHead(status, message ? { "content-type": "application/json" } : {});
        res.end(message ? JSON.stringify({ status, message }) : "");
      };
      if (req.method !== "POST" || req.url !== "/oauth2/revoke") return answer(404, "not found");
      if (!contentType?.includes("application/x-www-form-urlencoded"))
        return answer(400, "missing client id");
      if (body.get("client_id") !== TEST_CLIENT.id) return answer(404, "client does not exist");
      const token = body.get("token") ?? "";
      if (!live.delete(token)) return answer(400, "Invalid token");
      answer(200);
    });
  });
  await new Promise<void>((resolve) => provider.listen(0, "127.0.0.1", resolve));
  const port = (provider.address() as AddressInfo).port;
  recipe = {
    id: "access_revoke",
    display_name: "Access-token revocation",
    docs_url: "https://dev.twitch.tv/docs/authentication/revoke-tokens/",
    primitive: "oauth2",
    base_url: `http://127.0.0.1:${port}`,
    hosts: ["127.0.0.1"],
    inject: { header: { Authorization: "Bearer {{runtime.access_token}}" } },
    oauth2: {
      authorize_url: `http://127.0.0.1:${port}/oauth2/authorize`,
      token_url: `http://127.0.0.1:${port}/oauth2/token`,
      revoke_url: `http://127.0.0.1:${port}/oauth2/revoke`,
      revoke_token: "access",
      token_auth_method: "client_secret_post",
      client: "broker",
    },
  };
  bundle = await bundleWorker();
  broker = await startBroker(bundle.scriptPath, {
    ...baseVars("access_revoke"),
    EXTRA_RECIPES: JSON.stringify([recipe]),
  });
  home = await mkdtemp(join(tmpdir(), "arcrun-revoke-token-"));
  await mkdir(join(home, "recipes"), { mode: 0o700 });
  await writeFile(join(home, "recipes", "access_revoke.yaml"), JSON.stringify(recipe, null, 2));
}, 120_000);

afterAll(async () => {
  await broker?.dispose();
  await bundle?.dispose();
  await new Promise((resolve) => provider?.close(resolve));
  if (home) await rm(home, { recursive: true, force: true });
});

describe("the broker's revocation honours the recipe's revoke_token", () => {
  test("revoke_token access: a refresh token is refused with unsupported_token_type, the provider never called", async () => {
    seen.length = 0;
    const res = await broker.fetch("/oauth/revoke", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ service: "access_revoke", token: REFRESH, token_type_hint: "refresh_token" }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; error_description: string };
    expect(body.error).toBe("unsupported_token_type");
    expect(body.error_description).toContain("access_revoke revokes access tokens only.");
    expect(body.error_description).toContain("token_type_hint access_token");
    expect(JSON.stringify(body)).not.toContain(REFRESH);
    expect(seen).toHaveLength(0);
  });

  test("arcrun-auth's logout through the broker sends the access token, never the refresh token", async () => {
    seen.length = 0;
    live.add(LIVE_ACCESS);
    const store = new MemoryStore();
    const at = new Date().toISOString();
    await store.set("access_revoke", "default", {
      v: 1,
      type: "oauth2",
      values: {},
      access_token: LIVE_ACCESS,
      token_type: "Bearer",
      expires_at: Date.now() + 3_600_000,
      refresh_token: REFRESH,
      client: "broker",
      created_at: at,
      updated_at: at,
    });
    const auth = createAuth({
      env: { ARCRUN_HOME: home, ARCRUN_BROKER_URL: broker.url },
      interactive: false,
      store,
    });
    try {
      expect(await auth.logout("access_revoke")).toMatchObject({ deleted: true, revocation: "revoked" });
    } finally {
      await auth.close();
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]!.contentType).toContain("application/x-www-form-urlencoded");
    expect(seen[0]!.body.get("token")).toBe(LIVE_ACCESS);
    expect(seen[0]!.body.get("client_id")).toBe(TEST_CLIENT.id);
    expect(live.has(LIVE_ACCESS)).toBe(false);
    expect(await store.get("access_revoke", "default")).toBeUndefined();
    expect(broker.logs.join("\n")).not.toContain(LIVE_ACCESS);
  });
});

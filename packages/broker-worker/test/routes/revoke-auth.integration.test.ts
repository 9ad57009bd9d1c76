import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Broker, baseVars, bundleWorker, startBroker, TEST_CLIENT } from "../support/worker.js";

// A stand-in revocation endpoint with Calendly's rule: client_id, client_secret and token all in the form
// body, each required (https://developer.calendly.com/api-docs/calendly-o-auth/o-auth/post-oauth-revoke);
// a client that authenticates with HTTP Basic instead is refused as an unauthenticated client
// (RFC 7009 section 2.2.1: invalid_client, https://www.rfc-editor.org/rfc/rfc7009#section-2.2.1).
// Its token endpoint takes client_secret_basic, so the recipe's two methods differ, as Calendly's do.
let provider: Server;
let bundle: Awaited<ReturnType<typeof bundleWorker>>;
let broker: Broker;
const seen: { path: string; authorization: string | undefined; body: URLSearchParams }[] = [];

function recipe(id: string, port: number, revokeAuth?: "client_secret_post") {
  return {
    id,
    display_name: id,
    docs_url: "https://www.rfc-editor.org/rfc/rfc7009",
    primitive: "oauth2",
    base_url: `http://127.0.0.1:${port}`,
    hosts: ["127.0.0.1"],
    inject: { header: { Authorization: "Bearer {{runtime.access_token}}" } },
    oauth2: {
      authorize_url: `http://127.0.0.1:${port}/authorize`,
      token_url: `http://127.0.0.1:${port}/token`,
      revoke_url: `http://127.0.0.1:${port}/oauth/revoke`,
      scopes: ["read"],
      token_auth_method: "client_secret_basic",
      ...(revokeAuth ? { revoke_auth_method: revokeAuth } : {}),
      client: "broker",
    },
  };
}

beforeAll(async () => {
  provider = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk: Buffer) => {
      raw += chunk.toString();
    });
    req.on("end", () => {
      const body = new URLSearchParams(raw);
      seen.push({ path: req.url ?? "", authorization: req.headers.authorization, body });
      const ok =
        body.get("client_id") === TEST_CLIENT.id &&
        body.get("client_secret") === TEST_CLIENT.secret &&
        !!body.get("token");
      res.writeHead(ok ? 200 : 401, { "content-type": "application/json" });
      res.end(JSON.stringify(ok ? {} : { error: "invalid_client" }));
    });
  });
  await new Promise<void>((resolve) => provider.listen(0, "127.0.0.1", resolve));
  const port = (provider.address() as AddressInfo).port;
  bundle = await bundleWorker();
  broker = await startBroker(bundle.scriptPath, {
    ...baseVars("post_revoke,basic_revoke"),
    EXTRA_RECIPES: JSON.stringify([
      recipe("post_revoke", port, "client_secret_post"),
      recipe("basic_revoke", port),
    ]),
  });
}, 120_000);

afterAll(async () => {
  await broker?.dispose();
  await bundle?.dispose();
  await new Promise((resolve) => provider?.close(resolve));
});

const revoke = (service: string) =>
  broker.fetch("/oauth/revoke", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ service, token: "rt-1", token_type_hint: "refresh_token" }),
  });

describe("the broker's revocation uses the recipe's revoke_auth_method", () => {
  test("revoke_auth_method client_secret_post: the secret goes in the body, not in Basic", async () => {
    seen.length = 0;
    const res = await revoke("post_revoke");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ revoked: true });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.authorization).toBeUndefined();
    expect(seen[0]!.body.get("token_type_hint")).toBe("refresh_token");
  });

  test("without it the token endpoint's method (Basic) is used, which this provider refuses", async () => {
    seen.length = 0;
    const res = await revoke("basic_revoke");
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe("invalid_client");
    expect(seen[0]!.authorization).toMatch(/^Basic /);
    expect(seen[0]!.body.get("client_secret")).toBeNull();
  });
});

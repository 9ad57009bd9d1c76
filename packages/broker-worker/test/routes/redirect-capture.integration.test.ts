/**
 * Values a recipe captures from the authorization redirect (`oauth2.capture` with `from: redirect`): the
 * provider sends them to the broker's callback beside code and state (QuickBooks Online's realmId), and the
 * broker passes them on to the library's loopback. The provider is a node:http stand-in that redirects as
 * Intuit documents; the broker is the real Worker in workerd.
 * Intuit: after consent the redirect carries code, state and realmId, "the unique ID of the connected user's
 * QuickBooks Online company" (developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0, step 11).
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { consentOverHttp } from "../support/oidc.js";
import { type Broker, baseVars, bundleWorker, startBroker } from "../support/worker.js";

const LOOPBACK = "http://127.0.0.1:53682/callback";

let bundle: Awaited<ReturnType<typeof bundleWorker>>;
let broker: Broker;
let provider: Server;
let origin = "";
/** The realmId the stand-in puts on its next redirect (a test may make it malformed). */
let realmId = "9130350000000001";

function recipe(): Record<string, unknown> {
  return {
    id: "realm_app",
    display_name: "Realm app",
    docs_url: "https://example.com/docs",
    primitive: "oauth2",
    base_url: "https://api.example.com/v3/company/{{captured.realm_id}}",
    hosts: ["api.example.com"],
    inject: { header: { Authorization: "Bearer {{runtime.access_token}}" } },
    oauth2: {
      authorize_url: `${origin}/authorize`,
      token_url: `${origin}/token`,
      token_auth_method: "client_secret_basic",
      client: "broker",
      capture: { realm_id: { from: "redirect", path: "realmId", pattern: "[0-9]{1,20}" } },
    },
  };
}

beforeAll(async () => {
  provider = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method === "GET" && url.pathname === "/authorize") {
      const to = new URL(url.searchParams.get("redirect_uri") ?? "");
      to.searchParams.set("code", `code-${randomBytes(8).toString("hex")}`);
      to.searchParams.set("state", url.searchParams.get("state") ?? "");
      to.searchParams.set("realmId", realmId);
      res.writeHead(302, { location: to.href }).end();
      return;
    }
    if (req.method === "POST" && url.pathname === "/token") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ access_token: "at-1", token_type: "bearer", expires_in: 3600 }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => provider.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
  bundle = await bundleWorker();
  broker = await startBroker(bundle.scriptPath, {
    ...baseVars("realm_app"),
    EXTRA_RECIPES: JSON.stringify([recipe()]),
  });
}, 60_000);

afterAll(async () => {
  await broker?.dispose();
  await bundle?.dispose();
  provider?.closeAllConnections();
  await new Promise<void>((resolve) => provider?.close(() => resolve()));
});

async function signIn(): Promise<URL> {
  const verifier = randomBytes(32).toString("base64url");
  const start = new URL(`${broker.url}/oauth/realm_app/start`);
  start.search = new URLSearchParams({
    redirect_uri: LOOPBACK,
    state: randomBytes(16).toString("base64url"),
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
  }).toString();
  return (await consentOverHttp(start.href, LOOPBACK)).url;
}

describe("a value the recipe captures from the authorization redirect, through the broker", () => {
  test("the broker passes realmId on to the loopback beside its handoff code and the library's state", async () => {
    realmId = "9130350000000001";
    const url = await signIn();
    expect(url.searchParams.get("realmId")).toBe("9130350000000001");
    expect(url.searchParams.get("code")).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test("a value outside the capture's pattern is not passed on (the library then refuses the sign-in)", async () => {
    realmId = "1/../../evil";
    const url = await signIn();
    expect(url.searchParams.has("realmId")).toBe(false);
    expect(url.searchParams.get("code")).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

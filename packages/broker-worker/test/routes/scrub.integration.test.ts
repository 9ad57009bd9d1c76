import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Broker, baseVars, bundleWorker, startBroker, TEST_CLIENT } from "../support/worker.js";

// A stand-in token endpoint that answers every request with an RFC 6749 error whose description echoes
// what it received (the client secret, raw and URL-encoded, and the Basic credential): some providers do
// echo request parameters in errors. The broker must pass the provider's words on without its own secret.
let provider: Server;
let bundle: Awaited<ReturnType<typeof bundleWorker>>;
let broker: Broker;

beforeAll(async () => {
  provider = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      // RFC 6749 section 2.3.1: client_secret_basic sends the id and secret form-encoded in HTTP Basic.
      const basic = (req.headers.authorization ?? "").replace(/^Basic /, "");
      const [id = "", secret = ""] = Buffer.from(basic, "base64").toString().split(":");
      // RFC 6749 section 5.2: a 400 with a JSON object holding `error` and `error_description`.
      // https://www.rfc-editor.org/rfc/rfc6749#section-5.2
      res.writeHead(400, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          error: "invalid_client",
          error_description: `secret ${decodeURIComponent(secret)} (${secret}) for ${decodeURIComponent(id)} in Basic ${basic}; body ${body}`,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => provider.listen(0, "127.0.0.1", resolve));
  const port = (provider.address() as AddressInfo).port;
  bundle = await bundleWorker();
  broker = await startBroker(bundle.scriptPath, {
    ...baseVars("echo_provider"),
    EXTRA_RECIPES: JSON.stringify([
      {
        id: "echo_provider",
        display_name: "Echo provider",
        docs_url: "https://www.rfc-editor.org/rfc/rfc6749#section-5.2",
        primitive: "oauth2",
        base_url: `http://127.0.0.1:${port}`,
        hosts: ["127.0.0.1"],
        inject: { header: { Authorization: "Bearer {{runtime.access_token}}" } },
        oauth2: {
          authorize_url: `http://127.0.0.1:${port}/authorize`,
          token_url: `http://127.0.0.1:${port}/token`,
          scopes: ["read"],
          token_auth_method: "client_secret_basic",
          client: "broker",
        },
      },
    ]),
  });
}, 120_000);

afterAll(async () => {
  await broker?.dispose();
  await bundle?.dispose();
  await new Promise((resolve) => provider?.close(resolve));
});

describe("provider error text passed on by the broker", () => {
  test("a provider echoing the broker's client secret: the error reaches the client without it", async () => {
    const res = await broker.fetch("/oauth/refresh", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ service: "echo_provider", refresh_token: "rt-1" }),
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    const body = JSON.parse(text) as { error: string; error_description: string };
    expect(body.error).toBe("invalid_client");
    // The provider's own words are kept, only the secret is gone.
    expect(body.error_description).toContain("[redacted]");
    expect(body.error_description).toContain(TEST_CLIENT.id);
    const basic = Buffer.from(`${TEST_CLIENT.id}:${TEST_CLIENT.secret}`).toString("base64");
    for (const form of [TEST_CLIENT.secret, encodeURIComponent(TEST_CLIENT.secret), basic])
      expect(text).not.toContain(form);
    // Nor any 8-character piece of it (a cut at the length limit must not leave a prefix).
    for (let i = 0; i + 8 <= TEST_CLIENT.secret.length; i++)
      expect(text).not.toContain(TEST_CLIENT.secret.slice(i, i + 8));
  });
});

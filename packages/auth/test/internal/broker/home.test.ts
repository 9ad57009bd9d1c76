import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkBroker, createAuth, findBroker, isArcrunError, MemoryStore } from "../../../src/index.js";
import { tempHome } from "../../helpers/home.js";
import { startServer, type TestServer } from "../../helpers/server.js";

// createAuth({ home }) with a config.yaml broker_url, and no ARCRUN_HOME or ARCRUN_BROKER_URL in the env:
// the broker client must look in that home, not in ~/.arcrun.
let broker: TestServer;
let h: { home: string; cleanup(): void };

beforeAll(async () => {
  broker = await startServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url === "/health") return void res.end('{"status":"ok","services":["local_brokered"]}');
    res.statusCode = 404;
    res.end('{"error":"not_found"}');
  });
  h = tempHome({
    local_brokered: [
      "id: local_brokered",
      "display_name: Local brokered",
      "docs_url: https://example.com/docs",
      "primitive: oauth2",
      `base_url: ${broker.url}`,
      "hosts: [127.0.0.1]",
      "oauth2:",
      `  authorize_url: ${broker.url}/authorize`,
      `  token_url: ${broker.url}/token`,
      "  client: broker",
      'inject: { header: { Authorization: "Bearer {{runtime.access_token}}" } }',
      "",
    ].join("\n"),
  });
  const { writeFileSync } = await import("node:fs");
  writeFileSync(
    `${h.home}/config.yaml`,
    `# the broker this home signs in through\nbroker_url: ${broker.url}\n`,
  );
});
afterAll(async () => {
  await broker.close();
  h.cleanup();
});

describe("the broker seam gets the Auth's home", () => {
  it("login opens the start URL of the broker named in <home>/config.yaml", async () => {
    const auth = createAuth({ home: h.home, env: {}, store: new MemoryStore(), interactive: false });
    const controller = new AbortController();
    let opened = "";
    const err = await auth
      .login("local_brokered", {
        output: new PassThrough(),
        signal: controller.signal,
        openUrl: (url) => {
          opened = url;
          controller.abort();
        },
      })
      .catch((e: unknown) => e);
    expect(opened.startsWith(`${broker.url}/oauth/local_brokered/start?`), String(err)).toBe(true);
    expect(new URL(opened).searchParams.get("redirect_uri")).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    await auth.close();
  });

  it("a broker client passed to createAuth({ broker }) is the one the oauth2 strategy uses", async () => {
    const asked: string[] = [];
    const auth = createAuth({
      home: h.home,
      env: {},
      store: new MemoryStore(),
      interactive: false,
      broker: async (ctx) => {
        asked.push(`${ctx.service}/${ctx.instance}`);
        return {
          startUrl: (args) => `${broker.url}/injected/start?state=${args.state}`,
          redeem: () => Promise.reject(new Error("not reached")),
          refresh: () => Promise.reject(new Error("not reached")),
        };
      },
    });
    const controller = new AbortController();
    let opened = "";
    await auth
      .login("local_brokered", {
        output: new PassThrough(),
        signal: controller.signal,
        openUrl: (url) => {
          opened = url;
          controller.abort();
        },
      })
      .catch(() => undefined);
    expect(asked).toEqual(["local_brokered/default"]);
    expect(opened.startsWith(`${broker.url}/injected/start?state=`)).toBe(true);
    await auth.close();
  });

  it("findBroker and checkBroker are public: config.yaml of a given home, and its /health", async () => {
    const found = await findBroker({ env: {}, home: h.home });
    expect(found).toMatchObject({ from: "config.yaml" });
    expect(found?.url.href).toBe(`${broker.url}/`);
    const health = await checkBroker(found as NonNullable<typeof found>);
    expect(health).toMatchObject({
      reachable: true,
      httpStatus: 200,
      status: "ok",
      services: ["local_brokered"],
    });
    // The environment wins over config.yaml; nothing anywhere: undefined.
    expect(
      await findBroker({ env: { ARCRUN_BROKER_URL: "https://broker.example.org" }, home: h.home }),
    ).toMatchObject({
      from: "ARCRUN_BROKER_URL",
    });
    expect(await findBroker({ env: {}, home: `${h.home}/nowhere` })).toBeUndefined();
  });

  it("an unreachable broker is an answer, not an exception; a bad URL is ERR_BROKER", async () => {
    const down = await startServer();
    const url = down.url;
    await down.close();
    const health = await checkBroker({ url: new URL(`${url}/`), from: "ARCRUN_BROKER_URL" }, undefined, {
      timeoutMs: 2000,
    });
    expect(health).toMatchObject({ reachable: false });
    expect(health.error).toBeTruthy();
    const err = await findBroker({ env: { ARCRUN_BROKER_URL: "http://broker.example.org" } }).catch(
      (e: unknown) => e,
    );
    expect(isArcrunError(err, "ERR_BROKER")).toBe(true);
  });
});

import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ArcrunError, OAuthError } from "../../../src/errors.js";
import {
  checkBroker,
  createBrokerClient,
  findBroker,
  HttpBrokerClient,
} from "../../../src/internal/broker/index.js";

/** The slice of packages/broker-worker/test/support/worker.ts used here (outside this package's rootDir). */
interface Broker {
  url: string;
  dispose(): Promise<void>;
}
interface BrokerSupport {
  bundleWorker(): Promise<{ scriptPath: string; dispose(): Promise<void> }>;
  startBroker(scriptPath: string, bindings: Record<string, string>): Promise<Broker>;
  baseVars(services: string): Record<string, string>;
}
// The real broker Worker, bundled and run in workerd by the broker package's test support (miniflare and
// esbuild resolve from that package). A computed specifier keeps tsc from compiling it into this package.
const supportPath = new URL("../../../../broker-worker/test/support/worker.ts", import.meta.url).href;
const { baseVars, bundleWorker, startBroker } = (await import(supportPath)) as BrokerSupport;

let bundle: Awaited<ReturnType<BrokerSupport["bundleWorker"]>>;
let broker: Broker;
let home: string;

const ctx = (env: Record<string, string>, service = "google_drive") => ({
  service,
  instance: "default",
  env,
  fetch: globalThis.fetch,
  home,
});

async function client(service = "google_drive"): Promise<HttpBrokerClient> {
  return createBrokerClient(ctx({ ARCRUN_BROKER_URL: broker.url }, service));
}

async function failure(p: Promise<unknown>): Promise<OAuthError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ArcrunError);
  return err as OAuthError;
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "arcrun-broker-client-"));
  bundle = await bundleWorker();
  broker = await startBroker(bundle.scriptPath, {
    ...baseVars("google_drive,offline_drive,no_revoke"),
    EXTRA_RECIPES: JSON.stringify([
      {
        id: "offline_drive",
        extends: "google_drive",
        oauth2: { token_url: "http://127.0.0.1:9/token", revoke_url: "http://127.0.0.1:9/revoke" },
      },
      {
        id: "no_revoke",
        display_name: "No revocation endpoint",
        docs_url: "https://example.com/docs",
        primitive: "oauth2",
        base_url: "https://api.example.com",
        hosts: ["api.example.com"],
        inject: { header: { Authorization: "Bearer {{runtime.access_token}}" } },
        oauth2: { authorize_url: "https://example.com/authorize", token_url: "https://example.com/token" },
      },
    ]),
  });
}, 60_000);

afterAll(async () => {
  await broker?.dispose();
  await bundle?.dispose();
  await rm(home, { recursive: true, force: true });
});

describe("which broker", () => {
  test("ARCRUN_BROKER_URL wins over broker_url in config.yaml", async () => {
    await writeFile(join(home, "config.yaml"), "broker_url: https://broker.example.org/base\n");
    const fromFile = await findBroker({ service: "x", env: {}, home });
    expect(fromFile).toMatchObject({ from: "config.yaml" });
    expect(fromFile?.url.href).toBe("https://broker.example.org/base/");
    const fromEnv = await findBroker({ service: "x", env: { ARCRUN_BROKER_URL: broker.url }, home });
    expect(fromEnv?.from).toBe("ARCRUN_BROKER_URL");
    expect(fromEnv?.url.origin).toBe(broker.url);
    await rm(join(home, "config.yaml"));
  });

  test("none configured: ERR_BROKER says how to set one, or to use an own OAuth app", async () => {
    const err = await failure(createBrokerClient(ctx({})));
    expect(err.code).toBe("ERR_BROKER");
    expect(err.message).toContain("set ARCRUN_BROKER_URL");
    expect(err.message).toContain("ARCRUN_GOOGLE_DRIVE_CLIENT_ID and ARCRUN_GOOGLE_DRIVE_CLIENT_SECRET");
  });

  test.each([
    "http://broker.example.org",
    "https://user:pw@broker.example.org",
    "https://broker.example.org/?x=1",
    "not a url",
  ])("an unusable URL is refused: %s", async (url) => {
    const err = await failure(createBrokerClient(ctx({ ARCRUN_BROKER_URL: url })));
    expect(err.code).toBe("ERR_BROKER");
    expect(err.message).toContain("ARCRUN_BROKER_URL is not a usable broker URL");
  });

  test("createBrokerClient resolves the broker from ARCRUN_BROKER_URL into an HTTP client", async () => {
    const c = await createBrokerClient(ctx({ ARCRUN_BROKER_URL: broker.url }));
    expect(c).toBeInstanceOf(HttpBrokerClient);
  });
});

describe("against the broker Worker in workerd", () => {
  test("the start URL is accepted by the broker, which redirects to the provider with the scopes", async () => {
    const c = await client();
    const url = c.startUrl({
      service: "google_drive",
      redirectUri: "http://127.0.0.1:53682/callback",
      state: randomBytes(16).toString("base64url"),
      codeChallenge: randomBytes(32).toString("base64url"),
      scopes: ["https://www.googleapis.com/auth/drive.file", "openid"],
    });
    expect(url.startsWith(`${broker.url}/oauth/google_drive/start?`)).toBe(true);
    const res = await fetch(url, { redirect: "manual" });
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get("location") ?? "");
    expect(to.host).toBe("accounts.google.com");
    expect(to.searchParams.get("scope")).toBe("https://www.googleapis.com/auth/drive.file openid");
  });

  test("redeeming an unknown handoff: ERR_BROKER with invalid_grant and the setup command, never the verifier", async () => {
    const verifier = randomBytes(32).toString("base64url");
    const code = randomBytes(32).toString("base64url");
    const err = await failure(
      (await client()).redeem({
        service: "google_drive",
        code,
        codeVerifier: verifier,
        redirectUri: "http://127.0.0.1:53682/callback",
      }),
    );
    expect(err).toBeInstanceOf(OAuthError);
    expect(err.code).toBe("ERR_BROKER");
    expect(err.error).toBe("invalid_grant");
    expect(err.status).toBe(400);
    expect(err.message).toBe(
      "google_drive: the arcrun broker refused the sign-in handoff (invalid_grant: The handoff code is unknown, already used, or expired (it works once, for 60 seconds).); run: arcrun setup google_drive",
    );
    expect(err.message).not.toContain(verifier);
    expect(err.message).not.toContain(code);
    expect(Object.keys(err)).not.toContain("response");
  });

  test("refresh for a service this broker does not serve: ERR_BROKER that points to an own OAuth app", async () => {
    const err = await failure(
      (await client("github")).refresh({ service: "github", refreshToken: "rt-secret" }),
    );
    expect(err.code).toBe("ERR_BROKER");
    expect(err.error).toBe("unknown_service");
    expect(err.message).toContain("this broker does not serve github");
    expect(err.message).toContain("ARCRUN_GITHUB_CLIENT_ID");
    expect(err.message).not.toContain("rt-secret");
  });

  test("a provider the broker cannot reach is ERR_NETWORK, the code the token keeper retries", async () => {
    const err = await failure(
      (await client("offline_drive")).refresh({ service: "offline_drive", refreshToken: "rt-secret" }),
    );
    expect(err.code).toBe("ERR_NETWORK");
    expect(err.error).toBe("temporarily_unavailable");
    expect(err.message).toContain("could not reach the token request endpoint of offline_drive");
  });

  test("revoke where the provider has no endpoint resolves; an unreachable provider rejects", async () => {
    await expect(
      (await client("no_revoke")).revoke({
        service: "no_revoke",
        token: "t",
        tokenTypeHint: "refresh_token",
      }),
    ).resolves.toBeUndefined();
    const c = await client("offline_drive");
    const err = await failure(
      c.revoke({ service: "offline_drive", token: "t", tokenTypeHint: "refresh_token" }),
    );
    expect(err.code).toBe("ERR_NETWORK");
    expect(err.message).toContain("could not reach the revocation endpoint of offline_drive");
  });

  test("an unreachable broker is ERR_NETWORK naming where its URL came from", async () => {
    const c = await createBrokerClient(ctx({ ARCRUN_BROKER_URL: "http://127.0.0.1:9" }));
    const err = await failure(c.refresh({ service: "google_drive", refreshToken: "rt" }));
    expect(err.code).toBe("ERR_NETWORK");
    expect(err.message).toBe(
      "google_drive: could not reach the arcrun broker at http://127.0.0.1:9 (ARCRUN_BROKER_URL) for the token refresh; check the network and the URL, then try again",
    );
  });

  test("a server that is not a broker: ERR_BROKER that says to check the URL", async () => {
    const server = createServer((_req, res) =>
      res.writeHead(404, { "content-type": "text/html" }).end("<h1>nope</h1>"),
    );
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    try {
      const c = await createBrokerClient(ctx({ ARCRUN_BROKER_URL: `http://127.0.0.1:${port}` }));
      const err = await failure(c.refresh({ service: "google_drive", refreshToken: "rt" }));
      expect(err.code).toBe("ERR_BROKER");
      expect(err.message).toContain("HTTP 404 (not an arcrun broker answer)");
      expect(err.message).toContain("check that ARCRUN_BROKER_URL points at an arcrun broker");
    } finally {
      server.close();
    }
  });

  test("checkBroker reports a live broker's services, and an unreachable one without throwing", async () => {
    const live = await findBroker({ service: "x", env: { ARCRUN_BROKER_URL: broker.url }, home });
    expect(await checkBroker(live!)).toEqual({
      url: `${broker.url}/`,
      from: "ARCRUN_BROKER_URL",
      reachable: true,
      httpStatus: 200,
      status: "ok",
      services: ["google_drive", "no_revoke", "offline_drive"],
    });
    const dead = await findBroker({ service: "x", env: { ARCRUN_BROKER_URL: "http://127.0.0.1:9" }, home });
    expect(await checkBroker(dead!)).toMatchObject({ reachable: false });
  });
});

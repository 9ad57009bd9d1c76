import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { localRecipe, type OidcServer, startOidc } from "./support/oidc.js";
import { type Broker, baseVars, bundleWorker, startBroker, TEST_CLIENT } from "./support/worker.js";

/*
 * End to end, as a user with no OAuth app of their own: arcrun-auth -> the broker on workerd -> oidc-provider
 * -> headless Chromium consent -> loopback -> handoff redeemed -> the bound client calls a protected resource;
 * then the access token expires and is refreshed through the broker; then logout revokes through it.
 * The library's only configuration is ARCRUN_BROKER_URL (plus a throwaway ARCRUN_HOME and store key).
 *
 * arcrun-auth's source and its Chromium consent driver are loaded by computed path: they live in another
 * package, outside this one's rootDir. Nothing installs the broker client here: the library loads it itself
 * for a `client: broker` recipe.
 */
interface StoredLike {
  type: string;
  client?: string;
  access_token?: string;
  refresh_token?: string;
}
interface AuthLike {
  login(
    service: string,
    options: { output: NodeJS.WritableStream; openUrl(url: string): void },
  ): Promise<unknown>;
  bind(service: string): { get(path: string): Promise<Response> };
  logout(service: string): Promise<{ deleted: boolean; revocation: string }>;
  store(): Promise<{ get(service: string, instance: string): Promise<StoredLike | undefined> }>;
}
interface ConsentBrowser {
  authorize(
    url: string,
    options?: { stopAt?: (url: URL) => boolean },
  ): Promise<{ finalUrl: string; text: string }>;
  close(): Promise<void>;
}
const auth = (path: string) => import(new URL(`../../auth/${path}`, import.meta.url).href);
const { createAuth } = (await auth("src/index.ts")) as {
  createAuth(options: { env: Record<string, string>; interactive: boolean }): AuthLike;
};
const { launchConsentBrowser } = (await auth("test/support/chromium.ts")) as {
  launchConsentBrowser(): Promise<ConsentBrowser>;
};

const ACCESS_TTL_S = 4;

let bundle: Awaited<ReturnType<typeof bundleWorker>>;
let oidc: OidcServer;
let broker: Broker;
let browser: ConsentBrowser;
let home: string;
let env: Record<string, string>;

beforeAll(async () => {
  bundle = await bundleWorker();
  oidc = await startOidc({
    clientId: TEST_CLIENT.id,
    clientSecret: TEST_CLIENT.secret,
    accessTokenTtl: ACCESS_TTL_S,
  });
  const recipe = localRecipe(oidc);
  broker = await startBroker(bundle.scriptPath, {
    ...baseVars("local_oidc"),
    EXTRA_RECIPES: JSON.stringify([recipe]),
    ENDPOINT_OVERRIDES: JSON.stringify({ local_oidc: { issuer: oidc.issuer } }),
  });
  browser = await launchConsentBrowser();
  home = await mkdtemp(join(tmpdir(), "arcrun-broker-e2e-"));
  await mkdir(join(home, "recipes"), { mode: 0o700 });
  // The user's recipe: `client: broker`, no client id or secret anywhere on the user's side.
  await writeFile(join(home, "recipes", "local_oidc.yaml"), JSON.stringify(recipe, null, 2));
  env = {
    ARCRUN_HOME: home,
    ARCRUN_STORE: "encrypted-file",
    ARCRUN_MASTER_KEY: randomBytes(32).toString("hex"),
    ARCRUN_BROKER_URL: broker.url,
    PATH: process.env.PATH ?? "",
  };
});

afterAll(async () => {
  await browser?.close();
  await broker?.dispose();
  await oidc?.close();
  await bundle?.dispose();
  if (home) await rm(home, { recursive: true, force: true });
});

const sink = () => {
  const out = new PassThrough();
  out.resume();
  return out;
};

describe("a user with only ARCRUN_BROKER_URL", () => {
  let firstAccess = "";

  test("signs in through the broker in Chromium, and the bound client calls the protected resource", async () => {
    const a = createAuth({ env, interactive: false });
    let page: Promise<{ finalUrl: string; text: string }> | undefined;
    await a.login("local_oidc", {
      output: sink(),
      openUrl(url) {
        const start = new URL(url);
        expect(start.origin + start.pathname).toBe(`${broker.url}/oauth/local_oidc/start`);
        const loopback = start.searchParams.get("redirect_uri") ?? "";
        expect(loopback).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
        page = browser.authorize(url, { stopAt: (u) => u.href.startsWith(loopback) });
      },
    });
    const shown = await page;
    expect(shown?.finalUrl).toMatch(/\/callback\?code=[A-Za-z0-9_-]{43}&state=/);
    expect(shown?.text).toContain("You can close this tab");

    const res = await a.bind("local_oidc").get("/me");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: "alice" });

    const stored = await (await a.store()).get("local_oidc", "default");
    expect(stored).toMatchObject({ type: "oauth2", client: "broker" });
    expect(stored?.refresh_token).toBeTruthy();
    firstAccess = stored?.access_token ?? "";
    // The broker kept nothing: the handoff was deleted when redeemed.
    expect(await broker.kvKeys()).toEqual([]);
    expect(oidc.grants).toEqual(["authorization_code"]);
  });

  test("an expired access token is refreshed through the broker", async () => {
    await new Promise((r) => setTimeout(r, (ACCESS_TTL_S + 1) * 1000));
    const direct = await fetch(`${oidc.resourceUrl}/me`, {
      headers: { authorization: `Bearer ${firstAccess}` },
    });
    expect(direct.status).toBe(401);

    const a = createAuth({ env, interactive: false });
    const res = await a.bind("local_oidc").get("/me");
    expect(res.status).toBe(200);
    expect(oidc.grants.filter((g) => g === "refresh_token").length).toBeGreaterThanOrEqual(1);
    expect(broker.logs.some((l) => l.includes("POST /oauth/refresh 200"))).toBe(true);
    const stored = await (await a.store()).get("local_oidc", "default");
    expect(stored?.access_token).not.toBe(firstAccess);
  });

  test("logout revokes through the broker and deletes the local copy", async () => {
    const a = createAuth({ env, interactive: false });
    const before = await (await a.store()).get("local_oidc", "default");
    const result = await a.logout("local_oidc");
    expect(result).toMatchObject({ deleted: true, revocation: "revoked" });
    expect(broker.logs.some((l) => l.includes("POST /oauth/revoke 200"))).toBe(true);
    const refresh = await broker.fetch("/oauth/refresh", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ service: "local_oidc", refresh_token: before?.refresh_token }),
    });
    expect(((await refresh.json()) as { error: string }).error).toBe("invalid_grant");
  });

  test("no token or client secret appears in a log line of the broker", async () => {
    const stored = [firstAccess, TEST_CLIENT.secret];
    for (const line of broker.logs) for (const s of stored) expect(line).not.toContain(s);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuth, MemoryStore, type OAuth2Credential } from "../../src/index.js";
import { localRecipe, tempHome } from "../helpers/home.js";
import { startServer, type TestServer } from "../helpers/server.js";

// Recipe defaults and patterns, on every path a value can come in by: env, secret files, setSecret, prompt.
let api: TestServer;
let h: { home: string; cleanup(): void };
let secretsDir: string;

beforeAll(async () => {
  api = await startServer();
  h = tempHome({
    mailgun_local: localRecipe("mailgun_local", "mailgun", api.url),
    shop_local: localRecipe("shop_local", "shopify", api.url),
    sf_local: "id: sf_local\nextends: salesforce\n",
  });
  secretsDir = mkdtempSync(join(tmpdir(), "arcrun-secret-files-"));
});
afterAll(async () => {
  await api.close();
  h.cleanup();
  rmSync(secretsDir, { recursive: true, force: true });
});

function make(env: Record<string, string>, extra: Parameters<typeof createAuth>[0] = {}) {
  return createAuth({ home: h.home, store: new MemoryStore(), env, interactive: false, ...extra });
}

const BAD_SHOP = "evil.example/x";

describe("recipe defaults", () => {
  it("mailgun's Basic user defaults to api when only the API key is given (env)", async () => {
    const auth = make({ ARCRUN_MAILGUN_LOCAL_API_KEY: "key-from-env" });
    const res = await auth.bind("mailgun_local").get("/v4/domains");
    expect(res.status).toBe(200);
    expect(api.seen.at(-1)?.headers.authorization).toBe(
      `Basic ${Buffer.from("api:key-from-env").toString("base64")}`,
    );
    expect(await auth.getSecret("mailgun_local")).toEqual({ username: "api", api_key: "key-from-env" });
    await auth.close();
  });

  it("setSecret without the defaulted value stores the default", async () => {
    const store = new MemoryStore();
    const auth = make({}, { store });
    await auth.setSecret("mailgun_local", { api_key: "key-stored" });
    expect((await store.get("mailgun_local", "default"))?.values).toEqual({
      username: "api",
      api_key: "key-stored",
    });
    await auth.close();
  });
});

describe("patterns on every input path: ERR_INVALID_SECRET names the key and the form, never the value", () => {
  const expectInvalid = (err: unknown, where: string) => {
    expect(err).toMatchObject({ code: "ERR_INVALID_SECRET", service: "shop_local" });
    const message = (err as Error).message;
    expect(message).toContain(where);
    expect(message).toContain('"shop"');
    expect(message).toContain("[A-Za-z0-9][A-Za-z0-9-]*");
    expect(message).toMatch(/run: arcrun setup shop_local$/);
    expect(message).not.toContain(BAD_SHOP);
  };

  it("environment: names the variable, and no request is made", async () => {
    const before = api.seen.length;
    const auth = make({ ARCRUN_SHOP_LOCAL_SHOP: BAD_SHOP, ARCRUN_SHOP_LOCAL_ACCESS_TOKEN: "shpat_x" });
    expectInvalid(
      await auth
        .bind("shop_local")
        .get("/shop.json")
        .catch((e: unknown) => e),
      "The value of ARCRUN_SHOP_LOCAL_SHOP",
    );
    // The recipe's own env name (SHOPIFY_SHOP) is checked the same way.
    const own = make({ SHOPIFY_SHOP: BAD_SHOP, ARCRUN_SHOP_LOCAL_ACCESS_TOKEN: "shpat_x" });
    expectInvalid(await own.getSecret("shop_local").catch((e: unknown) => e), "The value of SHOPIFY_SHOP");
    expect(api.seen.length).toBe(before);
    await auth.close();
    await own.close();
  });

  it("secret files: names the file", async () => {
    writeFileSync(join(secretsDir, "shop_local_shop"), `${BAD_SHOP}\n`);
    writeFileSync(join(secretsDir, "shop_local_access_token"), "shpat_x\n");
    const auth = make({ ARCRUN_SECRETS_DIR: secretsDir });
    expectInvalid(
      await auth.getToken("shop_local").catch((e: unknown) => e),
      "The secret file shop_local_shop",
    );
    await auth.close();
  });

  it("setSecret and login with values refuse it and store nothing", async () => {
    const store = new MemoryStore();
    const auth = make({}, { store });
    expectInvalid(
      await auth
        .setSecret("shop_local", { shop: BAD_SHOP, access_token: "shpat_x" })
        .catch((e: unknown) => e),
      "The value given",
    );
    expectInvalid(
      await auth
        .login("shop_local", { values: { shop: BAD_SHOP, access_token: "shpat_x" } })
        .catch((e: unknown) => e),
      "The value given",
    );
    expect(await store.list()).toEqual([]);
    await auth.close();
  });

  it("a prompt answer is checked before it is stored", async () => {
    const store = new MemoryStore();
    const answers: Record<string, string> = { shop: BAD_SHOP, access_token: "shpat_x" };
    const auth = make({}, { store, interactive: true, prompt: { ask: async (q) => answers[q.key] ?? "" } });
    expectInvalid(await auth.login("shop_local").catch((e: unknown) => e), "The value given");
    expect(await store.list()).toEqual([]);
    await auth.close();
  });

  it("an OAuth recipe's values too (a Salesforce My Domain goes into the host): no token is sent", async () => {
    const store = new MemoryStore();
    const at = new Date().toISOString();
    const cred: OAuth2Credential = {
      v: 1,
      type: "oauth2",
      values: {},
      access_token: "access-1",
      token_type: "Bearer",
      expires_at: Date.now() + 3_600_000,
      client: "byo",
      created_at: at,
      updated_at: at,
    };
    await store.set("sf_local", "default", cred);
    const auth = make({ ARCRUN_SF_LOCAL_MY_DOMAIN: "evil.example/x" }, { store });
    const err = await auth
      .bind("sf_local")
      .get("/services/data")
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "ERR_INVALID_SECRET" });
    expect((err as Error).message).toContain(
      'The value of ARCRUN_SF_LOCAL_MY_DOMAIN for sf_local "my_domain"',
    );
    await auth.close();
  });
});

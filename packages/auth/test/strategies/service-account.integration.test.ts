import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { exportJWK, exportPKCS8, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuth, isArcrunError, MemoryStore, strategyFactories } from "../../src/index.js";
import type { StrategyFactoryContext } from "../../src/types.js";
import { makeHome, type TestHome } from "../support/home.js";
import { startTestProvider, type TestProvider } from "../support/oidc-provider.js";

let op: TestProvider;
let home: TestHome;
let keyFile: string;
const EMAIL = "backup@arcrun-test.iam.gserviceaccount.com";

/** A service account key in Google's JSON key file format, made for this run. */
async function googleKey(
  email: string,
): Promise<{ json: string; publicJwk: Awaited<ReturnType<typeof exportJWK>> }> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", {
    extractable: true,
    modulusLength: 2048,
  });
  const json = JSON.stringify({
    type: "service_account",
    project_id: "arcrun-test",
    private_key_id: "0123456789abcdef",
    private_key: await exportPKCS8(privateKey),
    client_email: email,
    client_id: "100000000000000000001",
    auth_uri: "https://accounts.google.com/o/oauth2/auth",
    token_uri: "https://oauth2.googleapis.com/token",
  });
  return { json, publicJwk: await exportJWK(publicKey) };
}

beforeAll(async () => {
  op = await startTestProvider();
  home = await makeHome();
  const key = await googleKey(EMAIL);
  await op.registerServiceAccount({ client_email: EMAIL, publicJwk: key.publicJwk });
  keyFile = join(home.dir, "sa.json");
  await writeFile(keyFile, key.json, { mode: 0o600 });
  await home.writeRecipe({
    id: "local_sa_dwd",
    extends: "local_sa",
    display_name: "Local service account acting as a user",
    primitive: "service_account",
    required_secrets: [
      { key: "key_json", label: "Service account key", format: "json" },
      {
        key: "subject",
        label: "User to act as",
        sensitive: false,
        pattern: "[^@\\s]+@[^@\\s]+\\.[^@\\s]+",
      },
    ],
    service_account: { subject: "{{secret.subject}}" },
  });
  await home.writeRecipe({
    id: "local_sa",
    display_name: "Local service account API",
    docs_url: "https://example.com/docs",
    primitive: "oauth2",
    base_url: op.resourceUrl,
    hosts: ["127.0.0.1"],
    oauth2: { authorize_url: op.urls.authorize, token_url: op.urls.token, client: "byo" },
    service_account: {
      kind: "google_jwt",
      token_url: op.urls.token,
      scopes: ["https://www.googleapis.com/auth/drive.file"],
    },
    inject: { header: { Authorization: "Bearer {{runtime.access_token}}" } },
    test: { method: "GET", path: "/me", expect_status: 200 },
  });
});

afterAll(async () => {
  await op?.close();
  await home?.cleanup();
});

describe("service accounts (RFC 7523) with a Google JSON key", () => {
  it("signs an RS256 assertion the token endpoint verifies, and calls the API with the token", async () => {
    const auth = createAuth({ env: { ...home.env, ARCRUN_LOCAL_SA_KEY_JSON: keyFile }, interactive: false });
    const client = auth.bind("local_sa", { via: "service_account" });
    const res = await client.get("/files");
    expect(res.status).toBe(200);
    expect(((await res.json()) as { client_id: string }).client_id).toBe(EMAIL);
    const req = op.tokenRequests
      .filter((r) => r.grant_type === "urn:ietf:params:oauth:grant-type:jwt-bearer")
      .at(-1);
    expect(req?.status).toBe(200);
    expect(req?.auth).toBe("none");
    const claims = req?.assertion;
    expect(claims).toMatchObject({
      iss: EMAIL,
      aud: op.urls.token,
      scope: "https://www.googleapis.com/auth/drive.file",
    });
    expect(claims?.sub).toBeUndefined();
    expect((claims?.exp ?? 0) - (claims?.iat ?? 0)).toBeLessThanOrEqual(3600);
    expect(Math.abs((claims?.iat ?? 0) - Date.now() / 1000)).toBeLessThan(60);
    await auth.close();
  });

  it("bind's secret option takes the key's JSON text or the parsed object, used as the service account", async () => {
    const text = await readFile(keyFile, "utf8");
    for (const secret of [text, JSON.parse(text) as Record<string, string>]) {
      const auth = createAuth({ env: home.env, interactive: false });
      const res = await auth.bind("local_sa", { secret }).get("/files");
      expect(res.status).toBe(200);
      expect(((await res.json()) as { client_id: string }).client_id).toBe(EMAIL);
      const token = await auth.getToken("local_sa", { secret });
      expect(token.accessToken).not.toBe("");
      await auth.close();
    }
  });

  it("caches the token until 5 minutes before it expires: many calls, one assertion", async () => {
    const auth = createAuth({
      env: { ...home.env, GOOGLE_APPLICATION_CREDENTIALS: keyFile },
      interactive: false,
    });
    const before = op.count("urn:ietf:params:oauth:grant-type:jwt-bearer");
    const client = auth.bind("local_sa", { via: "service_account" });
    const statuses = await Promise.all(
      Array.from({ length: 20 }, async () => (await client.get("/x")).status),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    await auth.getToken("local_sa", { via: "service_account" });
    expect(op.count("urn:ietf:params:oauth:grant-type:jwt-bearer") - before).toBe(1);
    await auth.close();
  });

  it("sets sub for domain-wide delegation when a subject is given", async () => {
    const factory = strategyFactories.service_account;
    if (!factory) throw new Error("service_account strategy not registered");
    const auth = createAuth({ env: home.env, interactive: false });
    const recipe = await auth.recipe("local_sa");
    const ctx: StrategyFactoryContext = {
      recipe,
      service: "local_sa",
      instance: "default",
      primitive: "service_account",
      home: home.dir,
      store: new MemoryStore(),
      fetch: globalThis.fetch,
      env: { ARCRUN_LOCAL_SA_KEY_JSON: keyFile },
      now: Date.now,
      logger: { warn: () => {} },
      prompt: { ask: async () => "" },
      interactive: false,
      subject: "alice@example.com",
      readValues: async () => ({ values: {}, sources: {}, missing: [] }),
    };
    const strategy = await factory(ctx);
    const cred = await strategy.resolve();
    expect(cred.values.runtime?.access_token).toBeTruthy();
    expect(op.tokenRequests.at(-1)?.assertion?.sub).toBe("alice@example.com");
    await auth.close();
  });

  it("a key the server does not know is refused with ERR_INVALID_SECRET and the next step", async () => {
    const other = await googleKey(EMAIL);
    const auth = createAuth({
      env: { ...home.env, ARCRUN_LOCAL_SA_KEY_JSON: other.json },
      interactive: false,
    });
    const err = await auth.getToken("local_sa", { via: "service_account" }).catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_INVALID_SECRET")).toBe(true);
    expect((err as Error).message).toMatch(/refused the service account's assertion/);
    expect((err as Error).message).not.toContain("PRIVATE KEY");
    await auth.close();
  });

  it("no key anywhere: ERR_NEEDS_LOGIN naming the variables to set", async () => {
    const auth = createAuth({ env: home.env, interactive: false });
    const err = await auth.getToken("local_sa", { via: "service_account" }).catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_NEEDS_LOGIN")).toBe(true);
    expect((err as Error).message).toContain("ARCRUN_LOCAL_SA_KEY_JSON");
    expect((err as Error).message).toContain("GOOGLE_APPLICATION_CREDENTIALS");
    await auth.close();
  });
});

const lastAssertion = () =>
  op.tokenRequests.filter((r) => r.grant_type === "urn:ietf:params:oauth:grant-type:jwt-bearer").at(-1);

describe("auth.login via service_account (arcrun setup google_drive --via service_account)", () => {
  it("asks for the key path, checks it, mints a token, stores the key; a later process uses it with no env", async () => {
    const asked: string[] = [];
    const auth = createAuth({
      env: home.env,
      interactive: false,
      prompt: {
        ask: async (q) => {
          asked.push(q.key);
          return keyFile;
        },
      },
    });
    const before = op.count("urn:ietf:params:oauth:grant-type:jwt-bearer");
    const result = await auth.login("local_sa", { via: "service_account", verify: true });
    expect(result).toMatchObject({ primitive: "service_account", test: { ok: true, status: 200 } });
    expect(asked).toEqual(["key_json"]);
    expect(op.count("urn:ietf:params:oauth:grant-type:jwt-bearer") - before).toBeGreaterThanOrEqual(1);
    const stored = await (await auth.store()).get("local_sa", "default");
    expect(stored?.type).toBe("service_account");
    expect(stored?.values.key_json).toContain('"client_email"');
    await auth.close();

    // Another instance (as another process would): only the store, no key in the environment.
    const later = createAuth({ env: home.env, interactive: false });
    // No `via` needed: what is stored was set up through the service account.
    const res = await later.bind("local_sa").get("/files");
    expect(res.status).toBe(200);
    expect(((await res.json()) as { client_id: string }).client_id).toBe(EMAIL);
    expect((await later.status("local_sa")).instances[0]).toMatchObject({ type: "service_account" });
    await later.close();
  });

  it("a key the token endpoint refuses: ERR_INVALID_SECRET, and nothing is stored", async () => {
    const other = await googleKey(EMAIL);
    const otherFile = join(home.dir, "other.json");
    await writeFile(otherFile, other.json, { mode: 0o600 });
    const env = { ...home.env, ARCRUN_HOME: home.dir };
    const auth = createAuth({ env, interactive: false, prompt: { ask: async () => otherFile } });
    const err = await auth
      .login("local_sa", { via: "service_account", instance: "refused" })
      .catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_INVALID_SECRET")).toBe(true);
    expect((err as Error).message).not.toContain("PRIVATE KEY");
    expect(await (await auth.store()).get("local_sa", "refused")).toBeUndefined();
    await auth.close();
  });

  it("not a key file: ERR_INVALID_SECRET naming what is wrong, never the content", async () => {
    const notKey = join(home.dir, "not-a-key.json");
    await writeFile(notKey, '{"type":"authorized_user","refresh_token":"rt-secret"}');
    const auth = createAuth({ env: home.env, interactive: false, prompt: { ask: async () => notKey } });
    const err = await auth
      .login("local_sa", { via: "service_account", instance: "bad" })
      .catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_INVALID_SECRET")).toBe(true);
    expect((err as Error).message).toContain("not service_account");
    expect((err as Error).message).not.toContain("rt-secret");
    await auth.close();
  });
});

describe("domain-wide delegation: subject", () => {
  it("bind({ subject }) sets sub, and each subject gets its own token", async () => {
    const auth = createAuth({ env: { ...home.env, ARCRUN_LOCAL_SA_KEY_JSON: keyFile }, interactive: false });
    await auth.getToken("local_sa", { via: "service_account", subject: "carol@example.com" });
    expect(lastAssertion()?.assertion?.sub).toBe("carol@example.com");
    const res = await auth
      .bind("local_sa", { via: "service_account", subject: "dave@example.com" })
      .get("/x");
    expect(res.status).toBe(200);
    expect(lastAssertion()?.assertion?.sub).toBe("dave@example.com");
    // Without a subject the account acts as itself (a token of its own, no sub).
    await auth.getToken("local_sa", { via: "service_account" });
    expect(lastAssertion()?.assertion?.sub).toBeUndefined();
    await auth.close();
  });

  it("the recipe's service_account > subject template ({{secret.subject}}) is the fallback", async () => {
    const env = {
      ...home.env,
      ARCRUN_LOCAL_SA_DWD_KEY_JSON: keyFile,
      ARCRUN_LOCAL_SA_DWD_SUBJECT: "bob@example.com",
    };
    const auth = createAuth({ env, interactive: false });
    await auth.getToken("local_sa_dwd");
    expect(lastAssertion()?.assertion?.sub).toBe("bob@example.com");
    // An explicit subject wins over the recipe's.
    await auth.getToken("local_sa_dwd", { subject: "alice@example.com" });
    expect(lastAssertion()?.assertion?.sub).toBe("alice@example.com");
    await auth.close();
  });

  it("a template whose value is missing: ERR_MISSING_SECRET naming the variable", async () => {
    const auth = createAuth({
      env: { ...home.env, ARCRUN_LOCAL_SA_DWD_KEY_JSON: keyFile },
      interactive: false,
    });
    const before = op.count("urn:ietf:params:oauth:grant-type:jwt-bearer");
    const err = await auth.getToken("local_sa_dwd").catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_MISSING_SECRET")).toBe(true);
    expect((err as Error).message).toContain("ARCRUN_LOCAL_SA_DWD_SUBJECT");
    expect(op.count("urn:ietf:params:oauth:grant-type:jwt-bearer")).toBe(before);
    await auth.close();
  });
});

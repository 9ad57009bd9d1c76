import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuth, isArcrunError, type OAuth2Credential } from "../../src/index.js";
import { type BundledScript, bundleScript } from "../support/bundle.js";
import { makeHome, providerRecipe, type TestHome } from "../support/home.js";
import { startTestProvider, type TestProvider } from "../support/oidc-provider.js";
import { startWorker } from "../support/processes.js";

const WORKER = fileURLToPath(new URL("./fixtures/refresh-worker.ts", import.meta.url));
let op: TestProvider;
let home: TestHome;
// Bundled once: the worker processes start without tsx's loader (8 at once below).
let worker: BundledScript;

beforeAll(async () => {
  worker = await bundleScript(WORKER);
  op = await startTestProvider();
  home = await makeHome();
  await home.writeRecipe(providerRecipe(op, "local_oidc"));
  home.env.ARCRUN_LOCAL_OIDC_CLIENT_ID = op.nativeClient.client_id;
});

afterAll(async () => {
  await op?.close();
  await home?.cleanup();
  await worker?.dispose();
});

/** Stores a real grant from the provider whose access token has already expired. */
async function storeExpiredGrant(opts: { valid?: boolean } = {}): Promise<OAuth2Credential> {
  const { access_token, refresh_token } = await op.seedGrant({ accessTokenTtl: opts.valid ? 3600 : 1 });
  if (!opts.valid) await new Promise((r) => setTimeout(r, 1100));
  const auth = createAuth({ env: home.env, interactive: false });
  const now = Date.now();
  const cred: OAuth2Credential = {
    v: 1,
    type: "oauth2",
    values: {},
    created_at: new Date(now).toISOString(),
    updated_at: new Date(now).toISOString(),
    access_token,
    token_type: "Bearer",
    refresh_token,
    issued_at: opts.valid ? now : now - 2000,
    expires_at: opts.valid ? now + 3_600_000 : now - 1000,
    scopes: ["openid", "offline_access"],
    client: "byo",
    status: "ok",
  };
  await (await auth.store()).set("local_oidc", "default", cred);
  await auth.close();
  return cred;
}

async function stored(): Promise<OAuth2Credential> {
  const auth = createAuth({ env: home.env, interactive: false });
  const c = await (await auth.store()).get("local_oidc", "default");
  await auth.close();
  if (c?.type !== "oauth2") throw new Error("no oauth2 credential stored");
  return c;
}

describe("refresh under contention, against a provider that rotates refresh tokens and revokes on reuse", () => {
  it("8 processes x 50 concurrent requests on an expired token: all succeed, exactly one refresh", async () => {
    const before = await storeExpiredGrant();
    const refreshesBefore = op.count("refresh_token");
    const okBefore = op.resourceHits.ok;
    const workers = Array.from({ length: 8 }, () =>
      startWorker(worker.path, { ...home.env, WORKER_REQUESTS: "50" }),
    );
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.go();
    const outcomes = await Promise.all(workers.map((w) => w.done));
    const statuses = outcomes.flatMap((o) => {
      expect(o.code, o.stderr).toBe(0);
      const line = o.lines.at(-1) ?? "{}";
      return (JSON.parse(line) as { results: Array<number | string> }).results;
    });
    expect(statuses).toHaveLength(400);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(op.count("refresh_token") - refreshesBefore).toBe(1);
    expect(op.resourceHits.ok - okBefore).toBe(400);
    const after = await stored();
    // The rotated refresh token replaced the old one, and the new grant still works.
    expect(after.refresh_token).not.toBe(before.refresh_token);
    expect(after.access_token).not.toBe(before.access_token);
    expect((await op.introspect(after.access_token)).active).toBe(true);
  });

  it("kill -9 during a refresh: the next process takes over the lock and still has a working credential", async () => {
    const before = await storeExpiredGrant();
    const hold = op.hold("refresh_token");
    const victim = startWorker(worker.path, { ...home.env, WORKER_REQUESTS: "1" });
    await victim.ready;
    victim.go();
    // The victim holds the credential's lock and its refresh request is in flight.
    await hold.arrived;
    victim.child.kill("SIGKILL");
    const killed = await victim.done;
    expect(killed.signal).toBe("SIGKILL");
    hold.release();
    // The store is intact: still the previous, readable record.
    expect((await stored()).refresh_token).toBe(before.refresh_token);

    const next = startWorker(worker.path, { ...home.env, WORKER_REQUESTS: "5" });
    await next.ready;
    next.go();
    const out = await next.done;
    expect(out.code, out.stderr).toBe(0);
    expect((JSON.parse(out.lines.at(-1) ?? "{}") as { results: unknown[] }).results).toEqual([
      200, 200, 200, 200, 200,
    ]);
    const after = await stored();
    expect(after.status).toBe("ok");
    expect((await op.introspect(after.access_token)).active).toBe(true);
  });

  it("a 401 on a token that looks valid: one forced refresh, then the request is retried and succeeds", async () => {
    const before = await storeExpiredGrant({ valid: true });
    // The provider no longer knows the access token (expired early, or revoked) while the record says it is valid.
    const auth0 = createAuth({ env: home.env, interactive: false });
    await (await auth0.store()).set("local_oidc", "default", {
      ...before,
      access_token: "unknown-to-the-provider",
    });
    await auth0.close();
    const refreshes = op.count("refresh_token");
    const unauthorized = op.resourceHits.unauthorized;
    const auth = createAuth({ env: home.env, interactive: false });
    const res = await auth.bind("local_oidc").get("/me");
    expect(res.status).toBe(200);
    expect(op.count("refresh_token") - refreshes).toBe(1);
    expect(op.resourceHits.unauthorized - unauthorized).toBe(1);
    expect((await stored()).access_token).not.toBe("unknown-to-the-provider");
    expect((await stored()).refresh_token).not.toBe(before.refresh_token);
    await auth.close();
  });

  it("a 401 on 20 concurrent requests through one client: exactly one refresh, each request retried once", async () => {
    // Before: onUnauthorized set a flag that the next resolve() cleared, so a concurrent request's resolve
    // cleared it first and the retry forced a second refresh of the token just issued.
    const before = await storeExpiredGrant({ valid: true });
    const auth0 = createAuth({ env: home.env, interactive: false });
    await (await auth0.store()).set("local_oidc", "default", {
      ...before,
      access_token: "unknown-to-the-provider",
    });
    await auth0.close();
    const refreshes = op.count("refresh_token");
    const unauthorized = op.resourceHits.unauthorized;
    const ok = op.resourceHits.ok;
    const auth = createAuth({ env: home.env, interactive: false });
    const client = auth.bind("local_oidc");
    const statuses = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const res = await client.get("/me");
        await res.text();
        return res.status;
      }),
    );
    expect(statuses).toEqual(Array.from({ length: 20 }, () => 200));
    expect(op.count("refresh_token") - refreshes).toBe(1);
    expect(op.resourceHits.unauthorized - unauthorized).toBe(20);
    expect(op.resourceHits.ok - ok).toBe(20);
    await auth.close();
  });

  it("invalid_grant (a refresh token the provider revoked): reauth_required stored, ERR_REAUTH_REQUIRED raised", async () => {
    const before = await storeExpiredGrant();
    // Someone else used this refresh token: the provider rotated it, so ours is now invalid.
    const used = await fetch(op.urls.token, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: before.refresh_token ?? "",
        client_id: op.nativeClient.client_id,
      }),
    });
    expect(used.status).toBe(200);
    const auth = createAuth({ env: home.env, interactive: false });
    const err = await auth
      .bind("local_oidc")
      .get("/me")
      .catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_REAUTH_REQUIRED")).toBe(true);
    expect((err as Error).message).toContain("run: arcrun setup local_oidc");
    expect(await stored()).toMatchObject({ status: "reauth_required" });
    const services = await auth.listServices();
    const info = services.find((s) => s.id === "local_oidc");
    expect(info?.instances[0]?.status).toBe("reauth_required");
    await auth.close();
  });
});

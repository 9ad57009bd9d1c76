import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isArcrunError } from "../../src/errors.js";
import { SingleFlight, withFileLock } from "../../src/internal/lock.js";
import { tokenRequest } from "../../src/internal/oauth/endpoint.js";
import { freshToken, type TokenKeeper } from "../../src/internal/oauth/refresh.js";
import { MemoryStore } from "../../src/stores/memory.js";
import type { OAuth2Credential } from "../../src/types.js";
import { localServer, type Reply } from "./local-server.js";

let dir: string;
let close: (() => Promise<void>) | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "arcrun-refresh-"));
});
afterEach(async () => {
  await close?.();
  close = undefined;
  await rm(dir, { recursive: true, force: true });
});

const NOW = 1_800_000_000_000;

function record(over: Partial<OAuth2Credential> = {}): OAuth2Credential {
  return {
    v: 1,
    type: "oauth2",
    values: {},
    created_at: "2027-01-01T00:00:00.000Z",
    updated_at: "2027-01-01T00:00:00.000Z",
    access_token: "old-access",
    token_type: "Bearer",
    refresh_token: "old-refresh",
    issued_at: NOW - 3_600_000,
    expires_at: NOW - 1,
    client: "byo",
    status: "ok",
    ...over,
  };
}

/** A keeper against a local token endpoint that answers from `reply`. */
async function keeper(reply: (n: number, body: URLSearchParams) => Reply, now = () => NOW) {
  const srv = await localServer((req, n) => reply(n, new URLSearchParams(req.body)));
  close = srv.close;
  const store = new MemoryStore();
  const flights = new SingleFlight<OAuth2Credential>();
  const sleeps: number[] = [];
  const k: TokenKeeper = {
    service: "svc",
    instance: "default",
    store,
    now,
    withLock: (fn) => withFileLock(join(dir, "svc.lock"), fn),
    singleFlight: (key, fn) => flights.run(key, fn),
    client: "byo",
    requestedScopes: ["a"],
    scopeRules: { separator: " " },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    renew: (cur) =>
      cur.refresh_token
        ? tokenRequest(
            { service: "svc", instance: "default" },
            {
              url: `${srv.url}/token`,
              client: { clientId: "cid", authMethod: "none" },
              bodyFormat: "form",
              params: { grant_type: "refresh_token", refresh_token: cur.refresh_token },
            },
          )
        : undefined,
  };
  return { k, store, seen: srv.seen, sleeps };
}

const rotated = (n: number): Reply => ({
  status: 200,
  json: {
    access_token: `new-access-${n}`,
    token_type: "Bearer",
    expires_in: 3600,
    refresh_token: `new-refresh-${n}`,
  },
});

describe("refresh: never loses a token", () => {
  it("a valid token is returned without a request", async () => {
    const { k, store, seen } = await keeper(rotated);
    await store.set("svc", "default", record({ expires_at: NOW + 3_600_000, issued_at: NOW }));
    expect((await freshToken(k)).access_token).toBe("old-access");
    expect(seen).toHaveLength(0);
  });

  it("1,000 concurrent callers on an expired token: one refresh request (single-flight + lock)", async () => {
    const { k, store, seen } = await keeper(rotated);
    await store.set("svc", "default", record());
    const all = await Promise.all(Array.from({ length: 1000 }, () => freshToken(k)));
    expect(seen).toHaveLength(1);
    expect(new Set(all.map((c) => c.access_token))).toEqual(new Set(["new-access-1"]));
  });

  it("the rotated refresh token replaces the old one in the same write (RFC 6749 section 6)", async () => {
    const { k, store } = await keeper(rotated);
    await store.set("svc", "default", record());
    await freshToken(k);
    const after = await store.get("svc", "default");
    expect(after).toMatchObject({
      access_token: "new-access-1",
      refresh_token: "new-refresh-1",
      expires_at: NOW + 3_600_000,
    });
  });

  it("a response without a refresh token keeps the previous one", async () => {
    const { k, store } = await keeper(() => ({
      status: 200,
      json: { access_token: "n", token_type: "Bearer", expires_in: 60 },
    }));
    await store.set("svc", "default", record());
    await freshToken(k);
    expect(await store.get("svc", "default")).toMatchObject({
      access_token: "n",
      refresh_token: "old-refresh",
    });
  });

  it("after taking the lock, re-reads the store: a refresh another process made is used, not repeated", async () => {
    const { k, store, seen } = await keeper(rotated);
    await store.set("svc", "default", record());
    // Another process refreshes while this one waits for the lock.
    let resolveHeld!: () => void;
    const held = withFileLock(join(dir, "svc.lock"), async () => {
      await new Promise<void>((r) => {
        resolveHeld = r;
      });
      await store.set(
        "svc",
        "default",
        record({
          access_token: "theirs",
          refresh_token: "theirs-r",
          expires_at: NOW + 3_600_000,
          issued_at: NOW,
        }),
      );
    });
    await new Promise((r) => setTimeout(r, 20));
    const mine = freshToken(k);
    await new Promise((r) => setTimeout(r, 20));
    resolveHeld();
    await held;
    expect((await mine).access_token).toBe("theirs");
    expect(seen).toHaveLength(0);
  });

  it("after a 401 (force), a token someone else already refreshed is used without a request", async () => {
    const { k, store, seen } = await keeper(rotated);
    await store.set(
      "svc",
      "default",
      record({ access_token: "fresh", expires_at: NOW + 3_600_000, issued_at: NOW }),
    );
    const c = await freshToken(k, { force: true, staleAccessToken: "refused" });
    expect(c.access_token).toBe("fresh");
    expect(seen).toHaveLength(0);
    const d = await freshToken(k, { force: true, staleAccessToken: "fresh" });
    expect(d.access_token).toBe("new-access-1");
    expect(seen).toHaveLength(1);
  });

  it("invalid_grant: marks the record reauth_required and raises ERR_REAUTH_REQUIRED with the next step", async () => {
    const { k, store, seen } = await keeper(() => ({
      status: 400,
      json: { error: "invalid_grant", error_description: "revoked" },
    }));
    await store.set("svc", "default", record());
    const err = await freshToken(k).catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_REAUTH_REQUIRED")).toBe(true);
    expect((err as Error).message).toContain("run: arcrun setup svc");
    expect((err as Error).message).not.toContain("old-refresh");
    const after = await store.get("svc", "default");
    expect(after).toMatchObject({ status: "reauth_required", refresh_token: "old-refresh" });
    // Later calls fail fast, without asking the provider again.
    const again = await freshToken(k).catch((e: unknown) => e);
    expect(isArcrunError(again, "ERR_REAUTH_REQUIRED")).toBe(true);
    expect(seen).toHaveLength(1);
  });

  it("a recipe's reauth_errors code (GitHub's bad_refresh_token, on HTTP 200) also means sign in again", async () => {
    const { k, store } = await keeper(() => ({
      status: 200,
      json: {
        error: "bad_refresh_token",
        error_description: "The refresh token passed is incorrect or expired.",
      },
    }));
    await store.set("svc", "default", record());
    // Without the recipe's word it is an OAuth error, not a dead grant.
    const plain = await freshToken(k).catch((e: unknown) => e);
    expect(isArcrunError(plain, "ERR_OAUTH")).toBe(true);
    expect(await store.get("svc", "default")).toMatchObject({ status: "ok" });
    const err = await freshToken({ ...k, reauthErrors: ["bad_refresh_token"] }).catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_REAUTH_REQUIRED")).toBe(true);
    expect((err as Error).message).toBe(
      "svc: the provider refused the refresh token (bad_refresh_token: revoked, expired or replaced); sign in again: run: arcrun setup svc",
    );
    expect(await store.get("svc", "default")).toMatchObject({ status: "reauth_required" });
  });

  it("transient errors retry with backoff, then succeed; nothing is discarded meanwhile", async () => {
    const { k, store, seen, sleeps } = await keeper((n) =>
      n < 3 ? { status: 503, text: "busy" } : rotated(n),
    );
    await store.set("svc", "default", record());
    expect((await freshToken(k)).access_token).toBe("new-access-3");
    expect(seen).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[1]).toBeGreaterThan(sleeps[0] ?? 0);
  });

  it("transient errors that outlast the retries: a still-valid token keeps being used, the record untouched", async () => {
    const { k, store } = await keeper(() => ({ status: 502, text: "bad gateway" }));
    const rec = record({ expires_at: NOW + 60_000, issued_at: NOW - 3_540_000 });
    await store.set("svc", "default", rec);
    expect((await freshToken(k)).access_token).toBe("old-access");
    expect(await store.get("svc", "default")).toEqual(rec);
  });

  it("transient errors on an expired token: ERR_NETWORK, and the refresh token is still stored", async () => {
    const { k, store } = await keeper(() => ({ status: 500, json: { error: "server_error" } }));
    await store.set("svc", "default", record());
    const err = await freshToken(k).catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_NETWORK")).toBe(true);
    expect(await store.get("svc", "default")).toMatchObject({ refresh_token: "old-refresh", status: "ok" });
  });

  it("no stored credential: ERR_NEEDS_LOGIN with the setup command", async () => {
    const { k } = await keeper(rotated);
    const err = await freshToken(k).catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_NEEDS_LOGIN")).toBe(true);
    expect((err as Error).message).toContain("run: arcrun setup svc");
  });
});

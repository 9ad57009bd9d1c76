import { createHash } from "node:crypto";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import type { Recipe } from "@arcrun/recipes";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isArcrunError } from "../../src/errors.js";
import { browserCommands, openBrowser } from "../../src/internal/oauth/browser.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { createOAuth2CodeStrategy, issuerMatches } from "../../src/strategies/oauth2-code.js";
import type { StrategyFactoryContext } from "../../src/types.js";
import { localServer } from "../oauth/local-server.js";

let dir: string;
let close: (() => Promise<void>) | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "arcrun-code-"));
});
afterEach(async () => {
  await close?.();
  close = undefined;
  await rm(dir, { recursive: true, force: true });
});

function recipe(tokenUrl: string): Recipe {
  return {
    id: "svc",
    display_name: "Svc",
    docs_url: "https://example.com",
    categories: [],
    primitive: "oauth2",
    base_url: "https://api.example.com",
    hosts: ["api.example.com"],
    required_secrets: [],
    oauth2: {
      grant: "authorization_code",
      authorize_url: "https://as.example.com/authorize",
      token_url: tokenUrl,
      scopes: ["read", "write"],
      scope_separator: " ",
      scope_param: "scope",
      device_headless: true,
      token_auth_method: "client_secret_post",
      client_secret: "optional",
      body_format: "form",
      authorization_params: { access_type: "offline", state: "recipe-cannot-set-this" },
      token_params: {},
      token_headers: {},
      reauth_errors: [],
      capture: {},
      enable_apis: [],
      refresh_on_status: [401],
      refresh_params: {},
      pkce: "S256",
      client: "byo",
    },
  };
}

async function setup() {
  const challenges = new Map<string, string>();
  const srv = await localServer((req) => {
    const body = new URLSearchParams(req.body);
    if (body.get("grant_type") === "refresh_token" && body.get("refresh_token") === "rt") {
      return { status: 200, json: { access_token: "at2", token_type: "Bearer", expires_in: 3600 } };
    }
    const verifier = body.get("code_verifier") ?? "";
    const expected = challenges.get(body.get("code") ?? "");
    if (!expected || createHash("sha256").update(verifier).digest("base64url") !== expected) {
      return { status: 400, json: { error: "invalid_grant", error_description: "PKCE verification failed" } };
    }
    return {
      status: 200,
      json: {
        access_token: "at",
        token_type: "Bearer",
        expires_in: 3600,
        refresh_token: "rt",
        scope: "read write",
      },
    };
  });
  close = srv.close;
  const store = new MemoryStore();
  const ctx: StrategyFactoryContext = {
    recipe: recipe(`${srv.url}/token`),
    service: "svc",
    instance: "default",
    primitive: "oauth2",
    home: dir,
    store,
    fetch: globalThis.fetch,
    env: { ARCRUN_SVC_CLIENT_ID: "cid", ARCRUN_SVC_CLIENT_SECRET: "csecret" },
    now: () => 1_000_000,
    logger: { warn: () => {} },
    prompt: { ask: async () => "" },
    interactive: false,
    readValues: async () => ({ values: {}, sources: {}, missing: [] }),
  };
  /** Plays the browser: the authorization server approves and redirects to the loopback with a code. */
  const approve = async (url: string): Promise<URL> => {
    const u = new URL(url);
    const code = `code-${challenges.size}`;
    challenges.set(code, u.searchParams.get("code_challenge") ?? "");
    const cb = new URL(u.searchParams.get("redirect_uri") ?? "");
    cb.searchParams.set("code", code);
    cb.searchParams.set("state", u.searchParams.get("state") ?? "");
    const res = await fetch(cb);
    expect(res.status).toBe(200);
    return u;
  };
  return { ctx, store, approve, seen: srv.seen };
}

describe("authorization code + PKCE (RFC 6749 4.1, RFC 7636, RFC 8252)", () => {
  it("sends S256 (never plain), state, the loopback redirect_uri; the verifier matches at the token endpoint", async () => {
    const { ctx, store, approve, seen } = await setup();
    const strategy = createOAuth2CodeStrategy(ctx);
    let sent: URL | undefined;
    await strategy.login?.({
      output: new PassThrough(),
      openUrl: async (url) => void approve(url).then((u) => (sent = u)),
    });
    const u = sent as URL;
    expect(u.origin + u.pathname).toBe("https://as.example.com/authorize");
    expect(u.searchParams.get("response_type")).toBe("code");
    expect(u.searchParams.get("client_id")).toBe("cid");
    expect(u.searchParams.get("code_challenge_method")).toBe("S256");
    expect(u.searchParams.get("scope")).toBe("read write");
    expect(u.searchParams.get("access_type")).toBe("offline");
    expect(u.searchParams.get("state")).not.toBe("recipe-cannot-set-this");
    expect(u.searchParams.get("redirect_uri")).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const token = new URLSearchParams(seen[0]?.body);
    expect(token.get("grant_type")).toBe("authorization_code");
    expect(token.get("redirect_uri")).toBe(u.searchParams.get("redirect_uri"));
    expect(token.get("client_secret")).toBe("csecret");
    expect(await store.get("svc", "default")).toMatchObject({
      type: "oauth2",
      access_token: "at",
      refresh_token: "rt",
      expires_at: 1_000_000 + 3_600_000,
      scopes: ["read", "write"],
      client: "byo",
      status: "ok",
    });
  });

  it("resolve() hands out the same credential object while the token is valid, a new one after a refresh", async () => {
    // The bound client keys its target and the inject applier its rendered headers on this object: a new
    // object per call re-rendered both on every request.
    const { ctx, approve, seen } = await setup();
    const strategy = createOAuth2CodeStrategy(ctx);
    await strategy.login?.({ output: new PassThrough(), openUrl: async (url) => void approve(url) });
    const first = await strategy.resolve();
    expect(await strategy.resolve()).toBe(first);
    expect(first.values.runtime?.access_token).toBe("at");
    expect(seen).toHaveLength(1);
    const forced = await strategy.resolve({ force: true });
    expect(seen).toHaveLength(2);
    expect(new URLSearchParams(seen[1]?.body).get("grant_type")).toBe("refresh_token");
    expect(forced).not.toBe(first);
    expect(forced.values.runtime?.access_token).toBe("at2");
    expect(await strategy.resolve()).toBe(forced);
  });

  it("a fresh verifier and state per attempt", async () => {
    const { ctx, approve } = await setup();
    const strategy = createOAuth2CodeStrategy(ctx);
    const urls: URL[] = [];
    for (let i = 0; i < 2; i++) {
      await strategy.login?.({
        output: new PassThrough(),
        openUrl: async (url) => void approve(url).then((u) => urls.push(u)),
      });
    }
    expect(urls[0]?.searchParams.get("state")).not.toBe(urls[1]?.searchParams.get("state"));
    expect(urls[0]?.searchParams.get("code_challenge")).not.toBe(urls[1]?.searchParams.get("code_challenge"));
    expect(urls[0]?.searchParams.get("redirect_uri")).not.toBe(urls[1]?.searchParams.get("redirect_uri"));
  });

  it("no browser answer within the timeout: ERR_LOGIN_TIMEOUT, nothing stored", async () => {
    const { ctx, store } = await setup();
    const strategy = createOAuth2CodeStrategy(ctx);
    const err = await strategy
      .login?.({ output: new PassThrough(), timeoutMs: 50, openUrl: () => {} })
      .catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_LOGIN_TIMEOUT")).toBe(true);
    expect(await store.get("svc", "default")).toBeUndefined();
  });

  it("not connected and no person to ask: ERR_NEEDS_LOGIN with the setup command", async () => {
    const { ctx } = await setup();
    const err = await createOAuth2CodeStrategy(ctx)
      .resolve()
      .catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_NEEDS_LOGIN")).toBe(true);
    expect((err as Error).message).toContain("run: arcrun setup svc");
  });

  it("RFC 9207: the issuer must be the authorize URL's server (origin, and a path prefix)", () => {
    expect(issuerMatches("https://as.example.com/authorize", "https://as.example.com")).toBe(true);
    expect(issuerMatches("https://as.example.com/authorize", "https://as.example.com/")).toBe(true);
    expect(
      issuerMatches(
        "https://kc.example/realms/a/protocol/openid-connect/auth",
        "https://kc.example/realms/a",
      ),
    ).toBe(true);
    expect(
      issuerMatches(
        "https://kc.example/realms/a/protocol/openid-connect/auth",
        "https://kc.example/realms/b",
      ),
    ).toBe(false);
    expect(issuerMatches("https://as.example.com/authorize", "https://evil.example.com")).toBe(false);
  });
});

describe("opening the browser", () => {
  it("$BROWSER is a command that receives the URL (no shell involved)", async () => {
    const script = join(dir, "fake-browser.sh");
    const out = join(dir, "opened.txt");
    await writeFile(script, `#!/bin/sh\nprintf '%s' "$1" > '${out}'\n`);
    await chmod(script, 0o755);
    const url = "http://127.0.0.1:1/auth?a=1&b=$(touch /tmp/pwned)";
    expect(await openBrowser(url, { BROWSER: script })).toBe(true);
    await expect.poll(() => readFile(out, "utf8").catch(() => "")).toBe(url);
  });

  it("$BROWSER lists are tried in order; %s is replaced by the URL", () => {
    expect(browserCommands("nope:firefox --new-tab %s")).toEqual([["nope"], ["firefox", "--new-tab", "%s"]]);
  });

  it("a $BROWSER that cannot start reports false, so the URL is printed instead", async () => {
    expect(await openBrowser("http://x", { BROWSER: join(dir, "missing-browser") })).toBe(false);
  });
});

import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { consentOverHttp, localRecipe, type OidcServer, startOidc } from "../support/oidc.js";
import { type Broker, baseVars, bundleWorker, startBroker, TEST_CLIENT } from "../support/worker.js";

const LOOPBACK = "http://127.0.0.1:53682/callback";

function pkce() {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

let bundle: Awaited<ReturnType<typeof bundleWorker>>;
let oidc: OidcServer;
let broker: Broker;
const extra: Broker[] = [];
/** Every token, code and verifier the tests saw: none may appear in a log line of the Worker. */
const secrets = new Set<string>([TEST_CLIENT.secret]);

async function brokerWith(vars: Record<string, string> = {}): Promise<Broker> {
  return startBroker(bundle.scriptPath, {
    ...baseVars("local_oidc"),
    EXTRA_RECIPES: JSON.stringify([localRecipe(oidc)]),
    ENDPOINT_OVERRIDES: JSON.stringify({ local_oidc: { issuer: oidc.issuer } }),
    ...vars,
  });
}

async function otherBroker(vars: Record<string, string>): Promise<Broker> {
  const b = await brokerWith(vars);
  extra.push(b);
  return b;
}

/** Steps 1 and 2 of the protocol: start, consent at the provider, callback; returns the loopback URL. */
async function signIn(b: Broker, options: { abort?: boolean } = {}) {
  const state = randomBytes(16).toString("base64url");
  const { verifier, challenge } = pkce();
  secrets.add(verifier);
  const start = new URL(`${b.url}/oauth/local_oidc/start`);
  start.search = new URLSearchParams({ redirect_uri: LOOPBACK, state, code_challenge: challenge }).toString();
  const { url, visited } = await consentOverHttp(start.href, LOOPBACK, options);
  const code = url.searchParams.get("code");
  if (code) secrets.add(code);
  return { url, code, verifier, state, visited };
}

const post = (b: Broker, path: string, body: Record<string, string>) =>
  b.fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

async function tokensOf(res: Response): Promise<Record<string, string>> {
  const t = (await res.json()) as Record<string, string>;
  for (const k of ["access_token", "refresh_token", "id_token"]) if (t[k]) secrets.add(t[k]);
  return t;
}

const atResource = (token: string | undefined) =>
  fetch(`${oidc.resourceUrl}/me`, { headers: { authorization: `Bearer ${token}` } });

beforeAll(async () => {
  bundle = await bundleWorker();
  oidc = await startOidc({ clientId: TEST_CLIENT.id, clientSecret: TEST_CLIENT.secret });
  broker = await brokerWith();
});

afterAll(async () => {
  for (const b of [broker, ...extra]) await b?.dispose();
  await oidc?.close();
  await bundle?.dispose();
});

describe("the broker protocol against oidc-provider", () => {
  test("start, consent, callback, redeem: the tokens reach the loopback once and work at the resource", async () => {
    const { url, code, verifier, state } = await signIn(broker);
    expect(url.origin + url.pathname).toBe(LOOPBACK);
    expect(url.searchParams.get("state")).toBe(state);
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const keys = await broker.kvKeys();
    expect(keys).toEqual([expect.stringMatching(/^handoff:/)]);
    // Encrypted at rest: neither the handoff code nor any token is readable in KV.
    const parked = (await broker.kvGet(keys[0]!)) ?? "";
    expect(parked).not.toContain(code);
    expect(parked).not.toMatch(/access_token|refresh_token/);

    const res = await post(broker, "/oauth/token", { code: code!, code_verifier: verifier });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const tokens = await tokensOf(res);
    expect(tokens.token_type).toBe("Bearer");
    expect(tokens.refresh_token).toBeTruthy();
    expect(parked).not.toContain(tokens.access_token);
    expect(await broker.kvKeys()).toEqual([]);

    const api = await atResource(tokens.access_token);
    expect(api.status).toBe(200);
    expect(await api.json()).toEqual({ sub: "alice" });
  });

  test("the broker uses its own state and PKCE towards the provider", async () => {
    const { visited, state } = await signIn(broker);
    const toProvider = new URL(visited.find((u) => u.startsWith(`${oidc.issuer}/auth`))!);
    expect(toProvider.searchParams.get("client_id")).toBe(TEST_CLIENT.id);
    expect(toProvider.searchParams.get("redirect_uri")).toBe(`${broker.url}/oauth/callback`);
    expect(toProvider.searchParams.get("state")).not.toBe(state);
    expect(toProvider.searchParams.get("code_challenge_method")).toBe("S256");
    const startUrl = new URL(visited[0]!);
    expect(toProvider.searchParams.get("code_challenge")).not.toBe(
      startUrl.searchParams.get("code_challenge"),
    );
  });

  test("a replayed handoff code is refused: it works once", async () => {
    const { code, verifier } = await signIn(broker);
    expect((await post(broker, "/oauth/token", { code: code!, code_verifier: verifier })).status).toBe(200);
    const again = await post(broker, "/oauth/token", { code: code!, code_verifier: verifier });
    expect(again.status).toBe(400);
    const body = (await again.json()) as { error: string; error_description: string };
    expect(body.error).toBe("invalid_grant");
    expect(body.error_description).toContain("unknown, already used, or expired");
    expect(body.error_description).toContain("run: arcrun setup");
  });

  test("a wrong code_verifier is refused, and voids the handoff for the right one too", async () => {
    const { code, verifier } = await signIn(broker);
    const wrong = await post(broker, "/oauth/token", { code: code!, code_verifier: pkce().verifier });
    expect(wrong.status).toBe(400);
    const body = (await wrong.json()) as { error: string; error_description: string };
    expect(body.error).toBe("invalid_grant");
    expect(body.error_description).toContain("code_verifier does not match");
    const right = await post(broker, "/oauth/token", { code: code!, code_verifier: verifier });
    expect(right.status).toBe(400);
    expect(((await right.json()) as { error: string }).error).toBe("invalid_grant");
  });

  test("a handoff redeemed for another redirect_uri is refused", async () => {
    const { code, verifier } = await signIn(broker);
    const res = await post(broker, "/oauth/token", {
      code: code!,
      code_verifier: verifier,
      redirect_uri: "http://127.0.0.1:9999/callback",
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error_description: string }).error_description).toContain("redirect_uri");
  });

  test("an expired handoff code is refused (HANDOFF_TTL_SECONDS=1)", async () => {
    const short = await otherBroker({ HANDOFF_TTL_SECONDS: "1" });
    const { code, verifier } = await signIn(short);
    await new Promise((r) => setTimeout(r, 1200));
    const res = await post(short, "/oauth/token", { code: code!, code_verifier: verifier });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe("invalid_grant");
  });

  test("a replayed provider callback is refused with a page that says what to do", async () => {
    const { visited } = await signIn(broker);
    const callback = visited.find((u) => u.startsWith(`${broker.url}/oauth/callback`))!;
    expect(new URL(callback).searchParams.get("code")).toBeTruthy();
    const res = await fetch(callback, { redirect: "manual" });
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
    expect(res.headers.get("content-type")).toContain("text/html");
    const page = await res.text();
    expect(page).toContain("unknown, was already completed, or took longer than allowed");
    expect(page).toContain("arcrun setup");
  });

  test("consent denied at the provider reaches the loopback as error=access_denied with the state", async () => {
    const { url, state } = await signIn(broker, { abort: true });
    expect(url.searchParams.get("error")).toBe("access_denied");
    expect(url.searchParams.get("state")).toBe(state);
    expect(url.searchParams.get("code")).toBeNull();
  });

  test("an iss that is not the configured issuer is refused (RFC 9207)", async () => {
    const b = await otherBroker({
      ENDPOINT_OVERRIDES: JSON.stringify({ local_oidc: { issuer: "https://issuer.example" } }),
    });
    const { url } = await signIn(b);
    expect(url.searchParams.get("error")).toBe("invalid_request");
    expect(url.searchParams.get("error_description")).toContain("issuer");
    expect(url.searchParams.get("code")).toBeNull();
    expect(await b.kvKeys()).toEqual([]);
  });

  test("an unreachable token endpoint reaches the loopback as temporarily_unavailable", async () => {
    const b = await otherBroker({
      ENDPOINT_OVERRIDES: JSON.stringify({ local_oidc: { token_url: "http://127.0.0.1:9/token" } }),
    });
    const { url, state } = await signIn(b);
    expect(url.searchParams.get("error")).toBe("temporarily_unavailable");
    expect(url.searchParams.get("state")).toBe(state);
  });

  test("refresh through the broker returns a new working access token", async () => {
    const { code, verifier } = await signIn(broker);
    const first = await tokensOf(
      await post(broker, "/oauth/token", { code: code!, code_verifier: verifier }),
    );
    const before = oidc.grants.filter((g) => g === "refresh_token").length;
    const res = await post(broker, "/oauth/refresh", {
      service: "local_oidc",
      refresh_token: first.refresh_token!,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const next = await tokensOf(res);
    expect(next.access_token).not.toBe(first.access_token);
    expect(oidc.grants.filter((g) => g === "refresh_token").length).toBe(before + 1);
    expect((await atResource(next.access_token)).status).toBe(200);
  });

  test("a refresh token the provider rejects gives invalid_grant and says to sign in again", async () => {
    const res = await post(broker, "/oauth/refresh", {
      service: "local_oidc",
      refresh_token: "not-a-refresh-token",
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; error_description: string };
    expect(body.error).toBe("invalid_grant");
    expect(body.error_description).toContain("Sign in again");
    expect(body.error_description).not.toContain(TEST_CLIENT.secret);
  });

  test("revoke through the broker: the refresh token stops working", async () => {
    const { code, verifier } = await signIn(broker);
    const t = await tokensOf(await post(broker, "/oauth/token", { code: code!, code_verifier: verifier }));
    const res = await post(broker, "/oauth/revoke", {
      service: "local_oidc",
      token: t.refresh_token!,
      token_type_hint: "refresh_token",
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ revoked: true });
    const refresh = await post(broker, "/oauth/refresh", {
      service: "local_oidc",
      refresh_token: t.refresh_token!,
    });
    expect(((await refresh.json()) as { error: string }).error).toBe("invalid_grant");
  });

  test("no token, code, verifier or client secret appears in any log line", () => {
    const lines = [broker, ...extra].flatMap((b) => b.logs);
    expect(lines.some((l) => l.includes("GET /oauth/callback 302"))).toBe(true);
    for (const s of secrets) for (const line of lines) expect(line).not.toContain(s);
  });
});

import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Broker, baseVars, bundleWorker, startBroker, TEST_CLIENT } from "../support/worker.js";

// Worker-only tests: no upstream is contacted (start redirects away, and every refusal happens first).

const LOOPBACK = "http://127.0.0.1:53682/callback";
const challenge = () =>
  createHash("sha256").update(randomBytes(32).toString("base64url")).digest("base64url");
const state = () => randomBytes(16).toString("base64url");

let bundle: Awaited<ReturnType<typeof bundleWorker>>;
let broker: Broker;
const others: Broker[] = [];

async function other(vars: Record<string, string>): Promise<Broker> {
  const b = await startBroker(bundle.scriptPath, { ...baseVars(), ...vars });
  others.push(b);
  return b;
}

const startPath = (params: Record<string, string>, service = "google_drive") =>
  `/oauth/${service}/start?${new URLSearchParams(params)}`;

const validStart = () => ({ redirect_uri: LOOPBACK, state: state(), code_challenge: challenge() });

const post = (b: Broker, path: string, body: string, headers: Record<string, string> = {}) =>
  b.fetch(path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

async function expectPage(res: Response, status: number, ...words: string[]) {
  expect(res.status).toBe(status);
  expect(res.headers.get("location")).toBeNull();
  expect(res.headers.get("content-type")).toContain("text/html");
  const page = await res.text();
  for (const w of words) expect(page).toContain(w);
  return page;
}

async function expectJson(res: Response, status: number, error: string, words: string) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { error: string; error_description: string };
  expect(body.error).toBe(error);
  expect(body.error_description).toContain(words);
  return body;
}

beforeAll(async () => {
  bundle = await bundleWorker();
  broker = await startBroker(bundle.scriptPath, {
    ...baseVars("google_drive,no_revoke"),
    EXTRA_RECIPES: JSON.stringify([
      {
        id: "no_revoke",
        display_name: "No revoke",
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
  for (const b of [broker, ...others]) await b?.dispose();
  await bundle?.dispose();
});

describe("GET /oauth/:service/start", () => {
  test("redirects to the provider with the shared client_id, the broker's callback, its own state and PKCE", async () => {
    const params = validStart();
    const res = await broker.fetch(startPath(params));
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get("location")!);
    expect(to.origin + to.pathname).toBe("https://accounts.google.com/o/oauth2/v2/auth");
    const q = to.searchParams;
    expect(q.get("response_type")).toBe("code");
    expect(q.get("client_id")).toBe(TEST_CLIENT.id);
    expect(q.get("redirect_uri")).toBe(`${broker.url}/oauth/callback`);
    expect(q.get("scope")).toBe("https://www.googleapis.com/auth/drive.file");
    expect(q.get("access_type")).toBe("offline");
    expect(q.get("state")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get("state")).not.toBe(params.state);
    expect(q.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get("code_challenge")).not.toBe(params.code_challenge);
    expect(q.get("code_challenge_method")).toBe("S256");
    expect(to.href).not.toContain(TEST_CLIENT.secret);
    // The pending record is stored under a hash: the provider-facing state is not a KV key.
    const keys = await broker.kvKeys();
    expect(keys.some((k) => k.startsWith("pending:"))).toBe(true);
    expect(keys.some((k) => k.includes(q.get("state")!))).toBe(false);
  });

  test("the scope parameter replaces the recipe's scopes", async () => {
    const res = await broker.fetch(startPath({ ...validStart(), scope: "openid email" }));
    expect(new URL(res.headers.get("location")!).searchParams.get("scope")).toBe("openid email");
  });

  test("ENDPOINT_OVERRIDES points a service at another authorization server", async () => {
    const b = await other({
      ENDPOINT_OVERRIDES: JSON.stringify({ google_drive: { authorize_url: "http://127.0.0.1:4000/auth" } }),
    });
    const res = await b.fetch(startPath(validStart()));
    expect(res.headers.get("location")).toMatch(/^http:\/\/127\.0\.0\.1:4000\/auth\?/);
  });

  test("PUBLIC_URL sets the callback the provider sees (a broker behind a proxy or custom domain)", async () => {
    const b = await other({ PUBLIC_URL: "https://broker.example.org/" });
    const res = await b.fetch(startPath(validStart()));
    expect(new URL(res.headers.get("location")!).searchParams.get("redirect_uri")).toBe(
      "https://broker.example.org/oauth/callback",
    );
  });

  test.each([
    ["a web site", "https://evil.example/callback"],
    ["http on a public host", "http://evil.example:8080/callback"],
    ["localhost by name", "http://localhost:8080/callback"],
    ["a loopback-looking host name", "http://127.0.0.1.evil.example:8080/callback"],
    ["127.0.0.1 as a number", "http://2130706433:8080/callback"],
    ["no port", "http://127.0.0.1/callback"],
    ["credentials", "http://user:pw@127.0.0.1:8080/callback"],
    ["a fragment", "http://127.0.0.1:8080/callback#x"],
    ["a preset code parameter", "http://127.0.0.1:8080/callback?code=x"],
    ["https on loopback", "https://127.0.0.1:8080/callback"],
    ["nothing", ""],
  ])("a non-loopback redirect_uri is refused: %s", async (_name, uri) => {
    const before = await broker.kvKeys();
    const res = await broker.fetch(startPath({ ...validStart(), redirect_uri: uri }));
    await expectPage(
      res,
      400,
      "only sends sign-ins back to a program on your own computer",
      "invalid_request",
    );
    expect(await broker.kvKeys()).toEqual(before);
  });

  test("IPv6 loopback is accepted", async () => {
    const res = await broker.fetch(
      startPath({ ...validStart(), redirect_uri: "http://[::1]:53682/callback" }),
    );
    expect(res.status).toBe(302);
  });

  test.each([
    ["a URL", "https://evil.example/"],
    ["extra parameters", "abcdefgh&redirect_uri=https://evil.example"],
    ["markup", "<script>alert(1)</script>"],
    ["too short", "abc"],
  ])("an open redirect through state is refused: %s", async (_name, s) => {
    const res = await broker.fetch(startPath({ ...validStart(), state: s }));
    const page = await expectPage(res, 400, "The state parameter is missing or not 8-256 letters");
    expect(page).not.toContain("<script>");
  });

  test.each([
    ["missing", { code_challenge: "" }, "code_challenge is missing"],
    ["not S256-shaped", { code_challenge: "short" }, "code_challenge is missing"],
    ["plain", { code_challenge_method: "plain" }, "Only code_challenge_method=S256"],
  ])("a code_challenge that is %s is refused", async (_name, override, words) => {
    const res = await broker.fetch(startPath({ ...validStart(), ...override }));
    await expectPage(res, 400, words);
  });

  test("an unknown service is refused with a page, without reading any configuration for it", async () => {
    await expectPage(
      await broker.fetch(startPath(validStart(), "github")),
      404,
      "This broker does not serve the service &#34;github&#34;.",
      "unknown_service",
    );
    await expectPage(await broker.fetch(startPath(validStart(), "CLIENT_X")), 404, "(invalid id)");
  });

  test("a listed service without its client secret is a configuration error that names the secret, not a value", async () => {
    const vars = baseVars();
    delete vars.CLIENT_GOOGLE_DRIVE_SECRET;
    const b = await startBroker(bundle.scriptPath, vars);
    others.push(b);
    const page = await expectPage(
      await b.fetch(startPath(validStart())),
      500,
      "misconfigured: the secret CLIENT_GOOGLE_DRIVE_SECRET is not set",
    );
    expect(page).not.toContain(TEST_CLIENT.id);
  });

  test("without TOKEN_ENCRYPTION_KEY nobody is sent to consent", async () => {
    const b = await other({ TOKEN_ENCRYPTION_KEY: "" });
    await expectPage(await b.fetch(startPath(validStart())), 500, "TOKEN_ENCRYPTION_KEY");
  });
});

describe("GET /oauth/callback", () => {
  test("without a pending start: a page says the sign-in is unknown and what to run", async () => {
    const res = await broker.fetch(`/oauth/callback?code=abc&state=${randomBytes(32).toString("base64url")}`);
    await expectPage(res, 400, "This sign-in is unknown, was already completed", "arcrun setup");
  });

  test("without any state", async () => {
    await expectPage(await broker.fetch("/oauth/callback?code=abc"), 400, "without a sign-in in progress");
  });
});

describe("POST /oauth/token", () => {
  const verifier = randomBytes(32).toString("base64url");

  test("an unknown handoff code is invalid_grant", async () => {
    const res = await post(
      broker,
      "/oauth/token",
      JSON.stringify({ code: state(), code_verifier: verifier }),
    );
    await expectJson(res, 400, "invalid_grant", "unknown, already used, or expired");
  });

  test("form bodies are accepted like JSON (RFC 6749 section 4.1.3)", async () => {
    const body = new URLSearchParams({
      grant_type: "authorization_code",
      code: state(),
      code_verifier: verifier,
    });
    const res = await post(broker, "/oauth/token", body.toString(), {
      "content-type": "application/x-www-form-urlencoded",
    });
    await expectJson(res, 400, "invalid_grant", "unknown, already used, or expired");
  });

  test("a malformed verifier, another grant type, a bad body", async () => {
    await expectJson(
      await post(broker, "/oauth/token", JSON.stringify({ code: state(), code_verifier: "short" })),
      400,
      "invalid_request",
      "code_verifier is missing",
    );
    await expectJson(
      await post(broker, "/oauth/token", JSON.stringify({ grant_type: "refresh_token", code: "x" })),
      400,
      "unsupported_grant_type",
      "/oauth/refresh",
    );
    await expectJson(
      await post(broker, "/oauth/token", "{not json"),
      400,
      "invalid_request",
      "not valid JSON",
    );
    await expectJson(
      await post(broker, "/oauth/token", "code=x", { "content-type": "text/plain" }),
      415,
      "invalid_request",
      "application/json",
    );
  });
});

describe("POST /oauth/refresh and /oauth/revoke", () => {
  test("an unknown service is a 404 with unknown_service", async () => {
    const res = await post(
      broker,
      "/oauth/refresh",
      JSON.stringify({ service: "github", refresh_token: "x" }),
    );
    await expectJson(res, 404, "unknown_service", "does not serve");
  });

  test("a missing service or token is invalid_request", async () => {
    await expectJson(
      await post(broker, "/oauth/refresh", JSON.stringify({ refresh_token: "x" })),
      400,
      "invalid_request",
      "service field is missing",
    );
    await expectJson(
      await post(broker, "/oauth/revoke", JSON.stringify({ service: "google_drive" })),
      400,
      "invalid_request",
      "token is missing",
    );
  });

  test("revoke for a service without a revocation endpoint says what to do instead", async () => {
    const res = await post(broker, "/oauth/revoke", JSON.stringify({ service: "no_revoke", token: "abc" }));
    await expectJson(res, 400, "unsupported_operation", "remove the app in your account");
  });
});

describe("oversized input", () => {
  test("a body over MAX_BODY_BYTES is refused with 413, declared or streamed", async () => {
    const big = JSON.stringify({ code: "x".repeat(10_000), code_verifier: "y" });
    await expectJson(
      await post(broker, "/oauth/token", big),
      413,
      "invalid_request",
      "larger than 8192 bytes",
    );
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode("x".repeat(1000)));
        controller.close();
      },
    });
    const res = await broker.fetch("/oauth/refresh", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    await expectJson(res, 413, "invalid_request", "larger than");
  });

  test("an over-long URL is refused with 414", async () => {
    const res = await broker.fetch(startPath({ ...validStart(), scope: "s".repeat(5000) }));
    await expectPage(res, 414, "too long");
  });

  test("an over-long handoff code or refresh token is refused", async () => {
    const res = await post(
      broker,
      "/oauth/token",
      JSON.stringify({ code: "c".repeat(300), code_verifier: "v".repeat(43) }),
    );
    await expectJson(res, 400, "invalid_request", "code is missing or malformed");
  });
});

describe("rate limits per client address", () => {
  test("start, token and refresh answer 429 with Retry-After past the configured limit, per address", async () => {
    const b = await other({
      RATE_LIMITS: JSON.stringify({
        start: { limit: 2, window_s: 60 },
        token: { limit: 2, window_s: 60 },
        refresh: { limit: 2, window_s: 60 },
      }),
    });
    const from = (ip: string) => ({ "cf-connecting-ip": ip });
    for (let i = 0; i < 2; i++) {
      expect((await b.fetch(startPath(validStart()), { headers: from("198.51.100.1") })).status).toBe(302);
    }
    const limited = await b.fetch(startPath(validStart()), { headers: from("198.51.100.1") });
    await expectPage(limited, 429, "Too many requests");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await b.fetch(startPath(validStart()), { headers: from("198.51.100.2") })).status).toBe(302);

    for (const path of ["/oauth/token", "/oauth/refresh"]) {
      const body = JSON.stringify({
        service: "google_drive",
        code: "x",
        refresh_token: "x",
        code_verifier: "y",
      });
      for (let i = 0; i < 2; i++)
        expect((await post(b, path, body, from("198.51.100.1"))).status).not.toBe(429);
      await expectJson(await post(b, path, body, from("198.51.100.1")), 429, "rate_limited", "Wait");
    }
  });
});

describe("CORS stays closed", () => {
  test("a preflight is refused and no response grants an origin", async () => {
    const pre = await broker.fetch("/oauth/token", {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(pre.status).toBe(405);
    expect(pre.headers.get("access-control-allow-origin")).toBeNull();
    const get = await broker.fetch("/recipes", { headers: { origin: "https://evil.example" } });
    expect(get.headers.get("access-control-allow-origin")).toBeNull();
    // Read the catalogue's body: an unread answer keeps its stream open and the broker's dispose waits on it.
    await get.arrayBuffer();
  });

  test("a POST from a web page (an Origin header) is refused", async () => {
    const res = await post(broker, "/oauth/refresh", "{}", { origin: "https://evil.example" });
    await expectJson(res, 403, "cors_not_allowed", "does not accept requests from web pages");
  });
});

describe("every response", () => {
  test("carries security headers; unknown paths are a JSON 404", async () => {
    const res = await broker.fetch("/nope");
    await expectJson(res, 404, "not_found", "nothing at this address");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(res.headers.get("cache-control")).toBe("no-store");
  });
});

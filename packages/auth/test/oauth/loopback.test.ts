import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { isArcrunError } from "../../src/errors.js";
import { type LoopbackHandle, parsePasted, startLoopback } from "../../src/internal/oauth/loopback.js";

/** A raw GET with an explicit Host header (fetch would not let a test forge one). */
function get(
  port: number,
  path: string,
  host = `127.0.0.1:${port}`,
  address = "127.0.0.1",
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: address, port, path, headers: { host }, agent: false }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => {
        body += c.toString();
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

const base = { service: "svc", instance: "default", state: "the-state", timeoutMs: 5000 };

async function withLoopback<T>(
  opts: Partial<Parameters<typeof startLoopback>[0]>,
  fn: (h: LoopbackHandle) => Promise<T>,
): Promise<T> {
  const h = await startLoopback({ ...base, ...opts });
  try {
    return await fn(h);
  } finally {
    await h.close();
  }
}

describe("RFC 8252 loopback redirect: what the native app owns", () => {
  it("RFC 8252 7.3: listens on the loopback IP literal 127.0.0.1 with an ephemeral port, path /callback", async () => {
    await withLoopback({}, async (h) => {
      expect(h.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
      expect(h.port).toBeGreaterThan(1023);
    });
  });

  it("RFC 8252 7.3: a recipe may pin host, port and path for a pre-registered redirect URI", async () => {
    const probe = await startLoopback(base);
    const port = probe.port;
    await probe.close();
    await withLoopback({ port, path: "/oauth2/done" }, async (h) => {
      expect(h.redirectUri).toBe(`http://127.0.0.1:${port}/oauth2/done`);
      const r = await get(port, `/oauth2/done?code=c&state=the-state`);
      expect(r.status).toBe(200);
      await expect(h.result).resolves.toMatchObject({ code: "c" });
    });
  });

  it("RFC 8252 8.3: also answers on ::1 when the host has IPv6 loopback", async (ctx) => {
    await withLoopback({}, async (h) => {
      const r = await get(h.port, `/callback?code=v6&state=the-state`, `[::1]:${h.port}`, "::1").catch(
        () => undefined,
      );
      if (!r) ctx.skip();
      expect(r?.status).toBe(200);
      await expect(h.result).resolves.toMatchObject({ code: "v6" });
    });
  });

  it("foreign Host header rejected (DNS rebinding): 421, and the attempt keeps waiting", async () => {
    await withLoopback({}, async (h) => {
      const r = await get(h.port, `/callback?code=evil&state=the-state`, `attacker.example:${h.port}`);
      expect(r.status).toBe(421);
      const ok = await get(h.port, `/callback?code=good&state=the-state`);
      expect(ok.status).toBe(200);
      await expect(h.result).resolves.toMatchObject({ code: "good" });
    });
  });

  it("RFC 6749 10.12: state mismatch rejected (400), the code is not accepted", async () => {
    await withLoopback({}, async (h) => {
      const r = await get(h.port, `/callback?code=forged&state=other`);
      expect(r.status).toBe(400);
      expect(r.body).toContain("does not belong to the current sign-in");
      const missing = await get(h.port, `/callback?code=forged`);
      expect(missing.status).toBe(400);
      await get(h.port, `/callback?code=right&state=the-state`);
      await expect(h.result).resolves.toMatchObject({ code: "right" });
    });
  });

  it("second callback rejected: exactly one response is accepted", async () => {
    await withLoopback({}, async (h) => {
      const [a, b] = await Promise.all([
        get(h.port, `/callback?code=one&state=the-state`),
        get(h.port, `/callback?code=two&state=the-state`).catch(() => ({ status: 0, body: "" })),
      ]);
      expect([a.status, b.status].filter((s) => s === 200)).toHaveLength(1);
      const res = await h.result;
      expect(["one", "two"]).toContain(res.code);
      const late = await get(h.port, `/callback?code=three&state=the-state`).catch(() => ({
        status: 0,
        body: "",
      }));
      expect(late.status).not.toBe(200);
    });
  });

  it("listener closed after the callback: the port refuses connections", async () => {
    const h = await startLoopback(base);
    await get(h.port, `/callback?code=c&state=the-state`);
    await h.result;
    await expect.poll(() => h.closed).toBe(true);
    await expect(get(h.port, "/callback")).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("listener closed after a timeout: ERR_LOGIN_TIMEOUT with the next step", async () => {
    const h = await startLoopback({ ...base, timeoutMs: 100 });
    const err = await h.result.catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_LOGIN_TIMEOUT")).toBe(true);
    expect((err as Error).message).toContain("run: arcrun setup svc");
    await expect.poll(() => h.closed).toBe(true);
    await expect(get(h.port, "/callback")).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("an aborted signal cancels the attempt with ERR_LOGIN_CANCELLED", async () => {
    const ac = new AbortController();
    const h = await startLoopback({ ...base, signal: ac.signal });
    ac.abort();
    const err = await h.result.catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_LOGIN_CANCELLED")).toBe(true);
    await h.close();
  });

  it("RFC 9207 2.4: iss from another issuer is rejected (mix-up)", async () => {
    await withLoopback({ issuerMatches: (iss) => iss === "https://as.example" }, async (h) => {
      const r = await get(
        h.port,
        `/callback?code=c&state=the-state&iss=${encodeURIComponent("https://evil.example")}`,
      );
      expect(r.status).toBe(400);
      const err = await h.result.catch((e: unknown) => e);
      expect(isArcrunError(err, "ERR_OAUTH")).toBe(true);
      expect((err as Error).message).toContain("mix-up");
    });
  });

  it("RFC 9207 2.4: the expected iss is accepted", async () => {
    await withLoopback({ issuerMatches: (iss) => iss === "https://as.example" }, async (h) => {
      await get(h.port, `/callback?code=c&state=the-state&iss=${encodeURIComponent("https://as.example")}`);
      await expect(h.result).resolves.toMatchObject({ code: "c", iss: "https://as.example" });
    });
  });

  it("RFC 6749 4.1.2.1: an error response ends the attempt (access_denied -> ERR_ACCESS_DENIED)", async () => {
    await withLoopback({}, async (h) => {
      const r = await get(h.port, `/callback?error=access_denied&state=the-state`);
      expect(r.status).toBe(400);
      const err = await h.result.catch((e: unknown) => e);
      expect(isArcrunError(err, "ERR_ACCESS_DENIED")).toBe(true);
    });
  });

  it("other paths and methods are not the callback (404), and pages are no-store with a strict CSP", async () => {
    await withLoopback({}, async (h) => {
      expect((await get(h.port, "/favicon.ico")).status).toBe(404);
      const res = await fetch(`${h.redirectUri}?code=c&state=the-state`);
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    });
  });

  it("paste-back: accepts the redirected URL or its query; refuses one with another state", async () => {
    await withLoopback({}, async (h) => {
      expect(h.submit("hello")?.code).toBe("ERR_INVALID_OPTION");
      expect(h.submit("http://127.0.0.1:1/callback?code=x&state=nope")?.code).toBe(
        "ERR_OAUTH_STATE_MISMATCH",
      );
      expect(h.submit("?code=pasted&state=the-state")).toBeUndefined();
      await expect(h.result).resolves.toMatchObject({ code: "pasted" });
    });
    expect(parsePasted("code=a&state=b", "http://127.0.0.1:5/callback")?.searchParams.get("code")).toBe("a");
  });
});

import { describe, expect, it } from "vitest";
import { refreshAt, refreshDue, splitScopes, toCredential } from "../../src/internal/oauth/tokens.js";

describe("when to refresh", () => {
  it("5 minutes before expiry for a long-lived token", () => {
    expect(refreshAt({ issued_at: 0, expires_at: 3_600_000 })).toBe(3_300_000);
    expect(refreshDue({ issued_at: 0, expires_at: 3_600_000 }, 3_299_999)).toBe(false);
    expect(refreshDue({ issued_at: 0, expires_at: 3_600_000 }, 3_300_000)).toBe(true);
  });

  it("at half-lifetime for a short token: a 60-second token is not refreshed on every call", () => {
    expect(refreshAt({ issued_at: 0, expires_at: 60_000 })).toBe(30_000);
    expect(refreshDue({ issued_at: 0, expires_at: 60_000 }, 10_000)).toBe(false);
    expect(refreshDue({ issued_at: 0, expires_at: 60_000 }, 30_000)).toBe(true);
  });

  it("never for a token without expiry", () => {
    expect(refreshDue({}, Number.MAX_SAFE_INTEGER)).toBe(false);
  });
});

describe("token records", () => {
  it("stores expires_at, scopes from the response, and the refresh token", () => {
    const c = toCredential(
      { access_token: "a", token_type: "Bearer", expires_in: 100, refresh_token: "r", scope: "x y" },
      { now: 1000, client: "byo", requestedScopes: ["x"], scopeSeparator: " " },
    );
    expect(c).toMatchObject({
      expires_at: 101_000,
      issued_at: 1000,
      scopes: ["x", "y"],
      refresh_token: "r",
      status: "ok",
    });
  });

  it("RFC 6749 5.1: without scope in the response, the granted scopes are the requested ones", () => {
    const c = toCredential(
      { access_token: "a", token_type: "Bearer" },
      { now: 0, client: "byo", requestedScopes: ["x"], scopeSeparator: "," },
    );
    expect(c.scopes).toEqual(["x"]);
    expect(c.expires_at).toBeUndefined();
  });

  it("splits scopes on the recipe's separator", () => {
    expect(splitScopes("repo,user read", ",")).toEqual(["repo", "user", "read"]);
  });
});

import type { ScopeEchoSpec } from "@arcrun/recipes";
import { describe, expect, it } from "vitest";
import { parseTokenResponse } from "../../src/internal/oauth/endpoint.js";
import {
  grantCovers,
  reconcileScopes,
  refreshAt,
  refreshDue,
  splitScopes,
  toCredential,
} from "../../src/internal/oauth/tokens.js";

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
      { now: 1000, client: "byo", requestedScopes: ["x"], scopeRules: { separator: " " } },
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
      { now: 0, client: "byo", requestedScopes: ["x"], scopeRules: { separator: "," } },
    );
    expect(c.scopes).toEqual(["x"]);
    expect(c.expires_at).toBeUndefined();
  });

  it("splits scopes on the recipe's separator", () => {
    expect(splitScopes("repo,user read", ",")).toEqual(["repo", "user", "read"]);
  });
});

describe("scope reconciliation (oauth2.scope_echo): a differently written answer never fails a login", () => {
  const echo = (e: Partial<ScopeEchoSpec>): ScopeEchoSpec => ({
    never_echoed: [],
    aliases: {},
    empty: "none_granted",
    ...e,
  });

  it("Microsoft: offline_access is never echoed and Graph scopes come back with their resource prefix", () => {
    // learn.microsoft.com/en-us/answers/questions/806413: "offline_access ... is never returned as a scope".
    const rules = {
      separator: " ",
      echo: echo({ never_echoed: ["offline_access"], prefix: "https://graph.microsoft.com/" }),
    };
    const r = reconcileScopes(
      "https://graph.microsoft.com/User.Read https://graph.microsoft.com/Files.ReadWrite openid profile email",
      ["offline_access", "User.Read", "Files.ReadWrite"],
      rules,
    );
    expect(r.missing).toEqual([]);
    // Without the rules every one of them would look missing: this is the trap the recipe field removes.
    expect(
      reconcileScopes("https://graph.microsoft.com/User.Read", ["offline_access", "User.Read"], {
        separator: " ",
      }).missing,
    ).toEqual(["offline_access", "User.Read"]);
  });

  it("GitHub OAuth apps: a comma-separated answer to a space-separated request", () => {
    const r = reconcileScopes("repo,read:user", ["repo", "read:user"], {
      separator: " ",
      echo: echo({ separator: "," }),
    });
    expect(r).toEqual({ granted: ["repo", "read:user"], missing: [] });
  });

  it("GitHub App user tokens: an empty scope means not reported, so nothing is recorded missing", () => {
    const rules = { separator: " ", echo: echo({ separator: ",", empty: "not_reported" }) };
    expect(reconcileScopes("", ["repo"], rules)).toEqual({ missing: [] });
    // Where the recipe does not say so, an empty answer means nothing was granted (RFC 6749 section 3.3).
    expect(reconcileScopes("", ["repo"], { separator: " " })).toEqual({ granted: [], missing: ["repo"] });
  });

  it("Google: email and profile come back as userinfo URLs, with openid added", () => {
    const rules = {
      separator: " ",
      echo: echo({
        aliases: {
          email: "https://www.googleapis.com/auth/userinfo.email",
          profile: "https://www.googleapis.com/auth/userinfo.profile",
        },
      }),
    };
    const r = reconcileScopes(
      "https://www.googleapis.com/auth/userinfo.email openid https://www.googleapis.com/auth/userinfo.profile",
      ["email", "profile"],
      rules,
    );
    expect(r.missing).toEqual([]);
  });

  it("a scope really left out is recorded on the credential, and the login still stores the token", () => {
    const c = toCredential(
      { access_token: "a", token_type: "Bearer", scope: "read" },
      { now: 0, client: "byo", requestedScopes: ["read", "write"], scopeRules: { separator: " " } },
    );
    expect(c).toMatchObject({
      access_token: "a",
      scopes: ["read"],
      scopes_requested: ["read", "write"],
      scopes_missing: ["write"],
    });
    // A refresh without scope keeps what the login recorded (RFC 6749 section 6).
    const next = toCredential(
      { access_token: "b", token_type: "Bearer" },
      { now: 1, client: "byo", requestedScopes: ["other"], scopeRules: { separator: " " }, previous: c },
    );
    expect(next).toMatchObject({
      scopes: ["read"],
      scopes_requested: ["read", "write"],
      scopes_missing: ["write"],
    });
  });

  it("grantCovers applies the same rules one scope at a time", () => {
    const e = echo({ never_echoed: ["offline_access"], prefix: "p/", aliases: { a: "alias-a" } });
    expect(grantCovers([], "offline_access", e)).toBe(true);
    expect(grantCovers(["p/x"], "x", e)).toBe(true);
    expect(grantCovers(["alias-a"], "a", e)).toBe(true);
    expect(grantCovers(["y"], "x", e)).toBe(false);
    expect(grantCovers(["p/x"], "x")).toBe(false);
  });
});

describe("base_url_from: the API origin in a token answer", () => {
  const ctx = { service: "svc", instance: "default" };
  it("keeps non-secret string fields only, and stores the https origin the recipe names", () => {
    const resp = parseTokenResponse(ctx, {
      access_token: "a",
      refresh_token: "r",
      id_token: "i",
      signature: "s",
      instance_url: "https://acme.my.salesforce.com/some/path",
      issued_at: "1",
    });
    expect(resp.fields).toEqual({ instance_url: "https://acme.my.salesforce.com/some/path", issued_at: "1" });
    const c = toCredential(resp, {
      now: 0,
      client: "byo",
      requestedScopes: [],
      scopeRules: { separator: " " },
      baseUrlFrom: "instance_url",
    });
    expect(c.base_url).toBe("https://acme.my.salesforce.com");
    // A refresh answer without it keeps the one from login; a non-https value is never taken.
    const next = toCredential(
      { access_token: "b", token_type: "Bearer", fields: { instance_url: "http://plain.example" } },
      {
        now: 1,
        client: "byo",
        requestedScopes: [],
        scopeRules: { separator: " " },
        baseUrlFrom: "instance_url",
        previous: c,
      },
    );
    expect(next.base_url).toBe("https://acme.my.salesforce.com");
  });
});

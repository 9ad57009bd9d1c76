import { describe, expect, test } from "vitest";
import { clean, normalizeTokens, scrubSecret } from "../../src/internal/provider.js";

describe("normalizeTokens", () => {
  test("without access_token_path the provider's response is returned as is", () => {
    const body = { access_token: "a", token_type: "Bearer", extra: 1 };
    expect(normalizeTokens(body, undefined)).toBe(body);
  });

  test("a nested token (Slack's authed_user.access_token) is lifted with the fields beside it", () => {
    const body = {
      ok: true,
      access_token: "bot-token",
      authed_user: {
        access_token: "user-token",
        token_type: "user",
        expires_in: 43200,
        refresh_token: "r",
        scope: "chat:write",
      },
    };
    expect(normalizeTokens(body, "authed_user.access_token")).toEqual({
      ...body,
      access_token: "user-token",
      token_type: "user",
      expires_in: 43200,
      refresh_token: "r",
      scope: "chat:write",
    });
  });

  test("a path that leads nowhere leaves the response unchanged", () => {
    const body = { access_token: "a" };
    expect(normalizeTokens(body, "authed_user.access_token")).toBe(body);
  });
});

describe("clean", () => {
  test("keeps provider words printable and bounded", () => {
    expect(clean("bad\u0000 grant\n<b>", 8)).toBe("bad  gra");
    expect(clean(42, 10)).toBeUndefined();
    expect(clean("   ", 10)).toBeUndefined();
  });
});

describe("scrubSecret", () => {
  const service = { clientId: "app id", clientSecret: 'se cr"et/+=' };
  test("removes the client secret raw, URL- and form-encoded, JSON-escaped, base64 and as a Basic credential", () => {
    const basic = btoa("app+id:se+cr%22et%2F%2B%3D");
    const forms = [
      'se cr"et/+=',
      "se%20cr%22et%2F%2B%3D",
      "se+cr%22et%2F%2B%3D",
      'se cr\\"et/+=',
      btoa('se cr"et/+='),
      basic,
    ];
    for (const f of forms)
      expect(scrubSecret(`bad client (${f}) here`, service)).toBe("bad client ([redacted]) here");
  });

  test("leaves other text, non-strings and a service without a secret alone", () => {
    expect(scrubSecret("invalid_grant", service)).toBe("invalid_grant");
    expect(scrubSecret(42, service)).toBe(42);
    expect(scrubSecret("x se cr", { clientId: "a" })).toBe("x se cr");
  });
});

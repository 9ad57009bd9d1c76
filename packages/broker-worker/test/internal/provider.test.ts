import { describe, expect, test } from "vitest";
import { clean, normalizeTokens } from "../../src/internal/provider.js";

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

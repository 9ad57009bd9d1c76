import { describe, expect, it } from "vitest";
import type { InstanceRow } from "../../src/internal/api.js";
import { capturedText, scopesText } from "../../src/internal/format.js";

const row = (over: Partial<InstanceRow>): InstanceRow => ({
  instance: "default",
  status: "connected",
  source: "store",
  type: "oauth2",
  expires_at: null,
  updated_at: null,
  scopes: null,
  ...over,
});

describe("arcrun status: the scopes line", () => {
  it("lists the granted scopes, and the requested ones the provider left out", () => {
    expect(scopesText(row({ scopes: ["read"], scopes_missing: ["write"] }))).toBe(
      "scopes: read (not granted: write)",
    );
    expect(scopesText(row({ scopes: ["read", "write"] }))).toBe("scopes: read write");
    expect(scopesText(row({ scopes: ["read"], scopes_missing: ["write"] }), true)).toBe("1 scope");
  });
});

describe("arcrun status: values the login captured", () => {
  it("lists each captured value, and nothing when there is none", () => {
    expect(capturedText(row({ captured: { team_id: "T1", team_name: "Sim" } }))).toBe(
      "captured: team_id=T1, team_name=Sim",
    );
    expect(capturedText(row({}))).toBe("");
  });
});

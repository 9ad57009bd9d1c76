import { describe, expect, it } from "vitest";
import { jsonMismatch } from "../../src/internal/expect-json.js";

describe("a recipe test's expect_json", () => {
  it("Slack auth.test: a dead token answers 200 with ok false, which is a mismatch naming the error code", () => {
    expect(jsonMismatch('{"ok":false,"error":"invalid_auth"}', { ok: true })).toBe(
      "ok is false, expected true (error: invalid_auth)",
    );
    expect(jsonMismatch('{"ok":true,"user":"ada"}', { ok: true })).toBeUndefined();
  });

  it("a body that is not a JSON object never passes", () => {
    expect(jsonMismatch("<html>", { ok: true })).toBe("the answer is not JSON");
    expect(jsonMismatch("[1]", { ok: true })).toBe("the answer is not a JSON object");
    expect(jsonMismatch("{}", { valid: true })).toBe("valid is null, expected true");
  });

  it("never echoes a long or odd error value (it could be anything the provider reflects)", () => {
    const msg = jsonMismatch(JSON.stringify({ ok: false, error: "secret value with spaces" }), { ok: true });
    expect(msg).toBe("ok is false, expected true");
  });
});

describe("expect_json paths into a GraphQL answer", () => {
  it("a dotted key reads nested objects: the answer's data for a live key passes", () => {
    expect(jsonMismatch('{"data":{"viewer":{"ok":"User"}}}', { "data.viewer.ok": "User" })).toBeUndefined();
  });

  it("a refused request (data null, an errors array) is a mismatch naming the GraphQL error code", () => {
    const refused = JSON.stringify({
      data: null,
      errors: [{ message: "Authentication required", extensions: { code: "AUTHENTICATION_ERROR" } }],
    });
    expect(jsonMismatch(refused, { "data.viewer.ok": "User" })).toBe(
      'data.viewer.ok is null, expected "User" (error: AUTHENTICATION_ERROR)',
    );
  });

  it("a path through a value that is not an object is missing, never an exception", () => {
    expect(jsonMismatch('{"data":[{"me":1}]}', { "data.me": 1 })).toBe("data.me is null, expected 1");
    expect(jsonMismatch('{"data":"x"}', { "data.length": 1 })).toBe("data.length is null, expected 1");
  });
});

describe("expect_json { absent: true }: a field whose presence means refusal", () => {
  it("Railway's GraphQL answers a bad token with 200 and an errors array: present is a mismatch", () => {
    const refused = JSON.stringify({
      data: null,
      errors: [{ message: "Not Authorized", extensions: { code: "UNAUTHENTICATED" } }],
    });
    expect(jsonMismatch(refused, { errors: { absent: true } })).toBe(
      "errors is present, expected it absent (error: UNAUTHENTICATED)",
    );
    expect(jsonMismatch('{"data":{"me":{"id":"u1"}}}', { errors: { absent: true } })).toBeUndefined();
  });

  it('Alpha Vantage: an "Error Message" or "Information" answer fails without echoing its text', () => {
    const expected = { "Error Message": { absent: true }, Information: { absent: true } } as const;
    const msg = jsonMismatch(
      JSON.stringify({ "Error Message": "the parameter apikey is invalid" }),
      expected,
    );
    expect(msg).toBe("Error Message is present, expected it absent");
    expect(jsonMismatch('{"Information":"rate limit"}', expected)).toBe(
      "Information is present, expected it absent",
    );
    expect(jsonMismatch('{"Global Quote":{"01. symbol":"IBM"}}', expected)).toBeUndefined();
  });

  it("a null field is present (only a missing one is absent)", () => {
    expect(jsonMismatch('{"errors":null}', { errors: { absent: true } })).toBe(
      "errors is present, expected it absent",
    );
  });
});

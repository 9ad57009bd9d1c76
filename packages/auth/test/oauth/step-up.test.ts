import { describe, expect, it } from "vitest";
import { insufficientScope } from "../../src/internal/oauth/step-up.js";

describe("RFC 6750 section 3.1: a 403 insufficient_scope challenge", () => {
  it("reads the scopes the resource asks for", () => {
    expect(
      insufficientScope(
        'Bearer realm="example", error="insufficient_scope", error_description="needs more", scope="Mail.Read Files.Read"',
      ),
    ).toEqual(["Mail.Read", "Files.Read"]);
  });

  it("an insufficient_scope challenge without scope names none", () => {
    expect(insufficientScope('Bearer error="insufficient_scope"')).toEqual([]);
  });

  it("any other 403 is not about consent", () => {
    expect(insufficientScope(null)).toBeUndefined();
    expect(insufficientScope('Bearer error="invalid_token"')).toBeUndefined();
    expect(insufficientScope('Basic realm="x"')).toBeUndefined();
    expect(
      insufficientScope('Bearer scope="a", error_description="error=\\"insufficient_scope\\""'),
    ).toBeUndefined();
  });

  it("finds the Bearer challenge among several", () => {
    expect(insufficientScope('Basic realm="x", Bearer error="insufficient_scope", scope="a"')).toEqual(["a"]);
  });
});

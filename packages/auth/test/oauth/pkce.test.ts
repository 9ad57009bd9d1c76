import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createPkce, randomToken, s256 } from "../../src/internal/oauth/pkce.js";

describe("RFC 7636 PKCE", () => {
  it("RFC 7636 4.1: code_verifier is 43-128 unreserved characters with enough entropy (32 random bytes)", async () => {
    const { verifier } = await createPkce();
    expect(verifier).toMatch(/^[A-Za-z0-9\-._~]{43,128}$/);
    expect(Buffer.from(verifier, "base64url")).toHaveLength(32);
  });

  it("RFC 7636 4.2: S256 only: challenge = BASE64URL(SHA256(ASCII(verifier)))", async () => {
    const p = await createPkce();
    expect(p.method).toBe("S256");
    expect(p.challenge).toBe(createHash("sha256").update(p.verifier).digest("base64url"));
  });

  it("RFC 7636 appendix B test vector", async () => {
    expect(await s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe(
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
  });

  it("a fresh verifier and state per attempt", async () => {
    const a = await createPkce();
    const b = await createPkce();
    expect(a.verifier).not.toBe(b.verifier);
    expect(randomToken()).not.toBe(randomToken());
  });
});

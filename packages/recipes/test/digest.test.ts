import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  chooseDigestChallenge,
  type DigestHash,
  digestAuthorization,
  parseDigestChallenges,
} from "../src/digest.js";

const hash: DigestHash = (algorithm, text) =>
  createHash(algorithm === "MD5" ? "md5" : "sha256")
    .update(text, "utf8")
    .digest("hex");

/** The values of RFC 7616 section 3.9.1 (the user Mufasa, the password "Circle of Life"). */
const RFC_CHALLENGE = [
  'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256,',
  ' nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS",',
  ' Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5,',
  ' nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
].join("");
const CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

describe("HTTP Digest (RFC 7616)", () => {
  it("parses both challenges of the section 3.9.1 example from one header", () => {
    const parsed = parseDigestChallenges(RFC_CHALLENGE);
    expect(parsed.map((c) => c.algorithm)).toEqual(["SHA-256", "MD5"]);
    expect(parsed[0]).toMatchObject({
      realm: "http-auth@example.org",
      nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
      opaque: "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS",
      qop: ["auth", "auth-int"],
      stale: false,
    });
  });

  it.each([
    ["SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"],
    ["MD5", "8ca523f5e9506fed4657c9700eebdbec"],
  ] as const)("computes section 3.9.1's %s response", async (algorithm, response) => {
    const chosen = chooseDigestChallenge(parseDigestChallenges(RFC_CHALLENGE), [algorithm]);
    if (!chosen) throw new Error("no challenge chosen");
    const header = await digestAuthorization(
      {
        ...chosen,
        username: "Mufasa",
        password: "Circle of Life",
        method: "GET",
        uri: "/dir/index.html",
        nc: 1,
        cnonce: CNONCE,
      },
      hash,
    );
    expect(header).toContain(`response="${response}"`);
    expect(header).toContain("nc=00000001");
    expect(header).toContain("qop=auth,");
    expect(header).toContain(`algorithm=${algorithm},`);
    expect(header).toContain('opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"');
  });

  it("prefers the recipe's first algorithm the server offers, whatever the server's order", () => {
    const offered = parseDigestChallenges(RFC_CHALLENGE);
    expect(chooseDigestChallenge(offered, ["MD5", "SHA-256"])?.algorithm).toBe("MD5");
    expect(chooseDigestChallenge(offered, ["SHA-256-sess", "SHA-256"])?.algorithm).toBe("SHA-256");
    expect(chooseDigestChallenge(offered, ["SHA-256-sess"])).toBeUndefined();
  });

  it("counts nc in hex and changes the response with it (a replayed nc is detectable)", async () => {
    const chosen = chooseDigestChallenge(parseDigestChallenges(RFC_CHALLENGE), ["MD5"]);
    if (!chosen) throw new Error("no challenge chosen");
    const at = (nc: number) =>
      digestAuthorization(
        { ...chosen, username: "u", password: "p", method: "GET", uri: "/", nc, cnonce: "c" },
        hash,
      );
    const first = await at(1);
    const eleventh = await at(26);
    expect(eleventh).toContain("nc=0000001a");
    expect(/response="([0-9a-f]+)"/.exec(first)?.[1]).not.toBe(/response="([0-9a-f]+)"/.exec(eleventh)?.[1]);
  });

  it("answers an RFC 2069 challenge (no qop) without nc and cnonce; ignores Basic and incomplete challenges", async () => {
    const parsed = parseDigestChallenges('Basic realm="x", Digest realm="r", nonce="n", Digest realm="only"');
    expect(parsed).toHaveLength(1);
    const chosen = chooseDigestChallenge(parsed, ["MD5"]);
    if (!chosen) throw new Error("no challenge chosen");
    const header = await digestAuthorization(
      { ...chosen, username: "u", password: "p", method: "GET", uri: "/", nc: 1, cnonce: "c" },
      hash,
    );
    const ha1 = hash("MD5", "u:r:p") as string;
    const ha2 = hash("MD5", "GET:/") as string;
    expect(header).toContain(`response="${hash("MD5", `${ha1}:n:${ha2}`)}"`);
    expect(header).not.toContain("nc=");
  });

  it("quotes a user name with a quote or backslash", async () => {
    const [c] = parseDigestChallenges('Digest realm="a \\"quoted\\" realm", nonce="n", qop="auth"');
    if (!c) throw new Error("no challenge");
    expect(c.realm).toBe('a "quoted" realm');
    const header = await digestAuthorization(
      {
        challenge: c,
        algorithm: "MD5",
        username: 'u"\\',
        password: "p",
        method: "GET",
        uri: "/",
        nc: 1,
        cnonce: "c",
      },
      hash,
    );
    expect(header).toContain('username="u\\"\\\\"');
    expect(header).toContain('realm="a \\"quoted\\" realm"');
  });
});

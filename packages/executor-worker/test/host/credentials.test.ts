import { describe, expect, it } from "vitest";
import {
  allowedHosts,
  type CredentialRecord,
  SecretRegistry,
  secretValues,
} from "../../src/host/credentials.js";

const record: CredentialRecord = { name: "n", encrypted: "", iv: "", created_at: "" };

describe("SecretRegistry", () => {
  const reg = new SecretRegistry();
  reg.addSecrets("mail", { username: "api", api_key: "key-123456" }, ["api.mailgun.net"]);
  reg.add("tok", "secret value/with+chars", ["api.example.com", "*.example.org"]);

  it("finds a secret as is, URL-encoded, base64, and as HTTP Basic of two values", () => {
    expect(reg.find("Bearer key-123456").map((e) => e.credential)).toEqual(["mail"]);
    expect(reg.find(`q=${encodeURIComponent("secret value/with+chars")}`)).toHaveLength(1);
    expect(reg.find(`Basic ${btoa("api:key-123456")}`)).toHaveLength(1);
    expect(reg.find(btoa("key-123456"))).toHaveLength(1);
    expect(reg.find("nothing here")).toEqual([]);
  });

  it("allows a secret only to its hosts (wildcards for subdomains)", () => {
    expect(reg.violation("x=key-123456", "api.mailgun.net")).toBeUndefined();
    expect(reg.violation("x=key-123456", "evil.example")?.credential).toBe("mail");
    expect(reg.violation("secret value/with+chars", "eu.example.org")).toBeUndefined();
    expect(reg.violation("secret value/with+chars", "example.org")?.credential).toBe("tok");
  });

  it("ignores values too short to be told from ordinary text", () => {
    // "api" is the Mailgun user: registering it would refuse every request that contains "api".
    expect(reg.find("https://api.other.test/")).toEqual([]);
  });

  it("redacts every registered value", () => {
    expect(reg.redact("token key-123456 and key-123456")).toBe("token [redacted] and [redacted]");
  });

  it("registers the tokens of a token response", () => {
    const r = new SecretRegistry();
    r.addTokens(
      "o",
      JSON.stringify({ access_token: "ya29.abcdef", refresh_token: "1//refresh", expires_in: 3600 }),
      ["h"],
    );
    expect(r.find("Bearer ya29.abcdef")).toHaveLength(1);
    expect(r.find("1//refresh")).toHaveLength(1);
  });
});

describe("secretValues and allowedHosts", () => {
  it("reads a JSON object of secrets, or one value", () => {
    expect(secretValues('{"token":"t1","n":3,"o":{}}')).toEqual({ token: "t1", n: "3" });
    expect(secretValues("plain-value")).toEqual({ value: "plain-value" });
  });

  it("allows the recipe's hosts (rendered), its token endpoints, and the pushed hosts", () => {
    const recipe = {
      hosts: ["{{secret.shop}}.myshopify.com"],
      oauth2: { token_url: "https://accounts.example.com/token" },
    } as unknown as Parameters<typeof allowedHosts>[1];
    expect(allowedHosts({ ...record, hosts: ["127.0.0.1"] }, recipe, { shop: "acme" }).sort()).toEqual([
      "127.0.0.1",
      "accounts.example.com",
      "acme.myshopify.com",
    ]);
    expect(allowedHosts(record, undefined, {})).toEqual([]);
  });
});

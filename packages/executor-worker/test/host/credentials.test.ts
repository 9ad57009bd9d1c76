import { describe, expect, it } from "vitest";
import {
  allowedHosts,
  type CredentialRecord,
  type Grant,
  originAllowed,
  SecretRegistry,
  secretValues,
} from "../../src/host/credentials.js";
import { substituteSealed } from "../../src/host/egress.js";

const record: CredentialRecord = { name: "n", encrypted: "", iv: "", created_at: "" };

describe("SecretRegistry", () => {
  const reg = new SecretRegistry();
  reg.addSecrets("mail", { username: "api", api_key: "key-123456" }, ["api.mailgun.net"]);
  reg.add("tok", "secret value/with+chars", ["api.example.com", "*.example.org"]);

  it("finds a secret as is, URL-encoded, base64, and as HTTP Basic of two values", () => {
    expect(reg.find("Bearer key-123456").map((e) => e.credential)).toEqual(["mail"]);
    expect(reg.find(`q=${encodeURIComponent("secret value/with+chars")}`)).toHaveLength(1);
    // The pair, and (with a 3-byte user, base64 aligns) base64 of ":key-123456" within it: both the secret's.
    expect([...new Set(reg.find(`Basic ${btoa("api:key-123456")}`).map((e) => e.credential))]).toEqual([
      "mail",
    ]);
    expect(reg.find(btoa("key-123456"))).toHaveLength(1);
    expect(reg.find("nothing here")).toEqual([]);
  });

  it("allows a secret only to its hosts (wildcards for subdomains)", () => {
    const at = (u: string) => new URL(u);
    expect(reg.violation("x=key-123456", at("https://api.mailgun.net/"))).toBeUndefined();
    expect(reg.violation("x=key-123456", at("https://evil.example/"))?.credential).toBe("mail");
    expect(reg.violation("secret value/with+chars", at("https://eu.example.org/"))).toBeUndefined();
    expect(reg.violation("secret value/with+chars", at("https://example.org/"))?.credential).toBe("tok");
  });

  it("ignores values too short to be told from ordinary text", () => {
    // "api" is the Mailgun user: registering it would refuse every request that contains "api".
    expect(reg.find("https://api.other.test/")).toEqual([]);
  });

  it("redacts every registered value", () => {
    expect(reg.redact("token key-123456 and key-123456")).toBe("token [redacted] and [redacted]");
  });

  it("registers HTTP Basic of a public user and a secret, and redacts the longest form first", () => {
    const r = new SecretRegistry();
    // Twilio: the account SID is public, the pair is not. With "SID:" 27 bytes long, base64 of the token
    // is a piece of base64 of the pair: replaced first, it would leave base64("SID:") around "[redacted]".
    const sid = `AC${"0".repeat(24)}`;
    r.addSecrets("tw", { auth_token: "tw_token_123" }, ["api.twilio.com"], { account_sid: sid });
    const pair = btoa(`${sid}:tw_token_123`);
    expect(pair).toContain(btoa("tw_token_123"));
    expect(r.redact(`{"basic":"${pair}"}`)).toBe('{"basic":"[redacted]"}');
  });

  it("registers HTTP Basic of a secret with an empty password (key:) or an empty user (:key)", () => {
    const r = new SecretRegistry();
    // 11 characters: base64 of "key:" and of ":key" do not contain base64 of the key.
    const key = "lk_12345678";
    r.addSecrets("k", { api_key: key }, ["api.example.com"]);
    for (const pair of [`${key}:`, `:${key}`]) {
      expect(btoa(pair)).not.toContain(btoa(key));
      expect(r.redact(`{"basic":"${btoa(pair)}"}`)).toBe('{"basic":"[redacted]"}');
    }
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

describe("originAllowed", () => {
  it("takes the port into account: a bare host is its scheme's default port only", () => {
    const ok = (u: string, p: string[]) => originAllowed(new URL(u), p);
    expect(ok("https://api.github.com/user", ["api.github.com"])).toBe(true);
    expect(ok("https://api.github.com:8443/user", ["api.github.com"])).toBe(false);
    expect(ok("http://127.0.0.1:8080/", ["127.0.0.1:8080"])).toBe(true);
    expect(ok("http://127.0.0.1:9999/", ["127.0.0.1:8080"])).toBe(false);
    expect(ok("http://127.0.0.1/", ["127.0.0.1:8080"])).toBe(false);
    expect(ok("https://eu.example.org/", ["*.example.org"])).toBe(true);
    expect(ok("https://eu.example.org:444/", ["*.example.org"])).toBe(false);
  });
});

describe("sealed handles at egress", () => {
  const header: Grant[] = [{ position: { in: "header", name: "Authorization" }, hosts: ["api.example.com"] }];

  it("gives one opaque handle per value and run, and nothing for text that only looks like one", () => {
    const r = new SecretRegistry();
    const h = r.seal("gh", "Bearer ghp_secret_1", header, ["api.example.com"]);
    expect(h).toMatch(/^arcrun_sealed_[a-z2-7]{32}$/);
    expect(h).not.toContain("ghp");
    expect(r.seal("gh", "Bearer ghp_secret_1", header, ["api.example.com"])).toBe(h);
    expect(new SecretRegistry().seal("gh", "Bearer ghp_secret_1", header, [])).not.toBe(h);
    expect(r.unseal(h)?.value).toBe("Bearer ghp_secret_1");
    // The last character changed to another one (a handle may end in "a" already).
    const other = `${h.slice(0, -1)}${h.endsWith("a") ? "b" : "a"}`;
    for (const t of [h.toUpperCase(), h.slice(1), other, h.replace("arcrun_", "")]) {
      expect(r.unseal(t)).toBeUndefined();
    }
  });

  it("substitutes an exact handle in a granted header on a granted host", () => {
    const r = new SecretRegistry();
    const h = r.seal("gh", "Bearer ghp_secret_1", header, ["api.example.com"]);
    const out = substituteSealed(
      r,
      new URL("https://api.example.com/user"),
      new Headers({ authorization: h }),
      undefined,
      undefined,
    );
    expect("carried" in out && out.headers.get("authorization")).toBe("Bearer ghp_secret_1");
  });

  it("refuses a handle on another host, another port, another header, the body, the path", () => {
    const r = new SecretRegistry();
    const h = r.seal("gh", "Bearer ghp_secret_1", header, ["api.example.com"]);
    const tries: [string, Record<string, string>, string | undefined][] = [
      ["https://sink.example/", { authorization: h }, undefined],
      ["https://api.example.com:8443/", { authorization: h }, undefined],
      ["https://api.example.com/", { "x-other": h }, undefined],
      ["https://api.example.com/", {}, `{"k":"${h}"}`],
      [`https://api.example.com/${h}`, {}, undefined],
      [`https://api.example.com/?q=${h}`, {}, undefined],
    ];
    for (const [url, headers, body] of tries) {
      const out = substituteSealed(r, new URL(url), new Headers(headers), body, undefined);
      expect("carried" in out, url).toBe(false);
    }
  });

  it("puts a path_prefix handle back only at the start of the path, after the grant's prefix", () => {
    const r = new SecretRegistry();
    const grants: Grant[] = [{ position: { in: "path", prefix: "/v1/" }, hosts: ["api.example.com"] }];
    const h = r.seal("tg", "bot123:a/b", grants, ["api.example.com"]);
    const out = substituteSealed(
      r,
      new URL(`https://api.example.com/v1/${h}/getMe`),
      new Headers(),
      undefined,
      undefined,
    );
    expect("carried" in out && out.url).toBe("https://api.example.com/v1/bot123:a%2Fb/getMe");
    for (const url of [`https://api.example.com/v1/x/${h}`, `https://evil.example/v1/${h}/getMe`]) {
      expect("carried" in substituteSealed(r, new URL(url), new Headers(), undefined, undefined), url).toBe(
        false,
      );
    }
  });

  it("drops a signing handle alone in its granted header and asks for a signature", () => {
    const r = new SecretRegistry();
    const h = r.sealSigner("s3", "aws_sigv4", [
      { position: { in: "header", name: "authorization" }, hosts: ["s3.eu-west-3.amazonaws.com"] },
    ]);
    const url = new URL("https://s3.eu-west-3.amazonaws.com/bucket/key");
    const out = substituteSealed(r, url, new Headers({ authorization: h }), undefined, undefined);
    expect("carried" in out && out.sign).toEqual({ credential: "s3", kind: "aws_sigv4" });
    expect("carried" in out && out.headers.has("authorization")).toBe(false);
    // Not alone in its header, or in another one: refused.
    const tries: Record<string, string>[] = [{ authorization: `AWS ${h}` }, { "x-amz-meta-k": h }];
    for (const headers of tries) {
      const refused = substituteSealed(r, url, new Headers(headers), undefined, undefined);
      expect("carried" in refused).toBe(false);
    }
  });

  it("sends a transformed handle as the garbage it is", () => {
    const r = new SecretRegistry();
    const h = r.seal("gh", "ghp_secret_1", header, ["api.example.com"]);
    const body = `${h.toUpperCase()} ${h.slice(3)} ${h.split("_").join(" ")}`;
    const out = substituteSealed(r, new URL("https://sink.example/"), new Headers(), body, undefined);
    expect("carried" in out && out.body).toBe(body);
  });

  it("writes a secret into a granted body in the body's encoding (form, JSON)", () => {
    const r = new SecretRegistry();
    const grants: Grant[] = [{ position: { in: "body" }, hosts: ["auth.example.com"] }];
    const h = r.seal("o", 'a "b"\\c d&e', grants, ["auth.example.com"]);
    const url = new URL("https://auth.example.com/token");
    const form = substituteSealed(
      r,
      url,
      new Headers({ "content-type": "application/x-www-form-urlencoded" }),
      `refresh_token=${h}`,
      undefined,
    );
    expect("carried" in form && new URLSearchParams(form.body).get("refresh_token")).toBe('a "b"\\c d&e');
    const json = substituteSealed(
      r,
      url,
      new Headers({ "content-type": "application/json" }),
      `{"t":"${h}"}`,
      undefined,
    );
    expect("carried" in json && JSON.parse(json.body ?? "")).toEqual({ t: 'a "b"\\c d&e' });
  });
});

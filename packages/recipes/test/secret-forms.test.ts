import { describe, expect, it } from "vitest";
import { basicForms, secretForms } from "../src/index.js";

describe("secretForms", () => {
  it("gives the secret as is, URL- and form-encoded, JSON-escaped and base64 of its UTF-8 bytes", () => {
    const secret = 'a b"c\\dé/';
    expect(new Set(secretForms(secret))).toEqual(
      new Set([
        secret,
        encodeURIComponent(secret),
        encodeURIComponent(secret).replace(/%20/g, "+"),
        JSON.stringify(secret).slice(1, -1),
        Buffer.from(secret, "utf8").toString("base64"),
      ]),
    );
  });

  it("lists each form once, longest first", () => {
    const forms = secretForms("plainsecretvalue");
    expect(forms).toEqual([Buffer.from("plainsecretvalue").toString("base64"), "plainsecretvalue"]);
  });
});

describe("basicForms", () => {
  it("gives base64 of user:password, and of both parts form-encoded (RFC 6749 section 2.3.1)", () => {
    expect(basicForms("AC1 x", "tök:en")).toEqual([
      Buffer.from("AC1 x:tök:en", "utf8").toString("base64"),
      Buffer.from(`AC1+x:${encodeURIComponent("tök:en")}`, "utf8").toString("base64"),
    ]);
  });
});

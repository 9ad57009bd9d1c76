import type { Recipe } from "@arcrun/recipes";
import { describe, expect, it } from "vitest";
import { isArcrunError } from "../../src/errors.js";
import { checkCapturedTarget, readCaptures, valueAt } from "../../src/internal/oauth/capture.js";
import { OAUTH_CLIENT_ENTRY, storedClient } from "../../src/internal/oauth/client-config.js";
import { MemoryStore } from "../../src/stores/memory.js";

const flow = { service: "jira", instance: "default" };
const cloud = {
  cloud_id: { from: "lookup" as const, path: "0.id", pattern: "[0-9a-f-]{36}", part: "value" as const },
};
const ID = "1324a887-45db-1bf4-1e99-ef0ff456d421";

describe("oauth2.capture", () => {
  it("valueAt follows objects and array indexes; numbers become text; anything else is missing", () => {
    expect(valueAt([{ id: ID }], "0.id")).toBe(ID);
    expect(valueAt({ team: { id: "T1" } }, "team.id")).toBe("T1");
    expect(valueAt({ n: 42 }, "n")).toBe("42");
    expect(valueAt({ team: { id: { x: 1 } } }, "team.id")).toBeUndefined();
    expect(valueAt({ team: "T1" }, "team.id")).toBeUndefined();
    expect(valueAt([], "0.id")).toBeUndefined();
    expect(valueAt({ a: "" }, "a")).toBeUndefined();
  });

  it("at login a value outside its pattern fails, naming the capture and the pattern, never the value", () => {
    const err = (() => {
      try {
        readCaptures(cloud, "lookup", [{ id: "x.evil.example" }], flow, true);
      } catch (e) {
        return e;
      }
    })();
    expect(isArcrunError(err, "ERR_OAUTH")).toBe(true);
    expect((err as Error).message).toContain('"cloud_id" (pattern [0-9a-f-]{36})');
    expect((err as Error).message).toContain("arcrun setup jira");
    expect((err as Error).message).not.toContain("evil");
  });

  it("on a refresh a missing or malformed value is left out (the stored one is kept), and only its source is read", () => {
    expect(readCaptures(cloud, "lookup", [{ id: "bad" }], flow, false)).toEqual({});
    expect(readCaptures(cloud, "token", [{ id: ID }], flow, true)).toEqual({});
    expect(readCaptures(cloud, "lookup", [{ id: ID }], flow, true)).toEqual({ cloud_id: ID });
  });
});

describe("oauth2.capture from: redirect (QuickBooks realmId beside code and state)", () => {
  const realm = {
    realm_id: { from: "redirect" as const, path: "realmId", pattern: "[0-9]{1,20}", part: "value" as const },
  };
  const flowQbo = { service: "quickbooks", instance: "default" };
  const caught = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return e;
    }
    return undefined;
  };

  it("reads the named query parameter of the redirect, and only for redirect captures", () => {
    const query = { code: "c", state: "s", realmId: "9130350000000000" };
    expect(readCaptures(realm, "redirect", query, flowQbo, true)).toEqual({ realm_id: "9130350000000000" });
    expect(readCaptures(realm, "token", query, flowQbo, true)).toEqual({});
  });

  it.each([
    ["a redirect without it (the device flow has none)", {}, "has no value"],
    [
      "a value that would change the path",
      { realmId: "1/../../v3/company/2" },
      "has a value that does not match",
    ],
  ])("%s fails the login, names the parameter and the capture, never the value", (_t, query, why) => {
    const err = caught(() => readCaptures(realm, "redirect", query, flowQbo, true));
    expect(isArcrunError(err, "ERR_OAUTH")).toBe(true);
    const message = (err as Error).message;
    expect(message).toContain(`the authorization redirect ${why}`);
    expect(message).toContain('at realmId for the captured value "realm_id"');
    expect(message).toContain("arcrun setup quickbooks");
    expect(message).not.toContain("../");
  });
});

describe("capture paths: key=value picks the first array element whose key is that value", () => {
  const accounts = {
    accounts: [
      { account_id: "a1", is_default: false, n: 1 },
      { account_id: "a2", is_default: true, n: 2 },
      { account_id: "a3", is_default: true, n: 3 },
    ],
  };
  const spec = (path: string) => ({
    id: { from: "lookup" as const, path, pattern: "a[0-9]", part: "value" as const },
  });

  it.each([
    ["a boolean", "accounts.is_default=true.account_id", "a2"],
    ["a number", "accounts.n=3.account_id", "a3"],
    ["a string", "accounts.account_id=a1.account_id", "a1"],
  ])("matches %s by its text", (_t, path, want) => {
    expect(readCaptures(spec(path), "lookup", accounts, flow, true)).toEqual({ id: want });
  });

  it("no element matching is no value (the login names the capture)", () => {
    expect(() =>
      readCaptures(spec("accounts.is_default=maybe.account_id"), "lookup", accounts, flow, true),
    ).toThrow(/has no value at accounts\.is_default=maybe\.account_id/);
    // On an object (not an array) the step picks nothing either.
    expect(readCaptures(spec("accounts.0.is_default=true"), "lookup", accounts, flow, false)).toEqual({});
  });
});

describe("oauth2.capture part: https_host (DocuSign base_uri)", () => {
  const base = {
    api_host: {
      from: "lookup" as const,
      path: "accounts.0.base_uri",
      pattern: "[a-z0-9-]+(\\.[a-z0-9-]+)*",
      part: "https_host" as const,
    },
  };
  const answer = (uri: unknown) => ({ accounts: [{ base_uri: uri }] });

  it("captures the host name of an https URL", () => {
    expect(readCaptures(base, "lookup", answer("https://NA3.docusign.net"), flow, true)).toEqual({
      api_host: "na3.docusign.net",
    });
  });

  it.each([
    ["http", "http://na3.docusign.net"],
    ["user info", "https://user:pw@na3.docusign.net"],
    ["a port", "https://na3.docusign.net:8443"],
    ["not a URL", "na3.docusign.net"],
  ])("a value with %s is refused as not an https URL of a host", (_t, uri) => {
    let err: unknown;
    try {
      readCaptures(base, "lookup", answer(uri), flow, true);
    } catch (e) {
      err = e;
    }
    expect(isArcrunError(err, "ERR_OAUTH")).toBe(true);
    expect((err as Error).message).toContain("a value that is not an https URL of a host");
    expect((err as Error).message).not.toContain("docusign.net");
  });
});

describe("checkCapturedTarget: the base URL made of captured values stays on the recipe's hosts", () => {
  const recipe = (base_url: string, hosts: string[]) =>
    ({ base_url, hosts, required_secrets: [] }) as unknown as Recipe;
  const mailchimp = recipe("https://{{captured.dc}}.api.mailchimp.com/3.0", [
    "login.mailchimp.com",
    "*.api.mailchimp.com",
  ]);
  const docusign = recipe("https://{{captured.api_host}}/restapi/v2.1/accounts/{{captured.account_id}}", [
    "na3.docusign.net",
    "eu.docusign.net",
  ]);
  const mc = { service: "mailchimp", instance: "default" };

  it("passes a host under an allowed pattern, and a recipe without captured values in base_url", () => {
    expect(() => checkCapturedTarget(mc, mailchimp, { secret: {}, captured: { dc: "us19" } })).not.toThrow();
    expect(() =>
      checkCapturedTarget(mc, recipe("https://api.example.com", ["api.example.com"]), {
        secret: {},
        captured: {},
      }),
    ).not.toThrow();
  });

  it("refuses a captured host outside the list with ERR_HOST_NOT_ALLOWED, naming the host and what to do", () => {
    let err: unknown;
    try {
      checkCapturedTarget({ service: "docusign", instance: "default" }, docusign, {
        secret: {},
        captured: { api_host: "evil.example.com", account_id: "a" },
      });
    } catch (e) {
      err = e;
    }
    expect(isArcrunError(err, "ERR_HOST_NOT_ALLOWED")).toBe(true);
    const message = (err as Error).message;
    expect(message).toContain("evil.example.com");
    expect(message).toContain("na3.docusign.net, eu.docusign.net");
    expect(message).toContain("nothing was saved");
    expect(message).toContain("arcrun setup docusign");
  });
});

describe("the OAuth client arcrun setup keeps in the store", () => {
  it("is read from the reserved entry of the service: with a secret a confidential client, without one public", async () => {
    const store = new MemoryStore();
    expect(await storedClient(store, "zoom", "client_secret_basic")).toBeUndefined();
    const entry = (values: Record<string, string>) => ({
      v: 1 as const,
      type: "static_key" as const,
      values,
      created_at: "2026-01-01T00:00:00.000Z",
      updated_at: "2026-01-01T00:00:00.000Z",
    });
    await store.set(OAUTH_CLIENT_ENTRY, "zoom", entry({ client_id: "id", client_secret: "s" }));
    expect(await storedClient(store, "zoom", "client_secret_basic")).toEqual({
      clientId: "id",
      clientSecret: "s",
      authMethod: "client_secret_basic",
    });
    await store.set(OAUTH_CLIENT_ENTRY, "linear", entry({ client_id: "pub" }));
    expect(await storedClient(store, "linear", "client_secret_post")).toEqual({
      clientId: "pub",
      authMethod: "none",
    });
    expect(await storedClient(store, "monday", "client_secret_post")).toBeUndefined();
  });
});

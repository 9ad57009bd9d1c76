import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuth, MemoryStore, type OAuth2Credential } from "../../src/index.js";
import { tempHome } from "../helpers/home.js";
import { startServer, type TestServer } from "../helpers/server.js";

/** A provider stand-in: Slack-like bearer revocation at /bearer, RFC 7009 at /rfc7009, a token endpoint. */
let server: TestServer;
let slackAnswer = '{"ok":true,"revoked":true}';

beforeAll(async () => {
  server = await startServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url === "/bearer") return void res.end(slackAnswer);
    if (req.url === "/token") {
      return void res.end(
        JSON.stringify({ access_token: "fresh-access", token_type: "Bearer", expires_in: 3600 }),
      );
    }
    res.end("{}");
  });
});
afterAll(() => server.close());

function recipe(id: string, style: "bearer" | "rfc7009" | undefined, revokeToken?: RevokeToken): string {
  return [
    `id: ${id}`,
    "display_name: Local revoke",
    "docs_url: https://example.com/docs",
    "primitive: oauth2",
    `base_url: ${server.url}`,
    "hosts: [127.0.0.1]",
    "oauth2:",
    `  authorize_url: ${server.url}/authorize`,
    `  token_url: ${server.url}/token`,
    `  revoke_url: ${server.url}/${style ?? "rfc7009"}`,
    ...(style ? [`  revoke_style: ${style}`] : []),
    ...(revokeToken ? [`  revoke_token: ${revokeToken}`] : []),
    "  token_auth_method: client_secret_post",
    "  client: byo",
    'inject: { header: { Authorization: "Bearer {{runtime.access_token}}" } }',
    "",
  ].join("\n");
}

function credential(over: Partial<OAuth2Credential> = {}): OAuth2Credential {
  const at = new Date().toISOString();
  return {
    v: 1,
    type: "oauth2",
    values: {},
    access_token: "stored-access",
    token_type: "Bearer",
    expires_at: Date.now() + 3_600_000,
    refresh_token: "stored-refresh",
    client: "byo",
    created_at: at,
    updated_at: at,
    ...over,
  };
}

type RevokeToken = "refresh" | "access" | "both";

async function logout(
  style: "bearer" | "rfc7009" | undefined,
  cred: OAuth2Credential,
  revokeToken?: RevokeToken,
) {
  const h = tempHome({ local_revoke: recipe("local_revoke", style, revokeToken) });
  const store = new MemoryStore();
  await store.set("local_revoke", "default", cred);
  const warnings: string[] = [];
  const auth = createAuth({
    home: h.home,
    store,
    env: { ARCRUN_LOCAL_REVOKE_CLIENT_ID: "app", ARCRUN_LOCAL_REVOKE_CLIENT_SECRET: "app-secret" },
    interactive: false,
    logger: { warn: (m) => warnings.push(m) },
  });
  const before = server.seen.length;
  try {
    const result = await auth.logout("local_revoke");
    return {
      result,
      calls: server.seen.slice(before),
      warnings,
      left: await store.get("local_revoke", "default"),
    };
  } finally {
    await auth.close();
    h.cleanup();
  }
}

describe("logout revocation styles", () => {
  it("revoke_style: bearer POSTs with the access token as Bearer and no body (Slack, Dropbox, Linear)", async () => {
    slackAnswer = '{"ok":true,"revoked":true}';
    const { result, calls, left } = await logout("bearer", credential());
    expect(result).toMatchObject({ deleted: true, revocation: "revoked" });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ method: "POST", url: "/bearer", body: "" });
    expect(calls[0]?.headers.authorization).toBe("Bearer stored-access");
    expect(calls[0]?.headers["content-type"]).toBeUndefined();
    expect(left).toBeUndefined();
  });

  it("revoke_style: bearer with an expired access token renews it first, then revokes the live one", async () => {
    const { result, calls } = await logout("bearer", credential({ expires_at: Date.now() - 1000 }));
    expect(result.revocation).toBe("revoked");
    expect(calls.map((c) => c.url)).toEqual(["/token", "/bearer"]);
    expect(calls[1]?.headers.authorization).toBe("Bearer fresh-access");
  });

  it("a 200 that says ok: false (Slack) is a failed revocation; the credential is deleted anyway", async () => {
    slackAnswer = '{"ok":false,"error":"invalid_auth"}';
    const { result, warnings, left } = await logout("bearer", credential());
    expect(result).toMatchObject({ deleted: true, revocation: "failed" });
    expect(warnings.join("\n")).toContain(
      "could not revoke the local_revoke credential at the provider (ERR_OAUTH)",
    );
    expect(warnings.join("\n")).not.toContain("stored-access");
    expect(left).toBeUndefined();
  });

  it("rfc7009 stays the default: POST token=<refresh token> with the client's authentication, no Bearer", async () => {
    const { result, calls } = await logout(undefined, credential());
    expect(result.revocation).toBe("revoked");
    expect(calls).toHaveLength(1);
    const form = new URLSearchParams(calls[0]?.body);
    expect(form.get("token")).toBe("stored-refresh");
    expect(form.get("token_type_hint")).toBe("refresh_token");
    expect(form.get("client_id")).toBe("app");
    expect(calls[0]?.headers.authorization).toBeUndefined();
  });

  it("revoke_token: access sends the access token, never the refresh token (Twitch, Trakt)", async () => {
    const { result, calls } = await logout(undefined, credential(), "access");
    expect(result.revocation).toBe("revoked");
    expect(calls).toHaveLength(1);
    const form = new URLSearchParams(calls[0]?.body);
    expect(form.get("token")).toBe("stored-access");
    expect(form.get("token_type_hint")).toBe("access_token");
    expect(calls[0]?.body).not.toContain("stored-refresh");
  });

  it("revoke_token: access with an expired access token renews it first, then revokes the live one", async () => {
    const { result, calls } = await logout(
      undefined,
      credential({ expires_at: Date.now() - 1000 }),
      "access",
    );
    expect(result.revocation).toBe("revoked");
    expect(calls.map((c) => c.url)).toEqual(["/token", "/rfc7009"]);
    expect(new URLSearchParams(calls[1]?.body).get("token")).toBe("fresh-access");
  });

  it("revoke_token: both revokes the access token, then the refresh token", async () => {
    const { result, calls } = await logout(undefined, credential(), "both");
    expect(result.revocation).toBe("revoked");
    const sent = calls.map((c) => new URLSearchParams(c.body));
    expect(sent.map((f) => [f.get("token"), f.get("token_type_hint")])).toEqual([
      ["stored-access", "access_token"],
      ["stored-refresh", "refresh_token"],
    ]);
  });

  it("revoke_token: refresh (as when absent) falls back to the access token when there is no refresh token", async () => {
    const { calls } = await logout(undefined, credential({ refresh_token: undefined }), "refresh");
    expect(new URLSearchParams(calls[0]?.body).get("token")).toBe("stored-access");
  });
});

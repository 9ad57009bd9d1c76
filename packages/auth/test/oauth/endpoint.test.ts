import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isArcrunError, OAuthError } from "../../src/errors.js";
import { findByoClient } from "../../src/internal/oauth/client-config.js";
import { parseTokenResponse, tokenRequest } from "../../src/internal/oauth/endpoint.js";
import { localServer, type Reply } from "./local-server.js";

const flow = { service: "svc", instance: "default" };
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function server(reply: Reply = { status: 200, json: { access_token: "a", token_type: "bearer" } }) {
  const s = await localServer(() => reply);
  close = s.close;
  return s;
}

describe("token endpoint client authentication and encoding (RFC 6749 2.3, 3.2)", () => {
  it("client_secret_basic: id and secret form-urlencoded, then base64 (RFC 6749 2.3.1)", async () => {
    const s = await server();
    await tokenRequest(flow, {
      url: s.url,
      client: { clientId: "my id", clientSecret: "p@ss:w/rd", authMethod: "client_secret_basic" },
      bodyFormat: "form",
      params: { grant_type: "client_credentials" },
    });
    const auth = String(s.seen[0]?.headers.authorization);
    expect(Buffer.from(auth.replace("Basic ", ""), "base64").toString()).toBe("my+id:p%40ss%3Aw%2Frd");
    expect(s.seen[0]?.body).toBe("grant_type=client_credentials");
  });

  it("client_secret_post: id and secret in the body; none: only the id", async () => {
    const s = await server();
    await tokenRequest(flow, {
      url: s.url,
      client: { clientId: "c", clientSecret: "s", authMethod: "client_secret_post" },
      bodyFormat: "form",
      params: {},
    });
    await tokenRequest(flow, {
      url: s.url,
      client: { clientId: "c", authMethod: "none" },
      bodyFormat: "form",
      params: {},
    });
    expect(new URLSearchParams(s.seen[0]?.body).get("client_secret")).toBe("s");
    expect(s.seen[1]?.body).toBe("client_id=c");
    expect(s.seen[1]?.headers.authorization).toBeUndefined();
  });

  it("body_format json: a JSON body with content-type application/json", async () => {
    const s = await server();
    await tokenRequest(flow, {
      url: s.url,
      client: { clientId: "c", authMethod: "none" },
      bodyFormat: "json",
      params: { grant_type: "x" },
    });
    expect(s.seen[0]?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(s.seen[0]?.body ?? "")).toEqual({ grant_type: "x", client_id: "c" });
  });

  it("an OAuth error keeps error and error_description; the response is non-enumerable; no secret in the message", async () => {
    const s = await server({
      status: 401,
      json: { error: "invalid_client", error_description: "bad secret" },
    });
    const err = await tokenRequest(flow, {
      url: s.url,
      client: { clientId: "c", clientSecret: "TOPSECRET", authMethod: "client_secret_post" },
      bodyFormat: "form",
      params: {},
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OAuthError);
    expect(err).toMatchObject({
      code: "ERR_OAUTH",
      status: 401,
      error: "invalid_client",
      error_description: "bad secret",
    });
    expect(Object.keys(err as object)).not.toContain("response");
    expect((err as Error).message).toContain("run: arcrun setup svc");
    expect(JSON.stringify(err)).not.toContain("TOPSECRET");
    expect((err as Error).message).not.toContain("TOPSECRET");
  });

  it("5xx and 429 are transient (ERR_NETWORK), as is a connection failure", async () => {
    const s = await server({ status: 503, text: "down" });
    const err = await tokenRequest(flow, {
      url: s.url,
      client: { clientId: "c", authMethod: "none" },
      bodyFormat: "form",
      params: {},
    }).catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_NETWORK")).toBe(true);
    await close?.();
    close = undefined;
    const down = await tokenRequest(flow, {
      url: s.url,
      client: { clientId: "c", authMethod: "none" },
      bodyFormat: "form",
      params: {},
    }).catch((e: unknown) => e);
    expect(isArcrunError(down, "ERR_NETWORK")).toBe(true);
  });

  it("access_token_path reads a nested token (Slack user tokens); token_type defaults to Bearer", () => {
    const t = parseTokenResponse(
      flow,
      { ok: true, authed_user: { access_token: "xoxp", scope: "a,b" } },
      "authed_user.access_token",
    );
    expect(t).toMatchObject({ access_token: "xoxp", token_type: "Bearer", scope: "a,b" });
    expect(() => parseTokenResponse(flow, { ok: true })).toThrow(/without an access token/);
  });
});

describe("bring-your-own clients", () => {
  let home: string | undefined;
  afterEach(async () => {
    if (home) await rm(home, { recursive: true, force: true });
    home = undefined;
  });

  it("the environment wins over config.yaml; config.yaml clients.<service> is read otherwise", async () => {
    home = await mkdtemp(join(tmpdir(), "arcrun-byo-"));
    await writeFile(
      join(home, "config.yaml"),
      "clients:\n  google_drive:\n    client_id: from-file\n    client_secret: file-secret\n",
    );
    const src = {
      service: "google_drive",
      instance: "default",
      home,
      authMethod: "client_secret_post" as const,
      secret: "required" as const,
    };
    expect(await findByoClient({ ...src, env: {} })).toMatchObject({
      clientId: "from-file",
      clientSecret: "file-secret",
    });
    expect(
      await findByoClient({
        ...src,
        env: { ARCRUN_GOOGLE_DRIVE_CLIENT_ID: "env-id", ARCRUN_GOOGLE_DRIVE_CLIENT_SECRET: "env-secret" },
      }),
    ).toMatchObject({ clientId: "env-id", clientSecret: "env-secret" });
    expect(await findByoClient({ ...src, service: "other", env: {} })).toBeUndefined();
  });

  it("an id without the secret the recipe needs: ERR_NO_CLIENT naming what to set", async () => {
    home = await mkdtemp(join(tmpdir(), "arcrun-byo-"));
    const err = await findByoClient({
      service: "svc",
      instance: "default",
      home,
      authMethod: "client_secret_basic",
      secret: "required",
      env: { ARCRUN_SVC_CLIENT_ID: "id" },
    }).catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_NO_CLIENT")).toBe(true);
    expect((err as Error).message).toContain("ARCRUN_SVC_CLIENT_SECRET");
  });

  it("RFC 8252 section 8.4: an id alone is a public client (none) unless the recipe requires a secret", async () => {
    home = await mkdtemp(join(tmpdir(), "arcrun-byo-"));
    const client = await findByoClient({
      service: "svc",
      instance: "default",
      home,
      authMethod: "client_secret_post",
      secret: "optional",
      env: { ARCRUN_SVC_CLIENT_ID: "id" },
    });
    expect(client).toEqual({ clientId: "id", authMethod: "none" });
    // With the secret it stays the recipe's method.
    expect(
      await findByoClient({
        service: "svc",
        instance: "default",
        home,
        authMethod: "client_secret_post",
        secret: "optional",
        env: { ARCRUN_SVC_CLIENT_ID: "id", ARCRUN_SVC_CLIENT_SECRET: "s" },
      }),
    ).toEqual({ clientId: "id", clientSecret: "s", authMethod: "client_secret_post" });
  });
});

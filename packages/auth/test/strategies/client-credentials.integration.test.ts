import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuth, isArcrunError } from "../../src/index.js";
import { makeHome, type TestHome } from "../support/home.js";
import { startTestProvider, type TestProvider } from "../support/oidc-provider.js";

function ccRecipe(op: TestProvider, id: string, oauth2: Record<string, unknown>) {
  return {
    id,
    display_name: `Local ${id}`,
    docs_url: "https://example.com/docs",
    primitive: "oauth2",
    base_url: op.resourceUrl,
    hosts: ["127.0.0.1"],
    oauth2: {
      grant: "client_credentials",
      token_url: op.urls.token,
      scopes: ["api"],
      client: "byo",
      ...oauth2,
    },
    inject: { header: { Authorization: "Bearer {{runtime.access_token}}" } },
  };
}

describe("client credentials grant (RFC 6749 section 4.4) with the user's own client", () => {
  let home: TestHome;
  beforeAll(async () => {
    home = await makeHome();
  });
  afterAll(async () => {
    await home?.cleanup();
  });

  for (const method of ["client_secret_basic", "client_secret_post"] as const) {
    for (const format of ["form", "json"] as const) {
      it(`${method}, ${format} body: the token endpoint sees that authentication and encoding`, async () => {
        const op = await startTestProvider({ confidentialAuthMethod: method });
        try {
          const id = `cc_${method === "client_secret_basic" ? "basic" : "post"}_${format}`;
          await home.writeRecipe(ccRecipe(op, id, { token_auth_method: method, body_format: format }));
          const up = id.toUpperCase();
          const env = {
            ...home.env,
            [`ARCRUN_${up}_CLIENT_ID`]: op.confidentialClient.client_id,
            [`ARCRUN_${up}_CLIENT_SECRET`]: op.confidentialClient.client_secret,
          };
          const auth = createAuth({ env, interactive: false });
          const client = auth.bind(id);
          const statuses = await Promise.all(
            Array.from({ length: 10 }, async () => (await client.get("/jobs")).status),
          );
          expect(statuses).toEqual(Array(10).fill(200));
          const reqs = op.tokenRequests.filter((r) => r.grant_type === "client_credentials");
          expect(reqs).toHaveLength(1);
          expect(reqs[0]).toMatchObject({
            format,
            auth: method === "client_secret_basic" ? "basic" : "body",
            status: 200,
          });
          if (method === "client_secret_post") expect(reqs[0]?.params).toContain("client_secret");
          else expect(reqs[0]?.params).not.toContain("client_secret");
          await auth.close();
        } finally {
          await op.close();
        }
      });
    }
  }

  it("a client from $ARCRUN_HOME/config.yaml; a wrong secret fails with ERR_OAUTH and the next step", async () => {
    const op = await startTestProvider();
    try {
      await home.writeRecipe(ccRecipe(op, "cc_config", { token_auth_method: "client_secret_basic" }));
      await home.writeConfig(
        `clients:\n  cc_config:\n    client_id: ${op.confidentialClient.client_id}\n    client_secret: ${op.confidentialClient.client_secret}\n`,
      );
      const auth = createAuth({ env: home.env, interactive: false });
      expect((await auth.bind("cc_config").get("/ok")).status).toBe(200);
      await auth.close();

      await home.writeConfig(
        `clients:\n  cc_config:\n    client_id: ${op.confidentialClient.client_id}\n    client_secret: wrong\n`,
      );
      const again = createAuth({ env: home.env, store: "memory", interactive: false });
      const err = await again
        .bind("cc_config")
        .get("/ok")
        .catch((e: unknown) => e);
      expect(isArcrunError(err, "ERR_OAUTH")).toBe(true);
      expect((err as Error).message).toMatch(/invalid_client/);
      expect((err as Error).message).toContain("run: arcrun setup cc_config");
      expect((err as Error).message).not.toContain("wrong");
      await again.close();
    } finally {
      await op.close();
    }
  });

  it("{{client.id}} in the inject is the id of the client the app token was issued to (Twitch's Client-Id)", async () => {
    // The resource answers only when Client-Id names the client the token was issued to, as Twitch's Helix
    // does ("Client ID and OAuth token do not match", https://dev.twitch.tv/docs/api/get-started/).
    const op = await startTestProvider({
      resource: (req, res, token) => {
        if (req.headers["client-id"] === token.client_id) return false;
        res.writeHead(401, { "content-type": "application/json" });
        res.end(JSON.stringify({ message: "Client ID and OAuth token do not match" }));
        return true;
      },
    });
    try {
      await home.writeRecipe({
        ...ccRecipe(op, "cc_client_id", { token_auth_method: "client_secret_basic" }),
        inject: {
          header: { Authorization: "Bearer {{runtime.access_token}}", "Client-Id": "{{client.id}}" },
        },
      });
      const env = {
        ...home.env,
        ARCRUN_CC_CLIENT_ID_CLIENT_ID: op.confidentialClient.client_id,
        ARCRUN_CC_CLIENT_ID_CLIENT_SECRET: op.confidentialClient.client_secret,
      };
      const auth = createAuth({ env, store: "memory", interactive: false });
      const res = await auth.bind("cc_client_id").get("/users");
      expect(res.status).toBe(200);
      expect(((await res.json()) as { client_id: string }).client_id).toBe(op.confidentialClient.client_id);
      await auth.close();
    } finally {
      await op.close();
    }
  });

  it("no client anywhere: ERR_NO_CLIENT says which variables or config.yaml key to set", async () => {
    const op = await startTestProvider();
    try {
      await home.writeRecipe(ccRecipe(op, "cc_none", {}));
      const auth = createAuth({ env: home.env, store: "memory", interactive: false });
      const err = await auth.getToken("cc_none").catch((e: unknown) => e);
      expect(isArcrunError(err, "ERR_NO_CLIENT")).toBe(true);
      expect((err as Error).message).toContain("ARCRUN_CC_NONE_CLIENT_ID");
      expect((err as Error).message).toContain("config.yaml");
      await auth.close();
    } finally {
      await op.close();
    }
  });
});

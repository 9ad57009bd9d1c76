/**
 * `base_url_from`: the token answer names the API origin of this account (Salesforce's instance_url), and
 * requests go there, with the recipe's hosts still checked after the substitution. The provider is made up
 * (login.example.test and its tenants; no catalogue recipe names a varying origin under a wildcard yet): an
 * RFC 6749 server with a loopback redirect on any port (RFC 8252 section 7.3) whose token answer carries an
 * `instance_url` like Salesforce's (profiles/salesforce.ts holds Salesforce's own rules). It is reached by a
 * user recipe through the test dispatcher.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createAuth, isArcrunError } from "../../src/index.js";
import { makeHome, type TestHome } from "../support/home.js";
import { sink } from "../support/streams.js";
import { apiRoute, json, tokenRoute } from "./kit.js";
import { authorizeRoute, loopback, type OAuthProfile, type Simulator, startSimulator } from "./simulator.js";

const profile = (instance: string): OAuthProfile => ({
  kind: "oauth2",
  recipe: "tenant_api",
  // A made-up provider: the RFCs it follows, not a real provider's pages.
  docs: ["https://www.rfc-editor.org/rfc/rfc6749", "https://www.rfc-editor.org/rfc/rfc8252#section-7.3"],
  clientSecret: true,
  refreshes: true,
  revokes: false,
  routes: {
    "GET https://login.example.test/authorize": authorizeRoute({
      redirectAllowed: (u) => loopback(u) !== undefined,
    }),
    "POST https://login.example.test/token": tokenRoute({
      clientAuth: "post",
      body: "form",
      refreshToken: "reusable",
      scopeEcho: () => undefined,
      extra: () => ({ instance_url: instance }),
    }),
    "GET https://default.example.test/v1/me": apiRoute({ ok: () => json(200, { at: "default" }) }),
    "GET https://tenant7.example.test/v1/me": apiRoute({ ok: () => json(200, { at: "tenant7" }) }),
    // Served too, so a credential the library wrongly sent there would land here and be seen.
    "GET https://evil.invalid/v1/me": apiRoute({ ok: () => json(200, { at: "evil" }) }),
  },
});

let sim: Simulator | undefined;
let home: TestHome | undefined;
afterEach(async () => {
  await sim?.close();
  await home?.cleanup();
});

async function connect(instance: string) {
  sim = await startSimulator(profile(instance));
  home = await makeHome();
  await home.writeRecipe({
    id: "tenant_api",
    display_name: "Tenant API",
    docs_url: "https://example.com/docs",
    primitive: "oauth2",
    base_url: "https://default.example.test/v1",
    hosts: ["*.example.test"],
    oauth2: {
      authorize_url: "https://login.example.test/authorize",
      token_url: "https://login.example.test/token",
      base_url_from: "instance_url",
      client: "byo",
    },
    inject: { header: { Authorization: "Bearer {{runtime.access_token}}" } },
  });
  home.env.ARCRUN_TENANT_API_CLIENT_ID = sim.state.clientId;
  home.env.ARCRUN_TENANT_API_CLIENT_SECRET = sim.state.clientSecret;
  const s = sim;
  const auth = createAuth({ env: home.env, interactive: false, dispatcher: s.dispatcher });
  await auth.login("tenant_api", {
    output: sink(),
    openUrl: async (url) => {
      const res = await s.fetch(url, { redirect: "manual" });
      await fetch(res.headers.get("location") ?? "");
    },
  });
  return auth;
}

describe("base_url_from: the API origin named by the token answer", () => {
  it("requests go to the origin the token answer named, with base_url's path", async () => {
    const auth = await connect("https://tenant7.example.test");
    const res = await auth.bind("tenant_api").get("/me");
    expect(await res.json()).toEqual({ at: "tenant7" });
  });

  it("an origin outside the recipe's hosts is refused before the credential is sent", async () => {
    const auth = await connect("https://evil.invalid");
    const err = await auth
      .bind("tenant_api")
      .get("/me")
      .catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_HOST_NOT_ALLOWED")).toBe(true);
    expect((err as Error).message).toContain("https://evil.invalid");
    expect(sim?.state.seen.some((r) => r.url.host === "evil.invalid")).toBe(false);
  });
});

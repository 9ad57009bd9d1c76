/**
 * `grant: client_credentials` recipes beyond the conformance steps: a value the token endpoint needs (Auth0's
 * tenant domain, in token_url and the audience parameter) that is set nowhere, or not of its pattern, is a
 * clear error before any request. The recipes are the catalogue's, against their provider simulators.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createAuth, isArcrunError } from "../../src/index.js";
import { makeHome, type TestHome } from "../support/home.js";
import { sink } from "../support/streams.js";
import { auth0Management } from "./profiles/auth0.js";
import { microsoftGraphApp, TENANT } from "./profiles/microsoft-app.js";
import { paypalSandbox } from "./profiles/paypal.js";
import { salesforce } from "./profiles/salesforce.js";
import { spotifyApp } from "./profiles/spotify-app.js";
import { type ClientCredentialsProfile, type Simulator, startSimulator } from "./simulator.js";

let sim: Simulator | undefined;
let home: TestHome | undefined;
afterEach(async () => {
  await sim?.close();
  await home?.cleanup();
  sim = undefined;
  home = undefined;
});

async function auth0(domain: string | undefined) {
  sim = await startSimulator(auth0Management);
  home = await makeHome();
  home.env.ARCRUN_AUTH0_MANAGEMENT_CLIENT_ID = sim.state.clientId;
  home.env.ARCRUN_AUTH0_MANAGEMENT_CLIENT_SECRET = sim.state.clientSecret;
  if (domain !== undefined) home.env.ARCRUN_AUTH0_MANAGEMENT_DOMAIN = domain;
  return createAuth({ env: home.env, interactive: false, dispatcher: sim.dispatcher });
}

describe("auth0_management: the tenant domain the token endpoint and audience are made of", () => {
  it("set nowhere: ERR_NEEDS_LOGIN names the variable to set, and no request is made", async () => {
    const auth = await auth0(undefined);
    const err = await auth.login("auth0_management", { output: sink() }).catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_NEEDS_LOGIN")).toBe(true);
    expect((err as Error).message).toContain("missing: domain");
    expect((err as Error).message).toContain("ARCRUN_AUTH0_MANAGEMENT_DOMAIN");
    expect(sim?.state.seen).toHaveLength(0);
  });

  it("a host that is not an Auth0 tenant domain is refused before any request", async () => {
    const auth = await auth0("acme.evil.example");
    const err = await auth.login("auth0_management", { output: sink() }).catch((e: unknown) => e);
    expect(isArcrunError(err)).toBe(true);
    expect((err as Error).message).toContain("ARCRUN_AUTH0_MANAGEMENT_DOMAIN");
    expect(sim?.state.seen).toHaveLength(0);
  });

  it("the token request carries the Management API audience of that tenant, and the token reaches /api/v2", async () => {
    const auth = await auth0("acme.us.auth0.com");
    await auth.login("auth0_management", { output: sink() });
    const token = sim?.state.seen.find((r) => r.url.pathname === "/oauth/token");
    expect(new URLSearchParams(token?.body).get("audience")).toBe("https://acme.us.auth0.com/api/v2/");
    const res = await auth.bind("auth0_management").get("/clients", { query: { per_page: "1" } });
    expect(res.status).toBe(200);
    expect(sim?.state.seen.at(-1)?.url.origin).toBe("https://acme.us.auth0.com");
  });
});

describe("the client credentials stand-ins refuse what their providers refuse", () => {
  const form = { "content-type": "application/x-www-form-urlencoded" };
  async function post(
    profile: ClientCredentialsProfile,
    url: string,
    body: Record<string, string>,
    basic: boolean,
  ) {
    // One simulator per test: its client is the one both requests present.
    sim ??= await startSimulator(profile);
    const { clientId, clientSecret } = sim.state;
    const headers: Record<string, string> = { ...form };
    const params = { ...body };
    if (basic)
      headers.authorization = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`;
    else Object.assign(params, { client_id: clientId, client_secret: clientSecret });
    return sim.fetch(url, { method: "POST", headers, body: new URLSearchParams(params).toString() });
  }

  it.each([
    [
      "paypal, the client in the body instead of Basic",
      paypalSandbox,
      "https://api-m.sandbox.paypal.com/v1/oauth2/token",
    ],
    [
      "spotify, the client in the body instead of Basic",
      spotifyApp,
      "https://accounts.spotify.com/api/token",
    ],
  ] as const)("%s", async (_t, profile, url) => {
    const res = await post(profile, url, { grant_type: "client_credentials" }, false);
    expect((await res.json()) as unknown).toMatchObject({ error: "invalid_client" });
    const ok = await post(profile, url, { grant_type: "client_credentials" }, true);
    expect(ok.status).toBe(200);
  });

  it("auth0: another audience gets no Management API token", async () => {
    const url = "https://acme.us.auth0.com/oauth/token";
    const wrong = await post(
      auth0Management,
      url,
      { grant_type: "client_credentials", audience: "https://acme.us.auth0.com/userinfo" },
      false,
    );
    expect(wrong.status).toBe(403);
    const ok = await post(
      auth0Management,
      url,
      { grant_type: "client_credentials", audience: "https://acme.us.auth0.com/api/v2/" },
      false,
    );
    expect(ok.status).toBe(200);
  });
});

describe("microsoft_graph_app: a tenant of its own, and Graph's .default scope", () => {
  it("common (a user's sign-in only) is refused before any request, naming the variable", async () => {
    sim = await startSimulator(microsoftGraphApp);
    home = await makeHome();
    home.env.ARCRUN_MICROSOFT_GRAPH_APP_CLIENT_ID = sim.state.clientId;
    home.env.ARCRUN_MICROSOFT_GRAPH_APP_CLIENT_SECRET = sim.state.clientSecret;
    home.env.ARCRUN_MICROSOFT_GRAPH_APP_TENANT = "common";
    const auth = createAuth({ env: home.env, interactive: false, dispatcher: sim.dispatcher });
    const err = await auth.login("microsoft_graph_app", { output: sink() }).catch((e: unknown) => e);
    expect(isArcrunError(err)).toBe(true);
    expect((err as Error).message).toContain("ARCRUN_MICROSOFT_GRAPH_APP_TENANT");
    expect(sim.state.seen).toHaveLength(0);
  });

  it("the stand-in refuses a scope without .default (AADSTS1002012)", async () => {
    sim = await startSimulator(microsoftGraphApp);
    const res = await sim.fetch(`https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: sim.state.clientId,
        client_secret: sim.state.clientSecret,
        scope: "User.Read.All",
      }).toString(),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "invalid_scope", error_codes: [1002012] });
  });
});

describe("values given to a login (a tenant the endpoints name) are used for it and kept with the token", () => {
  it("client credentials: login(auth0_management, { values: { domain } }) with nothing in the environment, then bind finds the domain in the store", async () => {
    const auth = await auth0(undefined);
    await auth.login("auth0_management", { values: { domain: "acme.us.auth0.com" }, output: sink() });
    expect(await (await auth.store()).get("auth0_management", "default")).toMatchObject({
      type: "oauth2",
      values: { domain: "acme.us.auth0.com" },
    });
    const later = createAuth({ env: home?.env ?? {}, interactive: false, dispatcher: sim?.dispatcher });
    const res = await later.bind("auth0_management").get("/clients", { query: { per_page: "1" } });
    expect(res.status).toBe(200);
    expect(sim?.state.seen.at(-1)?.url.origin).toBe("https://acme.us.auth0.com");
  });

  it("a value of the wrong form is refused before any request", async () => {
    const auth = await auth0(undefined);
    const err = await auth
      .login("auth0_management", { values: { domain: "evil.example.com" }, output: sink() })
      .catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_INVALID_SECRET")).toBe(true);
    expect(sim?.state.seen).toHaveLength(0);
  });

  it("authorization code: login(salesforce, { values: { my_domain } }) signs in and keeps my_domain for the API host", async () => {
    sim = await startSimulator(salesforce);
    home = await makeHome();
    home.env.ARCRUN_SALESFORCE_CLIENT_ID = sim.state.clientId;
    home.env.ARCRUN_SALESFORCE_CLIENT_SECRET = sim.state.clientSecret;
    const s = sim;
    const auth = createAuth({ env: home.env, interactive: false, dispatcher: s.dispatcher });
    await auth.login("salesforce", {
      values: { my_domain: "acme" },
      output: sink(),
      openUrl: async (url) => {
        const res = await s.fetch(url, { redirect: "manual" });
        await fetch(res.headers.get("location") ?? "");
      },
    });
    expect(await (await auth.store()).get("salesforce", "default")).toMatchObject({
      type: "oauth2",
      values: { my_domain: "acme" },
    });
    const later = createAuth({ env: home.env, interactive: false, dispatcher: s.dispatcher });
    expect(await later.test("salesforce")).toMatchObject({ ok: true, tested: true });
  });
});

/**
 * Values captured after an OAuth login (recipe `oauth2.capture`), used in base_url with the host
 * allow-list checked after substitution: Atlassian's cloud id, Mailchimp's data centre and Docusign's account
 * and server from a lookup request, Slack's team and Wrike's host from the token response, and QuickBooks'
 * realmId from the authorization redirect. A value off its pattern or a host off the recipe's list fails
 * the login with nothing stored. The recipes are the catalogue's, as shipped, against the provider simulators.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createAuth, isArcrunError } from "../../src/index.js";
import { makeHome, type TestHome } from "../support/home.js";
import { sink } from "../support/streams.js";
import { CLOUD_ID, jiraOAuth, jiraOAuthWithSites } from "./profiles/atlassian.js";
import { DOCUSIGN_ACCOUNT_ID, docusignDemo, docusignDemoWithBaseUri } from "./profiles/docusign.js";
import { MAILCHIMP_DC, mailchimpOAuth, mailchimpOAuthWithDc } from "./profiles/mailchimp.js";
import { quickbooksSandbox, quickbooksSandboxWithRealm, REALM_ID } from "./profiles/quickbooks.js";
import { slackOAuth } from "./profiles/slack.js";
import { WRIKE_HOST, wrikeOAuth, wrikeOAuthWithHost } from "./profiles/wrike.js";
import { type OAuthProfile, type Simulator, startSimulator } from "./simulator.js";

let sim: Simulator | undefined;
let home: TestHome | undefined;
afterEach(async () => {
  await sim?.close();
  await home?.cleanup();
  sim = undefined;
  home = undefined;
});

async function connect(profile: OAuthProfile, env: Record<string, string> = {}) {
  const s = await startSimulator(profile);
  const h = await makeHome();
  sim = s;
  home = h;
  const prefix = `ARCRUN_${profile.recipe.toUpperCase()}_`;
  h.env[`${prefix}CLIENT_ID`] = s.state.clientId;
  h.env[`${prefix}CLIENT_SECRET`] = s.state.clientSecret;
  Object.assign(h.env, env);
  const auth = createAuth({ env: h.env, interactive: false, dispatcher: s.dispatcher });
  const login = () =>
    auth.login(profile.recipe, {
      via: "oauth2",
      output: sink(),
      openUrl: async (url) => {
        const res = await s.fetch(url, { redirect: "manual" });
        await fetch(res.headers.get("location") ?? "");
      },
    });
  return { auth, login, sim: s };
}

describe("Atlassian cloud id, from the lookup after login", () => {
  it('bind("jira", { via: "oauth2" }).get("/myself") reaches api.atlassian.com/ex/jira/<cloud id>/rest/api/3/myself', async () => {
    const { auth, login, sim } = await connect(jiraOAuth);
    await login();
    const stored = await (await auth.store()).get("jira", "default");
    expect(stored).toMatchObject({ type: "oauth2", captured: { cloud_id: CLOUD_ID } });

    const res = await auth.bind("jira", { via: "oauth2" }).get("/myself");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accountId: "1" });
    const call = sim.state.seen.at(-1);
    expect(call?.url.toString()).toBe(`https://api.atlassian.com/ex/jira/${CLOUD_ID}/rest/api/3/myself`);
    // The lookup carried the new token as the recipe's inject says.
    const lookup = sim.state.seen.find((r) => r.url.pathname === "/oauth/token/accessible-resources");
    expect(lookup?.headers.authorization).toMatch(/^Bearer at-/);
    expect(lookup?.headers["user-agent"]).toMatch(/^arcrun\//);
  });

  it("the captured value survives a refresh (the refresh answer does not repeat it)", async () => {
    const { auth, login, sim } = await connect(jiraOAuth);
    await login();
    sim.state.expireAccessTokens();
    const res = await auth.bind("jira", { via: "oauth2" }).get("/myself");
    expect(res.status).toBe(200);
    const stored = await (await auth.store()).get("jira", "default");
    expect(stored).toMatchObject({ captured: { cloud_id: CLOUD_ID } });
    expect(sim.state.seen.filter((r) => r.url.pathname === "/oauth/token/accessible-resources")).toHaveLength(
      1,
    );
  });

  it.each([
    [
      "a value that would change the path",
      [{ id: "../../../evil", url: "https://acme.atlassian.net" }],
      "does not match",
    ],
    ["a host-like value", [{ id: "evil.example.com", url: "https://acme.atlassian.net" }], "does not match"],
    ["no site at all (the app may use none)", [], "no value"],
  ])(
    "a lookup answer with %s fails the login, names the capture, and stores nothing",
    async (_t, sites, why) => {
      const { auth, login } = await connect(jiraOAuthWithSites(sites));
      const err = await login().catch((e: unknown) => e);
      expect(isArcrunError(err, "ERR_OAUTH")).toBe(true);
      const message = (err as Error).message;
      expect(message).toContain(`${why}`);
      expect(message).toContain('"cloud_id"');
      expect(message).toContain("arcrun setup jira");
      expect(message).not.toContain("evil");
      expect(await (await auth.store()).get("jira", "default")).toBeUndefined();
    },
  );
});

describe("Atlassian: a user with several sites chooses one (oauth2.lookup.choose)", () => {
  // accessible-resources lists each site as {id, url, name, scopes, avatarUrl} (3LO apps, "Make calls to the
  // API using the access token"); this grant reaches two.
  const BETA_ID = "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";
  const sites = [
    { id: CLOUD_ID, url: "https://acme.atlassian.net", name: "acme", scopes: [], avatarUrl: "" },
    { id: BETA_ID, url: "https://beta-team.atlassian.net", name: "Beta Team", scopes: [], avatarUrl: "" },
  ];

  it("without a site value the first listed site is used", async () => {
    const { auth, login } = await connect(jiraOAuthWithSites(sites));
    await login();
    expect(await (await auth.store()).get("jira", "default")).toMatchObject({
      captured: { cloud_id: CLOUD_ID },
    });
  });

  it("ARCRUN_JIRA_SITE picks the site whose url names it (the part before .atlassian.net)", async () => {
    const { auth, login } = await connect(jiraOAuthWithSites(sites), { ARCRUN_JIRA_SITE: "beta-team" });
    await login();
    expect(await (await auth.store()).get("jira", "default")).toMatchObject({
      captured: { cloud_id: BETA_ID },
    });
  });

  it("a site value that names none of them fails the login listing the sites, and stores nothing", async () => {
    const { auth, login } = await connect(jiraOAuthWithSites(sites), { ARCRUN_JIRA_SITE: "gamma" });
    const err = await login().catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_INVALID_SECRET")).toBe(true);
    expect((err as Error).message).toContain(
      'jira: site "gamma" names none of the 2 this sign-in reaches (https://acme.atlassian.net acme, https://beta-team.atlassian.net Beta Team); set site to one of them (ARCRUN_JIRA_SITE), then ',
    );
    expect((err as Error).message).toContain("arcrun setup jira");
    expect(await (await auth.store()).get("jira", "default")).toBeUndefined();
  });
});

describe("Slack team, from the token response", () => {
  it("oauth.v2.access's team.id and team.name are stored with the credential", async () => {
    const { auth, login } = await connect(slackOAuth);
    await login();
    const stored = await (await auth.store()).get("slack", "default");
    expect(stored).toMatchObject({ type: "oauth2", captured: { team_id: "T1", team_name: "Sim" } });
    // arcrun status shows them (they are not secret).
    expect((await auth.status("slack")).instances[0]?.captured).toEqual({ team_id: "T1", team_name: "Sim" });
  });
});

describe("QuickBooks realmId, from the authorization redirect", () => {
  it('bind("quickbooks_sandbox").get("/preferences") reaches /v3/company/<realmId>/preferences', async () => {
    const { auth, login, sim } = await connect(quickbooksSandbox);
    await login();
    const stored = await (await auth.store()).get("quickbooks_sandbox", "default");
    expect(stored).toMatchObject({ type: "oauth2", captured: { realm_id: REALM_ID } });
    const res = await auth.bind("quickbooks_sandbox").get("/preferences");
    expect(res.status).toBe(200);
    expect(sim.state.seen.at(-1)?.url.toString()).toBe(
      `https://sandbox-quickbooks.api.intuit.com/v3/company/${REALM_ID}/preferences`,
    );
    // The realmId came on the redirect only: the token request did not carry it, and no lookup was made.
    expect(sim.state.seen.some((r) => r.body.includes(REALM_ID))).toBe(false);
  });

  it.each([
    ["a value that would change the path", "1/../../evil", "has a value that does not match"],
    ["a host-like value", "evil.example.com", "has a value that does not match"],
    ["no realmId at all", undefined, "has no value"],
  ])("a redirect with %s fails the login, names the capture, and stores nothing", async (_t, realm, why) => {
    const { auth, login } = await connect(quickbooksSandboxWithRealm(realm));
    const err = await login().catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_OAUTH")).toBe(true);
    const message = (err as Error).message;
    expect(message).toContain(`the authorization redirect ${why}`);
    expect(message).toContain('"realm_id"');
    expect(message).toContain("arcrun setup quickbooks_sandbox");
    expect(message).not.toContain("evil");
    expect(await (await auth.store()).get("quickbooks_sandbox", "default")).toBeUndefined();
  });
});

describe("Mailchimp data centre, from the metadata lookup with its own Authorization scheme", () => {
  it('bind("mailchimp", { via: "oauth2" }).get("/ping") reaches <dc>.api.mailchimp.com/3.0/ping', async () => {
    const { auth, login, sim } = await connect(mailchimpOAuth);
    await login();
    const stored = await (await auth.store()).get("mailchimp", "default");
    expect(stored).toMatchObject({ type: "oauth2", captured: { dc: MAILCHIMP_DC } });
    const res = await auth.bind("mailchimp", { via: "oauth2" }).get("/ping");
    expect(res.status).toBe(200);
    const call = sim.state.seen.at(-1);
    expect(call?.url.toString()).toBe(`https://${MAILCHIMP_DC}.api.mailchimp.com/3.0/ping`);
    expect(call?.headers.authorization).toMatch(/^Bearer at-/);
    // The lookup used the recipe's lookup header (OAuth <token>), not the API's Bearer.
    const lookup = sim.state.seen.find((r) => r.url.pathname === "/oauth2/metadata");
    expect(lookup?.headers.authorization).toMatch(/^OAuth at-/);
  });

  it.each([
    ["a host in place of the data centre", "evil.example.com"],
    ["a data centre with a path", "us1/../x"],
    ["no data centre", undefined],
  ])("a metadata answer with %s fails the login and stores nothing", async (_t, dc) => {
    const { auth, login } = await connect(mailchimpOAuthWithDc(dc));
    const err = await login().catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_OAUTH")).toBe(true);
    const message = (err as Error).message;
    expect(message).toContain("the answer of the recipe's oauth2 > lookup");
    expect(message).toContain('"dc"');
    expect(message).not.toContain("evil");
    expect(await (await auth.store()).get("mailchimp", "default")).toBeUndefined();
  });
});

describe("Wrike data center host, from the token answer, on the recipe's host list", () => {
  it('bind("wrike", { via: "oauth2" }) reaches the host the token answer named', async () => {
    const { auth, login, sim } = await connect(wrikeOAuth);
    await login();
    expect(await (await auth.store()).get("wrike", "default")).toMatchObject({
      captured: { host: WRIKE_HOST },
    });
    const res = await auth.bind("wrike", { via: "oauth2" }).get("/contacts", { query: { me: "true" } });
    expect(res.status).toBe(200);
    expect(sim.state.seen.at(-1)?.url.origin).toBe(`https://${WRIKE_HOST}`);
  });

  it("an account in the US2 data center (app-us2.wrike.com, on the recipe's list) signs in and is reached there", async () => {
    const { auth, login, sim } = await connect(wrikeOAuthWithHost("app-us2.wrike.com"));
    await login();
    expect(await (await auth.store()).get("wrike", "default")).toMatchObject({
      captured: { host: "app-us2.wrike.com" },
    });
    const res = await auth.bind("wrike", { via: "oauth2" }).get("/contacts", { query: { me: "true" } });
    expect(res.status).toBe(200);
    expect(sim.state.seen.at(-1)?.url.origin).toBe("https://app-us2.wrike.com");
  });

  it("a wrike.com host the recipe does not list is refused with ERR_HOST_NOT_ALLOWED, and nothing is stored", async () => {
    const { auth, login } = await connect(wrikeOAuthWithHost("app-zz.wrike.com"));
    const err = await login().catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_HOST_NOT_ALLOWED")).toBe(true);
    const message = (err as Error).message;
    expect(message).toContain("app-zz.wrike.com");
    expect(message).toContain("www.wrike.com, app-eu.wrike.com, app-us2.wrike.com");
    expect(message).toContain("nothing was saved");
    expect(await (await auth.store()).get("wrike", "default")).toBeUndefined();
  });

  it("a host outside wrike.com fails the pattern, and nothing is stored", async () => {
    const { auth, login } = await connect(wrikeOAuthWithHost("evil.example.com"));
    const err = await login().catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_OAUTH")).toBe(true);
    expect((err as Error).message).toContain('"host"');
    expect((err as Error).message).not.toContain("evil");
    expect(await (await auth.store()).get("wrike", "default")).toBeUndefined();
  });
});

describe("Docusign account and API server, from userinfo (base_uri's host) onto the recipe's hosts", () => {
  it('bind("docusign_demo").get("/folders") reaches demo.docusign.net/restapi/v2.1/accounts/<account id>/folders', async () => {
    const { auth, login, sim } = await connect(docusignDemo);
    await login();
    expect(await (await auth.store()).get("docusign_demo", "default")).toMatchObject({
      captured: { api_host: "demo.docusign.net", account_id: DOCUSIGN_ACCOUNT_ID },
    });
    const res = await auth.bind("docusign_demo").get("/folders");
    expect(res.status).toBe(200);
    expect(sim.state.seen.at(-1)?.url.toString()).toBe(
      `https://demo.docusign.net/restapi/v2.1/accounts/${DOCUSIGN_ACCOUNT_ID}/folders`,
    );
  });

  it("a base_uri on a host the recipe does not list is ERR_HOST_NOT_ALLOWED, naming it, and nothing is stored", async () => {
    const { auth, login } = await connect(docusignDemoWithBaseUri("https://na3.docusign.net"));
    const err = await login().catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_HOST_NOT_ALLOWED")).toBe(true);
    const message = (err as Error).message;
    expect(message).toContain("na3.docusign.net");
    expect(message).toContain("account-d.docusign.com, demo.docusign.net");
    expect(message).toContain("nothing was saved");
    expect(await (await auth.store()).get("docusign_demo", "default")).toBeUndefined();
  });

  it.each([
    ["an http URL", "http://demo.docusign.net"],
    ["user info in the URL", "https://demo.docusign.net@evil.example.com"],
    ["no URL at all", "demo docusign"],
  ])("a base_uri that is %s fails the login, and nothing is stored", async (_t, baseUri) => {
    const { auth, login } = await connect(docusignDemoWithBaseUri(baseUri));
    const err = await login().catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_OAUTH")).toBe(true);
    expect((err as Error).message).toContain(
      'a value that is not an https URL of a host at accounts.is_default=true.base_uri for the captured value "api_host"',
    );
    expect((err as Error).message).not.toContain("evil");
    expect(await (await auth.store()).get("docusign_demo", "default")).toBeUndefined();
  });
});

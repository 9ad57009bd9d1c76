/**
 * Salesforce's login host as a pattern-checked recipe value (`login_host`): production and sandboxes sign
 * in at different hosts, and the value goes into the OAuth endpoints, where the client secret is sent; a
 * value outside the pattern is refused before any request.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createAuth, isArcrunError } from "../../src/index.js";
import { makeHome, type TestHome } from "../support/home.js";
import { sink } from "../support/streams.js";
import { salesforceSandbox } from "./profiles/salesforce.js";
import { type Simulator, startSimulator } from "./simulator.js";

let sim: Simulator | undefined;
let home: TestHome | undefined;
afterEach(async () => {
  await sim?.close();
  await home?.cleanup();
});

async function start(loginHost: string) {
  sim = await startSimulator(salesforceSandbox);
  home = await makeHome();
  home.env.ARCRUN_SALESFORCE_CLIENT_ID = sim.state.clientId;
  home.env.ARCRUN_SALESFORCE_CLIENT_SECRET = sim.state.clientSecret;
  home.env.ARCRUN_SALESFORCE_MY_DOMAIN = "acme--dev.sandbox";
  home.env.ARCRUN_SALESFORCE_LOGIN_HOST = loginHost;
  const s = sim;
  const auth = createAuth({ env: home.env, interactive: false, dispatcher: s.dispatcher });
  const login = () =>
    auth.login("salesforce", {
      output: sink(),
      openUrl: async (url) => {
        const res = await s.fetch(url, { redirect: "manual" });
        await fetch(res.headers.get("location") ?? "");
      },
    });
  return { auth, login, sim: s };
}

describe("salesforce login_host", () => {
  it("a sandbox signs in at test.salesforce.com and calls its sandbox My Domain", async () => {
    const { auth, login, sim } = await start("test.salesforce.com");
    await login();
    const res = await auth.bind("salesforce").get("/services/oauth2/userinfo");
    expect(res.status).toBe(200);
    const hosts = sim.state.seen.map((r) => r.url.host);
    expect(hosts).toContain("test.salesforce.com");
    expect(hosts).toContain("acme--dev.sandbox.my.salesforce.com");
    expect(hosts).not.toContain("login.salesforce.com");
  });

  it.each(["evil.example.com", "login.salesforce.com.evil.example.com", "acme.my.salesforce.com/x"])(
    "a login host outside the pattern (%s) is refused before any request",
    async (host) => {
      const { login, sim } = await start(host);
      const err = await login().catch((e: unknown) => e);
      expect(isArcrunError(err, "ERR_INVALID_SECRET")).toBe(true);
      expect((err as Error).message).toContain('"login_host"');
      expect((err as Error).message).toContain("arcrun setup salesforce");
      expect(sim.state.seen).toEqual([]);
    },
  );
});

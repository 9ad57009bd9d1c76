import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuth, isArcrunError } from "../../src/index.js";
import { type ConsentBrowser, consentFlow, launchConsentBrowser } from "../support/chromium.js";
import { makeHome, providerRecipe, type TestHome } from "../support/home.js";
import { startTestProvider, type TestProvider } from "../support/oidc-provider.js";
import { sink } from "../support/streams.js";

let op: TestProvider;
let browser: ConsentBrowser;
let home: TestHome;

beforeAll(async () => {
  // Slow pages: the verification URL answers with a page that posts itself from script, and the browser
  // driver must wait for that post rather than take the page for the last one.
  // Polls every second rather than the default 5 s (the provider's interval; RFC 8628 section 3.2).
  op = await startTestProvider({ pageLatencyMs: 300, deviceIntervalSeconds: 1 });
  browser = await launchConsentBrowser();
  home = await makeHome();
  await home.writeRecipe(providerRecipe(op, "local_device"));
  home.env.ARCRUN_LOCAL_DEVICE_CLIENT_ID = op.nativeClient.client_id;
});

afterAll(async () => {
  await browser?.close();
  await op?.close();
  await home?.cleanup();
});

describe("device authorization grant (RFC 8628) against oidc-provider, approved in Chromium", () => {
  it("shows the user code, polls while pending, and stores the token once approved", async () => {
    const auth = createAuth({ env: home.env, interactive: false });
    const output = sink();
    const browse = consentFlow(browser, { expectText: /Success/i });
    await auth.login("local_device", { device: true, output, ...browse });
    expect(output.text()).toMatch(/enter the code:\s+[A-Z]{4}-?[A-Z]{4}/);
    expect((await browse.page).text).toMatch(/Success/i);
    const req = op.tokenRequests.filter(
      (r) => r.grant_type === "urn:ietf:params:oauth:grant-type:device_code",
    );
    expect(req.at(-1)?.status).toBe(200);
    const res = await auth.bind("local_device").get("/me");
    expect(res.status).toBe(200);
    await auth.close();
  });

  it("access_denied on the verification page stops polling with ERR_ACCESS_DENIED", async () => {
    const auth = createAuth({ env: home.env, interactive: false });
    const browse = consentFlow(browser, { deny: true });
    const err = await auth
      .login("local_device", { device: true, output: sink(), ...browse })
      .catch((e: unknown) => e);
    await browse.page;
    expect(isArcrunError(err, "ERR_ACCESS_DENIED")).toBe(true);
    expect((err as Error).message).toContain("arcrun setup local_device --device");
    await auth.close();
  });
});

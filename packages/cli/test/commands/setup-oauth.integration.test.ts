import { chmod, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The OAuth test parts of arcrun-auth: oidc-provider 9 on 127.0.0.1 and headless Chromium clicking consent.
import { type ConsentBrowser, launchConsentBrowser } from "../../../auth/test/support/chromium.js";
import { providerRecipe } from "../../../auth/test/support/home.js";
import { startTestProvider, type TestProvider } from "../../../auth/test/support/oidc-provider.js";
import { run, type Sandbox, sandbox, start } from "../helpers/cli.js";

let op: TestProvider;
let browser: ConsentBrowser;
let box: Sandbox;
const seen: string[] = [];

beforeAll(async () => {
  // --device polls every second rather than the default 5 s (the provider's interval; RFC 8628 section 3.2).
  op = await startTestProvider({ deviceIntervalSeconds: 1 });
  browser = await launchConsentBrowser();
  box = await sandbox();
  await writeFile(
    join(box.home, "recipes", "local_oauth.yaml"),
    JSON.stringify(providerRecipe(op, "local_oauth")),
  );
  box.env.ARCRUN_LOCAL_OAUTH_CLIENT_ID = op.nativeClient.client_id;
  box.env.ARCRUN_STORE = "encrypted-file";
});

afterAll(async () => {
  await browser?.close();
  await op?.close();
  await box?.cleanup();
});

function keep<T extends { stdout: string; stderr: string }>(r: T): T {
  seen.push(r.stdout, r.stderr);
  return r;
}

async function tokenOf(instance: string): Promise<string> {
  const r = await run(["token", "local_oauth", "--instance", instance], box.env);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

describe("arcrun setup for OAuth against oidc-provider (Chromium clicks consent)", () => {
  it("opens $BROWSER on the consent page, receives the code on the loopback, saves and tests the token", async () => {
    const urlFile = join(box.home, "browser-urls.txt");
    const script = join(box.home, "browser.sh");
    await writeFile(script, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${urlFile}'\n`);
    await chmod(script, 0o755);
    const cli = start(["setup", "local_oauth"], { ...box.env, BROWSER: script });
    let url = "";
    // Up to 60 s: a loaded CI machine starts the CLI slowly; the loop ends as soon as the URL is there.
    for (let i = 0; i < 600 && url === ""; i++) {
      url = (await readFile(urlFile, "utf8").catch(() => "")).trim();
      if (url === "") await new Promise((r) => setTimeout(r, 100));
    }
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/auth\?/);
    expect(new URL(url).searchParams.get("code_challenge_method")).toBe("S256");
    const page = await browser.authorize(url);
    expect(page.text).toMatch(/close this (tab|window)|success|connected/i);
    const r = keep(await cli.done);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Testing local_oauth: HTTP 200/);
    expect(r.stderr).toContain("Local local_oauth (local_oauth, instance default) is connected");

    const list = keep(await run(["list", "--json", "--connected"], box.env));
    const svc = (JSON.parse(list.stdout) as { services: Array<Record<string, unknown>> }).services[0];
    expect(svc).toMatchObject({
      id: "local_oauth",
      primitive: "oauth2",
      connected: true,
      instances: [{ instance: "default", status: "connected", source: "store", type: "oauth2" }],
    });
    const instances = (svc?.instances ?? []) as Array<{ expires_at: string; scopes: string[] | null }>;
    const expires = instances[0]?.expires_at ?? "";
    expect(Date.parse(expires)).toBeGreaterThan(Date.now());
    // The granted scopes, in --json and in words.
    expect(instances[0]?.scopes).toEqual(expect.arrayContaining(["openid", "offline_access"]));
    const human = keep(await run(["status", "local_oauth"], box.env));
    expect(human.stdout).toMatch(/default: connected, .*scopes: .*offline_access/);
    expect(keep(await run(["list", "--connected"], box.env)).stdout).toMatch(/default ✔ \(.*\d scopes\)/);

    const token = await tokenOf("default");
    expect(await op.introspect(token)).toMatchObject({ active: true });
    for (const out of seen) expect(out).not.toContain(token);
  });

  it("--device shows the code, Chromium approves it, the CLI polls and saves", async () => {
    const cli = start(["setup", "local_oauth", "--device", "--instance", "device"], box.env);
    const m = await cli.waitFor(/\(or open (\S+)\)/);
    expect(cli.output()).toMatch(/enter the code:\s+[A-Z]{4}-?[A-Z]{4}/);
    const page = await browser.authorize(m[1] ?? "");
    // Fails here, naming the page, rather than waiting for the CLI until the code expires.
    expect(page.text, page.finalUrl).toMatch(/Success/i);
    const r = keep(await cli.done);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Testing local_oauth: HTTP 200/);
    expect(await op.introspect(await tokenOf("device"))).toMatchObject({ active: true });
  });

  it("--no-browser prints the URL and takes the redirected URL pasted back; --scopes adds to the recipe's", async () => {
    const cli = start(
      ["setup", "local_oauth", "--no-browser", "--scopes", "email", "--instance", "ssh"],
      box.env,
    );
    const m = await cli.waitFor(/(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)/);
    const url = new URL(m[1] ?? "");
    // --scopes adds to the recipe's scopes (openid offline_access), which its test request needs.
    expect(url.searchParams.get("scope")).toBe("openid offline_access email");
    const redirect = new URL(url.searchParams.get("redirect_uri") ?? "");
    const page = await browser.authorize(url.href, { unreachableOrigin: redirect.origin });
    expect(page.finalUrl).toContain("code=");
    cli.write(`${page.finalUrl}\n`);
    const r = keep(await cli.done);
    expect(r.code, r.stderr).toBe(0);
    const granted = await op.introspect(await tokenOf("ssh"));
    expect(granted).toMatchObject({ active: true });
    expect((granted as { scope?: string }).scope?.split(" ")).toContain("email");
  });

  it("status shows every instance; logout revokes at the provider and deletes locally", async () => {
    const status = keep(await run(["status", "local_oauth", "--json"], box.env));
    expect(status.code).toBe(0);
    const instances = (
      JSON.parse(status.stdout) as { services: Array<{ instances: Array<{ instance: string }> }> }
    ).services[0]?.instances.map((i) => i.instance);
    expect(instances).toEqual(["default", "device", "ssh"]);

    const token = await tokenOf("ssh");
    const out = keep(await run(["logout", "local_oauth", "--instance", "ssh", "--json"], box.env));
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({
      service: "local_oauth",
      instance: "ssh",
      deleted: true,
      revocation: "revoked",
    });
    expect(await op.introspect(token)).toEqual({ active: false });
    const again = keep(await run(["token", "local_oauth", "--instance", "ssh"], box.env));
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("arcrun setup local_oauth");
  });
});

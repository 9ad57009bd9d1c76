import { spawn } from "node:child_process";
import { chmod, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { PassThrough } from "node:stream";
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
  op = await startTestProvider();
  browser = await launchConsentBrowser();
  home = await makeHome();
  await home.writeRecipe(providerRecipe(op, "local_oidc"));
  home.env.ARCRUN_LOCAL_OIDC_CLIENT_ID = op.nativeClient.client_id;
});

afterAll(async () => {
  await browser?.close();
  await op?.close();
  await home?.cleanup();
});

describe("authorization code + PKCE through the loopback redirect, with a real browser", () => {
  it("logs in with Chromium, stores the token, and the bound client calls the protected resource", async () => {
    const auth = createAuth({ env: home.env, interactive: false });
    const output = sink();
    const browse = consentFlow(browser);
    let challengeMethod: string | null = null;
    await auth.login("local_oidc", {
      output,
      signal: browse.signal,
      openUrl: (url) => {
        challengeMethod = new URL(url).searchParams.get("code_challenge_method");
        browse.openUrl(url);
      },
    });
    expect(challengeMethod).toBe("S256");
    const client = auth.bind("local_oidc");
    const res = await client.get("/me");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { client_id: string; sub: string; scope: string };
    expect(body).toMatchObject({ client_id: "arcrun-native", sub: "alice" });
    expect(body.scope).toContain("offline_access");
    // The browser reached the loopback listener and saw the success page.
    const page = await browse.page;
    expect(page.finalUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback\?code=/);
    expect(page.text).toContain("You can close this tab");
    const token = await auth.getToken("local_oidc");
    expect(token.expiresAt).toBeGreaterThan(Date.now());
    const status = await auth.status("local_oidc");
    expect(status.instances[0]).toMatchObject({ status: "connected", type: "oauth2" });
    // The scopes the provider granted are listed (arcrun list / status show them).
    expect(status.instances[0]?.scopes).toEqual(expect.arrayContaining(["openid", "offline_access"]));
    const code = op.tokenRequests.find((r) => r.grant_type === "authorization_code");
    expect(code?.params).toContain("code_verifier");
    expect(code?.status).toBe(200);
  });

  it("a denied consent ends the login with ERR_ACCESS_DENIED and stores nothing", async () => {
    const auth = createAuth({ env: home.env, interactive: false });
    await auth.logout("local_oidc");
    const browse = consentFlow(browser, { deny: true });
    const err = await auth.login("local_oidc", { output: sink(), ...browse }).catch((e: unknown) => e);
    await browse.page;
    expect(isArcrunError(err, "ERR_ACCESS_DENIED")).toBe(true);
    expect((err as Error).message).toMatch(/run: arcrun setup local_oidc/);
    const stored = await (await auth.store()).get("local_oidc", "default");
    expect(stored).toBeUndefined();
  });

  it("--no-browser: prints the URL and accepts the redirected URL pasted back", async () => {
    const auth = createAuth({ env: home.env, interactive: false });
    const output = sink();
    const input = new PassThrough();
    const login = auth.login("local_oidc", { browser: false, output, input });
    await expect.poll(() => output.text(), { timeout: 10_000 }).toContain("Paste the redirected URL");
    const url = /open this URL in a browser on any machine:\s+(\S+)/.exec(output.text())?.[1];
    expect(url).toBeDefined();
    // The "other machine": a browser whose redirect never reaches this listener; the user copies the address.
    const redirect = new URL(new URL(url as string).searchParams.get("redirect_uri") as string);
    const r = await browser.authorize(url as string, { unreachableOrigin: redirect.origin });
    expect(r.text).toContain("can't be reached");
    expect(r.finalUrl).toMatch(/\/callback\?code=/);
    input.write("not a url\n");
    await expect.poll(() => output.text(), { timeout: 3000 }).toContain("not the redirected URL");
    input.write(`${r.finalUrl}\n`);
    await login;
    const res = await auth.bind("local_oidc").get("/me");
    expect(res.status).toBe(200);
  });

  it("--no-browser in a process of its own: it exits by itself after the pasted URL, with stdin still open", async () => {
    const tsx = createRequire(import.meta.url).resolve("tsx");
    const child = spawn(
      process.execPath,
      ["--import", tsx, new URL("../fixtures/paste-back-child.ts", import.meta.url).pathname, "local_oidc"],
      { env: home.env, stdio: ["pipe", "pipe", "pipe"] },
    );
    let stderr = "";
    let stdout = "";
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
    try {
      await expect.poll(() => stderr, { timeout: 20_000 }).toContain("Paste the redirected URL");
      const url = /open this URL in a browser on any machine:\s+(\S+)/.exec(stderr)?.[1] ?? "";
      const redirect = new URL(new URL(url).searchParams.get("redirect_uri") as string);
      const r = await browser.authorize(url, { unreachableOrigin: redirect.origin });
      // The parent keeps its end of stdin open, as a terminal or a driving program does: no EOF comes.
      child.stdin.write(`${r.finalUrl}\n`);
      const code = await Promise.race([
        exited,
        new Promise<"still running">((resolve) => setTimeout(() => resolve("still running"), 15_000)),
      ]);
      expect(code, stderr).toBe(0);
      expect(stdout).toContain("logged in: Bearer");
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("a bind that needs a scope the token lacks: ERR_NEEDS_LOGIN with --scopes unattended; interactive, one consent for both, then the call goes through", async () => {
    const unattended = createAuth({ env: home.env, interactive: false });
    const err = await unattended
      .bind("local_oidc", { scopes: ["email"] })
      .get("/me")
      .catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_NEEDS_LOGIN")).toBe(true);
    expect((err as Error).message).toBe(
      "Local local_oidc (local_oidc) was connected without the scope email; run: arcrun setup local_oidc --scopes email",
    );
    await unattended.close();

    // At a terminal: $BROWSER is handed the consent URL, for the scopes granted before plus the new one.
    const urls = join(home.dir, "reconsent-urls.txt");
    const script = join(home.dir, "reconsent-browser.sh");
    await writeFile(script, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${urls}'\n`);
    await chmod(script, 0o755);
    const auth = createAuth({ env: { ...home.env, BROWSER: script }, interactive: true });
    const call = auth.bind("local_oidc", { scopes: ["email"] }).get("/me");
    let url = "";
    await expect
      .poll(
        async () => {
          url = (await readFile(urls, "utf8").catch(() => "")).trim();
          return url;
        },
        { timeout: 20_000 },
      )
      .toMatch(/^http:\/\/127\.0\.0\.1:\d+\/auth\?/);
    expect(new URL(url).searchParams.get("scope")?.split(" ").sort()).toEqual([
      "email",
      "offline_access",
      "openid",
    ]);
    const page = await browser.authorize(url);
    expect(page.text).toContain("You can close this tab");
    const res = await call;
    expect(res.status).toBe(200);
    const body = (await res.json()) as { scope: string };
    expect(body.scope.split(" ")).toEqual(expect.arrayContaining(["openid", "offline_access", "email"]));
    const status = await auth.status("local_oidc");
    expect(status.instances[0]?.scopes).toEqual(expect.arrayContaining(["email", "offline_access"]));
    await auth.close();
    // The next unattended run finds the scope in the store and asks nothing.
    const later = createAuth({ env: home.env, interactive: false });
    expect((await later.bind("local_oidc", { scopes: ["email"] }).get("/me")).status).toBe(200);
    await later.close();
  });

  it("logout revokes the refresh token at the provider (RFC 7009) and deletes it locally", async () => {
    const auth = createAuth({ env: home.env, interactive: false });
    const stored = await (await auth.store()).get("local_oidc", "default");
    expect(stored?.type).toBe("oauth2");
    const access = stored?.type === "oauth2" ? stored.access_token : "";
    expect((await op.introspect(access)).active).toBe(true);
    const result = await auth.logout("local_oidc");
    expect(result).toMatchObject({ deleted: true, revocation: "revoked" });
    // Revoking the refresh token revokes the grant, and with it the access token.
    expect((await op.introspect(access)).active).toBe(false);
    const err = await auth
      .bind("local_oidc")
      .get("/me")
      .catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_NEEDS_LOGIN")).toBe(true);
  });
});

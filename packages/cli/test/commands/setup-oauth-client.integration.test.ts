/**
 * `arcrun setup <id>` for an OAuth recipe with no client configured: it prints what to register (from the
 * recipe, as docs/providers.md does), then takes the client pasted or as the provider's downloaded client
 * file (Google's client_secret_*.json), keeps it in the credential store and signs in. The real CLI process,
 * against oidc-provider on 127.0.0.1 with headless Chromium clicking consent.
 */
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsentBrowser, launchConsentBrowser } from "../../../auth/test/support/chromium.js";
import { providerRecipe } from "../../../auth/test/support/home.js";
import { startTestProvider, type TestProvider } from "../../../auth/test/support/oidc-provider.js";
import { run, type Sandbox, sandbox, start } from "../helpers/cli.js";

let op: TestProvider;
let browser: ConsentBrowser;
let box: Sandbox;
let urlFile: string;

beforeAll(async () => {
  op = await startTestProvider();
  browser = await launchConsentBrowser();
  box = await sandbox();
  // A confidential client of the user's own: the provider wants its secret (client_secret_basic).
  await writeFile(
    join(box.home, "recipes", "own_app.yaml"),
    JSON.stringify(
      providerRecipe(op, "own_app", { token_auth_method: "client_secret_basic", client_secret: "required" }),
    ),
  );
  box.env.ARCRUN_STORE = "encrypted-file";
  urlFile = join(box.home, "browser-urls.txt");
  const script = join(box.home, "browser.sh");
  await writeFile(script, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${urlFile}'\n`);
  await chmod(script, 0o755);
  box.env.BROWSER = script;
});

afterAll(async () => {
  await browser?.close();
  await op?.close();
  await box?.cleanup();
});

/** Consent in Chromium for the next URL the CLI hands to $BROWSER. */
async function consentNext(seen: number): Promise<void> {
  let urls: string[] = [];
  for (let i = 0; i < 600 && urls.length <= seen; i++) {
    urls = (await readFile(urlFile, "utf8").catch(() => "")).split("\n").filter((l) => l !== "");
    if (urls.length <= seen) await new Promise((r) => setTimeout(r, 100));
  }
  const page = await browser.authorize(urls[seen] ?? "");
  expect(page.text).toMatch(/close this (tab|window)|success|connected/i);
}

/** Every file under a directory, read as text (to look for a secret written in the clear). */
async function allText(dir: string): Promise<string> {
  let out = "";
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out += await readFile(join(e.parentPath, e.name), "latin1").catch(() => "");
  }
  return out;
}

describe("arcrun setup with no OAuth client configured", () => {
  it("prints the registration steps, takes Google's client_secret_*.json by path, keeps the secret out of plaintext files, and signs in", async () => {
    // Where a browser saves it: outside ARCRUN_HOME, which must hold the secret only encrypted.
    const downloads = await mkdtemp(join(tmpdir(), "arcrun-downloads-"));
    const file = join(downloads, "client_secret_123-abc.apps.googleusercontent.com.json");
    await writeFile(
      file,
      JSON.stringify({
        installed: {
          client_id: op.confidentialClient.client_id,
          project_id: "arcrun-test",
          auth_uri: "https://accounts.google.com/o/oauth2/auth",
          token_uri: "https://oauth2.googleapis.com/token",
          client_secret: op.confidentialClient.client_secret,
          redirect_uris: ["http://localhost"],
        },
      }),
    );
    const cli = start(["setup", "own_app"], box.env);
    await cli.waitFor(/Client ID, or the path of the client file/);
    const out = cli.output();
    expect(out).toContain("Local own_app needs an OAuth app of your own");
    expect(out).toContain(
      "Redirect URI to register: http://127.0.0.1/callback (arcrun listens on a free port",
    );
    expect(out).toContain("OAuth app: your own, with its client secret (client_secret_basic)");
    expect(out).toContain("Scopes: openid, offline_access");
    cli.write(`${file}\n`);
    await consentNext(0);
    const r = await cli.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `Saved the own_app OAuth client (${op.confidentialClient.client_id}) to the credential store`,
    );
    expect(r.stderr).toContain("is connected");
    expect(r.stderr + r.stdout).not.toContain(op.confidentialClient.client_secret);
    expect(await allText(box.home)).not.toContain(op.confidentialClient.client_secret);
    await rm(downloads, { recursive: true });

    // The saved client is used from now on: no registration steps, no question.
    const again = start(["setup", "own_app", "--instance", "second"], box.env);
    await consentNext(1);
    const r2 = await again.done;
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stderr).not.toContain("needs an OAuth app of your own");
    const token = await run(["token", "own_app", "--instance", "second"], box.env);
    expect(await op.introspect(token.stdout.trim())).toMatchObject({
      active: true,
      client_id: op.confidentialClient.client_id,
    });
  });

  it("takes a pasted client id and secret, one per line", async () => {
    await writeFile(
      join(box.home, "recipes", "pasted_app.yaml"),
      JSON.stringify(
        providerRecipe(op, "pasted_app", {
          token_auth_method: "client_secret_basic",
          client_secret: "required",
        }),
      ),
    );
    const seen = (await readFile(urlFile, "utf8")).split("\n").filter((l) => l !== "").length;
    const cli = start(["setup", "pasted_app"], box.env);
    await cli.waitFor(/Client ID, or the path/);
    cli.write(`${op.confidentialClient.client_id}\n`);
    await cli.waitFor(/Client secret/);
    cli.write(`${op.confidentialClient.client_secret}\n`);
    await consentNext(seen);
    const r = await cli.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr + r.stdout).not.toContain(op.confidentialClient.client_secret);
  });

  it("a file that is not a client file is refused, naming the file, and nothing is saved", async () => {
    const bad = join(box.home, "not-a-client.json");
    await writeFile(bad, JSON.stringify({ type: "service_account", client_email: "x@y" }));
    const r = await run(["setup", "own_app", "--client-file", bad, "--instance", "third"], box.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${bad}: not an OAuth client file (no "installed" or "web" object with a client_id)`,
    );
    const list = await run(["list", "--json", "--connected"], box.env);
    expect(list.stdout).not.toContain('"third"');
  });

  it("a client credentials recipe: asks for the client id and secret (no redirect URI to register), keeps them, and gets a token without a browser", async () => {
    await writeFile(
      join(box.home, "recipes", "machine_app.yaml"),
      JSON.stringify({
        id: "machine_app",
        display_name: "Local machine_app",
        docs_url: "https://example.com/docs",
        primitive: "oauth2",
        base_url: op.resourceUrl,
        hosts: ["127.0.0.1"],
        oauth2: {
          grant: "client_credentials",
          token_url: op.urls.token,
          scopes: ["api"],
          token_auth_method: "client_secret_basic",
          client_secret: "required",
          client: "byo",
        },
        inject: { header: { Authorization: "Bearer {{runtime.access_token}}" } },
      }),
    );
    const seen = (await readFile(urlFile, "utf8").catch(() => "")).split("\n").filter((l) => l !== "").length;
    const cli = start(["setup", "machine_app"], box.env);
    await cli.waitFor(/Client ID, or the path/);
    expect(cli.output()).toContain("no person signs in (client credentials grant)");
    expect(cli.output()).not.toContain("Redirect URI to register");
    cli.write(`${op.confidentialClient.client_id}\n`);
    await cli.waitFor(/Client secret/);
    cli.write(`${op.confidentialClient.client_secret}\n`);
    const r = await cli.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Saved the machine_app OAuth client (${op.confidentialClient.client_id})`);
    expect(r.stderr).toContain("is connected");
    expect(r.stderr + r.stdout).not.toContain(op.confidentialClient.client_secret);
    expect(await allText(box.home)).not.toContain(op.confidentialClient.client_secret);
    // No browser was asked for.
    expect(
      (await readFile(urlFile, "utf8").catch(() => "")).split("\n").filter((l) => l !== ""),
    ).toHaveLength(seen);
    // The stored client gets the token from now on, without a question.
    const token = await run(["token", "machine_app"], box.env);
    expect(token.code, token.stderr).toBe(0);
    expect(await op.introspect(token.stdout.trim())).toMatchObject({
      active: true,
      client_id: op.confidentialClient.client_id,
    });
  });

  it("a value the token endpoint needs (a tenant) that nothing gives is asked for, used, and kept with the token", async () => {
    const tenantRecipe = (id: string) => ({
      id,
      display_name: `Local ${id}`,
      docs_url: "https://example.com/docs",
      primitive: "oauth2",
      base_url: op.resourceUrl,
      hosts: ["127.0.0.1"],
      required_secrets: [
        { key: "tenant", label: "Tenant domain", sensitive: false, pattern: "[a-z0-9-]+\\.example\\.com" },
      ],
      oauth2: {
        grant: "client_credentials",
        token_url: op.urls.token,
        token_params: { audience: "https://{{secret.tenant}}/api/" },
        scopes: ["api"],
        token_auth_method: "client_secret_basic",
        client_secret: "required",
        client: "byo",
      },
      inject: { header: { Authorization: "Bearer {{runtime.access_token}}" } },
    });
    for (const id of ["tenant_app", "piped_app"])
      await writeFile(join(box.home, "recipes", `${id}.yaml`), JSON.stringify(tenantRecipe(id)));
    const before = op.count("client_credentials");
    const cli = start(["setup", "tenant_app"], box.env);
    await cli.waitFor(/Tenant domain/);
    cli.write("acme.example.com\n");
    await cli.waitFor(/Client ID, or the path/);
    cli.write(`${op.confidentialClient.client_id}\n`);
    await cli.waitFor(/Client secret/);
    cli.write(`${op.confidentialClient.client_secret}\n`);
    const r = await cli.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("is connected");
    const grants = op.tokenRequests.filter((t) => t.grant_type === "client_credentials").slice(before);
    expect(grants.at(-1)?.params).toContain("audience");

    // The tenant was kept with the token and the client in the store: setting up again asks nothing.
    const again = await run(["setup", "tenant_app"], box.env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain("Tenant domain");
    expect(again.stderr).toContain("is connected");

    // From a pipe, every answer at once: the tenant, then the client id and secret, one per line, read
    // across the two sets of questions.
    const piped = await run(
      ["setup", "piped_app"],
      box.env,
      `other.example.com\n${op.confidentialClient.client_id}\n${op.confidentialClient.client_secret}\n`,
    );
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stderr).toContain("Tenant domain");
    expect(piped.stderr).toContain("is connected");
  });
});

import { generateKeyPairSync } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// oidc-provider 9 on 127.0.0.1 with a jwt-bearer grant that verifies the assertion against registered keys.
import { startTestProvider, type TestProvider } from "../../../auth/test/support/oidc-provider.js";
import { run, type Sandbox, sandbox } from "../helpers/cli.js";

const EMAIL = "cli-backup@arcrun-test.iam.gserviceaccount.com";
let op: TestProvider;
let box: Sandbox;
let keyFile: string;
let otherKeyFile: string;
const seen: string[] = [];

/** A key in Google's JSON key file format, generated for this run; returns the file's text and public JWK. */
function googleKey(email: string): { json: string; jwk: Record<string, unknown> } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const json = JSON.stringify({
    type: "service_account",
    project_id: "arcrun-test",
    private_key_id: "cli0123456789",
    private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    client_email: email,
    token_uri: "https://oauth2.googleapis.com/token",
  });
  return { json, jwk: { ...publicKey.export({ format: "jwk" }), alg: "RS256", use: "sig" } };
}

beforeAll(async () => {
  op = await startTestProvider();
  box = await sandbox();
  const key = googleKey(EMAIL);
  await op.registerServiceAccount({ client_email: EMAIL, publicJwk: key.jwk });
  keyFile = join(box.home, "sa.json");
  await writeFile(keyFile, key.json, { mode: 0o600 });
  otherKeyFile = join(box.home, "other.json");
  await writeFile(otherKeyFile, googleKey(EMAIL).json, { mode: 0o600 });
  const base = {
    docs_url: "https://example.com/docs",
    base_url: op.resourceUrl,
    hosts: ["127.0.0.1"],
    inject: { header: { Authorization: "Bearer {{runtime.access_token}}" } },
    test: { method: "GET", path: "/me", expect_status: 200 },
  };
  // Like google_drive: oauth2 by default, a service account as the alternative, no secrets of its own.
  await writeFile(
    join(box.home, "recipes", "local_drive.yaml"),
    JSON.stringify({
      id: "local_drive",
      display_name: "Local Drive",
      primitive: "oauth2",
      ...base,
      oauth2: { authorize_url: op.urls.authorize, token_url: op.urls.token, client: "byo" },
      service_account: {
        kind: "google_jwt",
        token_url: op.urls.token,
        scopes: ["https://www.googleapis.com/auth/drive.file"],
      },
    }),
  );
  // Like gmail_sa: the key plus the user to act as (domain-wide delegation).
  await writeFile(
    join(box.home, "recipes", "local_gmail_sa.yaml"),
    JSON.stringify({
      id: "local_gmail_sa",
      display_name: "Local Gmail SA",
      primitive: "service_account",
      ...base,
      required_secrets: [
        { key: "key_json", label: "Service account key", format: "json" },
        {
          key: "subject",
          label: "Workspace user to act as",
          sensitive: false,
          pattern: "[^@\\s]+@[^@\\s]+\\.[^@\\s]+",
        },
      ],
      service_account: { kind: "google_jwt", token_url: op.urls.token, subject: "{{secret.subject}}" },
    }),
  );
});

afterAll(async () => {
  await op?.close();
  await box?.cleanup();
});

async function cli(args: string[], input = "") {
  const r = await run(args, box.env, input);
  seen.push(r.stdout, r.stderr);
  return r;
}

const assertions = () =>
  op.tokenRequests.filter((r) => r.grant_type === "urn:ietf:params:oauth:grant-type:jwt-bearer");

describe("arcrun setup --via service_account against oidc-provider's jwt-bearer grant", () => {
  it("reads the key path, mints a token, runs the test request, stores the key; token and list then use it", async () => {
    const r = await cli(["setup", "local_drive", "--via", "service_account"], `${keyFile}\n`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("Path to the service account JSON key file");
    expect(r.stderr).toContain("Testing local_drive: HTTP 200");
    expect(r.stderr).toMatch(
      /Saved Local Drive \(local_drive, instance default\) to the encrypted-file store/,
    );

    // No --via: the stored credential was set up through the service account.
    const token = await run(["token", "local_drive", "--json"], box.env);
    expect(token.code, token.stderr).toBe(0);
    const access = (JSON.parse(token.stdout) as { access_token: string }).access_token;
    expect(await op.introspect(access)).toMatchObject({ active: true });
    const list = await cli(["list", "--json", "--connected"]);
    expect(JSON.parse(list.stdout)).toMatchObject({
      services: [
        {
          id: "local_drive",
          instances: [{ instance: "default", type: "service_account", status: "connected" }],
        },
      ],
    });
    const test = await cli(["test", "local_drive"]);
    expect(test.code, test.stderr).toBe(0);
    for (const out of seen) {
      expect(out).not.toContain("PRIVATE KEY");
      expect(out).not.toContain(access);
    }
  });

  it("a key the provider refuses: exit 1 with the refusal in words, nothing stored", async () => {
    const r = await cli(
      ["setup", "local_drive", "--via", "service_account", "--instance", "refused"],
      `${otherKeyFile}\n`,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("the token endpoint refused the service account's assertion");
    const status = await cli(["status", "local_drive", "--json"]);
    const instances = (
      JSON.parse(status.stdout) as { services: Array<{ instances: Array<{ instance: string }> }> }
    ).services[0]?.instances.map((i) => i.instance);
    expect(instances).toEqual(["default"]);
  });

  it("a recipe with a subject: asks for it, checks its form, and the assertion carries it as sub", async () => {
    const bad = await cli(["setup", "local_gmail_sa"], `${keyFile}\nnot-an-address\n`);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('local_gmail_sa "subject"');
    expect(bad.stderr).toContain("does not have the expected form");
    expect(bad.stderr).not.toContain("not-an-address");

    const before = assertions().length;
    const ok = await cli(["setup", "local_gmail_sa"], `${keyFile}\nbob@example.com\n`);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain("Workspace user to act as");
    const minted = assertions().slice(before);
    expect(minted.length).toBeGreaterThan(0);
    expect(minted.every((a) => a.assertion?.sub === "bob@example.com")).toBe(true);
  });
});

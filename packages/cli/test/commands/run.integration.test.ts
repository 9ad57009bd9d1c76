import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createAuth, type OAuth2Credential } from "arcrun-auth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providerRecipe } from "../../../auth/test/support/home.js";
import { startTestProvider, type TestProvider } from "../../../auth/test/support/oidc-provider.js";
import { BIN, run, type Sandbox, sandbox } from "../helpers/cli.js";

const OPENAI_KEY = `sk-test-${randomBytes(12).toString("hex")}`;
const GITHUB_TOKEN = `ghp_${randomBytes(12).toString("hex")}`;
let box: Sandbox;
let op: TestProvider;

beforeAll(async () => {
  op = await startTestProvider();
  box = await sandbox();
  box.env.ARCRUN_STORE = "encrypted-file";
  await writeFile(
    join(box.home, "recipes", "local_oauth.yaml"),
    JSON.stringify(providerRecipe(op, "local_oauth")),
  );
  box.env.ARCRUN_LOCAL_OAUTH_CLIENT_ID = op.nativeClient.client_id;
  for (const [service, value] of [
    ["openai", OPENAI_KEY],
    ["github", GITHUB_TOKEN],
  ] as const) {
    const r = await run(["setup", service, "--no-verify"], box.env, `${value}\n`);
    expect(r.code, r.stderr).toBe(0);
  }
});

afterAll(async () => {
  await op?.close();
  await box?.cleanup();
});

describe("arcrun run: credentials in the command's environment", () => {
  it("fills the recipe's variables and masks them in the piped output", async () => {
    const r = await run(
      [
        "run",
        "--service",
        "openai",
        "--service",
        "github",
        "--",
        "sh",
        "-c",
        'echo "openai=$OPENAI_API_KEY"; echo "gh=$GH_TOKEN" >&2; test "$GITHUB_TOKEN" = "$GH_TOKEN" && echo same; ' +
          'test -z "$ARCRUN_MASTER_KEY" && echo no-master-key; printf %s "$OPENAI_API_KEY" | wc -c',
      ],
      box.env,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("openai=<arcrun:masked>\n");
    expect(r.stderr).toContain("gh=<arcrun:masked>\n");
    expect(r.stdout).toContain("same\n");
    expect(r.stdout).toContain("no-master-key\n");
    expect(r.stdout).toContain(`${OPENAI_KEY.length}\n`);
    expect(r.stdout + r.stderr).not.toContain(OPENAI_KEY);
    expect(r.stdout + r.stderr).not.toContain(GITHUB_TOKEN);
  });

  it("--no-masking leaves the output alone", async () => {
    const r = await run(
      ["run", "--no-masking", "--service", "openai", "--", "sh", "-c", 'echo "$OPENAI_API_KEY"'],
      box.env,
    );
    expect(r.stdout).toBe(`${OPENAI_KEY}\n`);
  });

  it("resolves arcrun:// references in an env file, keeps plain values, and names a wrong key", async () => {
    const file = join(box.home, "app.env");
    await writeFile(file, "export TOKEN_FOR_APP=arcrun://github/token\nGREETING='hi there'\n");
    const r = await run(
      ["run", "--no-masking", "--env-file", file, "--", "sh", "-c", 'echo "$TOKEN_FOR_APP|$GREETING"'],
      box.env,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${GITHUB_TOKEN}|hi there\n`);

    await writeFile(file, "X=arcrun://github/password\n");
    const bad = await run(["run", "--env-file", file, "--", "true"], box.env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('github has no key "password"');
    expect(bad.stderr).toContain("arcrun recipe show github");
  });

  it("gives an OAuth access token refreshed just before the start", async () => {
    const { access_token, refresh_token } = await op.seedGrant({ accessTokenTtl: 1 });
    await new Promise((r) => setTimeout(r, 1100));
    const auth = createAuth({ env: box.env, interactive: false });
    const now = Date.now();
    const cred: OAuth2Credential = {
      v: 1,
      type: "oauth2",
      values: {},
      created_at: new Date(now).toISOString(),
      updated_at: new Date(now).toISOString(),
      access_token,
      token_type: "Bearer",
      refresh_token,
      issued_at: now - 2000,
      expires_at: now - 1000,
      scopes: ["openid", "offline_access"],
      client: "byo",
      status: "ok",
    };
    await (await auth.store()).set("local_oauth", "default", cred);
    await auth.close();
    const r = await run(
      [
        "run",
        "--no-masking",
        "--service",
        "local_oauth",
        "--",
        "sh",
        "-c",
        'echo "$ARCRUN_LOCAL_OAUTH_ACCESS_TOKEN"',
      ],
      box.env,
    );
    expect(r.code, r.stderr).toBe(0);
    const given = r.stdout.trim();
    expect(given).not.toBe(access_token);
    expect(await op.introspect(given)).toMatchObject({ active: true });
  });

  it("passes the exit code through, 128 + n for a signal, and forwards SIGTERM to the command", async () => {
    expect((await run(["run", "--", "sh", "-c", "exit 7"], box.env)).code).toBe(7);
    expect((await run(["run", "--", "sh", "-c", "kill -KILL $$"], box.env)).code).toBe(137);
    const missing = await run(["run", "--", "no-such-command-arcrun"], box.env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("command not found: no-such-command-arcrun");
    const usage = await run(["run", "--service", "openai"], box.env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("missing the command to run");

    const child = spawn(
      process.execPath,
      [
        BIN,
        "run",
        "--",
        "sh",
        "-c",
        // Bounded (30 s), so a failure here never leaves a command looping on the test's stdout.
        'trap "echo got-term; exit 3" TERM; echo ready; i=0; while [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done',
      ],
      { env: box.env, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    await new Promise<void>((resolve) => {
      child.stdout.setEncoding("utf8").on("data", (d: string) => {
        out += d;
        if (out.includes("ready")) resolve();
      });
    });
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((r) =>
      child.once("exit", (c, sig) => r([c, sig])),
    );
    const closed = new Promise<void>((r) => child.once("close", () => r()));
    child.kill("SIGTERM");
    // arcrun itself must not die of the signal: it forwards it and exits with the command's code.
    expect(await exited).toEqual([3, null]);
    await closed;
    expect(out).toContain("got-term");
  });
});

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createAuth, type OAuth2Credential } from "arcrun-auth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providerRecipe } from "../../../auth/test/support/home.js";
import { startTestProvider, type TestProvider } from "../../../auth/test/support/oidc-provider.js";
import { BIN, run, type Sandbox, sandbox, start } from "../helpers/cli.js";
import { notionStandIn, type StandIn } from "../helpers/notion-standin.js";

const HOST_MAP = fileURLToPath(new URL("../support/host-map.mjs", import.meta.url));
// The system Python (standard library only); a pyenv shim would need the real HOME.
const PYTHON = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
const TOKEN = `secret_${randomBytes(16).toString("hex")}`;

let notion: StandIn;
let op: TestProvider;
let box: Sandbox;

/**
 * A standard-library Python client: calls what argv names through $ARCRUN_PROXY_URL with the key variable
 * it is given, prints its pid and waits for a line on stdin (the test reads /proc/<pid>/environ meanwhile).
 */
const CLIENT_PY = `
import json, os, sys, time, urllib.request, urllib.error
base = os.environ["ARCRUN_PROXY_URL"]
key_var, calls = sys.argv[1], json.loads(sys.argv[2])
def call(path, body=None, token=os.environ[key_var]):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method="GET" if body is None else "POST")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req) as r:
            return [r.status, json.loads(r.read())]
    except urllib.error.HTTPError as e:
        return [e.code, json.loads(e.read())]
print("pid %d" % os.getpid(), flush=True)
sys.stdin.readline()
out = []
for c in calls:
    if "sleep" in c:
        time.sleep(c["sleep"])
        continue
    out.append(call(c["path"], c.get("body"), c.get("token", os.environ[key_var])))
print("RESULT " + json.dumps({"calls": out, "env": dict(os.environ)}), flush=True)
`;

beforeAll(async () => {
  notion = await notionStandIn(TOKEN);
  op = await startTestProvider();
  box = await sandbox();
  box.env.ARCRUN_STORE = "encrypted-file";
  // The notion recipe as shipped: its real host is sent to the stand-in by the test-only preload.
  box.env.ARCRUN_TEST_HOST_MAP = JSON.stringify({ "api.notion.com": notion.origin });
  box.env.NODE_OPTIONS = `${box.env.NODE_OPTIONS ?? ""} --import ${HOST_MAP}`.trim();
  await writeFile(join(box.home, "client.py"), CLIENT_PY);
  await writeFile(
    join(box.home, "recipes", "local_oauth.yaml"),
    JSON.stringify(providerRecipe(op, "local_oauth")),
  );
  box.env.ARCRUN_LOCAL_OAUTH_CLIENT_ID = op.nativeClient.client_id;
  const setup = await run(["setup", "notion"], box.env, `${TOKEN}\n`);
  expect(setup.code, setup.stderr).toBe(0);
});

afterAll(async () => {
  await notion?.close();
  await op?.close();
  await box?.cleanup();
});

interface ClientResult {
  calls: Array<[number, Record<string, unknown>]>;
  env: Record<string, string>;
}

/** Runs client.py under `arcrun run --proxy`, checks /proc/<pid>/environ, and returns what it printed. */
async function runClient(
  service: string,
  keyVar: string,
  calls: unknown[],
  secrets: string[],
  extraEnv: Record<string, string> = {},
): Promise<{ result: ClientResult; environ: string; code: number; stderr: string }> {
  const cli = start(
    [
      "run",
      "--proxy",
      "--service",
      service,
      "--",
      PYTHON,
      join(box.home, "client.py"),
      keyVar,
      JSON.stringify(calls),
    ],
    { ...box.env, ...extraEnv },
  );
  const pid = (await cli.waitFor(/pid (\d+)/))[1];
  const environ = await readFile(`/proc/${pid}/environ`, "utf8");
  cli.write("\n");
  const done = await cli.done;
  const line = done.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  expect(line, done.stderr).toBeDefined();
  for (const s of secrets) {
    expect(environ).not.toContain(s);
    expect(done.stdout).not.toContain(s);
    expect(done.stderr).not.toContain(s);
  }
  return {
    result: JSON.parse((line ?? "RESULT {}").slice(7)) as ClientResult,
    environ,
    code: done.code,
    stderr: done.stderr,
  };
}

describe("arcrun run --proxy: a Python script (standard library) and curl, the secret never in the child", () => {
  it("reaches the Notion stand-in through the shipped notion recipe; no token, no entry", async () => {
    const { result, environ, code } = await runClient(
      "notion",
      "NOTION_TOKEN",
      [
        { path: "/notion/users/me" },
        { path: "/notion/search", body: { query: "backup" } },
        { path: "/notion/users/me", token: "" },
        { path: "/notion/users/me", token: "arcrun_proxy_guess" },
      ],
      [TOKEN],
      // The parent's own ARCRUN_NOTION_TOKEN (a credential source) stays with the proxy too.
      { ARCRUN_NOTION_TOKEN: TOKEN },
    );
    expect(code).toBe(0);
    const [me, search, none, wrong] = result.calls;
    expect(me).toEqual([200, expect.objectContaining({ object: "user", id: "bot-1" })]);
    expect(search).toEqual([200, expect.objectContaining({ object: "list", query: "backup" })]);
    expect(none?.[0]).toBe(401);
    expect(none?.[1]).toMatchObject({ error: { code: "ERR_PROXY_TOKEN" } });
    expect(wrong?.[0]).toBe(401);
    // The key variables hold the per-run proxy token; the store's key does not reach the child either.
    expect(result.env.NOTION_TOKEN).toMatch(/^arcrun_proxy_/);
    expect(result.env.NOTION_API_KEY).toBe(result.env.NOTION_TOKEN);
    expect(result.env.ARCRUN_PROXY_TOKEN).toBe(result.env.NOTION_TOKEN);
    expect(result.env.ARCRUN_MASTER_KEY).toBeUndefined();
    expect(result.env.ARCRUN_NOTION_TOKEN).toBeUndefined();
    expect(environ).not.toContain(box.env.ARCRUN_MASTER_KEY ?? "unset");
    expect(environ).toContain(`NOTION_TOKEN=${result.env.NOTION_TOKEN}`);
    // The stand-in saw the real key and the recipe's Notion-Version, never the proxy token.
    const seen = notion.requests.filter((r) => r.headers["x-test-original-host"] === "api.notion.com");
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const r of seen) {
      expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(r.headers["notion-version"]).toBe("2022-06-28");
      expect(JSON.stringify(r.headers)).not.toContain("arcrun_proxy_");
    }
  });

  it("curl with the key variable reaches the stand-in", async () => {
    const r = await run(
      [
        "run",
        "--proxy",
        "--service",
        "notion",
        "--",
        "sh",
        "-c",
        'curl -sS -H "Authorization: Bearer $NOTION_TOKEN" "$ARCRUN_PROXY_URL/notion/users/me"',
      ],
      box.env,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ object: "user", id: "bot-1" });
    const refused = await run(
      [
        "run",
        "--proxy",
        "--service",
        "notion",
        "--",
        "sh",
        "-c",
        'curl -sS "$ARCRUN_PROXY_URL/notion/users/me"',
      ],
      box.env,
    );
    expect(JSON.parse(refused.stdout)).toMatchObject({ error: { code: "ERR_PROXY_TOKEN" } });
    expect(r.stdout + r.stderr + refused.stdout + refused.stderr).not.toContain(TOKEN);
  });

  it("an OAuth token that expires during the run is refreshed; both calls succeed (oidc-provider)", async () => {
    const { access_token, refresh_token } = await op.seedGrant({ accessTokenTtl: 2 });
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
      issued_at: now,
      expires_at: now + 2000,
      scopes: ["openid", "offline_access"],
      client: "byo",
      status: "ok",
    };
    await (await auth.store()).set("local_oauth", "default", cred);
    await auth.close();
    const refreshes = op.count("refresh_token");

    const { result, code, stderr } = await runClient(
      "local_oauth",
      "ARCRUN_LOCAL_OAUTH_ACCESS_TOKEN",
      [{ path: "/local_oauth/me" }, { sleep: 2.5 }, { path: "/local_oauth/me" }],
      [access_token, refresh_token],
    );
    expect(code, stderr).toBe(0);
    expect(result.calls.map((c) => c[0])).toEqual([200, 200]);
    expect(op.count("refresh_token")).toBeGreaterThan(refreshes);
    expect(result.env.ARCRUN_LOCAL_OAUTH_ACCESS_TOKEN).toMatch(/^arcrun_proxy_/);
  });

  it("arcrun proxy serves until SIGTERM, prints its URL and token, and serves only the services named", async () => {
    const child = spawn(process.execPath, [BIN, "proxy", "--service", "notion"], {
      env: box.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const vars = await new Promise<Record<string, string>>((resolve, reject) => {
      child.stdout.setEncoding("utf8").on("data", (d: string) => {
        out += d;
        const url = /^ARCRUN_PROXY_URL=(\S+)$/m.exec(out)?.[1];
        const token = /^ARCRUN_PROXY_TOKEN=(\S+)$/m.exec(out)?.[1];
        if (url && token) resolve({ url, token });
      });
      child.once("exit", (code) => reject(new Error(`arcrun proxy exited (${code})`)));
    });
    try {
      const ok = await fetch(`${vars.url}/notion/users/me`, {
        headers: { "x-arcrun-proxy-token": vars.token ?? "" },
      });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ object: "user" });
      expect((await fetch(`${vars.url}/notion/users/me`)).status).toBe(401);
      const other = await fetch(`${vars.url}/github/user`, {
        headers: { "x-arcrun-proxy-token": vars.token ?? "" },
      });
      expect(other.status).toBe(404);
    } finally {
      child.kill("SIGTERM");
    }
    const code = await new Promise<number | null>((r) => child.once("close", (c) => r(c)));
    expect(code).toBe(0);
    expect(out).not.toContain(TOKEN);
  });
});

// The workflow commands end to end: the built CLI against the production executor on workerd (Miniflare,
// over HTTP) and a node:http GitHub stand-in that the `github` recipe is pointed at.
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deriveTenantKey } from "@arcrun/workflow";
import { createAuth } from "arcrun-auth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run, runInPty, type Sandbox, sandbox } from "./helpers/cli.js";
import {
  type LocalExecutor,
  localRecipe,
  type StandIn,
  standIn,
  startLocalExecutor,
} from "./workflow-support.js";

const TOKEN = `ghp_${randomBytes(12).toString("hex")}`;
const STORED_TOKEN = `ghp_${randomBytes(12).toString("hex")}`;
const TWITCH_TOKEN = `tw-${randomBytes(12).toString("hex")}`;
const TWITCH_CLIENT = `twclient${randomBytes(6).toString("hex")}`;
const EXAMPLE = join(__dirname, "..", "..", "..", "examples", "workflows", "github-who-am-i.yaml");

let api: StandIn;
let ex: LocalExecutor;
let box: Sandbox;
let env: Record<string, string>;
const printed: string[] = [];

async function cli(args: string[], input = "", extra: Record<string, string> = {}) {
  const r = await run(args, { ...env, ...extra }, input);
  printed.push(r.stdout, r.stderr);
  return r;
}

function errorLine(stderr: string): { code: string; message: string } {
  return (JSON.parse(stderr.trim()) as { error: { code: string; message: string } }).error;
}

beforeAll(async () => {
  api = await standIn((req) => {
    const auth = req.headers.authorization;
    if (req.path === "/user") {
      if (auth === `Bearer ${TOKEN}`) return { json: { login: "ada", id: 1 } };
      if (auth === `Bearer ${STORED_TOKEN}`) return { json: { login: "stored-ada", id: 2 } };
      return { status: 401, json: { message: "Bad credentials" } };
    }
    // Twitch's Helix rule: "Authorization: Bearer <token>" and "Client-Id: <your client id>", the id of the
    // client the token was issued to, else 401 (https://dev.twitch.tv/docs/api/get-started/).
    if (req.path === "/helix/users") {
      if (auth === `Bearer ${TWITCH_TOKEN}` && req.headers["client-id"] === TWITCH_CLIENT)
        return { json: { data: [{ login: "twitchdev" }] } };
      return {
        status: 401,
        json: { error: "Unauthorized", message: "Client ID and OAuth token do not match" },
      };
    }
    if (req.path === "/slow")
      return new Promise((resolve) => setTimeout(() => resolve({ json: { ok: 1 } }), 1000));
    return { status: 404, json: { message: "Not Found" } };
  });
  ex = await startLocalExecutor({
    recipes: [localRecipe("github", api.origin), localRecipe("twitch", api.origin, "/helix")],
  });
  box = await sandbox();
  env = { ...box.env, ...ex.env };
});

afterAll(async () => {
  await ex?.dispose();
  await api?.close();
  await box?.cleanup();
});

describe("components", () => {
  it("lists the executor's components with their contracts (--json)", async () => {
    const r = await cli(["components", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      executor: string;
      components: { canonical_id: string; input_schema: unknown; examples: unknown[] }[];
    };
    expect(out.executor).toBe(ex.url);
    const ids = out.components.map((c) => c.canonical_id);
    expect(ids).toEqual(
      expect.arrayContaining(["http_request", "if_control", "auth_static_key", "auth_oauth2"]),
    );
    for (const c of out.components) {
      expect(c.input_schema).toBeTypeOf("object");
      expect(c.examples.length).toBeGreaterThan(0);
    }
  });

  it("needs no credential from an executor without an API key: a fresh ARCRUN_HOME stays empty", async () => {
    const home = await mkdtemp(join(tmpdir(), "arcrun-empty-home-"));
    try {
      const r = await cli(["components", "http_request"], "", { ARCRUN_HOME: home });
      expect(r.code, r.stderr).toBe(0);
      const v = await cli(["workflow", "validate", EXAMPLE, "--json"], "", { ARCRUN_HOME: home });
      expect(JSON.parse(v.stdout)).toMatchObject({ valid: true, components_checked: true });
      expect(await readdir(home)).toEqual([]);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it("shows one component's parameters and examples; an unknown one is exit 1", async () => {
    const one = await cli(["components", "http_request"]);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^http_request/);
    expect(one.stdout).toContain("Parameters");
    expect(one.stdout).toMatch(/\n {2}url /);
    expect(one.stdout).toContain("Example: ");
    const table = await cli(["components"]);
    expect(table.stdout).toMatch(/COMPONENT\s+CATEGORY\s+DESCRIPTION/);
    const none = await cli(["components", "nope", "--json"]);
    expect(none.code).toBe(1);
    expect(none.stdout).toBe("");
    expect(errorLine(none.stderr)).toEqual({
      code: "ERR_UNKNOWN_COMPONENT",
      message: `no component "nope" on ${ex.url}; see the list with: arcrun components`,
    });
  });
});

describe("creds", () => {
  it("push encrypts the value from stdin with the executor's key; list shows names only", async () => {
    const r = await cli(["creds", "push", "gh", "--recipe", "github", "--json"], `${TOKEN}\n`);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      name: "gh",
      recipe: "github",
      hosts: [],
      created_at: expect.stringMatching(/^\d{4}-/),
      executor: ex.url,
      key_source: "ARCRUN_EXECUTOR_KEY",
    });
    const list = await cli(["creds", "list", "--json"]);
    expect(list.code).toBe(0);
    const creds = (JSON.parse(list.stdout) as { credentials: Record<string, unknown>[] }).credentials;
    expect(creds).toEqual([{ name: "gh", recipe: "github", hosts: [], created_at: expect.any(String) }]);
    const human = await cli(["creds", "list"]);
    expect(human.stdout).toMatch(/NAME\s+RECIPE\s+EXTRA HOSTS\s+CREATED\ngh\s+github\s+-/);
  });

  it("--from-service takes the value from arcrun-auth's store", async () => {
    const setup = await cli(["setup", "github", "--no-verify"], `${STORED_TOKEN}\n`);
    expect(setup.code, setup.stderr).toBe(0);
    const r = await cli(["creds", "push", "gh_stored", "--from-service", "github"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Stored credential "gh_stored" (recipe github)');
    const wf = join(box.home, "who-stored.yaml");
    await writeFile(
      wf,
      [
        "name: who-stored",
        "flow:",
        "  - input >> ON_SUCCESS >> auth",
        "  - auth >> ON_SUCCESS >> me",
        "config:",
        "  auth: { component: auth_static_key, credential: gh_stored }",
        '  me: { component: http_request, url: "{{auth.data.base_url}}/user", headers: "{{auth.data.headers}}" }',
        "",
      ].join("\n"),
    );
    expect((await cli(["workflow", "push", wf])).code).toBe(0);
    const ran = await cli(["workflow", "run", "who-stored", "--json"]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(JSON.parse(ran.stdout)).toMatchObject({
      output: { status: 200, data: { body: { login: "stored-ada" } } },
    });
  });

  it("--from-service of a {{client.id}} recipe (twitch) carries the client id: the workflow's request has Client-Id", async () => {
    // The token as arcrun setup twitch stores it (the login itself is the auth package's conformance test).
    const store = await createAuth({ env, interactive: false, logger: { warn: () => undefined } }).store();
    const at = new Date().toISOString();
    const stored = {
      v: 1 as const,
      type: "oauth2" as const,
      values: {},
      access_token: TWITCH_TOKEN,
      token_type: "bearer",
      expires_at: Date.now() + 3_600_000,
      client: "byo" as const,
      created_at: at,
      updated_at: at,
    };
    await store.set("twitch", "default", { ...stored, client_id: TWITCH_CLIENT });
    // Stored by a login that did not record the client: refused with the next step, nothing pushed.
    await store.set("twitch", "old", stored);
    const client = { ARCRUN_TWITCH_CLIENT_ID: TWITCH_CLIENT, ARCRUN_TWITCH_CLIENT_SECRET: "tw-secret" };
    const old = await cli(
      ["creds", "push", "tw_old", "--from-service", "twitch", "--instance", "old", "--json"],
      "",
      client,
    );
    expect(old.code).toBe(1);
    expect(errorLine(old.stderr.trim().split("\n").at(-1) ?? "")).toEqual({
      code: "ERR_NEEDS_LOGIN",
      message:
        "twitch's stored token does not say which OAuth client it was issued to, and its recipe sends that client id with every request; sign in again (arcrun setup twitch), then push again; or push a JSON token set with client_id on stdin",
    });
    const r = await cli(["creds", "push", "tw_stored", "--from-service", "twitch"], "", client);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Stored credential "tw_stored" (recipe twitch)');
    // Not a secret, but like the rest of the value it is never printed.
    expect(`${r.stdout}${r.stderr}`).not.toContain(TWITCH_CLIENT);
    const wf = join(box.home, "twitch-me.yaml");
    await writeFile(
      wf,
      [
        "name: twitch-me",
        "flow:",
        "  - input >> ON_SUCCESS >> auth",
        "  - auth >> ON_SUCCESS >> me",
        "config:",
        "  auth: { component: auth_oauth2, credential: tw_stored }",
        '  me: { component: http_request, url: "{{auth.data.base_url}}/users", headers: "{{auth.data.headers}}" }',
        "",
      ].join("\n"),
    );
    expect((await cli(["workflow", "push", wf])).code).toBe(0);
    const before = api.seen.length;
    const ran = await cli(["workflow", "run", "twitch-me", "--json"]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(JSON.parse(ran.stdout)).toMatchObject({
      output: { status: 200, data: { body: { data: [{ login: "twitchdev" }] } } },
    });
    const sent = api.seen.slice(before).find((q) => q.path === "/helix/users");
    expect(sent?.headers["client-id"]).toBe(TWITCH_CLIENT);
    expect(sent?.headers.authorization).toBe(`Bearer ${TWITCH_TOKEN}`);
    expect(ran.stdout).not.toContain(TWITCH_TOKEN);
    // The client id is not a secret (RFC 6749 section 2.2), but like the token it stays out of the run's
    // output and its logs.
    const logs = await cli(["workflow", "logs", "twitch-me", "--json"]);
    expect(logs.code, logs.stderr).toBe(0);
    for (const printed of [ran.stdout, ran.stderr, logs.stdout, logs.stderr]) {
      expect(printed).not.toContain(TWITCH_CLIENT);
      expect(printed).not.toContain(TWITCH_TOKEN);
    }
  });

  it("without --recipe it warns on stderr that auth components need one; --raw says none is meant", async () => {
    const bare = await cli(["creds", "push", "gh_bare", "--json"], `${TOKEN}\n`);
    expect(bare.code, bare.stderr).toBe(0);
    expect(JSON.parse(bare.stdout)).toMatchObject({ name: "gh_bare", recipe: null });
    expect(bare.stderr).toContain(
      'warning: credential "gh_bare" has no recipe, so auth components (auth_static_key, auth_oauth2, ...) cannot use it unless the node sets config.recipe; push it again with --recipe <id>',
    );
    const human = await cli(["creds", "push", "gh_bare"], `${TOKEN}\n`);
    expect(human.stderr).toContain('warning: credential "gh_bare" has no recipe');
    expect(human.stderr).toContain("use it in a workflow: { component: hash, credential: gh_bare }");
    const raw = await cli(["creds", "push", "hmac_key", "--raw"], "s3cret-hmac");
    expect(raw.code, raw.stderr).toBe(0);
    expect(raw.stderr).not.toContain("warning");
    const withRecipe = await cli(["creds", "push", "gh_ok", "--recipe", "github"], `${TOKEN}\n`);
    expect(withRecipe.stderr).not.toContain("warning");
    const both = await cli(["creds", "push", "x", "--raw", "--recipe", "github"], "v");
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("give either --raw or --recipe/--from-service");
  });

  it("a key that is not the executor's is refused with the next step", async () => {
    const r = await cli(["creds", "push", "other", "--json"], "value", {
      ARCRUN_EXECUTOR_KEY: randomBytes(32).toString("base64"),
    });
    expect(r.code).toBe(1);
    expect(errorLine(r.stderr)).toEqual({
      code: "ERR_CREDENTIAL_INVALID",
      message: `the executor at ${ex.url} could not decrypt "other": the key from ARCRUN_EXECUTOR_KEY is not its ENCRYPTION_KEY; set ARCRUN_EXECUTOR_KEY (or --key-file) to the executor's key and push again`,
    });
  });

  it("a tenant's own key (arcrun-tk1...) is enough to push; another tenant's is refused", async () => {
    const master = env.ARCRUN_EXECUTOR_KEY ?? "";
    const own = await deriveTenantKey(master, "default");
    // The operator's command prints the same key; from a tenant key it refuses.
    const printed = await cli(["creds", "tenant-key", "default"]);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout.trim()).toBe(own);
    const fromTenant = await cli(["creds", "tenant-key", "default"], "", { ARCRUN_EXECUTOR_KEY: own });
    expect(fromTenant.code).toBe(1);
    expect(fromTenant.stderr).toContain("is already a tenant's key, not the executor's");
    expect((await cli(["creds", "tenant-key", "Not A Tenant"])).code).toBe(2);
    const ok = await cli(["creds", "push", "with_tenant_key", "--raw", "--json"], "tenant-secret-1", {
      ARCRUN_EXECUTOR_KEY: own,
    });
    expect(ok.code, ok.stderr).toBe(0);
    const other = await cli(["creds", "push", "x", "--raw", "--json"], "v", {
      ARCRUN_EXECUTOR_KEY: await deriveTenantKey(master, "someone_else"),
    });
    expect(other.code).toBe(1);
    expect(errorLine(other.stderr)).toMatchObject({ code: "ERR_CREDENTIAL_INVALID" });
    const malformed = await cli(["creds", "push", "x", "--json"], "v", {
      ARCRUN_EXECUTOR_KEY: "arcrun-tk1.default.short",
    });
    expect(errorLine(malformed.stderr)).toMatchObject({ code: "ERR_EXECUTOR_KEY" });
  });

  it("an empty value, a malformed key, and a name that is not one are refused", async () => {
    const empty = await cli(["creds", "push", "x", "--json"], "");
    expect(empty.code).toBe(1);
    expect(errorLine(empty.stderr).code).toBe("ERR_INVALID_INPUT");
    const badKey = await cli(["creds", "push", "x", "--json"], "v", { ARCRUN_EXECUTOR_KEY: "c2hvcnQ=" });
    expect(badKey.code).toBe(1);
    expect(errorLine(badKey.stderr)).toMatchObject({ code: "ERR_EXECUTOR_KEY" });
    const badName = await cli(["creds", "push", "a b"], "v");
    expect(badName.code).toBe(2);
    expect(badName.stderr).toContain('"a b" is not a credential name');
  });
});

describe("workflow", () => {
  it("validate checks component names against the running executor, naming line and node", async () => {
    const file = join(box.home, "unknown.yaml");
    await writeFile(
      file,
      "name: unknown\nflow:\n  - input >> ON_SUCCESS >> a\nconfig:\n  a: { component: no_such_thing }\n",
    );
    const r = await cli(["workflow", "validate", file, "--json"]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { valid: boolean; components_checked: boolean; issues: unknown[] };
    expect(out.valid).toBe(false);
    expect(out.components_checked).toBe(true);
    expect(out.issues).toEqual([
      { line: 5, node: "a", message: expect.stringContaining('unknown component "no_such_thing"') },
    ]);
    const ok = await cli(["workflow", "validate", EXAMPLE, "--json"]);
    expect(ok.code, ok.stdout).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      valid: true,
      name: "github-who-am-i",
      nodes: ["auth", "me", "ok", "hello", "denied"],
      components_checked: true,
    });
  });

  it("push registers, then replaces; an invalid workflow is refused with its issues", async () => {
    const first = await cli(["workflow", "push", EXAMPLE, "--json"]);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      name: "github-who-am-i",
      nodes: ["auth", "me", "ok", "hello", "denied"],
      replaced: false,
      executor: ex.url,
    });
    const again = await cli(["workflow", "push", EXAMPLE]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`Replaced workflow "github-who-am-i" (5 nodes) to ${ex.url}`);

    const bad = join(box.home, "bad.yaml");
    await writeFile(
      bad,
      "name: bad\nflow:\n  - input >> ON_SUCCESS >> a\n  - a >> ON_SUCCESS >> input\nconfig:\n  a: { component: if_control, condition: true }\n",
    );
    const refused = await cli(["workflow", "push", bad]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("the executor refused the workflow");
    expect(refused.stderr).toMatch(/line 4, node "input": input is where the flow starts/);
    const refusedJson = await cli(["workflow", "push", bad, "--json"]);
    expect(refusedJson.stdout).toBe("");
    expect(JSON.parse(refusedJson.stderr)).toMatchObject({
      error: {
        code: "ERR_WORKFLOW_INVALID",
        issues: expect.arrayContaining([expect.objectContaining({ line: 4, node: "input" })]),
      },
    });
  });

  it("run shows each node on stderr as it finishes and prints the output on stdout", async () => {
    const r = await cli(["workflow", "run", "github-who-am-i"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ success: true, branch: "true", data: { result: true } });
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines.slice(0, 4)).toEqual([
      expect.stringMatching(/^ {2}✔ auth [\d.]+ m?s \(auth_static_key\)$/),
      expect.stringMatching(/^ {2}✔ me [\d.]+ m?s \(http_request\)$/),
      expect.stringMatching(/^ {2}✔ ok [\d.]+ m?s \(if_control\)$/),
      expect.stringMatching(/^ {2}✔ hello [\d.]+ m?s \(if_control\)$/),
    ]);
    expect(lines[4]).toMatch(/^✔ github-who-am-i succeeded in [\d.]+ m?s \(4 node runs\)$/);
    expect(api.seen.filter((s) => s.path === "/user").at(-1)?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it("at a terminal the progress is one line rewritten in place, then the node list", async () => {
    const file = join(box.home, "slow.yaml");
    await writeFile(
      file,
      [
        "name: slow",
        "flow:",
        "  - input >> ON_SUCCESS >> auth",
        "  - auth >> ON_SUCCESS >> wait_api",
        "config:",
        "  auth: { component: auth_static_key, credential: gh }",
        '  wait_api: { component: http_request, url: "{{auth.data.base_url}}/slow" }',
        "",
      ].join("\n"),
    );
    expect((await cli(["workflow", "push", file])).code).toBe(0);
    const r = await runInPty(["workflow", "run", "slow"], env, []);
    printed.push(r.output);
    expect(r.code, r.output).toBe(0);
    // While the API takes its second: the live line, with the node that already finished.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the live line is redrawn with ESC [2K.
    expect(r.output).toMatch(/\r\u001b\[2K. slow: ✔ auth [\d.]+ m?s/);
    const after = r.output.slice(r.output.lastIndexOf("\u001b[2K") + 4);
    expect(after, r.output).toMatch(
      /^ {2}✔ auth [\d.]+ m?s \(auth_static_key\)\r?\n {2}✔ wait_api [\d.]+ m?s \(http_request\)/,
    );
    expect(r.output).toMatch(/✔ slow succeeded in [\d.]+ m?s \(2 node runs\)/);
  });

  it("run --json prints the execution; -i and --data build the input", async () => {
    const file = join(box.home, "echo.yaml");
    await writeFile(
      file,
      'name: echo\nflow:\n  - input >> ON_SUCCESS >> check\nconfig:\n  check: { component: if_control, left: "{{input.user.n}}", operator: gt, right: "{{input.min}}" }\n',
    );
    expect((await cli(["workflow", "push", file])).code).toBe(0);
    const r = await cli(["workflow", "run", "echo", "--data", '{"min": 3}', "-i", "user.n:=5", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(out).sort()).toEqual(
      [
        "duration_ms",
        "error",
        "execution_id",
        "mode",
        "output",
        "started_at",
        "status",
        "trace",
        "workflow",
      ].sort(),
    );
    expect(out).toMatchObject({
      workflow: "echo",
      status: "succeeded",
      output: { branch: "true" },
      error: null,
    });
    const lower = await cli(["workflow", "run", "echo", "-i", "min:=9", "-i", "user.n:=5", "--json"]);
    expect(JSON.parse(lower.stdout)).toMatchObject({ output: { branch: "false" } });
    const badPair = await cli(["workflow", "run", "echo", "-i", "oops"]);
    expect(badPair.code).toBe(2);
    expect(badPair.stderr).toContain("-i takes key=value (a string) or key:=json");
  });

  it("a failed run exits 1 naming the node, with the executor's code; logs show the trace", async () => {
    const file = join(box.home, "fails.yaml");
    await writeFile(
      file,
      "name: fails\nflow:\n  - input >> ON_SUCCESS >> auth\nconfig:\n  auth: { component: auth_static_key, credential: missing_cred }\n",
    );
    expect((await cli(["workflow", "push", file])).code).toBe(0);
    const r = await cli(["workflow", "run", "fails", "--json"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    const err = errorLine(r.stderr);
    expect(err.code).toMatch(/^ERR_/);
    expect(err.message).toMatch(/^workflow "fails" failed at node "auth": /);
    expect(err.message).toMatch(/see the trace: arcrun workflow logs fails$/);

    const logs = await cli(["workflow", "logs", "fails", "--json"]);
    expect(logs.code).toBe(0);
    const out = JSON.parse(logs.stdout) as {
      workflow: string;
      executions: { status: string; trace: unknown[] }[];
    };
    expect(out.workflow).toBe("fails");
    expect(out.executions[0]).toMatchObject({
      status: "failed",
      trace: [{ node: "auth", status: "failed" }],
    });
    const human = await cli(["workflow", "logs", "fails", "-n", "1"]);
    expect(human.stdout).toMatch(/^✖ \d{4}-.* failed in [\d.]+ m?s/);
    expect(human.stdout).toMatch(
      /\n {2}✖ auth auth_static_key: [\d.]+ m?s, \d+ B out, \d+ host calls, fuel \d+\n {6}ERR_/,
    );
  });

  it("a host that does not resolve is named as unreachable, not as workerd's opaque internal error", async () => {
    const file = join(box.home, "nowhere.yaml");
    await writeFile(
      file,
      [
        "name: nowhere",
        "flow:",
        "  - input >> ON_SUCCESS >> me",
        "config:",
        // RFC 6761 §6.4: .invalid never resolves.
        "  me: { component: http_request, url: http://api.arcrun-test.invalid/user }",
        "",
      ].join("\n"),
    );
    expect((await cli(["workflow", "push", file])).code).toBe(0);
    const r = await cli(["workflow", "run", "nowhere", "--json"]);
    expect(r.code).toBe(1);
    const err = errorLine(r.stderr);
    expect(err.message).toContain(
      'workflow "nowhere" failed at node "me": could not reach api.arcrun-test.invalid (network or DNS)',
    );
    expect(err.message).not.toMatch(/internal error; reference/);
  });

  it("list shows each workflow with its last run; logs of an unknown workflow is exit 1", async () => {
    const r = await cli(["workflow", "list", "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      executor: string;
      workflows: { name: string; last_run: { status: string } | null }[];
    };
    expect(out.workflows.map((w) => w.name)).toEqual([
      "echo",
      "fails",
      "github-who-am-i",
      "nowhere",
      "slow",
      "twitch-me",
      "who-stored",
    ]);
    expect(out.workflows.find((w) => w.name === "fails")?.last_run?.status).toBe("failed");
    expect(out.workflows.find((w) => w.name === "github-who-am-i")?.last_run?.status).toBe("succeeded");
    const none = await cli(["workflow", "logs", "nope", "--json"]);
    expect(none.code).toBe(1);
    expect(errorLine(none.stderr)).toEqual({
      code: "ERR_WORKFLOW_NOT_FOUND",
      message: `no workflow "nope" on ${ex.url}; see the pushed ones with: arcrun workflow list`,
    });
    const notPushed = await cli(["workflow", "run", "nope"]);
    expect(notPushed.code).toBe(1);
    expect(notPushed.stderr).toContain('no workflow "nope"; run: arcrun workflow push <file>');
  });

  it("no secret value appears in anything the CLI printed", () => {
    const all = printed.join("\n");
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain(STORED_TOKEN);
    expect(all).not.toContain(TWITCH_TOKEN);
    expect(all).not.toContain(ex.key);
  });
});

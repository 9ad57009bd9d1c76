// Workflow commands without an executor: offline validation, usage errors, and what happens when no
// executor answers (a port nothing listens on).
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run, type Sandbox, sandbox } from "./helpers/cli.js";

let box: Sandbox;
let env: Record<string, string>;
let closedUrl: string;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  box = await sandbox();
  closedUrl = `http://127.0.0.1:${await freePort()}`;
  env = { ...box.env, ARCRUN_EXECUTOR_URL: closedUrl };
});
afterAll(async () => {
  await box.cleanup();
});

describe("workflow validate (offline)", () => {
  it("names the line and the node of every problem, exit 1", async () => {
    const file = join(box.home, "broken.yaml");
    await writeFile(
      file,
      [
        "name: broken",
        "flow:",
        "  - input >> ON_SUCCESS >> fetch",
        "  - fetch >> ON_SUCESS >> done",
        "  - fetch >> ON_SUCCESS >> loop",
        "config:",
        '  fetch: { component: http_request, url: "{{later.data.url}}" }',
        "  loop: { component: if_control, condition: true }",
        "  later: { component: if_control, condition: true }",
        "",
      ].join("\n"),
    );
    const r = await run(["workflow", "validate", file], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`✖ ${file}: the workflow is not valid`);
    expect(r.stderr).toMatch(/line 4: "fetch >> ON_SUCESS >> done" is not a flow triplet/);
    const json = await run(["workflow", "validate", file, "--json"], env);
    expect(json.code).toBe(1);
    const out = JSON.parse(json.stdout) as { valid: boolean; components_checked: boolean; issues: unknown[] };
    expect(out).toMatchObject({ valid: false, file, components_checked: false });
    expect(out.issues).toContainEqual({
      line: 4,
      node: null,
      message: expect.stringContaining("not a flow triplet"),
    });
  });

  it("reports graph problems with the node: a template naming a node that does not run before", async () => {
    const file = join(box.home, "order.yaml");
    await writeFile(
      file,
      [
        "name: order",
        "flow:",
        "  - input >> ON_SUCCESS >> a",
        "  - a >> ON_SUCCESS >> b",
        "config:",
        '  a: { component: if_control, left: "{{b.data.result}}", operator: truthy }',
        "  b: { component: if_control, condition: true }",
        "",
      ].join("\n"),
    );
    const r = await run(["workflow", "validate", file, "--json"], env);
    expect(r.code).toBe(1);
    const issues = (JSON.parse(r.stdout) as { issues: { node: string | null; line: number | null }[] })
      .issues;
    expect(issues).toEqual([expect.objectContaining({ node: "a", line: 6 })]);
  });

  it("a valid file passes offline, saying component names were not checked", async () => {
    const file = join(box.home, "ok.json");
    await writeFile(
      file,
      JSON.stringify({
        name: "ok",
        flow: ["input >> ON_SUCCESS >> a"],
        config: { a: { component: "if_control", condition: true } },
      }),
    );
    const r = await run(["workflow", "validate", file], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`✔ ${file}: workflow "ok" is valid (1 nodes: a)\n`);
    expect(r.stderr).toContain(
      "component names not checked: no executor answered (start one with: pnpm start)",
    );
  });

  it("needs no credential, so it opens no store: a fresh ARCRUN_HOME stays empty (and components too)", async () => {
    const file = join(box.home, "quiet.json");
    await writeFile(
      file,
      JSON.stringify({
        name: "quiet",
        flow: ["input >> ON_SUCCESS >> a"],
        config: { a: { component: "if_control", condition: true } },
      }),
    );
    const home = await mkdtemp(join(tmpdir(), "arcrun-empty-home-"));
    try {
      const fresh = { ...env, ARCRUN_HOME: home };
      const r = await run(["workflow", "validate", file], fresh);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/keyring|encrypted file|store/i);
      const c = await run(["components", "--json"], fresh);
      expect(JSON.parse(c.stderr.trim())).toMatchObject({ error: { code: "ERR_EXECUTOR_UNREACHABLE" } });
      expect(await readdir(home)).toEqual([]);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it("a missing file is exit 1 with ERR_FILE", async () => {
    const r = await run(["workflow", "validate", join(box.home, "nope.yaml"), "--json"], env);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr.trim())).toMatchObject({ error: { code: "ERR_FILE" } });
  });
});

describe("no executor running", () => {
  it.each([
    [["workflow", "list"]],
    [["workflow", "run", "x"]],
    [["workflow", "logs", "x"]],
    [["creds", "list"]],
    [["components"]],
  ])("%j says where it looked and how to start one, exit 1", async (args) => {
    const r = await run([...args, "--json"], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    // The store notice (once per ARCRUN_HOME) may come first: these commands look up a stored API key.
    expect(JSON.parse(r.stderr.trim().split("\n").at(-1) ?? "")).toEqual({
      error: {
        code: "ERR_EXECUTOR_UNREACHABLE",
        message: `no executor answers at ${closedUrl} (ARCRUN_EXECUTOR_URL); check ARCRUN_EXECUTOR_URL (${closedUrl}) and that the executor is running there (pnpm start serves http://127.0.0.1:8788)`,
      },
    });
  });

  it("a non-default URL is not told to run pnpm start: check ARCRUN_EXECUTOR_URL and the deploy", async () => {
    // Port 9 (discard) on loopback refuses at once; a .invalid host never resolves (RFC 6761 §6.4).
    const remote = "http://arcrun-executor.invalid";
    const r = await run(["workflow", "list", "--json"], { ...env, ARCRUN_EXECUTOR_URL: remote });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr.trim().split("\n").at(-1) ?? "")).toEqual({
      error: {
        code: "ERR_EXECUTOR_UNREACHABLE",
        message: `no executor answers at ${remote} (ARCRUN_EXECUTOR_URL); check ARCRUN_EXECUTOR_URL (${remote}) and that the executor is deployed`,
      },
    });
    const nine = await run(["workflow", "list"], { ...env, ARCRUN_EXECUTOR_URL: "http://127.0.0.1:9" });
    expect(nine.code).toBe(1);
    expect(nine.stderr).toContain("check ARCRUN_EXECUTOR_URL (http://127.0.0.1:9)");
    expect(nine.stderr).not.toContain("start it with: pnpm start");
    // The default URL spelled out is still the local default.
    const spelled = await run(["workflow", "list"], {
      ...env,
      ARCRUN_EXECUTOR_URL: "http://127.0.0.1:8788/",
    });
    if (spelled.code === 1) expect(spelled.stderr).toContain("start it with: pnpm start");
  });

  it("the default is the local executor on 127.0.0.1:8788", async () => {
    const { ARCRUN_EXECUTOR_URL: _u, ...rest } = env;
    const r = await run(["workflow", "list"], rest);
    if (r.code === 1) {
      expect(r.stderr).toContain("no executor answers at http://127.0.0.1:8788 (the local default)");
      expect(r.stderr).toContain("start it with: pnpm start");
    } else {
      // Someone's `pnpm start` is running on this machine: then it answered.
      expect(r.code).toBe(0);
    }
  });
});

describe("usage", () => {
  it("missing arguments, bad names and bad option values are exit 2", async () => {
    const missing = await run(["workflow", "run"], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing <name>");
    const badName = await run(["workflow", "run", "Not A Name"], env);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toContain('"Not A Name" is not a workflow name');
    const timeout = await run(["workflow", "run", "x", "--timeout", "soon"], env);
    expect(timeout.code).toBe(2);
    const limit = await run(["workflow", "logs", "x", "-n", "0"], env);
    expect(limit.code).toBe(2);
    const group = await run(["workflow"], env);
    expect(group.code).toBe(2);
    expect(group.stderr).toContain('"workflow" needs a subcommand: validate, push, run, list, logs');
    const init = await run(["init"], env);
    expect(init.code).toBe(2);
    expect(init.stderr).toContain("init needs --self-hosted");
  });

  it("every new command has --help", async () => {
    for (const c of [
      ["workflow", "validate"],
      ["workflow", "push"],
      ["workflow", "run"],
      ["workflow", "list"],
      ["workflow", "logs"],
      ["creds", "push"],
      ["creds", "list"],
      ["components"],
      ["init"],
    ]) {
      const r = await run([...c, "--help"], env);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: arcrun ${c.join(" ")}`);
    }
  });

  it("creds push --help lists where the encryption key comes from, in order", async () => {
    const r = await run(["creds", "push", "--help"], env);
    expect(r.code).toBe(0);
    const from = r.stdout.indexOf("Where the executor's encryption key comes from (the first that has one):");
    expect(from).toBeGreaterThan(0);
    const sources = ["1. --key-file <file>", "2. ARCRUN_EXECUTOR_KEY", "3. credential store", "4. .dev.vars"];
    const at = sources.map((s) => r.stdout.indexOf(s, from));
    expect(at.every((i) => i > from)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(r.stdout).toContain("arcrun_executor/<host>");
    expect(r.stdout).toContain("packages/executor-worker/.dev.vars, written by `pnpm start`");
  });

  it("a malformed ARCRUN_EXECUTOR_URL is exit 1 with the fix", async () => {
    const r = await run(["workflow", "list"], { ...env, ARCRUN_EXECUTOR_URL: "not a url" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ARCRUN_EXECUTOR_URL is not a URL: "not a url"');
  });
});

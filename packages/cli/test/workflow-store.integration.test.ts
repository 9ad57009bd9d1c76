// The executor's keys from arcrun-auth's credential store (the encrypted file with ARCRUN_MASTER_KEY), as
// `arcrun init --self-hosted` leaves them, against the production executor on workerd that requires an API
// key; and `workflow delete` / `creds delete`.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAuth } from "arcrun-auth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as credsDelete from "../src/commands/executor/creds-delete.js";
import { executorInstance } from "../src/commands/executor/secrets.js";
import * as workflowDelete from "../src/commands/executor/workflow-delete.js";
import { run, type Sandbox, sandbox } from "./helpers/cli.js";
import { type LocalExecutor, runModule, startLocalExecutor } from "./workflow-support.js";

const EXAMPLE = join(__dirname, "..", "..", "..", "examples", "workflows", "github-who-am-i.yaml");
const API_KEY = randomBytes(32).toString("base64url");
let ex: LocalExecutor;
let box: Sandbox;
/** The executor's address only: no ARCRUN_EXECUTOR_KEY, no ARCRUN_API_KEY. */
let env: Record<string, string>;

beforeAll(async () => {
  ex = await startLocalExecutor({ apiKey: API_KEY });
  box = await sandbox();
  env = { ...box.env, ARCRUN_STORE: "encrypted-file", ARCRUN_EXECUTOR_URL: ex.url };
}, 120_000);
afterAll(async () => {
  await ex?.dispose();
  await box?.cleanup();
});

function lastJson(stderr: string): { error: { code: string; message: string } } {
  return JSON.parse(stderr.trim().split("\n").at(-1) ?? "") as { error: { code: string; message: string } };
}

describe("the executor's keys from the credential store", () => {
  it("without them, the executor refuses the request for want of its API key", async () => {
    const r = await run(["creds", "list", "--json"], env);
    expect(r.code).toBe(1);
    expect(lastJson(r.stderr).error.code).toBe("ERR_UNAUTHORIZED");
  });

  it("components and validate open the store only when the executor asks for an API key (401)", async () => {
    const none = await run(["components", "--json"], env);
    expect(none.code).toBe(1);
    expect(lastJson(none.stderr).error.code).toBe("ERR_UNAUTHORIZED");
    const home = await mkdtemp(join(tmpdir(), "arcrun-lazy-home-"));
    try {
      const lazy = { ...env, ARCRUN_HOME: home };
      await createAuth({
        env: lazy,
        interactive: false,
        logger: { warn: () => undefined },
      }).setReservedSecret(
        "arcrun_executor",
        { ENCRYPTION_KEY: ex.key, ARCRUN_API_KEY: API_KEY },
        { instance: executorInstance(ex.url) },
      );
      const c = await run(["components", "--json"], lazy);
      expect(c.code, c.stderr).toBe(0);
      expect((JSON.parse(c.stdout) as { components: unknown[] }).components.length).toBeGreaterThan(10);
      const v = await run(["workflow", "validate", EXAMPLE, "--json"], lazy);
      expect(v.code, v.stderr).toBe(0);
      expect(JSON.parse(v.stdout)).toMatchObject({ valid: true, components_checked: true });
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it("creds push encrypts with the stored key and sends the stored API key", async () => {
    const instance = executorInstance(ex.url);
    expect(instance).toMatch(/^127\.0\.0\.1_\d+$/);
    await createAuth({ env, interactive: false, logger: { warn: () => undefined } }).setReservedSecret(
      "arcrun_executor",
      { ENCRYPTION_KEY: ex.key, ARCRUN_API_KEY: API_KEY },
      { instance },
    );
    const r = await run(["creds", "push", "gh", "--recipe", "github", "--json"], env, "ghp_from_store_test");
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      name: "gh",
      recipe: "github",
      executor: ex.url,
      key_source: `the encrypted-file store (arcrun_executor/${instance})`,
    });
    const list = await run(["creds", "list", "--json"], env);
    expect(list.code, list.stderr).toBe(0);
    expect(
      (JSON.parse(list.stdout) as { credentials: { name: string }[] }).credentials.map((c) => c.name),
    ).toEqual(["gh"]);
    // ARCRUN_API_KEY in the environment still wins: a wrong one is refused.
    const wrong = await run(["creds", "list", "--json"], { ...env, ARCRUN_API_KEY: "not-the-key" });
    expect(lastJson(wrong.stderr).error.code).toBe("ERR_UNAUTHORIZED");
    // And so does ARCRUN_EXECUTOR_KEY: another key is caught by the executor, naming where it came from.
    const otherKey = randomBytes(32).toString("base64");
    const bad = await run(["creds", "push", "gh2", "--json"], { ...env, ARCRUN_EXECUTOR_KEY: otherKey }, "v");
    expect(lastJson(bad.stderr).error).toMatchObject({
      code: "ERR_CREDENTIAL_INVALID",
      message: expect.stringContaining("the key from ARCRUN_EXECUTOR_KEY is not its ENCRYPTION_KEY"),
    });
  });
});

describe("creds delete (in process: the command table lists it once main.ts does)", () => {
  it("deletes a credential; a second delete is ERR_CREDENTIAL_NOT_FOUND with the next step", async () => {
    const pushed = await run(["creds", "push", "to_delete", "--json"], env, "short-lived");
    expect(pushed.code, pushed.stderr).toBe(0);
    const r = await runModule(credsDelete, ["to_delete", "--json"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ deleted: "to_delete", executor: ex.url });
    const list = await run(["creds", "list", "--json"], env);
    expect(
      (JSON.parse(list.stdout) as { credentials: { name: string }[] }).credentials.map((c) => c.name),
    ).toEqual(["gh"]);
    const again = await runModule(credsDelete, ["to_delete"], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      `arcrun: no credential "to_delete" on ${ex.url}\n  see the stored ones with: arcrun creds list\n`,
    );
    const usage = await runModule(credsDelete, ["bad name", "--json"], env);
    expect(usage.code).toBe(2);
    expect(lastJson(usage.stderr).error.code).toBe("ERR_USAGE");
  });
});

describe("workflow delete (in process: the command table lists it once main.ts does)", () => {
  it("deletes a pushed workflow; then it is gone, and a second delete is ERR_WORKFLOW_NOT_FOUND", async () => {
    const pushed = await run(["workflow", "push", EXAMPLE, "--json"], env);
    expect(pushed.code, pushed.stderr).toBe(0);
    const r = await runModule(workflowDelete, ["github-who-am-i"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`✔ Deleted workflow "github-who-am-i" from ${ex.url}\n`);
    const list = await run(["workflow", "list", "--json"], env);
    expect(JSON.parse(list.stdout)).toEqual({ executor: ex.url, workflows: [] });
    const again = await runModule(workflowDelete, ["github-who-am-i", "--json"], env);
    expect(again.code).toBe(1);
    expect(lastJson(again.stderr)).toEqual({
      error: {
        code: "ERR_WORKFLOW_NOT_FOUND",
        message: `no workflow "github-who-am-i" on ${ex.url}; see the pushed ones with: arcrun workflow list`,
      },
    });
    const usage = await runModule(workflowDelete, ["Not A Name"], env);
    expect(usage.code).toBe(2);
  });

  it("without the API key the executor refuses the delete", async () => {
    const { ARCRUN_MASTER_KEY: _k, ...noStore } = env;
    const r = await runModule(workflowDelete, ["github-who-am-i", "--json"], {
      ...noStore,
      ARCRUN_API_KEY: "not-the-key",
    });
    expect(r.code).toBe(1);
    expect(lastJson(r.stderr).error.code).toBe("ERR_UNAUTHORIZED");
  });
});

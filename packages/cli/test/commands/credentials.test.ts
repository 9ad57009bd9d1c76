import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run, runInPty, type Sandbox, sandbox } from "../helpers/cli.js";
import { notionStandIn, type StandIn } from "../helpers/notion-standin.js";
import { localNotionRecipe } from "../helpers/recipes.js";

const TOKEN = `secret_${randomBytes(16).toString("hex")}`;
let api: StandIn;
let box: Sandbox;
const printed: string[] = [];

async function cli(args: string[], env: Record<string, string> = box.env, input = "") {
  const r = await run(args, env, input);
  // `secret` and `token` print the credential on purpose; every other command must not.
  if (args[0] !== "secret" && args[0] !== "token") printed.push(r.stdout, r.stderr);
  return r;
}

beforeAll(async () => {
  api = await notionStandIn(TOKEN);
  box = await sandbox();
  await localNotionRecipe(box.home, api.origin);
  const setup = await cli(["setup", "notion"], box.env, `${TOKEN}\n`);
  expect(setup.code, setup.stderr).toBe(0);
});
afterAll(async () => {
  await api.close();
  await box.cleanup();
});

describe("commands on a stored static key", () => {
  it("every --json output parses, with the documented shape", async () => {
    const list = await cli(["list", "--json"]);
    expect(list.code).toBe(0);
    const services = (JSON.parse(list.stdout) as { services: Array<Record<string, unknown>> }).services;
    expect(services.length).toBeGreaterThan(10);
    for (const s of services) {
      expect(Object.keys(s).sort()).toEqual(
        [
          "alternatives",
          "categories",
          "connected",
          "id",
          "instances",
          "name",
          "primitive",
          "user_recipe",
        ].sort(),
      );
    }
    expect(services.find((s) => s.id === "notion")).toMatchObject({ user_recipe: true, connected: true });

    const status = await cli(["status", "--json"]);
    expect(status.code).toBe(0);
    expect(
      (JSON.parse(status.stdout) as { services: Array<{ id: string }> }).services.map((s) => s.id),
    ).toEqual(["notion"]);
    const one = JSON.parse((await cli(["status", "notion", "--json"])).stdout) as {
      services: Array<{ instances: Array<Record<string, unknown>> }>;
    };
    expect(one.services[0]?.instances[0]).toEqual({
      instance: "default",
      status: "connected",
      source: "store",
      type: "static_key",
      expires_at: null,
      updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      scopes: null,
    });

    const test = await cli(["test", "notion", "--json"]);
    expect(test.code).toBe(0);
    expect(JSON.parse(test.stdout)).toEqual({
      service: "notion",
      instance: "default",
      ok: true,
      tested: true,
      status: 200,
      expected: [200],
    });

    const doctor = await cli(["doctor", "--json"]);
    expect(doctor.code, doctor.stderr).toBe(0);
    expect(JSON.parse(doctor.stdout)).toMatchObject({
      ok: true,
      node: { version: process.version, ok: true },
      arcrun_home: { path: box.home, source: "ARCRUN_HOME", exists: true },
      store: { ok: true, kind: "encrypted-file", key_source: "ARCRUN_MASTER_KEY", error: null },
      recipes: { ok: true, total: expect.any(Number), builtin: expect.any(Number) },
      broker: { url: null, source: "none", reachable: null },
    });

    const secret = await cli(["secret", "notion", "--json"]);
    expect(JSON.parse(secret.stdout)).toEqual({ values: { token: TOKEN } });
    // The help says what the command does: a static key is printed too.
    const help = await cli(["token", "--help"]);
    expect(help.stdout).toMatch(/static-key service with one secret value[\s\S]*prints that\s+key/);
    const token = await cli(["token", "notion", "--json"]);
    expect(JSON.parse(token.stdout)).toEqual({
      access_token: TOKEN,
      token_type: "static",
      expires_at: null,
      scopes: null,
    });
  });

  it("token and secret refuse to print to a terminal without --force, and print with it", async () => {
    for (const cmd of [
      ["secret", "notion"],
      ["token", "notion"],
    ]) {
      const refused = await runInPty(cmd, box.env, []);
      expect(refused.code).toBe(1);
      expect(refused.output).toContain("refusing to print a credential to the terminal");
      expect(refused.output).toContain("or add --force");
      expect(refused.output).not.toContain(TOKEN);
    }
    const forced = await runInPty(["secret", "notion", "--force"], box.env, []);
    expect(forced.code).toBe(0);
    expect(forced.output).toContain(TOKEN);
  });

  it("secret --key names a value; an unknown key fails with the keys there are", async () => {
    expect((await cli(["secret", "notion", "--key", "token"])).stdout).toBe(`${TOKEN}\n`);
    const bad = await cli(["secret", "notion", "--key", "nope"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('notion has no value "nope" (it has: token)');
  });

  it("a secret from the environment wins, and list shows it as source env", async () => {
    const other = `secret_${randomBytes(8).toString("hex")}`;
    const { ARCRUN_HOME: _h, ...noStore } = box.env;
    const env = { ...noStore, ARCRUN_HOME: `${box.home}-empty`, ARCRUN_NOTION_TOKEN: other };
    const list = await cli(["list", "--json", "--connected"], env);
    const notion = (JSON.parse(list.stdout) as { services: Array<Record<string, unknown>> }).services.find(
      (s) => s.id === "notion",
    );
    expect(notion).toMatchObject({
      instances: [{ instance: "default", source: "env", status: "connected" }],
    });
    expect((await cli(["secret", "notion"], env)).stdout).toBe(`${other}\n`);
  });

  it("an unknown service exits 1 with a suggestion in every command that takes one", async () => {
    for (const cmd of ["test", "token", "secret", "logout", "status"]) {
      const r = await cli([cmd, "notoin"]);
      expect(r.code, cmd).toBe(1);
      expect(r.stderr, cmd).toContain('service "notoin" (did you mean: notion');
    }
  });

  it("test fails with exit 1 and the next step when the stored secret is refused", async () => {
    const r = await cli(["test", "notion"], { ...box.env, ARCRUN_NOTION_TOKEN: "revoked-token" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("notion: the test request answered HTTP 401 (expected 200)");
    expect(r.stderr).toContain("run: arcrun setup notion");
    // A failed test is marked as failed, never with a check mark.
    expect(r.stderr).toContain("✖ Testing notion: HTTP 401");
    expect(r.stderr).not.toContain("✔ Testing notion");
  });

  it("logout deletes (exit 0); afterwards status exits 1 and token says what to run", async () => {
    const out = await cli(["logout", "notion", "--json"]);
    expect(JSON.parse(out.stdout)).toEqual({
      service: "notion",
      instance: "default",
      deleted: true,
      revocation: "not-supported",
    });
    const again = await cli(["logout", "notion"]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("Nothing was stored for notion (instance default)");
    const status = await cli(["status", "notion"]);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain("run: arcrun setup notion");
    const token = await cli(["token", "notion"]);
    expect(token.code).toBe(1);
    expect(token.stderr).toContain("arcrun setup notion");
  });

  it("no other command printed the secret (setup, list, status, test, doctor, logout)", () => {
    expect(printed.length).toBeGreaterThan(20);
    for (const p of printed) expect(p).not.toContain(TOKEN);
  });
});

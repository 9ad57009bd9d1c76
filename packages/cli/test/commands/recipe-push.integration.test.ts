// `arcrun recipe push` end to end: the built CLI against the production executor on workerd (Miniflare, over
// HTTP) and a node:http service the pushed recipe describes. Tokens and the executor key are per run.
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run, runInPty, type Sandbox, sandbox } from "../helpers/cli.js";
import { type LocalExecutor, type StandIn, standIn, startLocalExecutor } from "../workflow-support.js";

const TOKEN = `acme_${randomBytes(12).toString("hex")}`;
const WRONG = `acme_${randomBytes(12).toString("hex")}`;

let api: StandIn;
let ex: LocalExecutor;
let box: Sandbox;
let env: Record<string, string>;
let file = "";

const cli = (args: string[], input = "") => run(args, env, input);

function errorOf(stderr: string): { code: string; message: string } {
  return (
    JSON.parse(stderr.trim().split("\n").at(-1) ?? "{}") as { error: { code: string; message: string } }
  ).error;
}

async function stored(): Promise<string[]> {
  const res = await fetch(`${ex.url}/recipes`);
  return ((await res.json()) as { recipes: { id: string }[] }).recipes.map((r) => r.id);
}

async function writeRecipe(id: string, extraHosts: string[] = []): Promise<string> {
  const path = join(box.home, `${id}.yaml`);
  await writeFile(
    path,
    [
      `id: ${id}`,
      "display_name: Acme API",
      "docs_url: https://acme.example.com/docs/auth",
      "primitive: static_key",
      `base_url: ${api.origin}/v1`,
      `hosts: [${["127.0.0.1", ...extraHosts].join(", ")}]`,
      "required_secrets: [{ key: token, label: API token }]",
      'inject: { header: { Authorization: "Bearer {{secret.token}}" } }',
      "test: { method: GET, path: /me, expect_status: 200 }",
      "",
    ].join("\n"),
  );
  return path;
}

beforeAll(async () => {
  api = await standIn((req) =>
    req.path === "/v1/me" && req.headers.authorization === `Bearer ${TOKEN}`
      ? { json: { id: "u_1" } }
      : { status: 401, json: { error: "invalid token" } },
  );
  ex = await startLocalExecutor();
  box = await sandbox();
  env = { ...box.env, ...ex.env };
  file = await writeRecipe("acme_api");
  for (const [name, value] of [
    ["acme", TOKEN],
    ["acme_wrong", WRONG],
  ]) {
    const r = await cli(["creds", "push", name as string, "--raw"], `${value}\n`);
    expect(r.code, r.stderr).toBe(0);
  }
});

afterAll(async () => {
  await ex?.dispose();
  await api?.close();
  await box?.cleanup();
});

const hosts = () => [`127.0.0.1`, new URL(api.origin).host];

describe("arcrun recipe push", () => {
  it("unattended without --yes: refused with the hosts named, nothing sent or stored", async () => {
    const r = await cli(["recipe", "push", file, "--credential", "acme", "--json"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain('Credential "acme" will be sent to these hosts:');
    for (const h of hosts()) expect(r.stderr).toContain(`\n  ${h}\n`);
    expect(r.stderr).toContain("Data sent to these hosts leaves your control.");
    expect(errorOf(r.stderr)).toEqual({
      code: "ERR_CONFIRMATION_REQUIRED",
      message: expect.stringContaining(
        `recipe push sends credential "acme" to ${hosts().sort().join(", ")} and needs your confirmation; nothing was stored`,
      ),
    });
    expect(api.seen).toEqual([]);
    expect(await stored()).toEqual([]);
  });

  it("at a terminal, answering no stores nothing", async () => {
    const r = await runInPty(["recipe", "push", file, "--credential", "acme"], env, [
      { waitFor: /to these hosts\? \(y\/n\) \[n\]: /, send: "n\r" },
    ]);
    expect(r.code, r.output).toBe(1);
    expect(r.output).toContain("not confirmed; nothing was stored");
    expect(api.seen).toEqual([]);
    expect(await stored()).toEqual([]);
  });

  it("a recipe whose test fails is refused (exit 1) and nothing is stored", async () => {
    const r = await cli(["recipe", "push", file, "--credential", "acme_wrong", "--yes", "--json"]);
    expect(r.code).toBe(1);
    const e = errorOf(r.stderr);
    expect(e.code).toBe("ERR_RECIPE_TEST_FAILED");
    expect(e.message).toContain("answered 401, expected 200; nothing was stored");
    expect(r.stderr).not.toContain(WRONG);
    expect(api.seen.map((s) => s.headers.authorization)).toEqual([`Bearer ${WRONG}`]);
    expect(await stored()).toEqual([]);
  });

  it("a built-in id and an invalid file are refused here, before the executor is asked", async () => {
    const builtin = await cli(["recipe", "push", await writeRecipe("github"), "--credential", "acme"]);
    expect(builtin.code).toBe(1);
    expect(builtin.stderr).toContain('"github" is a built-in recipe; a pushed recipe may not replace it');
    expect(builtin.stderr).toContain("my_github");
    const bad = join(box.home, "acme_bad.yaml");
    await writeFile(bad, "id: acme_bad\ndisplay_name: Bad\n");
    const invalid = await cli(["recipe", "push", bad, "--credential", "acme", "--json"]);
    expect(invalid.code).toBe(1);
    expect(errorOf(invalid.stderr).code).toBe("ERR_RECIPE_INVALID");
    const usage = await cli(["recipe", "push", file]);
    expect(usage.code).toBe(2);
    expect(await stored()).toEqual([]);
  });

  it("--yes with a working credential stores it; creds push --recipe then accepts its id", async () => {
    const before = api.seen.length;
    const r = await cli(["recipe", "push", file, "--credential", "acme", "--yes", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      id: "acme_api",
      hosts: hosts().sort(),
      test_status: 200,
      bound: true,
      replaced: false,
      executor: ex.url,
    });
    expect(api.seen.slice(before).map((s) => s.headers.authorization)).toEqual([`Bearer ${TOKEN}`]);
    expect(await stored()).toEqual(["acme_api"]);
    const more = await cli(["creds", "push", "acme2", "--recipe", "acme_api", "--json"], `${TOKEN}\n`);
    expect(more.code, more.stderr).toBe(0);
    expect(JSON.parse(more.stdout)).toMatchObject({ name: "acme2", recipe: "acme_api" });
    const list = await cli(["creds", "list", "--json"]);
    expect(list.stdout).toContain('"acme_api"');
  });

  it("a new version that widens the hosts marks the new one and is refused without confirmation", async () => {
    const wider = await writeRecipe("acme_api", ["api.acme.example"]);
    const r = await cli(["recipe", "push", wider, "--credential", "acme"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("  api.acme.example  (new: the stored version does not allow it)");
    expect(r.stderr).toContain(`  127.0.0.1\n`);
    expect(r.stderr).toContain("needs your confirmation; nothing was stored");
    expect(r.stderr).toContain("add --yes to confirm these hosts");
    const res = await fetch(`${ex.url}/recipes`);
    const list = (await res.json()) as { recipes: { id: string; hosts: string[] }[] };
    expect(list.recipes).toEqual([expect.objectContaining({ id: "acme_api", hosts: hosts().sort() })]);
  });
});

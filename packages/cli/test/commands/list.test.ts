import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run, type Sandbox, sandbox } from "../helpers/cli.js";
import { notionStandIn, type StandIn } from "../helpers/notion-standin.js";
import { localNotionRecipe } from "../helpers/recipes.js";

const TOKEN = `secret_${randomBytes(16).toString("hex")}`;
let api: StandIn;
let box: Sandbox;
let bad: string;

beforeAll(async () => {
  api = await notionStandIn(TOKEN);
  box = await sandbox();
  await localNotionRecipe(box.home, api.origin);
  // Not YAML at all: the id it would define is taken from the file name.
  bad = join(box.home, "recipes", "gitlab.yaml");
  await writeFile(bad, "id: gitlab\nextends: gitlab\nbase_url: [https://git.example.com\n");
});
afterAll(async () => {
  await api.close();
  await box.cleanup();
});

describe("arcrun list, setup, test: one malformed file in $ARCRUN_HOME/recipes", () => {
  it("list shows every other service and a warning naming the file", async () => {
    const r = await run(["list"], box.env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^notion\s/m);
    expect(r.stdout).toMatch(/^github\s/m);
    expect(r.stdout).not.toMatch(/^gitlab\s/m);
    expect(r.stderr).toContain(`warning: gitlab is not listed: its recipe ${bad} does not validate`);
  });

  it("list --json has an errors array", async () => {
    const r = await run(["list", "--json"], box.env);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      services: { id: string }[];
      errors: { file: string; service: string; code: string; message: string }[];
    };
    expect(out.services.map((s) => s.id)).toContain("notion");
    expect(out.errors).toEqual([
      { file: bad, service: "gitlab", code: "ERR_RECIPE_INVALID", message: expect.stringContaining(bad) },
    ]);
  });

  it("setup of another service works; the broken id fails, never falling back to the built-in", async () => {
    const ok = await run(["setup", "notion"], box.env, `${TOKEN}\n`);
    expect(ok.code, ok.stderr).toBe(0);
    expect(api.requests.length).toBeGreaterThan(0);
    const r = await run(["setup", "gitlab"], box.env, "glpat-xxxxxxxxxxxxxxxxxxxx\n");
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`${bad}:`);
    expect(r.stderr).toContain("arcrun recipe validate");
    const t = await run(["test", "gitlab", "--json"], box.env);
    expect(t.code).toBe(1);
    expect(JSON.parse(t.stderr)).toMatchObject({ error: { code: "ERR_RECIPE_INVALID" } });
    const list = await run(["list", "--connected"], box.env);
    expect(list.stdout).toMatch(/^notion\s/m);
  });
});

describe("arcrun list with nothing connected", () => {
  it("prints the hint, with --connected too (no empty table)", async () => {
    const own = await sandbox();
    try {
      const all = await run(["list"], own.env);
      expect(all.code).toBe(0);
      expect(all.stderr).toContain("Nothing connected yet. Next: arcrun setup <service>");
      const connected = await run(["list", "--connected"], own.env);
      expect(connected.code).toBe(0);
      expect(connected.stdout).toBe("");
      expect(connected.stderr).toContain("Nothing connected yet. Next: arcrun setup <service>");
    } finally {
      await own.cleanup();
    }
  });
});

describe("arcrun list with a store it cannot open", () => {
  it("list --json with the wrong passphrase reports the store error and exits 1; nothing is changed", async () => {
    const own = await sandbox();
    try {
      await localNotionRecipe(own.home, api.origin);
      const right = { ...own.env, ARCRUN_MASTER_KEY: "", ARCRUN_PASSPHRASE: "the right passphrase" };
      const saved = await run(["setup", "notion", "--no-verify"], right, `${TOKEN}\n`);
      expect(saved.code, saved.stderr).toBe(0);
      const { readFile } = await import("node:fs/promises");
      const before = await readFile(join(own.home, "secrets.enc"), "utf8");

      const wrong = { ...right, ARCRUN_PASSPHRASE: "not the passphrase" };
      const r = await run(["list", "--json"], wrong);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      const err = JSON.parse(r.stderr.trim().split("\n").at(-1) ?? "") as {
        error: { code: string; message: string };
      };
      expect(err.error.code).toBe("ERR_STORE_WRONG_KEY");
      expect(err.error.message).toContain("ARCRUN_PASSPHRASE is not the one it was written with");
      const human = await run(["list"], wrong);
      expect(human.code).toBe(1);
      expect(human.stdout).toBe("");
      expect(human.stderr).toContain("cannot be opened with this key");

      expect(await readFile(join(own.home, "secrets.enc"), "utf8")).toBe(before);
      const ok = await run(["list", "--json", "--connected"], right);
      expect(ok.code, ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ services: [{ id: "notion" }] });
    } finally {
      await own.cleanup();
    }
  });
});

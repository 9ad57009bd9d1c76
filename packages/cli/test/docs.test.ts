// docs/cli.md against what the CLI really does: numbers, the Node requirement, environment variables, and
// the order of setup's output.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { loadCatalog } from "@arcrun/recipes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run, type Sandbox, sandbox } from "./helpers/cli.js";

const root = join(__dirname, "..", "..", "..");
const doc = readFileSync(join(root, "docs", "cli.md"), "utf8");

let box: Sandbox;
beforeAll(async () => {
  box = await sandbox();
});
afterAll(async () => {
  await box.cleanup();
});

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("docs/cli.md", () => {
  it("the doctor example counts the built-in recipes and names the Node requirement of package.json", () => {
    const n = loadCatalog().length;
    expect(doc).toContain(`Recipes: ${n} (${n} built in;`);
    expect(doc).toContain(`"builtin": ${n}`);
    const pkg = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as {
      engines: { node: string };
    };
    expect(doc).toContain(`(needs ${pkg.engines.node})`);
    expect(doc).toContain(`"required": "${pkg.engines.node}"`);
  });

  it("the environment table names every ARCRUN_ variable the CLI and arcrun-auth read", () => {
    const table = doc.slice(doc.indexOf("## Environment"));
    const read = new Set<string>();
    for (const file of [
      ...sources(join(root, "packages", "auth", "src")),
      ...sources(join(__dirname, "..", "src")),
    ]) {
      for (const m of readFileSync(file, "utf8").matchAll(/env\.(ARCRUN_[A-Z_]+)/g)) if (m[1]) read.add(m[1]);
    }
    expect(read.size).toBeGreaterThan(5);
    for (const name of read) expect(table, name).toContain(`\`${name}\``);
    expect(table).toContain("`ARCRUN_<SERVICE>_<KEY>`");
    expect(table).toContain("`ARCRUN_<SERVICE>__<INSTANCE>_<KEY>`");
  });

  it("the setup example is in the order setup prints", async () => {
    const example = /\$ arcrun setup notion\n([^`]*)```/.exec(doc)?.[1] ?? "";
    const setting = example.indexOf("Setting up Notion");
    const getIt = example.indexOf("Internal Integration Token: get it at");
    expect(setting).toBeGreaterThanOrEqual(0);
    expect(getIt).toBeGreaterThanOrEqual(0);
    const r = await run(
      ["setup", "notion", "--no-verify"],
      box.env,
      "secret_0123456789abcdef0123456789abcdef\n",
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.indexOf("Setting up Notion")).toBeLessThan(r.stderr.indexOf("get it at"));
    expect(setting).toBeLessThan(getIt);
  });
});

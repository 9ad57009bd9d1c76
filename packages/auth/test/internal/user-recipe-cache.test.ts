import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const PKG = resolve(import.meta.dirname, "../..");
const DIST = resolve(PKG, "dist/index.js");

interface ChildResult {
  baseUrl: string;
  hosts: string[];
  validation: string[];
}

/** A cold start in a fresh Node process of the built package, with module loads traced. */
function coldStart(home: string, service: string): ChildResult {
  const r = spawnSync(
    process.execPath,
    ["--import", "./test/fixtures/trace-loads.mjs", "test/fixtures/user-recipe-child.mjs", DIST, service],
    { cwd: PKG, encoding: "utf8", env: { PATH: process.env.PATH ?? "", ARCRUN_HOME: home } },
  );
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as ChildResult;
}

const recipe = (host: string) =>
  [
    "id: cached_api",
    "extends: notion",
    "display_name: Cached API",
    `base_url: https://${host}/v1`,
    `hosts: [${host}]`,
    "",
  ].join("\n");

describe("user recipes cached as JSON by content", () => {
  let home: string;
  let cacheDir: string;
  beforeEach(async () => {
    expect(existsSync(DIST), "build first: pnpm --filter arcrun-auth build").toBe(true);
    home = await mkdtemp(join(tmpdir(), "arcrun-cache-"));
    cacheDir = join(home, "cache", "recipes");
    await mkdir(join(home, "recipes"));
    await writeFile(join(home, "recipes", "cached_api.yaml"), recipe("api.one.example"));
  });
  afterEach(() => rm(home, { recursive: true, force: true }));

  it("the first start validates (yaml and zod load) and writes the cache; the second loads neither", async () => {
    const first = coldStart(home, "cached_api");
    expect(first.baseUrl).toBe("https://api.one.example/v1");
    expect(first.validation.some((u) => /[/:]zod[/@]|recipes[/]dist[/]loader\.js$/.test(u))).toBe(true);
    const entries = await readdir(cacheDir);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatch(/^[0-9a-f]{64}\.json$/);

    const second = coldStart(home, "cached_api");
    expect(second).toEqual({
      baseUrl: "https://api.one.example/v1",
      hosts: ["api.one.example"],
      validation: [],
    });
  });

  it("a changed file is validated again and its new content used", async () => {
    coldStart(home, "cached_api");
    await writeFile(join(home, "recipes", "cached_api.yaml"), recipe("api.two.example"));
    const changed = coldStart(home, "cached_api");
    expect(changed.baseUrl).toBe("https://api.two.example/v1");
    expect(changed.validation.length).toBeGreaterThan(0);
    expect(await readdir(cacheDir)).toHaveLength(2);
    expect(coldStart(home, "cached_api").validation).toEqual([]);
  });

  it("a corrupt cache entry is ignored, the files validated, and the entry rewritten", async () => {
    coldStart(home, "cached_api");
    const [name] = await readdir(cacheDir);
    const entry = join(cacheDir, name ?? "");
    await writeFile(entry, '{"format":1,"recipes":[{"id":"cached_api"}');
    const again = coldStart(home, "cached_api");
    expect(again.baseUrl).toBe("https://api.one.example/v1");
    expect(again.validation.length).toBeGreaterThan(0);
    expect(JSON.parse(await readFile(entry, "utf8"))).toMatchObject({ format: 1 });
    expect(coldStart(home, "cached_api").validation).toEqual([]);
  });

  it("a broken file stays broken when read from the cache, with the same message", async () => {
    await writeFile(join(home, "recipes", "cached_api.yaml"), "id: cached_api\nprimitive: nope\n");
    const run = () =>
      spawnSync(
        process.execPath,
        [
          "--import",
          "./test/fixtures/trace-loads.mjs",
          "test/fixtures/user-recipe-child.mjs",
          DIST,
          "cached_api",
        ],
        { cwd: PKG, encoding: "utf8", env: { PATH: process.env.PATH ?? "", ARCRUN_HOME: home } },
      );
    const first = run();
    const second = run();
    expect(first.status).not.toBe(0);
    expect(first.stderr).toContain("ERR_RECIPE_INVALID");
    expect(second.status).not.toBe(0);
    const message = (s: string) => /cached_api\.yaml[^\n]*/.exec(s)?.[0];
    expect(message(second.stderr)).toBe(message(first.stderr));
  });
});

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// These tests read the built package: run `pnpm --filter @arcrun/recipes build` first.
const pkg = join(__dirname, "..");
const dist = join(pkg, "dist");

/** zod and yaml are bundled (minified) into the lazily imported files; these markers find them. */
const HEAVY = /ZodError|YAMLParseError/;
const heavy = (file: string) => HEAVY.test(readFileSync(file, "utf8"));

/**
 * Runs an ESM script in a child `node` and parses the JSON it prints. Without NODE_PATH: pnpm's bin shims set
 * it to the store, where `require` would find zod and yaml.
 */
function node(script: string, cwd = pkg): unknown {
  const { NODE_PATH: _, ...env } = process.env;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd,
    env,
    encoding: "utf8",
  });
  return JSON.parse(out);
}

/**
 * A script prelude that records every file Node loads: CommonJS through `require.cache`, ES modules through a
 * module hook (Node 20 has no synchronous hooks; `register` runs `load` off-thread, before each load ends).
 * `loaded()` returns the paths so far.
 */
function recordingLoads(log: string): string {
  const hook = `import { appendFileSync } from "node:fs";
    let log;
    export function initialize(data) { log = data.log; }
    export async function load(url, context, next) {
      if (url.startsWith("file:")) appendFileSync(log, url + "\\n");
      return next(url, context);
    }`;
  return `import { createRequire, register } from "node:module";
    import { readFileSync } from "node:fs";
    import { fileURLToPath } from "node:url";
    register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)}, { data: { log: ${JSON.stringify(log)} } });
    const require = createRequire(import.meta.url);
    const loaded = () => [
      ...Object.keys(require.cache),
      ...readFileSync(${JSON.stringify(log)}, "utf8").split("\\n").filter(Boolean).map((u) => fileURLToPath(u)),
    ];`;
}

let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "arcrun-recipes-dist-"));
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe("dist", () => {
  it("holds one copy of zod and one of yaml, and the package depends on neither", () => {
    const files = readdirSync(dist).filter((f) => /\.c?js$/.test(f));
    const holding = (marker: string) =>
      files.filter((f) => readFileSync(join(dist, f), "utf8").includes(marker));
    expect(holding("ZodError")).toEqual(["loader.js"]);
    expect(holding("YAMLParseError")).toHaveLength(1);
    const manifest = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8"));
    expect(Object.keys(manifest.dependencies ?? {})).not.toContain("zod");
    expect(Object.keys(manifest.dependencies ?? {})).not.toContain("yaml");
  });

  it("every file is reached from an export of package.json (no stale build output is packed)", () => {
    const manifest = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8"));
    const targets: string[] = [];
    const collect = (v: unknown) => {
      if (typeof v === "string") targets.push(v);
      else if (v && typeof v === "object") Object.values(v).forEach(collect);
    };
    collect(manifest.exports);
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      if (!/\.(c?js|d\.c?ts)$/.test(file)) return;
      const code = readFileSync(file, "utf8");
      // A declaration file names its siblings by their JavaScript names.
      const declared = (p: string) =>
        /\.d\.c?ts$/.test(file) ? p.replace(/\.js$/, ".d.ts").replace(/\.cjs$/, ".d.cts") : p;
      for (const m of code.matchAll(/(?:from|import|require)\s*\(?\s*["'](\.\/[^"']+)["']/g)) {
        visit(join(file, "..", declared(m[1] ?? "")));
      }
    };
    for (const t of targets.filter((t) => t.startsWith("./dist/"))) visit(join(pkg, t));
    expect(
      readdirSync(dist)
        .map((f) => join(dist, f))
        .sort(),
    ).toEqual([...seen].sort());
  });

  it("the CJS build takes zod and yaml from the ESM files, with a real import() (not require())", () => {
    for (const f of readdirSync(dist).filter((f) => f.endsWith(".cjs"))) {
      const code = readFileSync(join(dist, f), "utf8");
      expect(code, f).not.toMatch(HEAVY);
      expect(code, f).not.toMatch(/require\(["']\.\/(loader|yaml)\.js["']\)/);
    }
    expect(readFileSync(join(dist, "index.cjs"), "utf8")).toContain('import("./loader.js")');
    expect(readFileSync(join(dist, "node.cjs"), "utf8")).toContain('import("./yaml.js")');
  });

  it("the ESM entry's static import graph reaches neither yaml nor zod", () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const code = readFileSync(file, "utf8");
      for (const m of code.matchAll(/(?:import|export)\s*(?:[\w$*{][^;]*?from\s*)?["'](\.[^"']+)["']/g)) {
        visit(join(file, "..", m[1] ?? ""));
      }
    };
    visit(join(dist, "index.js"));
    expect(seen.size).toBeGreaterThan(1);
    expect([...seen].filter(heavy)).toEqual([]);
    // parseRecipe still reaches them, lazily.
    expect([...seen].some((f) => readFileSync(f, "utf8").includes('import("./loader.js")'))).toBe(true);
  });

  it.each([
    ["CJS", "require(INDEX)", "index.cjs", "node.cjs"],
    ["ESM", "await import(pathToFileURL(INDEX).href)", "index.js", "node.js"],
  ])(
    "%s: loadCatalog() loads neither yaml nor zod; parseRecipe and parseYaml load them",
    (name, load, index, entryNode) => {
      const log = join(tmp, `loads-${name}.log`);
      writeFileSync(log, "");
      const r = node(`${recordingLoads(log)}
      import { pathToFileURL } from "node:url";
      const INDEX = ${JSON.stringify(join(dist, index))};
      const m = ${load};
      const n = m.loadCatalog().length;
      m.getRecipe("notion");
      const afterCatalog = loaded();
      const NODE = ${JSON.stringify(join(dist, entryNode))};
      const sub = ${load.replace("INDEX", "NODE")};
      await sub.parseYaml("a: 1\\n");
      const afterYaml = loaded();
      await m.parseRecipe("id: x\\nextends: notion\\n", "x.yaml");
      console.log(JSON.stringify({ n, afterCatalog, afterYaml, afterParse: loaded() }));`) as {
        n: number;
        afterCatalog: string[];
        afterYaml: string[];
        afterParse: string[];
      };
      expect(r.n).toBeGreaterThan(0);
      expect(r.afterCatalog).toContain(join(dist, index));
      expect(r.afterCatalog.filter(heavy)).toEqual([]);
      // parseYaml loads yaml, not zod.
      expect(r.afterYaml).toContain(join(dist, "yaml.js"));
      expect(r.afterYaml.filter((f) => readFileSync(f, "utf8").includes("ZodError"))).toEqual([]);
      // The recording sees the lazy loads, so the checks above can fail.
      expect(r.afterParse).toContain(join(dist, "loader.js"));
    },
  );
});

describe("a production install (npm pack, then only the tarball's files, no zod or yaml anywhere)", () => {
  let app: string;

  beforeAll(() => {
    app = join(tmp, "app");
    const target = join(app, "node_modules", "@arcrun", "recipes");
    mkdirSync(target, { recursive: true });
    const packed = JSON.parse(
      execFileSync("npm", ["pack", "--json", "--pack-destination", tmp], {
        cwd: pkg,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }),
    ) as { filename: string }[];
    execFileSync("tar", ["-xzf", join(tmp, packed[0]?.filename ?? ""), "-C", target, "--strip-components=1"]);
    mkdirSync(join(app, "recipes"));
    writeFileSync(
      join(app, "recipes", "acme.yaml"),
      "id: acme\nextends: notion\ndisplay_name: Acme\nbase_url: http://127.0.0.1:9/v1\nhosts: [127.0.0.1]\n",
    );
    mkdirSync(join(app, "bad"));
    writeFileSync(
      join(app, "bad", "zz.yaml"),
      "id: zz\nprimitive: static_key\nbase_url: https://api.zz.example\nhosts: [api.zz.example]\ncolour: 1\n",
    );
  });

  const script = (imports: string) => `${imports}
    import { readFileSync } from "node:fs";
    import { createRequire } from "node:module";
    const require = createRequire(process.cwd() + "/");
    const resolves = (id) => { try { require.resolve(id); return true; } catch { return false; } };
    const one = await parseRecipe(readFileSync("recipes/acme.yaml", "utf8"), "acme.yaml");
    const dirs = await loadRecipeDirs(["recipes"]);
    const yaml = await parseYaml("scopes: [a, b]\\n");
    const err = await loadRecipeDirs(["bad"]).then(() => undefined, (e) => e);
    const other = await import("@arcrun/recipes").then((esm) => esm.RecipeError);
    const otherRequired = require("@arcrun/recipes").RecipeError;
    console.log(JSON.stringify({
      zod: resolves("zod"), yaml: resolves("yaml"),
      one: { id: one.id, base_url: one.base_url, header: one.inject.header },
      dirs: dirs.map((r) => r.id),
      parsed: yaml,
      err: { code: err.code, name: err.name, message: err.message, keyPath: err.keyPath, file: err.file },
      instanceOf: [err instanceof RecipeError, err instanceof other, err instanceof otherRequired],
      notInstance: [new Error("x") instanceof RecipeError, { code: err.code } instanceof RecipeError],
      catalog: loadCatalog().length,
      schema: require("@arcrun/recipes/schema.json").title,
    }));`;

  it.each([
    [
      "CJS (require)",
      `import { createRequire as cr } from "node:module";
       const { loadCatalog, parseRecipe, RecipeError } = cr(process.cwd() + "/")("@arcrun/recipes");
       const { loadRecipeDirs, parseYaml } = cr(process.cwd() + "/")("@arcrun/recipes/node");`,
    ],
    [
      "ESM (import)",
      `import { loadCatalog, parseRecipe, RecipeError } from "@arcrun/recipes";
       import { loadRecipeDirs, parseYaml } from "@arcrun/recipes/node";`,
    ],
  ])("%s parses a real YAML file, loads a directory and reports a bad recipe", (_name, imports) => {
    const r = node(script(imports), app) as Record<string, unknown>;
    expect(r).toMatchObject({
      zod: false,
      yaml: false,
      one: {
        id: "acme",
        base_url: "http://127.0.0.1:9/v1",
        header: { "Notion-Version": expect.any(String) },
      },
      dirs: ["acme"],
      parsed: { scopes: ["a", "b"] },
      err: {
        code: "ERR_RECIPE_INVALID",
        name: "RecipeError",
        file: join("bad", "zz.yaml"),
        keyPath: [],
        message:
          'bad/zz.yaml: no key "colour" (unknown key). Fix the recipe file, then run: arcrun recipe validate bad/zz.yaml',
      },
      instanceOf: [true, true, true],
      notInstance: [false, false],
      schema: "arcrun recipe",
    });
    expect(r.catalog).toBeGreaterThan(60);
  });

  it("ships dist/ only: no recipes/ YAML (the catalogue JSON is bundled), no source maps", () => {
    const root = join(app, "node_modules", "@arcrun", "recipes");
    expect(readdirSync(root).sort()).toEqual(["dist", "package.json"]);
    expect(readdirSync(join(root, "dist")).filter((f) => f.endsWith(".map"))).toEqual([]);
  });
});

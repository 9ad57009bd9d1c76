import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Options } from "tsup";

type Plugin = NonNullable<Options["esbuildPlugins"]>[number];

const here = dirname(fileURLToPath(import.meta.url));

// yaml's "node" export is CommonJS that requires `process`, which an ESM bundle cannot; its plain ESM build
// (the one Workers use) runs everywhere.
const yamlEsm = join(
  dirname(createRequire(import.meta.url).resolve("yaml/package.json")),
  "browser/index.js",
);

const entry = { index: "src/index.ts", node: "src/node.ts" };

// The code that needs zod and yaml, reached only by `import()`: parseRecipe / loadRecipeDirs (loader) and
// parseYaml (yaml). It is built once, as minified ESM entries with stable names, and both builds import
// those files at run time: Node >= 20.19 (the engines floor) runs `import()` of ESM from CommonJS. One copy
// of zod and yaml instead of two, and the CJS build never goes through tsup's CJS code splitting (a sucrase
// pass over esbuild's output that breaks minified code and rewrites `import()` into `require()`).
const lazy: Record<string, string> = { loader: "src/loader.ts", yaml: "src/internal/yaml.ts" };
const lazyByFile = new Map(Object.entries(lazy).map(([name, file]) => [resolve(here, file), name]));

const sourceFile = (dir: string, path: string) => resolve(dir, path).replace(/\.js$/, ".ts");

/**
 * `import("./loader.js")` stays an `import()` of `./loader.js` next to the output file, in both formats.
 * In the CJS build, `./node.cjs` takes the shared code from `./index.cjs` (esbuild's CJS output has no code
 * splitting), and zod or yaml reached by a static import fail the build: they belong in the lazy ESM files.
 */
function lazyFiles(format: "esm" | "cjs"): Plugin {
  return {
    name: "arcrun-lazy-files",
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        const file = sourceFile(args.resolveDir, args.path);
        const name = lazyByFile.get(file);
        if (name && args.kind === "dynamic-import") return { path: `./${name}.js`, external: true };
        if (
          format === "cjs" &&
          file === resolve(here, entry.index) &&
          args.importer === resolve(here, entry.node)
        ) {
          return { path: "./index.cjs", external: true };
        }
        return undefined;
      });
      if (format === "cjs") {
        build.onResolve({ filter: /^(zod|yaml)(\/.*)?$/ }, (args) => ({
          errors: [
            {
              text: `${args.path} reached the CJS build from ${relative(here, args.importer)}: load it through the lazy ESM files (tsup.config.ts)`,
            },
          ],
        }));
      }
    },
  };
}

const common: Options = {
  target: "node20",
  minify: true,
  esbuildOptions(options) {
    options.alias = { ...options.alias, yaml: yamlEsm };
  },
};

export default defineConfig([
  // zod and yaml are bundled into the lazy files: installing arcrun-auth pulls neither package's ~7 MB of
  // builds, and loadCatalog() never loads them. The catalogue JSON is bundled into the entries.
  {
    ...common,
    entry: { ...entry, ...lazy },
    format: "esm",
    splitting: true,
    noExternal: ["zod", "yaml"],
    dts: { entry },
    clean: true,
    esbuildPlugins: [lazyFiles("esm")],
    onSuccess: "node scripts/copy-schema.mjs",
  },
  {
    ...common,
    entry,
    format: "cjs",
    splitting: false,
    dts: { entry },
    esbuildPlugins: [lazyFiles("cjs")],
  },
]);

import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { defineConfig, type Options } from "tsup";

// yaml's "node" export is CommonJS that requires `process`, which an ESM bundle cannot; its plain ESM build
// (the one Workers use) runs everywhere.
const yamlEsm = join(
  dirname(createRequire(import.meta.url).resolve("yaml/package.json")),
  "browser/index.js",
);

// The catalogue JSON is bundled in. zod and yaml are bundled too, minified, into the code that only
// parseRecipe / loadRecipeDirs reach (lazily): installing arcrun-auth then pulls neither package's ~7 MB of
// builds, and loadCatalog() never loads them.
const common: Options = {
  entry: { index: "src/index.ts", node: "src/node.ts" },
  target: "node20",
  noExternal: ["zod", "yaml"],
  minify: true,
  esbuildOptions(options) {
    options.alias = { ...options.alias, yaml: yamlEsm };
  },
};

export default defineConfig([
  {
    ...common,
    format: "esm",
    splitting: true,
    dts: true,
    clean: true,
    onSuccess: "node scripts/copy-schema.mjs",
  },
  // tsup's CJS code splitting post-processes esbuild's output and breaks minified code (`super(...);,this.x=`,
  // `else_nullishCoalesce`), so the CJS build is not minified.
  { ...common, format: "cjs", splitting: true, minify: false },
]);

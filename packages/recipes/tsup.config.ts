import { defineConfig, type Options } from "tsup";

// The catalogue JSON is bundled in. zod and yaml are bundled too, minified, into the code that only
// parseRecipe / loadRecipeDirs reach (lazily): installing arcrun-auth then pulls neither package's ~7 MB of
// builds, and loadCatalog() never loads them.
const common: Options = {
  entry: { index: "src/index.ts", node: "src/node.ts" },
  target: "node20",
  noExternal: ["zod", "yaml"],
  minify: true,
};

export default defineConfig([
  { ...common, format: "esm", splitting: true, dts: true, clean: true, onSuccess: "node scripts/copy-schema.mjs" },
  // tsup's CJS code splitting rewrites class fields after esbuild's syntax minification into invalid code
  // (`super(...);,this.x=`), so the CJS build minifies whitespace and identifiers only.
  {
    ...common,
    format: "cjs",
    splitting: true,
    minify: false,
    minifyWhitespace: true,
    minifyIdentifiers: true,
  },
]);

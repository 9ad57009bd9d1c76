import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", node: "src/node.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  splitting: true,
  target: "node20",
  // The generated catalogue JSON is bundled in; yaml and zod stay external and are imported lazily.
  external: ["yaml", "zod"],
  onSuccess: "node scripts/copy-schema.mjs",
});

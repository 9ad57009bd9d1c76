import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  splitting: true,
  target: "node20",
  // import.meta.url (createRequire for undici) in the CJS build.
  shims: true,
});

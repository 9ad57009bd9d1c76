import { defineConfig } from "tsup";

// ESM only: the CLI is a program, and `main` is importable for embedding. Commands are separate chunks
// (dynamic imports in src/main.ts), so `arcrun list` loads only what it runs.
export default defineConfig({
  entry: { index: "src/index.ts", bin: "src/bin.ts" },
  format: ["esm"],
  dts: { entry: { index: "src/index.ts" } },
  clean: true,
  splitting: true,
  target: "node20",
});

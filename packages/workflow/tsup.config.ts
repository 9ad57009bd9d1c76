import { defineConfig } from "tsup";

// yaml stays an external dependency: each consumer's bundler picks its build (wrangler and the executor's
// esbuild take the plain ESM one through the workerd/browser conditions; Node takes the "node" one).
export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  target: "es2022",
  platform: "neutral",
});

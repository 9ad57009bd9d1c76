import { defineConfig } from "vitest/config";

// Two projects: `unit` (no network beyond loopback fixtures the test starts, fast) and
// `integration` (real servers: oidc-provider, workerd via miniflare, Chromium, gnome-keyring).
// CI reads the JSON report to print a plain "N passed, N failed" line; it names the report of each Node
// version's run with ARCRUN_TEST_RESULTS.
const reporters: NonNullable<import("vitest/node").UserConfig["test"]>["reporters"] = process.env.CI
  ? ["default", ["json", { outputFile: process.env.ARCRUN_TEST_RESULTS || "test-results.json" }]]
  : ["default"];

export default defineConfig({
  test: {
    reporters,
    projects: [
      {
        test: {
          name: "unit",
          include: ["packages/*/test/**/*.test.ts", "examples/test/**/*.test.ts", "bench/test/**/*.test.ts"],
          exclude: ["**/*.integration.test.ts", "**/node_modules/**"],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["packages/*/test/**/*.integration.test.ts", "examples/test/**/*.integration.test.ts"],
          exclude: ["**/node_modules/**"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});

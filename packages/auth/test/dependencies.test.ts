import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const PKG = resolve(import.meta.dirname, "..");
const manifest = JSON.parse(readFileSync(resolve(PKG, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
};

describe("install size: production dependencies", () => {
  it("has no yaml or jose: config.yaml uses @arcrun/recipes' parser, assertions use WebCrypto", () => {
    expect(Object.keys(manifest.dependencies)).not.toContain("yaml");
    expect(Object.keys(manifest.dependencies)).not.toContain("jose");
    // The OS keyring stays a hard part of the product: a TypeScript Secret Service client on Linux, and on
    // macOS/Windows only their platform's prebuilt @napi-rs/keyring binding (no Linux binary is installed).
    expect(Object.keys(manifest.dependencies)).not.toContain("@napi-rs/keyring");
    expect(Object.keys(manifest.optionalDependencies ?? {}).sort()).toEqual([
      "@napi-rs/keyring-darwin-arm64",
      "@napi-rs/keyring-darwin-x64",
      "@napi-rs/keyring-win32-arm64-msvc",
      "@napi-rs/keyring-win32-ia32-msvc",
      "@napi-rs/keyring-win32-x64-msvc",
    ]);
  });

  it("the built package imports neither yaml nor jose", () => {
    const dist = resolve(PKG, "dist");
    const files = readdirSync(dist).filter((f) => /\.(c?js)$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const text = readFileSync(resolve(dist, f), "utf8");
      expect(text, f).not.toMatch(/(?:from |import\(|require\()["'](?:yaml|jose)["']/);
    }
  });
});

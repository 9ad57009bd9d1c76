import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const PKG = resolve(import.meta.dirname, "..");
const DIST = resolve(PKG, "dist/index.js");

describe("import cost", () => {
  it("import + bind load no keyring, yaml, zod, undici, prompt, jose or open (built package)", () => {
    expect(existsSync(DIST), "build first: pnpm --filter arcrun-auth build").toBe(true);
    const r = spawnSync(
      process.execPath,
      ["--import", "./test/fixtures/trace-loads.mjs", "test/fixtures/import-cost-child.mjs", DIST],
      { cwd: PKG, encoding: "utf8" },
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      atImport: { heavy: string[]; ownFiles: string[]; internalUndici: boolean };
      afterRequest: string[];
    };
    expect(out.atImport).toEqual({ heavy: [], ownFiles: ["index.js"], internalUndici: false });
    // The tracing does see modules load: asking for the dispatcher brings in undici.
    expect(out.afterRequest.some((u) => u.includes("undici"))).toBe(true);
  });
});

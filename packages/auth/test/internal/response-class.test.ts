import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { expect, it } from "vitest";

const PKG = resolve(import.meta.dirname, "../..");

it("the first request makes the Response class while the server answers, not after (test/fixtures/response-class-child.ts)", () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", "test/fixtures/response-class-child.ts"], {
    cwd: PKG,
    encoding: "utf8",
    timeout: 30_000,
    env: { PATH: process.env.PATH ?? "" },
  });
  expect(r.status, r.stderr).toBe(0);
  // Whether this Node has loaded its internal undici once the fixture's own imports are done, before any
  // request: Node 20 has not; from Node 22 an ESM import of node:http does (the fixture needs one for its
  // server), and then "before" cannot be false whatever the library does.
  const bare = spawnSync(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      'await import("node:http"); process.stdout.write(String(process.moduleLoadList.some((m) => m.includes("internal/deps/undici/undici"))))',
    ],
    { cwd: PKG, encoding: "utf8", timeout: 30_000, env: { PATH: process.env.PATH ?? "" } },
  );
  expect(bare.status, bare.stderr).toBe(0);
  expect(JSON.parse(r.stdout)).toEqual({
    before: bare.stdout === "true",
    atRequest: true,
    after: true,
    body: "ok",
    isResponse: true,
  });
});

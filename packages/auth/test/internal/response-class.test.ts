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
  expect(JSON.parse(r.stdout)).toEqual({
    before: false,
    atRequest: true,
    after: true,
    body: "ok",
    isResponse: true,
  });
});

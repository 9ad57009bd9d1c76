import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";

const PKG = resolve(import.meta.dirname, "../..");

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "arcrun-cold-store-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** One cold start in a fresh process (test/fixtures/cold-store-child.ts), with a D-Bus address that is not there. */
function coldStart(
  env: Record<string, string>,
  ...args: string[]
): { result: unknown; keyringClient: boolean } {
  const r = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "--import",
      "./test/fixtures/trace-loads.mjs",
      "test/fixtures/cold-store-child.ts",
      ...args,
    ],
    {
      cwd: PKG,
      encoding: "utf8",
      timeout: 30_000,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: dir,
        ARCRUN_HOME: dir,
        DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(dir, "no-bus")}`,
        ...env,
      },
    },
  );
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { result: unknown; keyringClient: boolean };
}

it("an explicit encrypted-file store that ARCRUN_MASTER_KEY opens never loads the keyring's client", () => {
  const env = { ARCRUN_STORE: "encrypted-file", ARCRUN_MASTER_KEY: randomBytes(32).toString("base64") };
  expect(coldStart(env, "set", "secret-one")).toEqual({ result: { ok: true }, keyringClient: false });
  expect(coldStart(env, "get")).toEqual({ result: { token: "secret-one" }, keyringClient: false });
});

it("without a key in the environment the explicit encrypted-file store still asks the keyring", () => {
  // Whether a keyring answers decides which key a new file gets, so it is probed (and here does not answer).
  const got = coldStart({ ARCRUN_STORE: "encrypted-file" }, "set", "secret-two");
  expect(got).toEqual({
    result: { error: "ERR_STORE_UNAVAILABLE" },
    keyringClient: process.platform === "linux",
  });
});

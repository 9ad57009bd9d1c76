import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";

const PKG = resolve(import.meta.dirname, "../..");

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "arcrun-cold-store-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface ColdStart {
  result: unknown;
  /** Whether the keyring's client (Secret Service over D-Bus, or the native binding) was loaded. */
  keyringClient: boolean;
  /** Whether the YAML parser (for config.yaml) was loaded. */
  yaml: boolean;
}

/** One cold start in a fresh process (test/fixtures/cold-store-child.ts), with a D-Bus address that is not there. */
function coldStart(env: Record<string, string>, ...args: string[]): ColdStart {
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
  return JSON.parse(r.stdout) as ColdStart;
}

it("an explicit encrypted-file store that ARCRUN_MASTER_KEY opens never loads the keyring's client", () => {
  const env = { ARCRUN_STORE: "encrypted-file", ARCRUN_MASTER_KEY: randomBytes(32).toString("base64") };
  expect(coldStart(env, "set", "secret-one")).toMatchObject({ result: { ok: true }, keyringClient: false });
  expect(coldStart(env, "get")).toMatchObject({ result: { token: "secret-one" }, keyringClient: false });
});

it("without a key in the environment the explicit encrypted-file store still asks the keyring", () => {
  // Whether a keyring answers decides which key a new file gets, so it is probed (and here does not answer).
  const got = coldStart({ ARCRUN_STORE: "encrypted-file" }, "set", "secret-two");
  expect(got).toMatchObject({
    result: { error: "ERR_STORE_UNAVAILABLE" },
    keyringClient: process.platform === "linux",
  });
});

it("a read neither reads config.yaml nor removes temp files; storeInfo() and a write still do", () => {
  const env = { ARCRUN_STORE: "encrypted-file", ARCRUN_MASTER_KEY: randomBytes(32).toString("base64") };
  coldStart(env, "set", "secret-three");
  writeFileSync(join(dir, "config.yaml"), "store_key: key-file\n");
  // What a writer killed between creating its temp file and renaming it leaves (its process is gone).
  const gone = spawnSync(process.execPath, ["-e", ""]).pid;
  const orphan = `secrets.enc.${gone}.0a1b2c3d4e5f.tmp`;
  writeFileSync(join(dir, orphan), "half a write");
  const temps = () => readdirSync(dir).filter((n) => n.endsWith(".tmp"));

  // The cold path of a script: no YAML parser for config.yaml (only doctor and setup show store_key), no
  // scan of the directory.
  expect(coldStart(env, "get")).toMatchObject({ result: { token: "secret-three" }, yaml: false });
  expect(temps()).toEqual([orphan]);

  expect(coldStart(env, "info")).toMatchObject({
    result: { kind: "encrypted-file", keyChoice: "key-file" },
    yaml: true,
  });
  // A write, under the lock, removes it.
  coldStart(env, "set", "secret-four");
  expect(temps()).toEqual([]);
  expect(coldStart(env, "get").result).toEqual({ token: "secret-four" });
});

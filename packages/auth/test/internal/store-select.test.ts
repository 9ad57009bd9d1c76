import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { selectStore } from "../../src/internal/store-select.js";

const PKG = resolve(import.meta.dirname, "../..");
const tsx = createRequire(import.meta.url).resolve("tsx");
const root = mkdtempSync(join(tmpdir(), "arcrun-notice-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** No D-Bus session: no keyring answers, so the encrypted file is chosen and announced. */
function envFor(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    HOME: root,
    DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent",
    ARCRUN_HOME: home,
    ARCRUN_MASTER_KEY: randomBytes(32).toString("base64"),
    ...extra,
  };
}

function child(env: Record<string, string>): { kind: string; notice: string | null; warnings: string[] } {
  const r = spawnSync(process.execPath, ["--import", tsx, "test/fixtures/store-notice-child.ts"], {
    cwd: PKG,
    env,
    encoding: "utf8",
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim()) as { kind: string; notice: string | null; warnings: string[] };
}

describe("the encrypted-file fallback notice", () => {
  it("is announced once per ARCRUN_HOME and reason, across processes, and remembered in a 0600 file", () => {
    const home = join(root, "a");
    const env = envFor(home);
    const first = child(env);
    expect(first.kind).toBe("encrypted-file");
    expect(first.warnings).toHaveLength(1);
    expect(first.warnings[0]).toContain("no OS keyring answered");
    expect(first.warnings[0]).toContain("with the key from ARCRUN_MASTER_KEY");
    expect(statSync(join(home, "store-notice.json")).mode & 0o777).toBe(0o600);

    // A later process with the same home: silent, but the notice is still there for doctor and setup.
    const second = child(env);
    expect(second.warnings).toEqual([]);
    expect(second.notice).toBe(first.warnings[0]);

    // Another reason (here: no key at all, so nothing can be written) is announced again, once.
    const { ARCRUN_MASTER_KEY: _k, ...noKey } = env;
    expect(child(noKey).warnings).toEqual([
      expect.stringContaining("set ARCRUN_PASSPHRASE or ARCRUN_MASTER_KEY"),
    ]);
    expect(child(noKey).warnings).toEqual([]);

    // Another home is announced on its own.
    expect(child(envFor(join(root, "b"))).warnings).toHaveLength(1);
  });

  it("in one process: once, even when the store is chosen again", async () => {
    const home = join(root, "c");
    const warnings: string[] = [];
    const logger = { warn: (m: string) => void warnings.push(m) };
    const a = await selectStore("auto", home, envFor(home), logger);
    const b = await selectStore("auto", home, envFor(home), logger);
    expect(warnings).toHaveLength(1);
    expect(a.info.notice).toBe(warnings[0]);
    expect(b.info.notice).toBe(warnings[0]);
  });

  it("a home it cannot write to (read-only in CI) is remembered in the private runtime directory: once per home", () => {
    const file = join(root, "not-a-dir");
    writeFileSync(file, "");
    const home = join(file, "home");
    const env = { ...envFor(home), XDG_RUNTIME_DIR: join(root, "runtime") };
    expect(child(env).warnings).toHaveLength(1);
    expect(child(env).warnings).toHaveLength(0);
    expect(statSync(join(root, "runtime", "arcrun")).mode & 0o777).toBe(0o700);
  });

  it("when neither the home nor the runtime directory can be written it cannot remember: every time, never silent", () => {
    const file = join(root, "not-a-dir-2");
    writeFileSync(file, "");
    const env = { ...envFor(join(file, "home")), XDG_RUNTIME_DIR: join(file, "runtime") };
    expect(child(env).warnings).toHaveLength(1);
    expect(child(env).warnings).toHaveLength(1);
  });
});

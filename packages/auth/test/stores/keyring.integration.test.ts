import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CHILD = resolve(import.meta.dirname, "../fixtures/keyring-child.ts");
const ROOT = resolve(import.meta.dirname, "../../../..");
const hasDbus =
  spawnSync("sh", ["-c", "command -v dbus-run-session && command -v gnome-keyring-daemon"]).status === 0;

let dir: string;
let env: Record<string, string>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "arcrun-keyring-"));
  for (const d of ["data", "config", "cache", "runtime", "home"])
    mkdirSync(join(dir, d), { recursive: true, mode: 0o700 });
  env = {
    PATH: process.env.PATH ?? "",
    HOME: join(dir, "home"),
    XDG_DATA_HOME: join(dir, "data"),
    XDG_CONFIG_HOME: join(dir, "config"),
    XDG_CACHE_HOME: join(dir, "cache"),
    XDG_RUNTIME_DIR: join(dir, "runtime"),
    ARCRUN_HOME: join(dir, "home", ".arcrun"),
  };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const node = (args: string) => `node --import tsx ${CHILD} ${args}`;

/** Runs shell commands inside one private D-Bus session with an unlocked gnome-keyring. */
function inKeyring(commands: string[]): { lines: unknown[]; stderr: string; status: number | null } {
  const script = `echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; ${commands.join(" && ")}`;
  const r = spawnSync("dbus-run-session", ["--", "bash", "-c", script], { cwd: ROOT, env, encoding: "utf8" });
  const lines = r.stdout
    .split("\n")
    .filter((l) => l.startsWith("{") || l.startsWith("[") || l === "null")
    .map((l) => JSON.parse(l));
  return { lines, stderr: r.stderr, status: r.status };
}

describe.skipIf(!hasDbus)("OS keyring through a real Secret Service (gnome-keyring)", () => {
  it("set in one process, read back from a second, listed, deleted", () => {
    const r = inKeyring([
      node("probe"),
      node("set notion kr-secret-value-1"),
      node("get notion"),
      node("list"),
      node("delete notion"),
      node("get notion"),
      node("delete notion"),
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.lines).toEqual([
      { ok: true },
      { ok: true },
      { token: "kr-secret-value-1" },
      [{ service: "notion", instance: "default" }],
      { deleted: true },
      null,
      { deleted: false },
    ]);
    expect(r.stderr).not.toContain("kr-secret-value-1");
  });

  it("auto picks the keyring when it answers, and writes no secrets file", () => {
    const r = inKeyring([node("auto notion kr-auto-1")]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.lines[0]).toMatchObject({ info: { kind: "keyring" }, token: "kr-auto-1" });
    expect(r.stderr).not.toContain("encrypted file");
    expect(existsSync(join(env.ARCRUN_HOME as string, "secrets.enc"))).toBe(false);
  });

  it("without D-Bus: the encrypted-file fallback is used and announced once on stderr", () => {
    const r = spawnSync("bash", ["-c", `${node("auto notion fb-secret-1")}`], {
      cwd: ROOT,
      env: { ...env, ARCRUN_PASSPHRASE: "fallback pass" },
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim());
    expect(out).toMatchObject({
      info: { kind: "encrypted-file", keySource: "ARCRUN_PASSPHRASE" },
      token: "fb-secret-1",
    });
    const announcements = r.stderr.split("\n").filter((l) => l.includes("no OS keyring answered"));
    expect(announcements).toHaveLength(1);
    expect(announcements[0]).toContain("using the encrypted file");
    expect(announcements[0]).toContain("Run: arcrun doctor");
    expect(r.stderr).not.toContain("fb-secret-1");
    const file = readFileSync(join(env.ARCRUN_HOME as string, "secrets.enc"), "utf8");
    expect(file).not.toContain("fb-secret-1");
  });
});

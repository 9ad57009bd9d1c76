import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BundledScript, bundleScript } from "../support/bundle.js";

const CHILD = resolve(import.meta.dirname, "../fixtures/keyring-child.ts");
const ROOT = resolve(import.meta.dirname, "../../../..");
const hasDbus =
  spawnSync("sh", ["-c", "command -v dbus-run-session && command -v gnome-keyring-daemon"]).status === 0;

let dir: string;
let env: Record<string, string>;
// The child, bundled once: about 45 child processes start here, each without tsx's loader.
let child: BundledScript;

beforeAll(async () => {
  child = await bundleScript(CHILD);
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
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await child.dispose();
});

const node = (args: string) => `node ${child.path} ${args}`;

function jsonLines(stdout: string): unknown[] {
  return stdout.split("\n").flatMap((l) => {
    if (!(l.startsWith("{") || l.startsWith("[") || l === "null")) return [];
    try {
      return [JSON.parse(l)];
    } catch {
      return [];
    }
  });
}

/**
 * Runs shell commands inside one private D-Bus session with an unlocked gnome-keyring. The timeout turns a
 * hang (a prompt nobody answers, a socket that keeps a process alive) into a failure.
 */
function inKeyring(commands: string[]): {
  lines: unknown[];
  stdout: string;
  stderr: string;
  status: number | null;
} {
  const script = `echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; ${commands.join(" && ")}`;
  const r = spawnSync("dbus-run-session", ["--", "bash", "-c", script], {
    cwd: ROOT,
    env,
    encoding: "utf8",
    timeout: 90_000,
  });
  return { lines: jsonLines(r.stdout), stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** Runs the child once, asynchronously (the test process keeps serving a socket meanwhile). */
function runChild(
  args: string[],
  extraEnv: Record<string, string>,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((done) => {
    const p = spawn("node", [child.path, ...args], { cwd: ROOT, env: { ...env, ...extraEnv } });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    p.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => p.kill(), 60_000);
    p.on("close", (code) => {
      clearTimeout(timer);
      done({ stdout, stderr, code });
    });
  });
}

const FOREIGN_SECRET = "hunter2-not-json";
const lock =
  "dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null";

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

  it("overwrite keeps one entry with keyring-rs' attributes (service, username) and an arcrun label", () => {
    const r = inKeyring([
      node("set ow ow-value-1"),
      node("set ow ow-value-2"),
      node("get ow"),
      "secret-tool lookup service arcrun-test username ow/default; echo",
      "secret-tool search --all service arcrun-test username ow/default",
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.lines.slice(0, 3)).toEqual([{ ok: true }, { ok: true }, { token: "ow-value-2" }]);
    // secret-tool (libsecret) decrypts what this client sent: the dh-ietf1024 session works both ways.
    expect(r.lines[3]).toMatchObject({ v: 1, type: "static_key", values: { token: "ow-value-2" } });
    expect(r.stdout.match(/^label = /gm)).toHaveLength(1);
    expect(r.stdout).toContain("label = arcrun-test: ow/default");
    expect(r.stdout).toContain("schema = org.freedesktop.Secret.Generic");
    expect(r.stderr).toContain("attribute.service = arcrun-test");
    expect(r.stderr).toContain("attribute.username = ow/default");
  });

  it("a 64 KB value with unicode survives the round trip, read by a second process; over the 2,560-byte entry limit it lives in secrets.enc and the entry holds a pointer", () => {
    // Its own ARCRUN_HOME and keyring service: the fallback test above left a passphrase-locked secrets.enc
    // in the shared home, and the master-key test below expects no master key in "arcrun-test".
    const home = `ARCRUN_HOME=${join(dir, "big-home")} ARCRUN_KEYRING_SERVICE=arcrun-big`;
    const r = inKeyring([
      `${home} ${node("set-big big")}`,
      `${home} ${node("get-big big")}`,
      "secret-tool lookup service arcrun-big username big/default; echo",
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split("\n").at(-1)).toBe('{"arcrun_overflow":1}');
    const [set, got] = r.lines as Array<{ bytes: number; sha: string; same?: boolean }>;
    expect(set?.bytes).toBeGreaterThan(65536);
    expect(got).toEqual({ bytes: set?.bytes, sha: set?.sha, same: true });
  });

  it("the master key: created once, read back by another process, kept as base64", () => {
    const r = inKeyring([
      node("master - read"),
      node("master - create"),
      node("master - read"),
      "secret-tool lookup service arcrun-test username __arcrun_master_key__ | base64 -d | wc -c",
    ]);
    expect(r.status, r.stderr).toBe(0);
    const [before, created, again] = r.lines as Array<{ bytes: number; sha: string } | null>;
    expect(before).toBeNull();
    expect(created?.bytes).toBe(32);
    expect(again).toEqual(created);
    expect(r.stdout.trim().split("\n").at(-1)?.trim()).toBe("32");
  });

  it("an entry secret-tool wrote with the same attributes is read, listed, and updated in place", () => {
    const json =
      '{"v":1,"type":"static_key","values":{"token":"st-1"},"created_at":"2026-01-01T00:00:00.000Z","updated_at":"2026-01-01T00:00:00.000Z"}';
    const r = inKeyring([
      `printf '%s' '${json}' | secret-tool store --label=by-hand service arcrun-test username st/default`,
      node("get st"),
      node("list"),
      node("set st st-2"),
      node("get st"),
      "secret-tool search --all service arcrun-test username st/default",
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.lines[0]).toEqual({ token: "st-1" });
    expect(r.lines[1]).toContainEqual({ service: "st", instance: "default" });
    expect(r.lines.slice(2, 4)).toEqual([{ ok: true }, { token: "st-2" }]);
    expect(r.stdout.match(/^label = /gm)).toHaveLength(1);
    expect(r.stdout).toContain("label = by-hand");
  });

  it("a value that is not an arcrun credential is ERR_STORE_CORRUPT, never overwritten, never shown", () => {
    const r = inKeyring([
      `printf '%s' '${FOREIGN_SECRET}' | secret-tool store --label=foreign service arcrun-test username foreign/default`,
      node("get foreign"),
      node("set foreign mine"),
      "secret-tool lookup service arcrun-test username foreign/default; echo",
    ]);
    expect(r.status, r.stderr).toBe(0);
    const [get, set] = r.lines as Array<{ error: { code: string; message: string } }>;
    for (const e of [get, set]) {
      expect(e?.error.code).toBe("ERR_STORE_CORRUPT");
      expect(e?.error.message).toContain(
        "arcrun-test/foreign/default is not an arcrun credential; it was left as it is",
      );
      expect(e?.error.message).toContain("then run: arcrun setup foreign");
      expect(e?.error.message).not.toContain(FOREIGN_SECRET);
    }
    expect(r.stdout.trim().split("\n").at(-1)).toBe(FOREIGN_SECRET);
    expect(r.stderr).not.toContain(FOREIGN_SECRET);
  });

  it("two entries that both match (another tool added an attribute) are an error, and neither is changed", () => {
    const json = '{"v":1,"type":"static_key","values":{"token":"dup"},"created_at":"x","updated_at":"x"}';
    const r = inKeyring([
      `printf '%s' '${json}' | secret-tool store --label=one service arcrun-test username dup/default extra 1`,
      `printf '%s' '${json}' | secret-tool store --label=two service arcrun-test username dup/default extra 2`,
      node("get dup"),
      node("set dup other"),
      "secret-tool lookup service arcrun-test username dup/default extra 1; echo",
      "secret-tool lookup service arcrun-test username dup/default extra 2; echo",
    ]);
    expect(r.status, r.stderr).toBe(0);
    for (const line of r.lines.slice(0, 2)) {
      expect(line).toEqual({
        error: {
          code: "ERR_STORE_UNAVAILABLE",
          message:
            "The OS keyring did not answer (2 keyring entries match service=arcrun-test username=dup/default; remove the extra ones with your keyring app). Set ARCRUN_PASSPHRASE or ARCRUN_MASTER_KEY to use the encrypted file instead, or run: arcrun doctor",
        },
      });
    }
    expect(r.lines.slice(2)).toEqual([JSON.parse(json), JSON.parse(json)]);
  });

  it("headless with a locked keyring, auto takes the encrypted file and says why", () => {
    const home = join(dir, "home", "locked-auto");
    const r = inKeyring([
      node("set la la-value"),
      lock,
      `ARCRUN_HOME='${home}' ARCRUN_PASSPHRASE='locked pass' ${node("auto notion la-auto-1")}`,
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.lines[1]).toMatchObject({
      info: { kind: "encrypted-file", keySource: "ARCRUN_PASSPHRASE" },
      token: "la-auto-1",
    });
    const announcement = r.stderr.split("\n").find((l) => l.includes("no OS keyring answered"));
    expect(announcement).toContain("the default keyring is locked");
    expect(existsSync(join(home, "secrets.enc"))).toBe(true);
  });

  it("a locked keyring whose unlock prompt cannot be shown (no display) ends in a clear error, not a hang", () => {
    const r = inKeyring([
      node("set lk lk-value"),
      lock,
      node("probe"),
      node("get lk"),
      node("set lk other"),
      node("delete lk"),
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.lines[0]).toEqual({ ok: true });
    // Headless, a locked keyring does not count as answering: "auto" takes the encrypted file instead.
    expect(r.lines[1]).toEqual({
      ok: false,
      reason:
        "the default keyring is locked, and with no display (DISPLAY, WAYLAND_DISPLAY) nothing can ask you to unlock it",
    });
    for (const line of r.lines.slice(2)) {
      const e = (line as { error: { code: string; message: string } }).error;
      expect(e.code).toBe("ERR_STORE_UNAVAILABLE");
      expect(e.message).toContain(
        "The OS keyring did not answer (the keyring is locked and its unlock prompt was dismissed or could not be shown (no display?); unlock it in your desktop session (or your keyring app) and retry). Set ARCRUN_PASSPHRASE",
      );
      expect(e.message).toContain(
        "Set ARCRUN_PASSPHRASE or ARCRUN_MASTER_KEY to use the encrypted file instead",
      );
    }
    expect(r.lines).toHaveLength(5);
    expect(r.stdout).not.toContain("lk-value");
  });

  it("gnome-keyring started by D-Bus activation with no keyring yet and no display: the probe says no, a save is a clear error, not a hang", () => {
    const fresh = join(dir, "fresh-data");
    mkdirSync(fresh, { recursive: true, mode: 0o700 });
    const r = spawnSync(
      "dbus-run-session",
      ["--", "bash", "-c", `${node("probe")} && ${node("set fr fr-1")}`],
      {
        cwd: ROOT,
        env: { ...env, XDG_DATA_HOME: fresh },
        encoding: "utf8",
        timeout: 90_000,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const [probe, set] = jsonLines(r.stdout) as [unknown, { error: { code: string; message: string } }];
    // The probe says the keyring cannot be used here, so "auto" falls back to the encrypted file...
    expect(probe).toEqual({
      ok: false,
      reason:
        "the Secret Service has no default keyring yet, and with no display (DISPLAY, WAYLAND_DISPLAY) nothing can ask you to create it",
    });
    // ...and the keyring store, asked for explicitly, says why it failed instead of hanging on the prompt.
    expect(set.error.code).toBe("ERR_STORE_UNAVAILABLE");
    expect(set.error.message).toContain(
      "the keyring's prompt to create the default keyring was dismissed or could not be shown (no display?)",
    );
  });

  it("a process that used the keyring exits by itself (the D-Bus socket does not hold it open)", () => {
    // `timeout` exits 124 if it has to kill a child that did not finish on its own.
    const r = inKeyring([
      `timeout 20 ${node("set ex ex-1")}`,
      `timeout 20 ${node("get ex")}`,
      `timeout 20 ${node("list")}`,
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.lines.slice(0, 2)).toEqual([{ ok: true }, { token: "ex-1" }]);
  });

  it("no bus at DBUS_SESSION_BUS_ADDRESS: probe says why, a read is ERR_STORE_UNAVAILABLE", async () => {
    const missing = join(dir, "runtime", "no-such-bus");
    const busEnv = { DBUS_SESSION_BUS_ADDRESS: `unix:path=${missing}` };
    const probe = await runChild(["probe"], busEnv);
    expect(JSON.parse(probe.stdout)).toEqual({
      ok: false,
      reason: `cannot connect to the D-Bus session bus at ${missing} (ENOENT)`,
    });
    const get = await runChild(["get", "notion"], busEnv);
    expect(JSON.parse(get.stdout).error).toEqual({
      code: "ERR_STORE_UNAVAILABLE",
      message: `The OS keyring did not answer (cannot connect to the D-Bus session bus at ${missing} (ENOENT)). Set ARCRUN_PASSPHRASE or ARCRUN_MASTER_KEY to use the encrypted file instead, or run: arcrun doctor`,
    });
  });

  describe("a bus that accepts the connection and never answers (mock peer: a silent socket)", () => {
    let server: Server;
    let path: string;
    beforeAll(async () => {
      path = join(dir, "runtime", "silent-bus");
      // It reads (so it sees the client hang up) and never writes.
      server = createServer((socket) => socket.resume());
      await new Promise<void>((ok) => server.listen(path, ok));
    });
    afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

    it("probe reports the timeout instead of hanging; the fallback store takes over", async () => {
      const busEnv = { DBUS_SESSION_BUS_ADDRESS: `unix:path=${path}` };
      // Two processes at once, each waiting out the 5 s connect timeout: they share nothing but the socket.
      const [probe, auto] = await Promise.all([
        runChild(["probe"], busEnv),
        runChild(["auto", "notion", "silent-fb-1"], {
          ...busEnv,
          ARCRUN_PASSPHRASE: "pass",
          ARCRUN_HOME: join(dir, "silent-home"),
        }),
      ]);
      expect(probe.code, probe.stderr).toBe(0);
      expect(JSON.parse(probe.stdout)).toEqual({
        ok: false,
        reason: `the D-Bus session bus at ${path} did not answer within 5000 ms`,
      });
      expect(auto.code, auto.stderr).toBe(0);
      expect(JSON.parse(auto.stdout)).toMatchObject({
        info: { kind: "encrypted-file" },
        token: "silent-fb-1",
      });
      expect(auto.stderr).toContain("no OS keyring answered (the D-Bus session bus at");
    }, 40_000);
  });
});

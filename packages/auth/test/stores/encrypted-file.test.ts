import { type ChildProcess, spawn } from "node:child_process";
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EncryptedFileStore, keysFromEnv } from "../../src/stores/encrypted-file.js";
import type { StoredCredential } from "../../src/types.js";

const CHILD = resolve(import.meta.dirname, "../fixtures/store-child.ts");
const ROOT = resolve(import.meta.dirname, "../../../..");

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "arcrun-enc-"));
  file = join(dir, "home", "secrets.enc");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const cred = (token: string): StoredCredential => ({
  v: 1,
  type: "static_key",
  values: { token },
  created_at: "2026-01-01T00:00:00.000Z",
  updated_at: "2026-01-01T00:00:00.000Z",
});

const withPass = (p: string) =>
  new EncryptedFileStore({ path: file, keys: keysFromEnv({ ARCRUN_PASSPHRASE: p }) });
const MASTER = "a".repeat(64);

function child(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", CHILD, file, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

function run(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((res, rej) => {
    const p = child(args, env);
    let out = "";
    let err = "";
    p.stdout?.on("data", (d: Buffer) => {
      out += d;
    });
    p.stderr?.on("data", (d: Buffer) => {
      err += d;
    });
    p.on("exit", (code) => (code === 0 ? res(out) : rej(new Error(`child exited ${code}: ${err}`))));
  });
}

describe("EncryptedFileStore", () => {
  it("round-trips, lists, deletes; file 0600 in a 0700 directory; no plaintext on disk", async () => {
    const s = withPass("correct horse");
    await s.set("notion", "default", cred("secret_plaintext_marker"));
    await s.set("notion", "work", cred("w"));
    expect(await s.get("notion", "default")).toEqual(cred("secret_plaintext_marker"));
    expect(await s.list()).toEqual([
      { service: "notion", instance: "default" },
      { service: "notion", instance: "work" },
    ]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "home")).mode & 0o777).toBe(0o700);
    const raw = readFileSync(file, "utf8");
    expect(raw).not.toContain("secret_plaintext_marker");
    expect(raw).not.toContain("notion");
    expect(JSON.parse(raw)).toMatchObject({ format: "arcrun-secrets", v: 1, kdf: { kind: "scrypt" } });
    expect(await s.delete("notion", "work")).toBe(true);
    expect(await s.delete("notion", "work")).toBe(false);
    expect(await withPass("correct horse").get("notion", "work")).toBeUndefined();
    expect(readdirSync(join(dir, "home")).sort()).toEqual(["secrets.enc"]);
  });

  it("works with ARCRUN_MASTER_KEY (hex or base64)", async () => {
    const hex = new EncryptedFileStore({ path: file, keys: keysFromEnv({ ARCRUN_MASTER_KEY: MASTER }) });
    await hex.set("a", "default", cred("x"));
    const b64 = Buffer.from(MASTER, "hex").toString("base64");
    const other = new EncryptedFileStore({ path: file, keys: keysFromEnv({ ARCRUN_MASTER_KEY: b64 }) });
    expect((await other.get("a", "default"))?.values.token).toBe("x");
    expect(() => keysFromEnv({ ARCRUN_MASTER_KEY: "short" })).toThrow(
      expect.objectContaining({
        code: "ERR_INVALID_OPTION",
        message: expect.stringContaining("openssl rand"),
      }),
    );
  });

  it("a wrong key: ERR_STORE_WRONG_KEY, and the file is left as it is", async () => {
    await withPass("right").set("a", "default", cred("x"));
    const before = readFileSync(file);
    const wrong = withPass("wrong");
    await expect(wrong.get("a", "default")).rejects.toMatchObject({
      code: "ERR_STORE_WRONG_KEY",
      message: expect.stringContaining("ARCRUN_PASSPHRASE is not the one it was written with"),
    });
    await expect(wrong.set("b", "default", cred("y"))).rejects.toMatchObject({ code: "ERR_STORE_WRONG_KEY" });
    const master = new EncryptedFileStore({ path: file, keys: keysFromEnv({ ARCRUN_MASTER_KEY: MASTER }) });
    await expect(master.get("a", "default")).rejects.toMatchObject({
      code: "ERR_STORE_WRONG_KEY",
      message: expect.stringContaining("is encrypted with ARCRUN_PASSPHRASE, which is not available here"),
    });
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it("a truncated file: ERR_STORE_CORRUPT with the next step, never overwritten", async () => {
    const s = withPass("p");
    await s.set("a", "default", cred("x"));
    truncateSync(file, Math.floor(statSync(file).size / 2));
    const before = readFileSync(file);
    await expect(s.get("a", "default")).rejects.toMatchObject({
      code: "ERR_STORE_CORRUPT",
      message: expect.stringMatching(
        /was cut short\); it was left as it is\. Move it away \(mv .*secrets\.enc .*\.bad\)/,
      ),
    });
    await expect(s.set("b", "default", cred("y"))).rejects.toMatchObject({ code: "ERR_STORE_CORRUPT" });
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it("a damaged ciphertext (right key): ERR_STORE_CORRUPT", async () => {
    const s = withPass("p");
    await s.set("a", "default", cred("x"));
    const body = JSON.parse(readFileSync(file, "utf8"));
    const data = Buffer.from(body.data, "base64");
    data[0] = (data[0] ?? 0) ^ 1;
    body.data = data.toString("base64");
    writeFileSync(file, JSON.stringify(body));
    await expect(s.get("a", "default")).rejects.toMatchObject({
      code: "ERR_STORE_CORRUPT",
      message: expect.stringContaining("authentication tag does not match"),
    });
  });

  it("a foreign file at that path is never overwritten", async () => {
    writeFileSync(join(dir, "secrets.enc"), "not ours\n");
    const foreign = new EncryptedFileStore({
      path: join(dir, "secrets.enc"),
      keys: keysFromEnv({ ARCRUN_PASSPHRASE: "p" }),
    });
    await expect(foreign.set("a", "default", cred("x"))).rejects.toMatchObject({ code: "ERR_STORE_CORRUPT" });
    expect(readFileSync(join(dir, "secrets.enc"), "utf8")).toBe("not ours\n");
  });

  it("without any key: ERR_STORE_UNAVAILABLE saying which variable to set", async () => {
    const s = new EncryptedFileStore({ path: file, keys: [] });
    expect(await s.list()).toEqual([]);
    await expect(s.set("a", "default", cred("x"))).rejects.toMatchObject({
      code: "ERR_STORE_UNAVAILABLE",
      message: expect.stringContaining("Set ARCRUN_PASSPHRASE (or ARCRUN_MASTER_KEY"),
    });
  });

  it("concurrent writers in several processes lose no update", async () => {
    const env = { ARCRUN_MASTER_KEY: MASTER };
    await Promise.all(["p0", "p1", "p2", "p3"].map((p) => run(["set-many", p, "6"], env)));
    const s = new EncryptedFileStore({ path: file, keys: keysFromEnv(env) });
    const all = await s.list();
    expect(all.length).toBe(24);
    for (const p of ["p0", "p1", "p2", "p3"]) {
      for (let i = 0; i < 6; i++)
        expect((await s.get(`${p}_${i}`, "default"))?.values.token).toBe(`${p}-${i}`);
    }
    expect(readdirSync(join(dir, "home")).sort()).toEqual(["secrets.enc"]);
  });

  it("a process killed mid-write leaves the previous value readable; its stale lock is recovered", async () => {
    const env = { ARCRUN_MASTER_KEY: MASTER };
    const s = new EncryptedFileStore({ path: file, keys: keysFromEnv(env), lockTimeoutMs: 10_000 });
    await s.set("keep", "default", cred("previous value"));
    const p = child(["churn"], env);
    await new Promise<void>((res) => {
      let writes = 0;
      p.stdout?.on("data", (d: Buffer) => {
        writes += String(d)
          .split("\n")
          .filter((l) => l.startsWith("wrote")).length;
        // Kill at a varying point of the next write.
        if (writes >= 2) setTimeout(res, Math.floor(Math.random() * 15));
      });
    });
    p.kill("SIGKILL");
    await new Promise((r) => p.on("exit", r));
    expect((await s.get("keep", "default"))?.values.token).toBe("previous value");
    expect((await s.get("churn", "default"))?.values.token).toMatch(/^[A-Za-z0-9+/=]+$/);
    await s.set("after", "default", cred("ok"));
    expect((await s.get("after", "default"))?.values.token).toBe("ok");
    expect((await s.get("keep", "default"))?.values.token).toBe("previous value");
  });

  it("a reader that keeps what it read sees every change by another writer; each read returns copies", async () => {
    const env = { ARCRUN_MASTER_KEY: MASTER };
    const writer = new EncryptedFileStore({ path: file, keys: keysFromEnv(env) });
    const reader = new EncryptedFileStore({ path: file, keys: keysFromEnv(env) });
    await writer.set("notion", "default", cred("token-1"));
    const first = await reader.get("notion", "default");
    expect(first?.values.token).toBe("token-1");
    // A caller changing what it got does not change what the next read returns.
    if (first) first.values.token = "changed by the caller";
    expect((await reader.get("notion", "default"))?.values.token).toBe("token-1");
    // The same size, written by another instance (an atomic rename) and by another process.
    await writer.set("notion", "default", cred("token-2"));
    expect((await reader.get("notion", "default"))?.values.token).toBe("token-2");
    await run(["set-many", "other", "1"], env);
    expect((await reader.get("other_0", "default"))?.values.token).toBe("other-0");
    // Changed in place (same inode): seen too, here as a damaged file.
    const text = readFileSync(file, "utf8");
    writeFileSync(
      file,
      text.replace(/"data":"./, (m) => `${m.slice(0, -1)}${m.endsWith("A") ? "B" : "A"}`),
    );
    await expect(reader.get("notion", "default")).rejects.toMatchObject({ code: "ERR_STORE_CORRUPT" });
    // Gone: nothing stored.
    rmSync(file);
    expect(await reader.get("notion", "default")).toBeUndefined();
  });

  it("an interrupted write leaves no orphan secrets.enc.*.tmp: cleaned at the next write, not by reads", async () => {
    const env = { ARCRUN_MASTER_KEY: MASTER };
    const s = new EncryptedFileStore({ path: file, keys: keysFromEnv(env), lockTimeoutMs: 10_000 });
    await s.set("keep", "default", cred("previous value"));
    const p = child(["churn"], env);
    await new Promise<void>((res) => {
      p.stdout?.on("data", (d: Buffer) => {
        if (String(d).includes("wrote")) setTimeout(res, Math.floor(Math.random() * 15));
      });
    });
    p.kill("SIGKILL");
    await new Promise((r) => p.on("exit", r));
    const home = join(dir, "home");
    // What a kill between open() and rename() leaves, whether or not this kill landed there.
    writeFileSync(join(home, `secrets.enc.${p.pid}.0a1b2c3d4e5f.tmp`), "half a write");
    // A temp file whose writer is still alive (this process); the write below holds the lock, so it goes too.
    const live = `secrets.enc.${process.pid}.abcdefabcdef.tmp`;
    writeFileSync(join(home, live), "in flight");
    const temps = () => readdirSync(home).filter((n) => n.endsWith(".tmp"));

    const reader = new EncryptedFileStore({ path: file, keys: keysFromEnv(env) });
    expect((await reader.get("keep", "default"))?.values.token).toBe("previous value");
    // A read does not scan the directory (the cold start of a script): both are still there.
    expect(temps()).toEqual(expect.arrayContaining([`secrets.enc.${p.pid}.0a1b2c3d4e5f.tmp`, live]));
    // Under the lock no writer can be mid-write, so a write removes every one.
    await reader.set("after", "default", cred("ok"));
    expect(temps()).toEqual([]);
    expect(
      readdirSync(home)
        .filter((n) => n !== "secrets.enc.lock")
        .sort(),
    ).toEqual(["secrets.enc"]);
  });
});

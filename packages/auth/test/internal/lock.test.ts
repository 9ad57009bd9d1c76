import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SingleFlight, withFileLock } from "../../src/internal/lock.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "arcrun-lock-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const deadPid = (): number => {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
    encoding: "utf8",
  });
  return Number(r.stdout);
};

describe("withFileLock", () => {
  it("serialises holders and removes the lock file after", async () => {
    const path = join(dir, "locks", "x.lock");
    let inside = 0;
    let maxInside = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        withFileLock(path, async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          await new Promise((r) => setTimeout(r, 5));
          inside--;
        }),
      ),
    );
    expect(maxInside).toBe(1);
    expect(existsSync(path)).toBe(false);
  });

  it("releases the lock when fn throws", async () => {
    const path = join(dir, "x.lock");
    await expect(withFileLock(path, async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(existsSync(path)).toBe(false);
  });

  it("takes over a lock whose holder's pid is dead", async () => {
    const path = join(dir, "x.lock");
    writeFileSync(path, JSON.stringify({ pid: deadPid(), host: hostname(), t: Date.now(), id: "dead" }));
    const t0 = Date.now();
    expect(await withFileLock(path, async () => "got it", { timeoutMs: 5_000 })).toBe("got it");
    expect(Date.now() - t0).toBeLessThan(4_000);
  });

  it("takes over a lock older than staleMs even if the holder lives, and an empty lock file after a while", async () => {
    const path = join(dir, "x.lock");
    writeFileSync(
      path,
      JSON.stringify({ pid: process.ppid, host: hostname(), t: Date.now() - 120_000, id: "old" }),
    );
    expect(await withFileLock(path, async () => 1, { timeoutMs: 2_000, staleMs: 60_000 })).toBe(1);
  });

  it("a live holder: ERR_STORE_LOCKED after timeoutMs, naming the file and what to do", async () => {
    const path = join(dir, "x.lock");
    writeFileSync(path, JSON.stringify({ pid: process.ppid, host: hostname(), t: Date.now(), id: "live" }));
    const err = await withFileLock(path, async () => 1, { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "ERR_STORE_LOCKED" });
    expect((err as Error).message).toContain(`waiting for the lock ${path} (held by pid ${process.ppid})`);
    expect((err as Error).message).toContain("delete that file and try again");
    expect(existsSync(path)).toBe(true);
  });
});

describe("SingleFlight", () => {
  it("1,000 concurrent callers share one run", async () => {
    const sf = new SingleFlight<number>();
    let runs = 0;
    const results = await Promise.all(
      Array.from({ length: 1000 }, () =>
        sf.run("k", async () => {
          runs++;
          await new Promise((r) => setTimeout(r, 10));
          return 42;
        }),
      ),
    );
    expect(runs).toBe(1);
    expect(new Set(results)).toEqual(new Set([42]));
    expect(sf.size).toBe(0);
    await sf.run("k", async () => ++runs);
    expect(runs).toBe(2);
  });

  it("a failure is shared, then forgotten", async () => {
    const sf = new SingleFlight<number>();
    const a = sf.run("k", async () => Promise.reject(new Error("x")));
    const b = sf.run("k", async () => 1);
    await expect(a).rejects.toThrow("x");
    await expect(b).rejects.toThrow("x");
    expect(await sf.run("k", async () => 2)).toBe(2);
  });
});

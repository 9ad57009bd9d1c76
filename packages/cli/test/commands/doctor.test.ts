import { rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run, type Sandbox, sandbox } from "../helpers/cli.js";

let box: Sandbox;
beforeAll(async () => {
  box = await sandbox();
});
afterAll(async () => {
  await box.cleanup();
});

interface Doctor {
  ok: boolean;
  broker: { url: string | null; source: string; reachable: boolean | null; status: number | null };
  store: { ok: boolean; kind: string | null; error: string | null };
  recipes: { ok: boolean; error: string | null };
}

describe("arcrun doctor", () => {
  it("reports a broker that answers /health, through arcrun-auth's checkBroker", async () => {
    const server = createServer((req, res) => {
      res.setHeader("content-type", "application/json");
      if (req.url === "/health") res.end('{"status":"ok","services":["google_drive","slack"]}');
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const r = await run(["doctor", "--json"], { ...box.env, ARCRUN_BROKER_URL: url });
      expect(r.code, r.stderr).toBe(0);
      const d = JSON.parse(r.stdout) as Doctor;
      expect(d.broker).toEqual({
        url: `${url}/`,
        source: "ARCRUN_BROKER_URL",
        reachable: true,
        status: 200,
        health: "ok",
        services: ["google_drive", "slack"],
        error: null,
      });
      const human = await run(["doctor"], { ...box.env, ARCRUN_BROKER_URL: url });
      expect(human.stdout).toContain(`Broker: ${url}/ answers (HTTP 200, ok; services: google_drive, slack)`);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it("the Node requirement is package.json's engines.node; the store line has no doubled parentheses", async () => {
    const { readFile } = await import("node:fs/promises");
    const pkg = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8")) as {
      engines: { node: string };
    };
    const r = await run(["doctor", "--json"], { ...box.env, ARCRUN_STORE: "encrypted-file" });
    const d = JSON.parse(r.stdout) as { node: { required: string; ok: boolean } };
    expect(d.node).toMatchObject({ required: pkg.engines.node, ok: true });
    const human = await run(["doctor"], { ...box.env, ARCRUN_STORE: "encrypted-file" });
    expect(human.stdout).toContain(`Node ${process.version} (needs ${pkg.engines.node})`);
    expect(human.stdout).toMatch(/Store: encrypted-file: chosen \(ARCRUN_STORE=encrypted-file[^)]*\)\n/);
    expect(human.stdout).not.toContain("))");
  });

  it("finds broker_url in $ARCRUN_HOME/config.yaml; a server that is not a broker fails the check", async () => {
    const server = createServer((_req, res) => {
      res.writeHead(404);
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    await writeFile(join(box.home, "config.yaml"), `broker_url: ${url}\n`, { mode: 0o600 });
    try {
      const r = await run(["doctor", "--json"], box.env);
      expect(r.code).toBe(1);
      const d = JSON.parse(r.stdout) as Doctor;
      expect(d.broker).toMatchObject({ url, source: "config.yaml", reachable: true, status: 404 });
      const human = await run(["doctor"], box.env);
      expect(human.stdout).toContain(
        `Broker: ${url} (from config.yaml) answers, but not as an arcrun broker`,
      );
    } finally {
      await rm(join(box.home, "config.yaml"), { force: true });
      await new Promise((r) => server.close(r));
    }
  });

  it("a broker that does not answer fails the check (exit 1) and says what to do", async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await new Promise((r) => server.close(r));
    const r = await run(["doctor"], { ...box.env, ARCRUN_BROKER_URL: url });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`Broker: ${url}/ does not answer (fetch failed: connect ECONNREFUSED`);
    expect(r.stderr).toContain("Fix the items marked ✖, then run: arcrun doctor");
  });

  it("a wrong-sized ARCRUN_MASTER_KEY fails the store check with the library's message", async () => {
    const r = await run(["doctor", "--json"], {
      ...box.env,
      ARCRUN_STORE: "encrypted-file",
      ARCRUN_MASTER_KEY: "c2hvcnQ=",
    });
    expect(r.code).toBe(1);
    const d = JSON.parse(r.stdout) as Doctor;
    expect(d.ok).toBe(false);
    expect(d.store).toMatchObject({ ok: false, kind: null });
    expect(d.store.error).toContain("ARCRUN_MASTER_KEY must be 32 bytes");
  });

  it("warns (without failing) when others can read ARCRUN_HOME, and names the fix", async () => {
    const { chmod } = await import("node:fs/promises");
    const own = await sandbox();
    try {
      await chmod(own.home, 0o755);
      const r = await run(["doctor", "--json"], own.env);
      const d = JSON.parse(r.stdout) as {
        ok: boolean;
        arcrun_home: { mode: string; warning: string | null };
      };
      expect(d.arcrun_home.mode).toBe("0755");
      expect(d.arcrun_home.warning).toBe(
        `others can read ARCRUN_HOME ${own.home}; it holds your encrypted secrets and their key file. Run: chmod 700 ${own.home}`,
      );
      expect(d.ok).toBe(true);
      const human = await run(["doctor"], own.env);
      expect(human.stdout).toContain(`! ARCRUN_HOME ${own.home} (ARCRUN_HOME, mode 0755)`);
      expect(human.stdout).toContain(`warning: others can read ARCRUN_HOME ${own.home}`);
      await chmod(own.home, 0o700);
      const tight = JSON.parse((await run(["doctor", "--json"], own.env)).stdout) as typeof d;
      expect(tight.arcrun_home.warning).toBeNull();
    } finally {
      await own.cleanup();
    }
  });

  it("a broken user recipe fails the recipes check with the file and key path", async () => {
    const { writeFile, rm } = await import("node:fs/promises");
    const { join } = await import("node:path");
    const file = join(box.home, "recipes", "broken.yaml");
    await writeFile(file, "id: broken\nextends: notion\nhosts: 3\n");
    try {
      const r = await run(["doctor", "--json"], box.env);
      expect(r.code).toBe(1);
      const d = JSON.parse(r.stdout) as Doctor;
      expect(d.recipes.ok).toBe(false);
      expect(d.recipes.error).toContain(`${file}: hosts`);
    } finally {
      await rm(file);
    }
  });

  it("the encrypted-file notice: once per ARCRUN_HOME for other commands, every time in doctor and setup", async () => {
    const own = await sandbox();
    const NOTICE = "no OS keyring answered";
    const count = (text: string) => text.split("\n").filter((l) => l.includes(NOTICE)).length;
    try {
      const first = await run(["list", "--connected"], own.env);
      expect(first.code, first.stderr).toBe(0);
      expect(count(first.stderr)).toBe(1);
      expect(first.stderr).toContain("using the encrypted file");
      // Remembered in ARCRUN_HOME, private to the user.
      const memo = await stat(join(own.home, "store-notice.json"));
      expect(memo.mode & 0o777).toBe(0o600);
      const again = await run(["list", "--connected"], own.env);
      expect(count(again.stderr)).toBe(0);
      const status = await run(["status"], own.env);
      expect(count(status.stderr)).toBe(0);

      // doctor and setup always show it (once each, not twice).
      for (let i = 0; i < 2; i++) {
        const d = await run(["doctor"], own.env);
        expect(count(d.stderr), d.stderr).toBe(1);
        const setup = await run(["setup", "mailgun", "--no-verify"], own.env, "\nkey-123\n");
        expect(setup.code, setup.stderr).toBe(0);
        expect(count(setup.stderr), setup.stderr).toBe(1);
      }
      const json = JSON.parse((await run(["doctor", "--json"], own.env)).stdout) as {
        store: { notice: string | null };
      };
      expect(json.store.notice).toContain(NOTICE);

      // Another reason (the key now comes from a passphrase) is announced again, once.
      const other = { ...own.env, ARCRUN_PASSPHRASE: "a passphrase", ARCRUN_MASTER_KEY: "" };
      expect(count((await run(["list", "--connected"], other)).stderr)).toBe(1);
      expect(count((await run(["list", "--connected"], other)).stderr)).toBe(0);
    } finally {
      await own.cleanup();
    }
  });
});

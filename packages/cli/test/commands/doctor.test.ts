import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
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
  it("reports a broker that answers (any HTTP status counts)", async () => {
    const server = createServer((_req, res) => {
      res.writeHead(404);
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const r = await run(["doctor", "--json"], { ...box.env, ARCRUN_BROKER_URL: url });
      expect(r.code, r.stderr).toBe(0);
      const d = JSON.parse(r.stdout) as Doctor;
      expect(d.broker).toMatchObject({ url, source: "ARCRUN_BROKER_URL", reachable: true, status: 404 });
      const human = await run(["doctor"], { ...box.env, ARCRUN_BROKER_URL: url });
      expect(human.stdout).toContain(`Broker: ${url} answers (HTTP 404)`);
    } finally {
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
    expect(r.stdout).toContain(`Broker: ${url} does not answer`);
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
});

import { execFile } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, test } from "vitest";
import { baseVars, startBroker } from "./support/worker.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const run = promisify(execFile);
let out: string | undefined;

afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

describe("wrangler deploy --dry-run", () => {
  test("bundles the Worker from wrangler.toml with its KV binding and vars, and that bundle serves", async () => {
    out = await mkdtemp(join(tmpdir(), "arcrun-broker-deploy-"));
    const { stdout } = await run("pnpm", ["exec", "wrangler", "deploy", "--dry-run", "--outdir", out], {
      cwd: root,
      env: {
        ...process.env,
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
        WRANGLER_SEND_METRICS: "false",
        XDG_CONFIG_HOME: join(root, ".wrangler", "config"),
      },
    });
    expect(stdout).toContain("env.BROKER_KV");
    expect(stdout).toContain("KV Namespace");
    expect(stdout).toContain('env.BROKER_SERVICES ("google_drive")');
    expect(stdout).toContain("--dry-run: exiting now.");
    const script = join(out, "index.js");
    expect((await stat(script)).size).toBeGreaterThan(10_000);

    // The exact artifact wrangler would upload runs in workerd and answers.
    const broker = await startBroker(script, baseVars());
    try {
      const res = await broker.fetch("/health");
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: "ok", services: ["google_drive"] });
    } finally {
      await broker.dispose();
    }
  });
});

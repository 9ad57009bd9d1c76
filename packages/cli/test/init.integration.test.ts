// `arcrun init --self-hosted --dry-run`: every step printed, wrangler deploy --dry-run run for real on both
// Workers (offline), nothing created, uploaded or stored.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Result, run, type Sandbox, sandbox } from "./helpers/cli.js";

const ROOT = join(__dirname, "..", "..", "..");
const LOGS = join(ROOT, "packages", "executor-worker", ".wrangler", "logs");
let box: Sandbox;
let env: Record<string, string>;
let jsonRun: Promise<{ r: Result; logsBefore: number }> | undefined;

/**
 * The one `init --self-hosted --dry-run --json` that the first two tests both read (each run bundles both
 * Workers with wrangler, several seconds), started by whichever of them runs first.
 */
function initJson(): Promise<{ r: Result; logsBefore: number }> {
  jsonRun ??= (async () => {
    const logsBefore = existsSync(LOGS) ? readdirSync(LOGS).length : 0;
    const r = await run(["init", "--self-hosted", "--dry-run", "--dir", ROOT, "--json"], env);
    return { r, logsBefore };
  })();
  return jsonRun;
}

beforeAll(async () => {
  box = await sandbox();
  env = {
    ...box.env,
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_SEND_METRICS: "false",
    XDG_CONFIG_HOME: join(box.home, "..", "xdg"),
  };
});
afterAll(async () => {
  await box.cleanup();
});

describe("init --self-hosted --dry-run", () => {
  it("prints every step and bundles both Workers with wrangler deploy --dry-run (--json)", async () => {
    const { r } = await initJson();
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      dry_run: boolean;
      checkout: string;
      steps: { step: string; command: string | null; status: string }[];
      executor: Record<string, unknown>;
    };
    expect(out.dry_run).toBe(true);
    expect(out.checkout).toBe(ROOT);
    expect(out.steps.map((s) => [s.step.replace(/^Checkout .*:/, "Checkout:"), s.status])).toEqual([
      ["Checkout: components built", "done"],
      ["Check that the encrypted-file store can keep the executor's keys", "done"],
      ["Create the KV namespace ARCRUN_KV (executor)", "dry-run"],
      ["Create the KV namespace BROKER_KV (broker)", "dry-run"],
      ["Generate the executor's ENCRYPTION_KEY (32 random bytes)", "dry-run"],
      ["Generate the executor's ARCRUN_API_KEY (32 random bytes)", "dry-run"],
      ["Generate the broker's TOKEN_ENCRYPTION_KEY (32 random bytes)", "dry-run"],
      [
        "Keep the executor's ENCRYPTION_KEY and ARCRUN_API_KEY in the encrypted-file store (arcrun_executor/default until its URL is known)",
        "dry-run",
      ],
      ["Write the executor's wrangler config with the namespace id", "dry-run"],
      ["Write the broker's wrangler config with the namespace id", "dry-run"],
      ["Deploy the executor (bundled and checked, not uploaded)", "done"],
      ["Set the executor's secret ENCRYPTION_KEY", "dry-run"],
      ["Set the executor's secret ARCRUN_API_KEY", "dry-run"],
      ["Deploy the broker (bundled and checked, not uploaded)", "done"],
      ["Set the broker's secret TOKEN_ENCRYPTION_KEY", "dry-run"],
      ["File the executor's keys under its URL (arcrun_executor/<host>)", "dry-run"],
    ]);
    expect(out.steps[2]?.command).toBe("wrangler kv namespace create ARCRUN_KV");
    expect(out.steps[10]?.command).toMatch(/^wrangler deploy --config \S+ --dry-run --outdir \S+$/);
    expect(out.steps[11]?.command).toMatch(
      /^wrangler secret put ENCRYPTION_KEY --config \S+ {2}\(value on stdin\)$/,
    );
    expect(out.executor).toEqual({
      url: null,
      config: null,
      store: "encrypted-file",
      secret: null,
      key_file: null,
    });
    // Nothing stored or left behind: ARCRUN_HOME holds at most the store's once-only notice memo.
    expect(existsSync(join(box.home, "executor.key"))).toBe(false);
    for (const f of readdirSync(box.home, { recursive: true, withFileTypes: true }))
      if (f.isFile()) expect(f.name).toBe("store-notice.json");
    expect(existsSync(join(ROOT, "packages", "executor-worker", ".wrangler", "arcrun-init"))).toBe(false);
  });

  it("wrangler writes its logs inside the checkout (.wrangler/logs), not under XDG_CONFIG_HOME or HOME", async () => {
    const { r, logsBefore: before } = await initJson();
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(env.XDG_CONFIG_HOME ?? "")).toBe(false);
    expect(existsSync(join(box.home, "..", ".config"))).toBe(false);
    expect(existsSync(join(box.home, "..", ".wrangler"))).toBe(false);
    expect(readdirSync(LOGS).length).toBeGreaterThan(before);
  });

  it("human output numbers the steps and ends with the next command", async () => {
    const r = await run(["init", "--self-hosted", "--dry-run", "--dir", ROOT], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ 1\. Checkout .*: components built ✔$/m);
    expect(r.stdout).toMatch(/^ {4}\$ wrangler kv namespace create BROKER_KV$/m);
    expect(r.stdout).toContain(
      "Dry run: nothing was created, uploaded or stored. Next: arcrun init --self-hosted",
    );
  });

  it("outside a checkout it says where to run it, exit 1", async () => {
    const r = await run(["init", "--self-hosted", "--dry-run", "--dir", box.home, "--json"], env);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr.trim())).toEqual({
      error: {
        code: "ERR_FILE",
        message: `no arcrun checkout at ${box.home} (packages/executor-worker and packages/broker-worker); run it from a clone of arcrun, or pass --dir <checkout>`,
      },
    });
  });
});

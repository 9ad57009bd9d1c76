// Where `arcrun init --self-hosted` keeps the executor's keys: arcrun-auth's credential store (here the
// encrypted file with ARCRUN_MASTER_KEY), never a plaintext file; an old executor.key is moved there.
// Cloudflare cannot run here, so a stand-in `wrangler` (a node script in a copy of the checkout) records
// what init asks of it, including the secret values sent on stdin (mock wrangler).
import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createAuth } from "arcrun-auth";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { executorInstance } from "../src/commands/executor/secrets.js";
import { run, type Sandbox, sandbox } from "./helpers/cli.js";

const ROOT = join(__dirname, "..", "..", "..");
const EXECUTOR_URL = "https://arcrun-executor.test-acct.workers.dev";

const FAKE_WRANGLER = `#!/usr/bin/env node
const { appendFileSync, readFileSync } = require("node:fs");
const argv = process.argv.slice(2);
const stdin = readFileSync(0, "utf8");
appendFileSync(process.env.WRANGLER_LOG, JSON.stringify({ cwd: process.cwd(), argv, stdin }) + "\\n");
if (argv[0] === "kv") console.log('[[kv_namespaces]]\\nbinding = "' + argv[3] + '"\\nid = "' + "ab".repeat(16) + '"');
else if (argv[0] === "deploy" && !argv.includes("--dry-run"))
  console.log("Deployed\\n  " + (process.cwd().endsWith("executor-worker") ? "${EXECUTOR_URL}" : "https://arcrun-broker.test-acct.workers.dev"));
else console.log("Success");
`;

interface WranglerCall {
  cwd: string;
  argv: string[];
  stdin: string;
}

let box: Sandbox;
let checkout: string;
let log: string;
let env: Record<string, string>;

beforeEach(async () => {
  box = await sandbox();
  checkout = join(box.home, "..", "checkout");
  for (const w of ["executor-worker", "broker-worker"]) {
    mkdirSync(join(checkout, "packages", w), { recursive: true });
    copyFileSync(join(ROOT, "packages", w, "wrangler.toml"), join(checkout, "packages", w, "wrangler.toml"));
  }
  mkdirSync(join(checkout, "packages", "components", "dist"), { recursive: true });
  writeFileSync(join(checkout, "packages", "components", "dist", "manifest.json"), "{}\n");
  const bin = join(checkout, "packages", "executor-worker", "node_modules", ".bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, "wrangler"), FAKE_WRANGLER, { mode: 0o755 });
  log = join(box.home, "..", "wrangler.log");
  writeFileSync(log, "");
  env = { ...box.env, ARCRUN_STORE: "encrypted-file", WRANGLER_LOG: log };
});
afterEach(async () => {
  await box.cleanup();
});

function calls(): WranglerCall[] {
  return readFileSync(log, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as WranglerCall);
}

/** Every file under ARCRUN_HOME, as bytes read as latin1 (binary-safe search). */
function homeFiles(): { path: string; text: string }[] {
  return readdirSync(box.home, { recursive: true, withFileTypes: true })
    .filter((f) => f.isFile())
    .map((f) => ({
      path: join(f.parentPath, f.name),
      text: readFileSync(join(f.parentPath, f.name), "latin1"),
    }));
}

function auth(e: Record<string, string> = env) {
  return createAuth({ env: e, interactive: false, logger: { warn: () => undefined } });
}

describe("init --self-hosted keeps the executor's keys in the credential store (mock wrangler)", () => {
  it("sets each secret on stdin, keeps the executor's under its URL, and writes none in plaintext", async () => {
    const r = await run(["init", "--self-hosted", "--dir", checkout, "--json"], env);
    expect(r.code, r.stderr).toBe(0);
    const secretPuts = calls().filter((c) => c.argv[0] === "secret");
    expect(secretPuts.map((c) => c.argv[2])).toEqual([
      "ENCRYPTION_KEY",
      "ARCRUN_API_KEY",
      "TOKEN_ENCRYPTION_KEY",
    ]);
    const sent = Object.fromEntries(secretPuts.map((c): [string, string] => [c.argv[2] ?? "", c.stdin]));
    expect(Buffer.from(sent.ENCRYPTION_KEY ?? "", "base64")).toHaveLength(32);
    // No value on any command line.
    for (const c of calls()) for (const v of Object.values(sent)) expect(c.argv.join(" ")).not.toContain(v);

    const out = JSON.parse(r.stdout) as { executor: Record<string, unknown>; steps: { step: string }[] };
    const instance = executorInstance(EXECUTOR_URL);
    expect(instance).toBe("arcrun-executor.test-acct.workers.dev");
    expect(out.executor).toMatchObject({
      url: EXECUTOR_URL,
      store: "encrypted-file",
      secret: `arcrun_executor/${instance}`,
      key_file: null,
    });
    expect(out.steps.map((s) => s.step)).toContain(
      `File the executor's keys under its URL (arcrun_executor/${instance})`,
    );

    // The store holds exactly what the Worker got; the placeholder entry is gone.
    const a = auth();
    expect(await a.getReservedSecret("arcrun_executor", { instance })).toEqual({
      ENCRYPTION_KEY: sent.ENCRYPTION_KEY,
      ARCRUN_API_KEY: sent.ARCRUN_API_KEY,
    });
    expect(await a.listReservedSecret("arcrun_executor")).toEqual([instance]);

    // Nothing under ARCRUN_HOME holds a generated value in plaintext (base64 or raw bytes).
    expect(existsSync(join(box.home, "executor.key"))).toBe(false);
    const files = homeFiles();
    expect(files.map((f) => f.path)).toContain(join(box.home, "secrets.enc"));
    for (const f of files) {
      for (const v of Object.values(sent)) {
        expect(f.text, f.path).not.toContain(v);
        expect(f.text, f.path).not.toContain(Buffer.from(v, "base64").toString("latin1"));
      }
    }
    expect(r.stdout + r.stderr).not.toContain(sent.ENCRYPTION_KEY);
    expect(r.stdout + r.stderr).not.toContain(sent.ARCRUN_API_KEY);
  });

  it("human output says where the keys went and what to export", async () => {
    const r = await run(["init", "--self-hosted", "--dir", checkout], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /Keep the executor's ENCRYPTION_KEY and ARCRUN_API_KEY in the encrypted-file store \(arcrun_executor\/default until its URL is known\) ✔/,
    );
    expect(r.stdout).toContain(`export ARCRUN_EXECUTOR_URL=${EXECUTOR_URL}`);
    expect(r.stdout).toContain("the executor's key and API key come from the encrypted-file store");
    expect(r.stdout).not.toContain("executor.key");
  });

  it("--dry-run generates keys but writes nothing to ARCRUN_HOME and sets no secret", async () => {
    const before = homeFiles();
    const r = await run(["init", "--self-hosted", "--dry-run", "--dir", checkout, "--json"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(calls().filter((c) => c.argv[0] === "secret" || c.argv[0] === "kv")).toEqual([]);
    expect(homeFiles()).toEqual(before);
    const out = JSON.parse(r.stdout) as { executor: Record<string, unknown> };
    expect(out.executor).toEqual({
      url: null,
      config: null,
      store: "encrypted-file",
      secret: null,
      key_file: null,
    });
  });

  it("refuses before creating anything when the store could not keep the keys", async () => {
    const { ARCRUN_MASTER_KEY: _k, ...noKey } = env;
    const r = await run(["init", "--self-hosted", "--dir", checkout, "--json"], noKey);
    expect(r.code).toBe(1);
    const err = JSON.parse(r.stderr.trim().split("\n").at(-1) ?? "") as {
      error: { code: string; message: string };
    };
    expect(err.error.code).toBe("ERR_STORE_UNAVAILABLE");
    expect(err.error.message).toMatch(
      /the encrypted file .*secrets\.enc has no key, so the executor's keys could not be kept; set ARCRUN_PASSPHRASE/,
    );
    expect(calls()).toEqual([]);
  });
});

describe("an old plaintext executor.key", () => {
  it("is moved into the store and deleted, said once; its key is then found there", async () => {
    const key = randomBytes(32).toString("base64");
    const apiKey = randomBytes(32).toString("base64url");
    const file = join(box.home, "executor.key");
    const remote = { ...env, ARCRUN_EXECUTOR_URL: "https://arcrun-executor.invalid" };

    // Without it: no key for a remote executor, before the value is even read.
    const none = await run(["creds", "push", "gh", "--json"], remote, "value");
    expect(JSON.parse(none.stderr.trim().split("\n").at(-1) ?? "")).toMatchObject({
      error: { code: "ERR_EXECUTOR_KEY" },
    });

    writeFileSync(file, `ENCRYPTION_KEY=${key}\nARCRUN_API_KEY=${apiKey}\n`, { mode: 0o600 });
    const first = await run(["creds", "push", "gh", "--json"], remote, "value");
    expect(first.stderr).toContain(
      `arcrun: moved the executor's keys from ${file} (plaintext) into the encrypted-file store as arcrun_executor/default and deleted the file`,
    );
    // The key was found (the push got as far as the network).
    expect(JSON.parse(first.stderr.trim().split("\n").at(-1) ?? "")).toMatchObject({
      error: { code: "ERR_EXECUTOR_UNREACHABLE" },
    });
    expect(existsSync(file)).toBe(false);
    expect(await auth().getReservedSecret("arcrun_executor")).toEqual({
      ENCRYPTION_KEY: key,
      ARCRUN_API_KEY: apiKey,
    });
    for (const f of homeFiles()) expect(f.text, f.path).not.toContain(key);

    const again = await run(["creds", "push", "gh", "--json"], remote, "value");
    expect(again.stderr).not.toContain("moved the executor's keys");
    expect(JSON.parse(again.stderr.trim().split("\n").at(-1) ?? "")).toMatchObject({
      error: { code: "ERR_EXECUTOR_UNREACHABLE" },
    });
  });

  it("stays in place, with a warning, when the store cannot take it", async () => {
    const file = join(box.home, "executor.key");
    writeFileSync(file, `ENCRYPTION_KEY=${randomBytes(32).toString("base64")}\n`, { mode: 0o600 });
    const { ARCRUN_MASTER_KEY: _k, ...noKey } = env;
    const r = await run(["creds", "list"], {
      ...noKey,
      ARCRUN_EXECUTOR_URL: "https://arcrun-executor.invalid",
    });
    expect(r.stderr).toMatch(
      new RegExp(
        `could not move ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} into the credential store .*it was left in place`,
      ),
    );
    expect(existsSync(file)).toBe(true);
  });
});

import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Miniflare } from "miniflare";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Bundles src/index.ts the way wrangler does (esbuild, ESM, workerd conditions) into a temp directory. */
export async function bundleWorker(): Promise<{ scriptPath: string; dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "arcrun-broker-"));
  const scriptPath = join(dir, "index.js");
  await build({
    entryPoints: [join(root, "src/index.ts")],
    outfile: scriptPath,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    conditions: ["workerd", "worker", "browser", "import"],
    mainFields: ["module", "main"],
    logLevel: "silent",
  });
  return { scriptPath, dispose: () => rm(dir, { recursive: true, force: true }) };
}

export interface Broker {
  mf: Miniflare;
  /** The broker's origin on a real loopback port, e.g. http://127.0.0.1:43123 (no trailing slash). */
  url: string;
  /** A request to the broker through workerd (dispatchFetch); headers such as cf-connecting-ip pass as given. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Every line the Worker logged (console and runtime stdio), to check that no secret is ever in one. */
  logs: string[];
  kvKeys(): Promise<string[]>;
  kvGet(key: string): Promise<string | null>;
  dispose(): Promise<void>;
}

export const TEST_CLIENT = { id: "arcrun-test-client", secret: randomBytes(24).toString("base64url") };

/** Configuration that every test broker has unless overridden: one key per run, one test client. */
export function baseVars(services = "google_drive"): Record<string, string> {
  const vars: Record<string, string> = {
    BROKER_SERVICES: services,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    RATE_LIMITS: JSON.stringify({
      start: { limit: 1000, window_s: 60 },
      token: { limit: 1000, window_s: 60 },
      refresh: { limit: 1000, window_s: 60 },
      revoke: { limit: 1000, window_s: 60 },
    }),
  };
  for (const s of services.split(",")) {
    const name = s.trim().toUpperCase();
    vars[`CLIENT_${name}_ID`] = TEST_CLIENT.id;
    vars[`CLIENT_${name}_SECRET`] = TEST_CLIENT.secret;
  }
  return vars;
}

/** Runs the bundled broker in workerd with an in-memory KV namespace and the given vars and secrets. */
export async function startBroker(scriptPath: string, bindings: Record<string, string>): Promise<Broker> {
  const logs: string[] = [];
  const collect = (stream: NodeJS.ReadableStream) => {
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => logs.push(...chunk.split("\n").filter(Boolean)));
  };
  const mf = new Miniflare({
    modules: true,
    scriptPath,
    // Module names are paths relative to this root; the default (cwd) cannot reach a temp directory.
    modulesRoot: dirname(scriptPath),
    compatibilityDate: "2026-04-01",
    kvNamespaces: ["BROKER_KV"],
    bindings,
    host: "127.0.0.1",
    port: 0,
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      collect(stdout);
      collect(stderr);
    },
    handleStructuredLogs({ level, message }: { level: string; message: string }) {
      logs.push(`${level}: ${message}`);
    },
  });
  const url = (await mf.ready).origin;
  const kv = await mf.getKVNamespace("BROKER_KV");
  return {
    mf,
    url,
    logs,
    async fetch(path, init) {
      // Miniflare's fetch types are undici's; the shapes match at run time.
      const res = await mf.dispatchFetch(`${url}${path}`, { redirect: "manual", ...init } as never);
      return res as unknown as Response;
    },
    async kvKeys() {
      return (await kv.list()).keys.map((k) => k.name);
    },
    kvGet: (key) => kv.get(key),
    dispose: () => mf.dispose(),
  };
}

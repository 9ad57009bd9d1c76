import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { expect } from "vitest";
import { bundleWorker, packageRoot } from "../../scripts/bundle.js";

export interface LocalExecutor {
  mf: Miniflare;
  request(
    path: string,
    init?: RequestInit & { apiKey?: string },
  ): Promise<{ status: number; json: unknown; text: string }>;
  dispose(): Promise<void>;
}

/**
 * Bundles the test Worker (components + fixtures; or `entry`, relative to the package) and runs it on
 * workerd through Miniflare.
 */
export async function startExecutor(
  bindings: Record<string, string>,
  entry = "test/fixtures/worker.ts",
): Promise<LocalExecutor> {
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
  process.env.WRANGLER_SEND_METRICS = "false";
  const outdir = join(packageRoot, ".tmp", `worker-${randomUUID()}`);
  const scriptPath = await bundleWorker(join(packageRoot, entry), outdir);
  const mf = new Miniflare({
    modules: true,
    scriptPath,
    modulesRoot: outdir,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-01",
    kvNamespaces: ["ARCRUN_KV"],
    // As wrangler.toml declares it; the entry exports the class.
    durableObjects: { FAILED_KEYS: { className: "AddressWindow", useSQLite: true } },
    bindings,
  });
  await mf.ready;
  return {
    mf,
    async request(path, init = {}) {
      const { apiKey, ...rest } = init;
      const headers = new Headers(rest.headers as HeadersInit | undefined);
      if (apiKey) headers.set("x-arcrun-api-key", apiKey);
      const res = await mf.dispatchFetch(`http://executor.test${path}`, { ...rest, headers } as never);
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, json, text };
    },
    async dispose() {
      await mf.dispose();
      await rm(outdir, { recursive: true, force: true });
    },
  };
}

/** Registers a workflow (named by its YAML's `name:`) and runs it once through its query webhook with `input`. */
export async function pushAndQuery(
  ex: LocalExecutor,
  apiKey: string,
  yaml: string,
  input: unknown = {},
): Promise<{ status: number; json: unknown; text: string }> {
  const reg = await ex.request("/webhooks/named", {
    method: "POST",
    apiKey,
    headers: { "content-type": "application/yaml" },
    body: yaml,
  });
  expect(reg.status, reg.text).toBe(201);
  const name = /^name: (\S+)/m.exec(yaml)?.[1] ?? "";
  return ex.request(`/webhooks/named/${name}/query`, {
    method: "POST",
    apiKey,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(input),
  });
}

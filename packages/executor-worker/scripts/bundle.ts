/**
 * Bundles a Worker entry with esbuild the way wrangler does (ESM, workerd conditions, each .wasm kept as a
 * separate module that workerd compiles at load: it refuses to compile WASM from bytes at run time).
 * `pnpm --filter executor-worker build` bundles src/index.ts into dist/; tests bundle their own entry.
 */
import { rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), "..");

export async function bundleWorker(entry: string, outdir: string): Promise<string> {
  await rm(outdir, { recursive: true, force: true });
  await build({
    entryPoints: { index: entry },
    outdir,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    conditions: ["workerd", "worker", "browser", "import"],
    mainFields: ["module", "main"],
    loader: { ".wasm": "copy" },
    assetNames: "[name]-[hash]",
    logLevel: "warning",
    // @arcrun/recipes imports a shared chunk for its types only; esbuild rightly drops it.
    logOverride: { "ignored-bare-import": "silent" },
    legalComments: "none",
  });
  return join(outdir, "index.js");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = await bundleWorker(join(packageRoot, "src/index.ts"), join(packageRoot, "dist"));
  process.stdout.write(`executor-worker: bundled ${out}\n`);
}

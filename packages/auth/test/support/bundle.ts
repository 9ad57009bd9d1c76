/**
 * A TypeScript child script (a test fixture importing arcrun-auth's src/) bundled once per test file with
 * esbuild, the compiler tsx uses, so that each child process starts as plain `node <file>.mjs`: loading
 * tsx's loader costs a child about a second on a busy 2-core machine, and a file that starts dozens of
 * children pays it dozens of times. Packages (undici, @arcrun/recipes) stay imports, resolved from the
 * package's node_modules as under tsx: the bundle is written inside the package (.tmp/, git-ignored).
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const PACKAGE = fileURLToPath(new URL("../..", import.meta.url));

export interface BundledScript {
  /** The bundled ES module; run it with `node <path> ...args`. */
  path: string;
  dispose(): Promise<void>;
}

export async function bundleScript(entry: string): Promise<BundledScript> {
  await mkdir(join(PACKAGE, ".tmp"), { recursive: true });
  const dir = await mkdtemp(join(PACKAGE, ".tmp", "child-"));
  const path = join(dir, "child.mjs");
  await build({
    entryPoints: [entry],
    outfile: path,
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "silent",
  });
  return { path, dispose: () => rm(dir, { recursive: true, force: true }) };
}

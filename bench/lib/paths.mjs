import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
export const authDir = join(repoRoot, "packages", "auth");
export const recipesDir = join(repoRoot, "packages", "recipes");

/**
 * The built arcrun-auth (packages/auth/dist; the bench measures what ships, so it must be built), or the
 * build in ARCRUN_BENCH_AUTH_DIST (a directory with index.js) to compare another build in the same run.
 */
export async function importArcrunAuth() {
  const entry = join(process.env.ARCRUN_BENCH_AUTH_DIST || join(authDir, "dist"), "index.js");
  if (!existsSync(entry)) throw new Error("packages/auth is not built; run: pnpm build");
  return import(pathToFileURL(entry).href);
}

/** undici as arcrun-auth resolves it, so both sides of the throughput figure use the same copy. */
export async function importUndici() {
  const require = createRequire(join(authDir, "package.json"));
  return import(pathToFileURL(require.resolve("undici")).href);
}

/**
 * A temporary ARCRUN_HOME holding a user recipe `bench_api` (a bearer-token static key, like notion) whose
 * base URL and host are the local bench server.
 */
export async function benchHome(origin) {
  const home = await mkdtemp(join(tmpdir(), "arcrun-bench-"));
  await mkdir(join(home, "recipes"), { recursive: true, mode: 0o700 });
  const host = new URL(origin).host;
  await writeFile(
    join(home, "recipes", "bench_api.yaml"),
    [
      "id: bench_api",
      "extends: notion",
      "display_name: Bench API",
      `base_url: ${origin}/v1`,
      `hosts: ["${host.split(":")[0]}"]`,
      "",
    ].join("\n"),
  );
  return { home, cleanup: () => rm(home, { recursive: true, force: true }) };
}

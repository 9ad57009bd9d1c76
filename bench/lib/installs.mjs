// Production installs of arcrun-auth and google-auth-library in temporary directories, the way a user's
// project gets them: arcrun-auth and @arcrun/recipes from `pnpm pack` tarballs of this checkout, their
// dependencies and google-auth-library from the npm registry, `npm install --omit=dev` for both.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { lstat, mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { authDir, recipesDir } from "./paths.mjs";

const run = promisify(execFile);
export const GOOGLE_AUTH_LIBRARY = "google-auth-library@10";

/** Apparent size (bytes) and count of every file under dir, symlinks not followed. */
export async function treeSize(dir) {
  let bytes = 0;
  let files = 0;
  const walk = async (d) => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) await walk(p);
      else {
        bytes += (await lstat(p)).size;
        files++;
      }
    }
  };
  await walk(dir);
  return { bytes, files };
}

async function npmInstall(dir, specs) {
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, "package.json"),
    '{ "name": "bench-install", "private": true, "type": "module" }\n',
  );
  await run(
    "npm",
    ["install", "--omit=dev", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error", ...specs],
    { cwd: dir, maxBuffer: 16 * 1024 * 1024 },
  );
}

async function pack(pkgDir, dest) {
  if (!existsSync(join(pkgDir, "dist"))) throw new Error(`${pkgDir} is not built; run: pnpm build`);
  const before = new Set(existsSync(dest) ? await readdir(dest) : []);
  await run("pnpm", ["pack", "--pack-destination", dest], { cwd: pkgDir });
  const made = (await readdir(dest)).filter((f) => f.endsWith(".tgz") && !before.has(f));
  if (made.length !== 1) throw new Error(`pnpm pack in ${pkgDir} made ${made.length} tarballs`);
  return join(dest, made[0]);
}

const memo = new Map();

/** Installs both once per work directory; returns their directories and node_modules sizes. */
export function productionInstalls(workDir) {
  if (!memo.has(workDir)) memo.set(workDir, install(workDir));
  return memo.get(workDir);
}

async function install(workDir) {
  const tarballs = join(workDir, "tarballs");
  await mkdir(tarballs, { recursive: true });
  const recipesTgz = await pack(recipesDir, tarballs);
  const authTgz = await pack(authDir, tarballs);
  const arcrun = join(workDir, "arcrun-auth");
  const google = join(workDir, "google-auth-library");
  await npmInstall(arcrun, [recipesTgz, authTgz]);
  await npmInstall(google, [GOOGLE_AUTH_LIBRARY]);
  return {
    arcrun: { dir: arcrun, ...(await treeSize(join(arcrun, "node_modules"))) },
    google: { dir: google, ...(await treeSize(join(google, "node_modules"))) },
  };
}

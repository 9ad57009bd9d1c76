// install_size_vs_google_auth_library_ratio: bytes on disk (apparent file sizes under node_modules) of a
// production install of arcrun-auth (with @arcrun/recipes and every runtime dependency) vs google-auth-library.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { GOOGLE_AUTH_LIBRARY, productionInstalls, treeSize } from "../lib/installs.mjs";
import { round } from "../lib/stats.mjs";

async function largest(nodeModules, n = 5) {
  const sizes = [];
  for (const name of await readdir(nodeModules)) {
    if (name.startsWith(".")) continue;
    const dirs = name.startsWith("@")
      ? (await readdir(join(nodeModules, name))).map((s) => `${name}/${s}`)
      : [name];
    for (const d of dirs) sizes.push([d, (await treeSize(join(nodeModules, d))).bytes]);
  }
  return Object.fromEntries(sizes.sort((a, b) => b[1] - a[1]).slice(0, n));
}

/** @param {{ workDir: string }} options */
export async function measure({ workDir }) {
  const { arcrun, google } = await productionInstalls(workDir);
  return {
    install_size_vs_google_auth_library_ratio: round(arcrun.bytes / google.bytes),
    details: {
      install_size: {
        arcrun_auth_bytes: arcrun.bytes,
        arcrun_auth_files: arcrun.files,
        arcrun_auth_largest: await largest(join(arcrun.dir, "node_modules")),
        google_auth_library: GOOGLE_AUTH_LIBRARY,
        google_auth_library_bytes: google.bytes,
        google_auth_library_files: google.files,
      },
    },
  };
}

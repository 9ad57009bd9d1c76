// Regroups tsup's ESM output so that `import("arcrun-auth")` reads one file (docs/bench.md, "Cold start").
//
// esbuild's code splitting puts every module that the entry and a lazily imported module (a strategy, the
// catalogue update, the key agent...) both use into a chunk of its own, one chunk per set of importers: the
// entry loaded nine of them at import, ~1 ms of CPU each on Node 20. Rollup, given esbuild's output, keeps
// what the entry loads in the entry file and lets each lazy file import those bindings from it (they are
// loaded by then). It only moves code between files (no tree-shaking, no transform). agent-main.js, a program
// of its own that `arcrun unlock` starts, becomes one self-contained file. The CommonJS build is left as is.
import { readdir, rm, writeFile } from "node:fs/promises";
import { isBuiltin } from "node:module";
import { join } from "node:path";
import { type InputOption, type OutputChunk, type OutputOptions, rollup } from "rollup";

/** Bare specifiers (node builtins, @arcrun/recipes, undici, open) stay imports; dist files are regrouped. */
const external = (id: string): boolean => isBuiltin(id) || !/^[./]/.test(id);

async function generate(input: InputOption, output: OutputOptions) {
  const bundle = await rollup({
    input,
    external,
    treeshake: false,
    preserveEntrySignatures: "allow-extension",
    onwarn(warning) {
      throw new Error(`rechunk-esm: ${warning.message}`);
    },
  });
  try {
    return (await bundle.generate({ format: "es", hoistTransitiveImports: false, ...output })).output;
  } finally {
    await bundle.close();
  }
}

/** Rewrites the ESM files of `dist` (index.js, agent-main.js and what they import) in place. */
export async function rechunkEsm(dist: string): Promise<void> {
  const main = await generate(
    { index: join(dist, "index.js") },
    { entryFileNames: "[name].js", chunkFileNames: "[name].js" },
  );
  const entry = main.find((c): c is OutputChunk => c.type === "chunk" && c.isEntry);
  const local = (entry?.imports ?? []).filter((i) => !external(i));
  if (!entry || local.length > 0) {
    throw new Error(
      `rechunk-esm: index.js must load no other file at import, it imports ${local.join(", ")}`,
    );
  }
  const agent = await generate(join(dist, "agent-main.js"), { inlineDynamicImports: true });
  const files = [...main, ...agent.map((c) => ({ ...c, fileName: "agent-main.js" }))];
  const names = new Set(files.map((c) => c.fileName));
  if (names.size !== files.length) throw new Error("rechunk-esm: two output files share a name");
  for (const name of await readdir(dist)) {
    if (name.endsWith(".js")) await rm(join(dist, name));
  }
  for (const c of files) await writeFile(join(dist, c.fileName), c.type === "chunk" ? c.code : c.source);
}

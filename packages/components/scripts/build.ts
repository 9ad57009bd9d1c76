/**
 * Builds every component under assembly/<id>/ (directories starting with `_` are shared code):
 * AssemblyScript (WASI shim, json-as transform, stub runtime) -> binaryen log-execution (fuel metering)
 * and asyncify (imports u6u.*, baseline features only) -> import check against the host ABI.
 * Writes dist/<id>.wasm, dist/manifest.json (every contract) and dist/index.js (the registry the executor
 * Worker bundles: `import m from "./<id>.wasm"` for each component).
 */
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import asc from "assemblyscript/asc";
import binaryen from "binaryen";
import { parse as parseYaml } from "yaml";
import { type ComponentContract, type ComponentManifest, importAllowed } from "../src/abi.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const assemblyDir = join(root, "assembly");
const distDir = join(root, "dist");
const tmpDir = join(root, ".tmp");
const fixturesDir = join(assemblyDir, "_fixtures");

/** What asc 0.28 emits by default, and no more: Node 20 and workerd both accept these. */
const BASELINE =
  binaryen.Features.MVP |
  binaryen.Features.MutableGlobals |
  binaryen.Features.NontrappingFPToInt |
  binaryen.Features.SignExt |
  binaryen.Features.BulkMemory |
  binaryen.Features.BulkMemoryOpt;

class BuildError extends Error {
  override name = "BuildError";
}

async function compile(id: string, entry: string, jsonAsPath: string): Promise<Uint8Array> {
  const out = join(tmpDir, `${id}.raw.wasm`);
  const stderr: string[] = [];
  const { error } = await asc.main(
    [
      entry,
      "--config",
      "node_modules/@assemblyscript/wasi-shim/asconfig.json",
      "--transform",
      "json-as",
      "--path",
      jsonAsPath,
      "--runtime",
      "stub",
      "--optimizeLevel",
      "2",
      "--shrinkLevel",
      "1",
      "--memoryBase",
      "65536",
      "--noAssert",
      "--disableWarning",
      "--outFile",
      out,
    ],
    {
      stdout: { write: () => true },
      stderr: {
        write: (chunk: string | Uint8Array) => {
          stderr.push(typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk));
          return true;
        },
      },
    },
  );
  if (error) throw new BuildError(`${id}: AssemblyScript failed: ${error.message}\n${stderr.join("")}`);
  return new Uint8Array(await readFile(out));
}

function transform(id: string, raw: Uint8Array): Uint8Array {
  const mod = binaryen.readBinary(raw);
  mod.setFeatures(BASELINE);
  try {
    binaryen.setOptimizeLevel(2);
    binaryen.setShrinkLevel(1);
    binaryen.setPassArgument("asyncify-imports", "u6u.*");
    binaryen.setPassArgument("log-execution", "env");
    mod.runPasses(["log-execution", "asyncify"]);
    mod.optimize();
    if (!mod.validate()) throw new BuildError(`${id}: binaryen produced an invalid module`);
    return mod.emitBinary();
  } finally {
    binaryen.setPassArgument("asyncify-imports", null);
    mod.dispose();
  }
}

function checkImports(id: string, bytes: Uint8Array): string[] {
  // Compiling here also proves that this Node (20) accepts the module's features.
  const mod = new WebAssembly.Module(new Uint8Array(bytes));
  const imports = WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}`);
  const bad = WebAssembly.Module.imports(mod).filter(
    (i) => i.kind !== "function" || !importAllowed(i.module, i.name),
  );
  if (bad.length > 0) {
    throw new BuildError(
      `${id}: imports outside the host ABI: ${bad.map((i) => `${i.module}.${i.name}`).join(", ")}; ` +
        "use the functions in assembly/_sdk (see docs/executor.md, Host ABI)",
    );
  }
  const exports = WebAssembly.Module.exports(mod).map((e) => e.name);
  for (const need of ["_start", "memory", "u6u_alloc", "asyncify_start_unwind", "asyncify_stop_rewind"]) {
    if (!exports.includes(need))
      throw new BuildError(`${id}: missing export ${need}; export { u6u_alloc } from "../_sdk"`);
  }
  return imports;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

async function readContract(id: string): Promise<ComponentContract> {
  const file = join(assemblyDir, id, "component.contract.yaml");
  const doc: unknown = parseYaml(await readFile(file, "utf8"));
  const where = `assembly/${id}/component.contract.yaml`;
  if (!isRecord(doc)) throw new BuildError(`${where}: expected a mapping`);
  if (doc.canonical_id !== id) throw new BuildError(`${where} > canonical_id: expected "${id}"`);
  for (const key of ["category", "description"] as const) {
    if (typeof doc[key] !== "string" || doc[key] === "")
      throw new BuildError(`${where} > ${key}: expected a string`);
  }
  for (const key of ["input_schema", "output_schema"] as const) {
    if (!isRecord(doc[key])) throw new BuildError(`${where} > ${key}: expected a JSON Schema mapping`);
  }
  const examples = doc.examples;
  if (!Array.isArray(examples) || examples.length === 0)
    throw new BuildError(`${where} > examples: expected a list`);
  examples.forEach((ex, i) => {
    if (!isRecord(ex) || typeof ex.name !== "string" || !isRecord(ex.config) || !isRecord(ex.output)) {
      throw new BuildError(`${where} > examples > ${i}: expected { name, config, output }`);
    }
  });
  return doc as unknown as ComponentContract;
}

function registrySource(ids: string[]): string {
  const lines = ids.map((id, i) => `import m${i} from "./${id}.wasm";`);
  lines.push('import manifest from "./manifest.json";');
  lines.push(`export const modules = { ${ids.map((id, i) => `${JSON.stringify(id)}: m${i}`).join(", ")} };`);
  lines.push("export { manifest };");
  return `${lines.join("\n")}\n`;
}

const REGISTRY_DTS = `import type { ComponentManifest } from "../src/abi.js";
/** Each component's compiled module, bundled by the Worker (workerd cannot compile WASM from bytes). */
export declare const modules: Readonly<Record<string, WebAssembly.Module>>;
export declare const manifest: ComponentManifest;
`;

async function sourcesDigest(dirs: string[]): Promise<string> {
  const hash = createHash("sha256");
  hash.update(await readFile(fileURLToPath(import.meta.url)));
  for (const dir of dirs) {
    for (const f of (await readdir(dir, { recursive: true })).sort()) {
      if (!/\.(ts|json)$/.test(f)) continue;
      hash.update(f);
      hash.update(await readFile(join(dir, f)));
    }
  }
  for (const pkg of ["assemblyscript", "binaryen", "json-as", "@assemblyscript/wasi-shim"]) {
    hash.update(await readFile(join(root, "node_modules", pkg, "package.json")));
  }
  return hash.digest("hex").slice(0, 16);
}

/** Compiles and transforms one entry, reusing .tmp/cache when neither it, the SDK nor the toolchain changed. */
async function buildWasm(
  id: string,
  entryDir: string,
  jsonAsPath: string,
): Promise<{ wasm: Uint8Array; cached: boolean }> {
  const digest = await sourcesDigest([entryDir, join(assemblyDir, "_sdk")]);
  const cacheFile = join(tmpDir, "cache", `${id}-${digest}.wasm`);
  try {
    return { wasm: new Uint8Array(await readFile(cacheFile)), cached: true };
  } catch {
    // not built yet
  }
  const entry = join(entryDir, "index.ts").slice(root.length + 1);
  const wasm = transform(id, await compile(id, entry, jsonAsPath));
  await mkdir(join(tmpDir, "cache"), { recursive: true });
  await writeFile(cacheFile, wasm);
  return { wasm, cached: false };
}

async function dirs(parent: string): Promise<string[]> {
  return (await readdir(parent, { withFileTypes: true }))
    .filter((d) => d.isDirectory() && !d.name.startsWith("_"))
    .map((d) => d.name)
    .sort();
}

async function main(): Promise<void> {
  const jsonAsPath = dirname(await realpath(join(root, "node_modules/json-as")));
  process.chdir(root);
  await rm(distDir, { recursive: true, force: true });
  await mkdir(join(distDir, "fixtures"), { recursive: true });
  await mkdir(tmpDir, { recursive: true });
  const manifest: ComponentManifest = { version: 1, components: [] };
  for (const id of await dirs(assemblyDir)) {
    const started = performance.now();
    const contract = await readContract(id);
    const { wasm, cached } = await buildWasm(id, join(assemblyDir, id), jsonAsPath);
    const imports = checkImports(id, wasm);
    await writeFile(join(distDir, `${id}.wasm`), wasm);
    manifest.components.push({ ...contract, wasm: `${id}.wasm`, bytes: wasm.byteLength, imports });
    const took = cached ? "cached" : `${Math.round(performance.now() - started)} ms`;
    process.stdout.write(`  ${id}.wasm ${(wasm.byteLength / 1024).toFixed(1)} KiB (${took})\n`);
  }
  const built = manifest.components.map((c) => c.canonical_id);
  await writeFile(join(distDir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(join(distDir, "index.js"), registrySource(built));
  await writeFile(join(distDir, "index.d.ts"), REGISTRY_DTS);

  // Test fixtures (a component that loops, traps, grows or floods): built for the executor's tests only,
  // never in the registry the Worker bundles.
  const fixtures = await dirs(fixturesDir);
  for (const id of fixtures) {
    const { wasm } = await buildWasm(`fixture-${id}`, join(fixturesDir, id), jsonAsPath);
    checkImports(id, wasm);
    await writeFile(join(distDir, "fixtures", `${id}.wasm`), wasm);
  }
  const lines = fixtures.map((id, i) => `import m${i} from "./${id}.wasm";`);
  lines.push(
    `export const modules = { ${fixtures.map((id, i) => `${JSON.stringify(id)}: m${i}`).join(", ")} };`,
  );
  await writeFile(join(distDir, "fixtures", "index.js"), `${lines.join("\n")}\n`);
  await writeFile(
    join(distDir, "fixtures", "index.d.ts"),
    "export declare const modules: Readonly<Record<string, WebAssembly.Module>>;\n",
  );
  process.stdout.write(`components: ${built.length} built into dist/ (+${fixtures.length} test fixtures)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

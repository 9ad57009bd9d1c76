import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { getRecipe } from "@arcrun/recipes";
import { DEFAULT_LIMITS } from "../../src/engine/limits.js";
import {
  type CredentialRecord,
  checkExecutorKey,
  type KvStore,
  SecretRegistry,
} from "../../src/host/credentials.js";
import { createHostFunctions, type HostContext } from "../../src/host/functions.js";
import { type RunResult, runComponent } from "../../src/host/runtime.js";
import { credentialKey } from "../../src/keys.js";
import { generateExecutorKey, sealLegacy } from "../helpers/credentials.js";

// Runs one built component (dist/<id>.wasm) with the executor's own host and the Worker's DEFAULT limits
// (fuel, memory, output), as a node of a workflow would run, on the runtime it picks: JSPI on Node >= 24,
// asyncify on Node 20 and 22 (CI runs all three; contracts.test.ts runs every contract on both).
const distDir = dirname(createRequire(import.meta.url).resolve("components/manifest.json"));
const NodeModule = WebAssembly.Module as unknown as new (bytes: Uint8Array) => WebAssembly.Module;
const modules = new Map<string, WebAssembly.Module>();
export const TENANT = "components";

class MemoryKv implements KvStore {
  readonly data = new Map<string, string>();
  async get(key: string) {
    return this.data.get(key) ?? null;
  }
  async put(key: string, value: string) {
    this.data.set(key, value);
  }
  async delete(key: string) {
    this.data.delete(key);
  }
}

export interface RunOptions {
  /** Credentials of the tenant: name -> { value, recipe?, hosts? }. */
  credentials?: Record<string, { value: string; recipe?: string; hosts?: string[] }>;
  /** Where the host's fetch goes (every URL is sent to this local server, keeping path and query). */
  port?: number;
}

export interface Ran extends RunResult {
  /** stdout parsed (undefined when the component failed before writing a document). */
  output: unknown;
  /** The run's secrets: what a sealed handle in the output stands for (at egress). */
  secrets: SecretRegistry;
}

async function load(id: string): Promise<WebAssembly.Module> {
  let m = modules.get(id);
  if (!m) {
    m = new NodeModule(await readFile(join(distDir, `${id}.wasm`)));
    modules.set(id, m);
  }
  return m;
}

/** Runs component `id` on `{ config }`; a limit or trap rejects with the executor's error (and its code). */
export async function runNode(id: string, config: unknown, opts: RunOptions = {}): Promise<Ran> {
  const kv = new MemoryKv();
  const keyText = generateExecutorKey();
  for (const [name, c] of Object.entries(opts.credentials ?? {})) {
    const sealed = await sealLegacy(keyText, name, c.value);
    const record: CredentialRecord = {
      ...sealed,
      ...(c.recipe ? { recipe: c.recipe } : {}),
      ...(c.hosts ? { hosts: c.hosts } : {}),
      created_at: new Date().toISOString(),
    };
    kv.data.set(credentialKey(TENANT, name), JSON.stringify(record));
  }
  const ctx: HostContext = {
    tenant: TENANT,
    kv,
    encryptionKey: () => checkExecutorKey(keyText),
    fetch: (req) => {
      if (opts.port === undefined) throw new Error("no local server for this test");
      const u = new URL(req.url);
      return fetch(new Request(`http://127.0.0.1:${opts.port}${u.pathname}${u.search}`, req));
    },
    recipe: getRecipe,
    secrets: new SecretRegistry(),
    budget: { hostCalls: 0, maxHostCalls: DEFAULT_LIMITS.host_calls },
    maxResponseBytes: DEFAULT_LIMITS.output_bytes,
    opened: new Map(),
    digestNonces: new Map(),
  };
  const result = await runComponent(await load(id), JSON.stringify({ config }), createHostFunctions(ctx), {
    fuel: DEFAULT_LIMITS.node_fuel,
    outputBytes: DEFAULT_LIMITS.output_bytes,
    memoryBytes: DEFAULT_LIMITS.node_memory_bytes,
    deadline: Date.now() + DEFAULT_LIMITS.node_ms,
    deadlineCode: "ERR_LIMIT_NODE_TIME",
  });
  let output: unknown;
  try {
    output = JSON.parse(result.stdout);
  } catch {
    output = undefined;
  }
  return { ...result, output, secrets: ctx.secrets };
}

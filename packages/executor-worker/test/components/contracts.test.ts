import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { getRecipe } from "@arcrun/recipes";
import type { ComponentManifest, ContractExample } from "components/abi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CredentialRecord,
  checkExecutorKey,
  type KvStore,
  SecretRegistry,
  secretValues,
} from "../../src/host/credentials.js";
import { createHostFunctions, type HostContext } from "../../src/host/functions.js";
import { runComponent } from "../../src/host/runtime.js";
import { credentialKey, tokenCacheKey } from "../../src/keys.js";
import { type ApiServer, startApiServer } from "../helpers/api-server.js";
import { generateExecutorKey, sealLegacy } from "../helpers/credentials.js";
import { type ComponentRuntime, RUNTIMES, runtimeOptions } from "../helpers/runtimes.js";

// Every example of every component.contract.yaml, run against the built .wasm with the executor's own host,
// on each component runtime this Node has: asyncify everywhere, and JSPI (what workerd runs) on Node >= 24.
const distDir = dirname(createRequire(import.meta.url).resolve("components/manifest.json"));
const manifest = JSON.parse(await readFile(join(distDir, "manifest.json"), "utf8")) as ComponentManifest;
const TENANT = "contract";
/** Fixture values that are not secrets (a client id, RFC 6749 section 2.2), which a component may hold. */
const PUBLIC_FIXTURE = new Set<string>();
// workers-types describes workerd's WebAssembly, which cannot compile bytes; Node can.
const NodeModule = WebAssembly.Module as unknown as new (bytes: Uint8Array) => WebAssembly.Module;

let server: ApiServer;
let routes: NonNullable<NonNullable<ContractExample["fixtures"]>["http"]> = [];
let serviceAccountKey = "";

beforeAll(async () => {
  server = await startApiServer(async (req) => {
    const route = routes.find((r) => (r.method ?? "GET") === req.method && r.path === req.path);
    if (!route) return { status: 599, text: `no fixture for ${req.method} ${req.path}` };
    if (route.echo) {
      return {
        json: { method: req.method, content_type: req.headers["content-type"] ?? null, body: req.body },
      };
    }
    return {
      status: route.status ?? 200,
      ...(route.json !== undefined ? { json: route.json } : { text: route.text ?? "" }),
    };
  });
  const pair = (await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const der = Buffer.from((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer).toString(
    "base64",
  );
  serviceAccountKey = JSON.stringify({
    type: "service_account",
    client_email: "robot@project.iam.gserviceaccount.com",
    private_key: `-----BEGIN PRIVATE KEY-----\n${der}\n-----END PRIVATE KEY-----\n`,
  });
});

afterAll(async () => server?.close());

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

async function run(
  id: string,
  example: ContractExample,
  runtime: ComponentRuntime = "asyncify",
): Promise<{ output: unknown; kv: MemoryKv }> {
  const kv = new MemoryKv();
  const keyText = generateExecutorKey();
  for (const [name, c] of Object.entries(example.fixtures?.credentials ?? {})) {
    const value = c.value === "$SERVICE_ACCOUNT_KEY_JSON" ? serviceAccountKey : c.value;
    const sealed = await sealLegacy(keyText, name, value);
    const record: CredentialRecord = {
      ...sealed,
      ...(c.recipe ? { recipe: c.recipe } : {}),
      ...(c.hosts ? { hosts: c.hosts } : {}),
      created_at: new Date().toISOString(),
    };
    kv.data.set(credentialKey(TENANT, name), JSON.stringify(record));
  }
  // Fixture keys are as a component names them (`oauth2:NAME`): the host's key for this tenant.
  for (const [key, value] of Object.entries(example.fixtures?.kv ?? {})) {
    const [kind, name = ""] = key.split(/:(.*)/s);
    kv.data.set(kind === "oauth2" ? tokenCacheKey(TENANT, name) : credentialKey(TENANT, name), value);
  }
  routes = example.fixtures?.http ?? [];
  const ctx: HostContext = {
    tenant: TENANT,
    kv,
    encryptionKey: () => checkExecutorKey(keyText),
    // Every host resolves to the local fixture server; the host checks still see the real host name.
    fetch: (req) => {
      const u = new URL(req.url);
      return fetch(new Request(`http://127.0.0.1:${server.port}${u.pathname}${u.search}`, req));
    },
    recipe: getRecipe,
    secrets: new SecretRegistry(),
    budget: { hostCalls: 0, maxHostCalls: 50 },
    maxResponseBytes: 1 << 20,
    opened: new Map(),
    digestNonces: new Map(),
  };
  const module = new NodeModule(await readFile(join(distDir, `${id}.wasm`)));
  const result = await runComponent(
    module,
    JSON.stringify({ config: example.config }),
    createHostFunctions(ctx),
    {
      fuel: 50_000_000,
      outputBytes: 1 << 20,
      memoryBytes: 64 << 20,
      deadline: Date.now() + 10_000,
      deadlineCode: "ERR_LIMIT_NODE_TIME",
    },
    runtimeOptions(runtime),
  );
  expect(result.mode).toBe(runtime);
  expect(result.exitCode, result.stderr).toBe(0);
  // An auth component's output holds sealed handles, never a secret; the contract shows what the host
  // sends in their place at egress.
  for (const c of Object.values(example.fixtures?.credentials ?? {})) {
    for (const v of Object.values(secretValues(c.value))) {
      if (v.length >= 8 && !/^\d+$/.test(v) && !PUBLIC_FIXTURE.has(v)) expect(result.stdout).not.toContain(v);
    }
  }
  const unsealed = result.stdout.replace(/arcrun_sealed_[a-z2-7]{32}/g, (h) =>
    JSON.stringify(ctx.secrets.unseal(h)?.value ?? h).slice(1, -1),
  );
  return { output: JSON.parse(unsealed), kv };
}

describe.each(manifest.components.map((c) => [c.canonical_id, c] as const))("%s contract", (id, contract) => {
  it("documents itself", () => {
    expect(contract.description.length).toBeGreaterThan(20);
    expect(contract.input_schema.type).toBe("object");
    expect(contract.output_schema.type).toBe("object");
    expect(contract.imports.every((i) => /^(wasi_snapshot_preview1|u6u|env)\./.test(i))).toBe(true);
  });

  const cases = contract.examples.flatMap((e) => RUNTIMES.map((r) => [e.name, r, e] as const));
  it.each(cases)("example: %s (%s)", async (_name, runtime, example) => {
    const { output } = await run(id, example, runtime);
    expect(output).toMatchObject(example.output);
    for (const key of (contract.output_schema.required as string[] | undefined) ?? []) {
      if ((output as { success?: boolean }).success) expect(output).toHaveProperty(key);
    }
  });
});

it.each(RUNTIMES)(
  "auth_oauth2 caches a refreshed token under the tenant's oauth2:NAME (%s)",
  async (runtime) => {
    const contract = manifest.components.find((c) => c.canonical_id === "auth_oauth2");
    const example = contract?.examples.find((e) => e.name.startsWith("no access token"));
    if (!example) throw new Error("example missing");
    const { kv } = await run("auth_oauth2", example, runtime);
    const cached = JSON.parse(kv.data.get(tokenCacheKey(TENANT, "drive")) ?? "{}") as {
      access_token?: string;
      expires_at?: number;
    };
    expect(cached.access_token).toBe("ya29.fresh-token");
    expect(cached.expires_at).toBeGreaterThan(Date.now() / 1000 + 3000);
  },
);

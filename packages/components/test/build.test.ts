import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type ComponentManifest, importAllowed } from "../src/abi.js";

const dist = join(import.meta.dirname, "..", "dist");

describe("host ABI", () => {
  it("allows the WASI subset, the u6u functions and the metering hook, nothing else", () => {
    expect(importAllowed("wasi_snapshot_preview1", "fd_write")).toBe(true);
    expect(importAllowed("u6u", "crypto_sign_rs256")).toBe(true);
    expect(importAllowed("env", "log_execution")).toBe(true);
    expect(importAllowed("wasi_snapshot_preview1", "path_open")).toBe(false);
    expect(importAllowed("u6u", "kv_delete")).toBe(false);
    expect(importAllowed("env", "abort")).toBe(false);
  });
});

describe("the built components (pnpm --filter components build)", async () => {
  const manifest = JSON.parse(await readFile(join(dist, "manifest.json"), "utf8")) as ComponentManifest;

  it("has the first five components, each with a contract and examples", () => {
    expect(manifest.components.map((c) => c.canonical_id)).toEqual(
      expect.arrayContaining([
        "auth_oauth2",
        "auth_service_account",
        "auth_static_key",
        "http_request",
        "if_control",
      ]),
    );
    for (const c of manifest.components) expect(c.examples.length).toBeGreaterThan(1);
  });

  it.each(manifest.components.map((c) => [c.canonical_id]))(
    "%s.wasm imports only the host ABI and exports what the host needs",
    async (id) => {
      const bytes = await readFile(join(dist, `${id}.wasm`));
      const mod = new WebAssembly.Module(bytes);
      for (const i of WebAssembly.Module.imports(mod))
        expect(importAllowed(i.module, i.name), `${i.module}.${i.name}`).toBe(true);
      const exports = WebAssembly.Module.exports(mod).map((e) => e.name);
      expect(exports).toEqual(
        expect.arrayContaining([
          "_start",
          "memory",
          "u6u_alloc",
          "asyncify_start_unwind",
          "asyncify_start_rewind",
          "asyncify_stop_unwind",
          "asyncify_stop_rewind",
          "asyncify_get_state",
        ]),
      );
    },
  );

  it("keeps the test fixtures out of the registry the Worker bundles", async () => {
    const registry = await readFile(join(dist, "index.js"), "utf8");
    expect(registry).not.toMatch(/spin|trap|grow|flood/);
  });
});

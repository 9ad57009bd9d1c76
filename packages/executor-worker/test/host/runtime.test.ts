import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import type { HostFunctions, RunLimits } from "../../src/host/runtime.js";
import { runComponent } from "../../src/host/runtime.js";
import { HAS_JSPI, RUNTIMES, runtimeOptions } from "../helpers/runtimes.js";

// The host runtime, on each way a host call can suspend the component that this Node has: asyncify
// (unwind, await, rewind) everywhere, JSPI (WebAssembly.Suspending) on Node >= 24 as in workerd.
const dist = dirname(createRequire(import.meta.url).resolve("components/manifest.json"));
const NodeModule = WebAssembly.Module as unknown as new (bytes: Uint8Array) => WebAssembly.Module;
const load = async (path: string) => new NodeModule(await readFile(join(dist, path)));

const limits = (over: Partial<RunLimits> = {}): RunLimits => ({
  fuel: 5_000_000,
  outputBytes: 100_000,
  memoryBytes: 32 << 20,
  deadline: Date.now() + 5_000,
  deadlineCode: "ERR_LIMIT_NODE_TIME",
  ...over,
});

function host(overrides: Partial<HostFunctions> = {}): HostFunctions & { calls: string[] } {
  const calls: string[] = [];
  const reply = (name: string) => async (input: string) => {
    calls.push(`${name} ${input}`);
    await new Promise((r) => setTimeout(r, 2));
    return {
      status: 0,
      body: JSON.stringify({
        status: 200,
        ok: true,
        headers: {},
        data: { body: { echoed: JSON.parse(input) } },
      }),
    };
  };
  return {
    calls,
    http_request: reply("http_request"),
    kv_get: reply("kv_get"),
    kv_put: reply("kv_put"),
    crypto_decrypt: reply("crypto_decrypt"),
    crypto_sign_rs256: reply("crypto_sign_rs256"),
    crypto_digest: reply("crypto_digest"),
    crypto_hmac: reply("crypto_hmac"),
    crypto_seal: reply("crypto_seal"),
    crypto_open: reply("crypto_open"),
    sleep: reply("sleep"),
    ...overrides,
  };
}

it("picks JSPI by itself exactly where the engine has it", async () => {
  const r = await runComponent(
    await load("http_request.wasm"),
    JSON.stringify({ config: { url: "https://api.example.com/x" } }),
    host(),
    limits(),
  );
  expect(r.mode).toBe(HAS_JSPI ? "jspi" : "asyncify");
});

describe.each(RUNTIMES)("runComponent (%s)", (runtime) => {
  const run = (...args: [WebAssembly.Module, string, HostFunctions, RunLimits]) =>
    runComponent(...args, runtimeOptions(runtime));

  it("suspends on a host call and resumes with its reply", async () => {
    const h = host();
    const r = await run(
      await load("http_request.wasm"),
      JSON.stringify({ config: { url: "https://api.example.com/x", method: "POST", body: { a: 1 } } }),
      h,
      limits(),
    );
    expect(r.mode).toBe(runtime);
    expect(r.hostCalls).toBe(1);
    expect(JSON.parse(h.calls[0]?.slice("http_request ".length) ?? "{}")).toMatchObject({
      method: "POST",
      url: "https://api.example.com/x",
      headers: { "content-type": "application/json" },
      body: '{"a":1}',
    });
    expect(JSON.parse(r.stdout)).toMatchObject({
      success: true,
      status: 200,
      data: { body: { echoed: { method: "POST" } } },
    });
  });

  it("stops an endless loop by fuel", async () => {
    await expect(
      run(await load("fixtures/spin.wasm"), "{}", host(), limits({ fuel: 100_000 })),
    ).rejects.toMatchObject({
      code: "ERR_LIMIT_FUEL",
    });
  });

  it("reports a trap", async () => {
    await expect(run(await load("fixtures/trap.wasm"), "{}", host(), limits())).rejects.toMatchObject({
      code: "ERR_COMPONENT_TRAPPED",
      message: expect.stringContaining("unreachable"),
    });
  });

  it("stops unbounded memory growth", async () => {
    await expect(
      run(await load("fixtures/grow.wasm"), "{}", host(), limits({ memoryBytes: 8 << 20 })),
    ).rejects.toMatchObject({ code: "ERR_LIMIT_MEMORY" });
  });

  it("stops unbounded output", async () => {
    await expect(
      run(await load("fixtures/flood.wasm"), "{}", host(), limits({ outputBytes: 50_000 })),
    ).rejects.toMatchObject({ code: "ERR_LIMIT_OUTPUT" });
  });

  it("abandons a host call that outlives the deadline", async () => {
    const slow = host({ http_request: () => new Promise(() => {}) });
    await expect(
      run(
        await load("http_request.wasm"),
        JSON.stringify({ config: { url: "https://api.example.com/slow" } }),
        slow,
        limits({ deadline: Date.now() + 100, deadlineCode: "ERR_LIMIT_RUN_TIME" }),
      ),
    ).rejects.toMatchObject({ code: "ERR_LIMIT_RUN_TIME" });
  });

  it("passes a host failure to the component as its error", async () => {
    const denied = host({
      http_request: async () => ({ status: 2, body: '{"code":"ERR_HOST_NOT_ALLOWED","error":"nope"}' }),
    });
    const r = await run(
      await load("http_request.wasm"),
      JSON.stringify({ config: { url: "https://api.example.com/x" } }),
      denied,
      limits(),
    );
    expect(JSON.parse(r.stdout)).toEqual({ success: false, error: "nope" });
  });
});

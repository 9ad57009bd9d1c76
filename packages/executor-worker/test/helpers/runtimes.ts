// The two ways a component waits for a host call (see docs/executor.md): asyncify unwinds and rewinds the
// WASM stack and runs everywhere; JSPI (`WebAssembly.Suspending`) suspends natively and is what workerd
// runs in production, and Node has it from 24 on. Tests that run components run them on every runtime this
// Node has. The check is made here, apart from the runtime's own, so a runtime that never picks JSPI fails.

export type ComponentRuntime = "asyncify" | "jspi";

const wa = WebAssembly as unknown as { Suspending?: unknown; promising?: unknown };

/** True when this JavaScript engine has JSPI (workerd, Node >= 24; not Node 20 or 22). */
export const HAS_JSPI = typeof wa.Suspending === "function" && typeof wa.promising === "function";

/** The runtimes to run components on here: asyncify always, JSPI where the engine has it. */
export const RUNTIMES: readonly ComponentRuntime[] = HAS_JSPI ? ["asyncify", "jspi"] : ["asyncify"];

/** runComponent's options that select `runtime` (it picks JSPI by itself where it exists). */
export function runtimeOptions(runtime: ComponentRuntime): { forceAsyncify: boolean } {
  return { forceAsyncify: runtime === "asyncify" };
}

import {
  ASYNCIFY_DATA_END,
  ASYNCIFY_DATA_START,
  HOST_FUNCTIONS,
  type HostFunctionName,
} from "components/abi";
import { ExecutorError } from "../errors.js";
import { createWasi, ProcExit, type WasiIo } from "./wasi.js";

/** What a host function returns to the component: a status (see HOST_STATUS) and a JSON body. */
export interface HostReply {
  status: number;
  body: string;
}

/** What a host call knows of its node: when it must be done (a sleep refuses to wait past it). */
export interface HostCall {
  deadline: number;
  deadlineCode: "ERR_LIMIT_NODE_TIME" | "ERR_LIMIT_RUN_TIME";
}

export type HostFunctions = Record<HostFunctionName, (input: string, call?: HostCall) => Promise<HostReply>>;

export interface RunLimits {
  /** Checkpoints (function entries and loop headers, counted by the metering hook) a run may pass. */
  fuel: number;
  /** Bytes a component may write to stdout. */
  outputBytes: number;
  /** Bytes of linear memory a component may grow to. */
  memoryBytes: number;
  /** Absolute time (ms since epoch) after which a pending host call is abandoned. */
  deadline: number;
  deadlineCode: "ERR_LIMIT_NODE_TIME" | "ERR_LIMIT_RUN_TIME";
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  fuel: number;
  hostCalls: number;
  /** "jspi" when the runtime suspends natively, "asyncify" when it unwinds and rewinds. */
  mode: "jspi" | "asyncify";
}

interface ComponentExports {
  memory: WebAssembly.Memory;
  _start: () => void;
  u6u_alloc: (size: number) => number;
  asyncify_start_unwind: (addr: number) => void;
  asyncify_stop_unwind: () => void;
  asyncify_start_rewind: (addr: number) => void;
  asyncify_stop_rewind: () => void;
  asyncify_get_state: () => number;
}

interface Jspi {
  Suspending: new (fn: (...args: number[]) => Promise<number>) => unknown;
  promising: (fn: () => void) => () => Promise<void>;
}

/** JSPI where the runtime has it (workerd, Node >= 24); asyncify otherwise (Node 20, 22). */
function jspi(): Jspi | undefined {
  const wa = WebAssembly as unknown as Partial<Jspi>;
  return typeof wa.Suspending === "function" && typeof wa.promising === "function" ? (wa as Jspi) : undefined;
}

const MEMORY_CHECK_EVERY = 4096;

/** Races a host call against the deadline, so a hanging fetch cannot hold a node past its limit. */
function withDeadline<T>(promise: Promise<T>, limits: RunLimits): Promise<T> {
  const remaining = limits.deadline - Date.now();
  if (remaining <= 0) return Promise.reject(deadlineError(limits));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(deadlineError(limits)), remaining);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function deadlineError(limits: RunLimits): ExecutorError {
  return limits.deadlineCode === "ERR_LIMIT_RUN_TIME"
    ? new ExecutorError(
        "ERR_LIMIT_RUN_TIME",
        "the workflow ran out of time (limits.run_ms); raise it or split the work",
      )
    : new ExecutorError(
        "ERR_LIMIT_NODE_TIME",
        "the node ran out of time (limits.node_ms); raise it or check the upstream service",
      );
}

/**
 * Runs one component: a WASI command whose stdin is `stdin` and whose stdout is the result.
 * Host functions are asynchronous; the synchronous WASM waits for them through JSPI or asyncify.
 * Throws ExecutorError for a limit, a trap (ERR_COMPONENT_TRAPPED) or a host failure.
 */
export async function runComponent(
  module: WebAssembly.Module,
  stdin: string,
  host: HostFunctions,
  limits: RunLimits,
  opts: { forceAsyncify?: boolean } = {},
): Promise<RunResult> {
  let exports: ComponentExports | undefined;
  let fuel = 0;
  let hostCalls = 0;
  const io: WasiIo = {
    stdin: new TextEncoder().encode(stdin),
    stdout: [],
    stderr: [],
    stdoutBytes: 0,
    maxStdout: limits.outputBytes,
    memory: () => {
      if (!exports) throw new Error("memory used before instantiation");
      return exports.memory;
    },
  };

  const meter = (): void => {
    fuel++;
    if (fuel > limits.fuel) {
      throw new ExecutorError(
        "ERR_LIMIT_FUEL",
        `the component used its whole fuel (${limits.fuel} checkpoints; it may loop forever); raise limits.node_fuel if the work is legitimate`,
      );
    }
    if (fuel % MEMORY_CHECK_EVERY === 0 && exports && exports.memory.buffer.byteLength > limits.memoryBytes) {
      throw new ExecutorError(
        "ERR_LIMIT_MEMORY",
        `the component grew its memory past ${limits.memoryBytes} bytes (limits.node_memory_bytes)`,
      );
    }
  };

  const readIn = (ptr: number, len: number): string =>
    new TextDecoder().decode(new Uint8Array(io.memory().buffer, ptr, len));

  const writeOut = (reply: HostReply, outPtrPtr: number, outLenPtr: number): number => {
    if (!exports) throw new Error("not instantiated");
    const bytes = new TextEncoder().encode(reply.body);
    const ptr = bytes.length === 0 ? 0 : exports.u6u_alloc(bytes.length);
    // u6u_alloc may grow memory: take the view after it.
    const mem = new Uint8Array(exports.memory.buffer);
    mem.set(bytes, ptr);
    const view = new DataView(exports.memory.buffer);
    view.setUint32(outPtrPtr, ptr, true);
    view.setUint32(outLenPtr, bytes.length, true);
    return reply.status;
  };

  const call = (name: HostFunctionName, input: string): Promise<HostReply> => {
    hostCalls++;
    return withDeadline(
      host[name](input, { deadline: limits.deadline, deadlineCode: limits.deadlineCode }),
      limits,
    );
  };

  const native = opts.forceAsyncify ? undefined : jspi();
  const u6u: Record<string, unknown> = {};
  // Asyncify state: the pending host call while unwound, its reply while rewinding.
  let pending: Promise<HostReply> | undefined;
  let settled: HostReply | undefined;
  for (const name of HOST_FUNCTIONS) {
    if (native) {
      u6u[name] = new native.Suspending(async (inPtr, inLen, outPtrPtr, outLenPtr) => {
        const reply = await call(name, readIn(inPtr ?? 0, inLen ?? 0));
        return writeOut(reply, outPtrPtr ?? 0, outLenPtr ?? 0);
      });
    } else {
      u6u[name] = (inPtr: number, inLen: number, outPtrPtr: number, outLenPtr: number): number => {
        if (!exports) throw new Error("not instantiated");
        if (exports.asyncify_get_state() === 2) {
          exports.asyncify_stop_rewind();
          const reply = settled;
          settled = undefined;
          if (!reply) throw new Error("asyncify rewound without a reply");
          return writeOut(reply, outPtrPtr, outLenPtr);
        }
        pending = call(name, readIn(inPtr, inLen));
        // The unwind data lives below --memoryBase: [start, end] pointers, then the buffer.
        const view = new DataView(exports.memory.buffer);
        view.setUint32(ASYNCIFY_DATA_START, ASYNCIFY_DATA_START + 8, true);
        view.setUint32(ASYNCIFY_DATA_START + 4, ASYNCIFY_DATA_END, true);
        exports.asyncify_start_unwind(ASYNCIFY_DATA_START);
        return 0;
      };
    }
  }

  const imports = {
    wasi_snapshot_preview1: createWasi(io),
    u6u,
    env: { log_execution: meter },
  } as unknown as WebAssembly.Imports;
  const instance = await WebAssembly.instantiate(module, imports);
  exports = instance.exports as unknown as ComponentExports;

  let exitCode = 0;
  try {
    if (native) {
      await native.promising(exports._start)();
    } else {
      for (;;) {
        exports._start();
        if (!pending) break;
        exports.asyncify_stop_unwind();
        const waiting = pending;
        pending = undefined;
        settled = await waiting;
        exports.asyncify_start_rewind(ASYNCIFY_DATA_START);
      }
    }
  } catch (err) {
    if (err instanceof ProcExit) exitCode = err.code;
    else if (err instanceof ExecutorError) throw err;
    else if (err instanceof WebAssembly.RuntimeError || err instanceof RangeError) {
      const detail = decode(io.stderr).trim();
      throw new ExecutorError(
        "ERR_COMPONENT_TRAPPED",
        `the component trapped (${err.message})${detail ? `: ${detail.slice(0, 300)}` : ""}; report it with the node's config`,
        { cause: err },
      );
    } else throw err;
  }
  return {
    stdout: decode(io.stdout),
    stderr: decode(io.stderr),
    exitCode,
    fuel,
    hostCalls,
    mode: native ? "jspi" : "asyncify",
  };
}

function decode(chunks: Uint8Array[]): string {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const all = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.length;
  }
  return new TextDecoder().decode(all);
}

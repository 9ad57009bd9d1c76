import { ExecutorError } from "../errors.js";

/**
 * The WASI preview1 subset a component gets: stdin (the node's input document), stdout (its output),
 * stderr (kept for error reports), clocks, random, proc_exit; no arguments, no environment, no files.
 * @see https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md
 */
export interface WasiIo {
  stdin: Uint8Array;
  stdout: Uint8Array[];
  stderr: Uint8Array[];
  stdoutBytes: number;
  maxStdout: number;
  memory: () => WebAssembly.Memory;
}

/** Thrown by proc_exit to leave `_start`; carries the exit code. */
export class ProcExit extends Error {
  override name = "ProcExit";
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

const ERRNO_SUCCESS = 0;
const ERRNO_BADF = 8;
const ERRNO_INVAL = 28;
const STDERR_KEEP = 4096;

export function createWasi(io: WasiIo): Record<string, (...args: never[]) => number | undefined> {
  let stdinOffset = 0;
  const view = () => new DataView(io.memory().buffer);
  const bytes = () => new Uint8Array(io.memory().buffer);

  const iovecs = (iovs: number, count: number): { ptr: number; len: number }[] => {
    const v = view();
    const out: { ptr: number; len: number }[] = [];
    for (let i = 0; i < count; i++) {
      out.push({ ptr: v.getUint32(iovs + i * 8, true), len: v.getUint32(iovs + i * 8 + 4, true) });
    }
    return out;
  };

  return {
    fd_write(fd: number, iovs: number, count: number, nwritten: number): number {
      if (fd !== 1 && fd !== 2) return ERRNO_BADF;
      let written = 0;
      for (const { ptr, len } of iovecs(iovs, count)) {
        const chunk = bytes().slice(ptr, ptr + len);
        written += len;
        if (fd === 1) {
          io.stdoutBytes += len;
          if (io.stdoutBytes > io.maxStdout) {
            throw new ExecutorError(
              "ERR_LIMIT_OUTPUT",
              `the component's output is larger than ${io.maxStdout} bytes (limits.output_bytes); select less data`,
            );
          }
          io.stdout.push(chunk);
        } else if (io.stderr.reduce((n, c) => n + c.length, 0) < STDERR_KEEP) {
          io.stderr.push(chunk);
        }
      }
      view().setUint32(nwritten, written, true);
      return ERRNO_SUCCESS;
    },
    fd_read(fd: number, iovs: number, count: number, nread: number): number {
      if (fd !== 0) return ERRNO_BADF;
      let read = 0;
      for (const { ptr, len } of iovecs(iovs, count)) {
        const n = Math.min(len, io.stdin.length - stdinOffset);
        if (n <= 0) break;
        bytes().set(io.stdin.subarray(stdinOffset, stdinOffset + n), ptr);
        stdinOffset += n;
        read += n;
      }
      view().setUint32(nread, read, true);
      return ERRNO_SUCCESS;
    },
    fd_close(): number {
      return ERRNO_SUCCESS;
    },
    fd_fdstat_get(fd: number, stat: number): number {
      if (fd > 2) return ERRNO_BADF;
      const v = view();
      // filetype character_device, no flags, no rights beyond what the three streams allow.
      v.setUint8(stat, 2);
      v.setUint16(stat + 2, 0, true);
      v.setBigUint64(stat + 8, 0n, true);
      v.setBigUint64(stat + 16, 0n, true);
      return ERRNO_SUCCESS;
    },
    proc_exit(code: number): undefined {
      throw new ProcExit(code);
    },
    clock_time_get(id: number, _precision: bigint, out: number): number {
      if (id !== 0 && id !== 1) return ERRNO_INVAL;
      const ns = id === 0 ? BigInt(Date.now()) * 1_000_000n : BigInt(Math.round(performance.now() * 1e6));
      view().setBigUint64(out, ns, true);
      return ERRNO_SUCCESS;
    },
    clock_res_get(_id: number, out: number): number {
      view().setBigUint64(out, 1_000_000n, true);
      return ERRNO_SUCCESS;
    },
    random_get(ptr: number, len: number): number {
      for (let off = 0; off < len; off += 65536) {
        crypto.getRandomValues(bytes().subarray(ptr + off, ptr + Math.min(len, off + 65536)));
      }
      return ERRNO_SUCCESS;
    },
    args_sizes_get(argc: number, size: number): number {
      view().setUint32(argc, 0, true);
      view().setUint32(size, 0, true);
      return ERRNO_SUCCESS;
    },
    args_get(): number {
      return ERRNO_SUCCESS;
    },
    environ_sizes_get(count: number, size: number): number {
      view().setUint32(count, 0, true);
      view().setUint32(size, 0, true);
      return ERRNO_SUCCESS;
    },
    environ_get(): number {
      return ERRNO_SUCCESS;
    },
  };
}

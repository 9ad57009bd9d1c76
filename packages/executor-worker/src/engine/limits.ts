import type { WorkflowLimitsInput } from "@arcrun/workflow";

/** Limits of one run. The Worker sets the ceilings (ARCRUN_LIMITS); a workflow may only lower them. */
export interface Limits {
  /** Wall time of the whole run. */
  run_ms: number;
  /** Wall time of one node, host calls included. */
  node_ms: number;
  /** Bytes of one node's output, and of one HTTP response body. */
  output_bytes: number;
  /** Host calls (http_request, kv_*, crypto_*) of the whole run. */
  host_calls: number;
  /** Metering checkpoints (function entries and loop headers) one node may pass: the CPU bound. */
  node_fuel: number;
  /** Linear memory one node may grow to. */
  node_memory_bytes: number;
  /** Node executions of the run, FOREACH iterations included. */
  nodes: number;
}

export const DEFAULT_LIMITS: Limits = {
  run_ms: 30_000,
  node_ms: 10_000,
  output_bytes: 1_048_576,
  host_calls: 100,
  node_fuel: 20_000_000,
  node_memory_bytes: 64 * 1024 * 1024,
  nodes: 200,
};

/** Parses ARCRUN_LIMITS (JSON, any subset of Limits) over the defaults; ignores what is not a positive integer. */
export function workerLimits(raw: string | undefined): Limits {
  const limits = { ...DEFAULT_LIMITS };
  if (!raw) return limits;
  const parsed: unknown = JSON.parse(raw);
  if (parsed && typeof parsed === "object") {
    for (const key of Object.keys(limits) as (keyof Limits)[]) {
      const v = (parsed as Record<string, unknown>)[key];
      if (typeof v === "number" && Number.isInteger(v) && v > 0) limits[key] = v;
    }
  }
  return limits;
}

/** A workflow's own limits, each capped by the Worker's. */
export function effectiveLimits(ceiling: Limits, wanted: WorkflowLimitsInput): Limits {
  const out = { ...ceiling };
  for (const [k, v] of Object.entries(wanted) as [keyof WorkflowLimitsInput, number][]) {
    out[k] = Math.min(ceiling[k], v);
  }
  return out;
}

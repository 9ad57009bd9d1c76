import type { ExecutorErrorCode } from "@arcrun/workflow";

/**
 * Every error the executor reports has a stable `code` (the protocol's ExecutorErrorCode: renaming one is a
 * breaking change) and a message that ends with what to do next. No message holds a credential value.
 */
export type { ExecutorErrorCode };

export class ExecutorError extends Error {
  override name = "ExecutorError";
  readonly code: ExecutorErrorCode;
  constructor(code: ExecutorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isExecutorError(err: unknown, code?: ExecutorErrorCode): err is ExecutorError {
  return err instanceof ExecutorError && (code === undefined || err.code === code);
}

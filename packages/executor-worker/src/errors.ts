/**
 * Every error the executor reports has a stable `code` (API: renaming one is a breaking change) and a message
 * that ends with what to do next. No message holds a credential value.
 */
export type ExecutorErrorCode =
  | "ERR_WORKFLOW_INVALID"
  | "ERR_WORKFLOW_NOT_FOUND"
  | "ERR_WORKFLOW_TOO_LARGE"
  | "ERR_EXECUTION_NOT_FOUND"
  | "ERR_CREDENTIAL_INVALID"
  | "ERR_CREDENTIAL_NOT_FOUND"
  | "ERR_UNAUTHORIZED"
  | "ERR_RATE_LIMITED"
  | "ERR_BAD_REQUEST"
  | "ERR_COMPONENT_FAILED"
  | "ERR_COMPONENT_TRAPPED"
  | "ERR_COMPONENT_OUTPUT"
  | "ERR_TEMPLATE"
  | "ERR_HOST_NOT_ALLOWED"
  | "ERR_HOST_DENIED"
  | "ERR_LIMIT_RUN_TIME"
  | "ERR_LIMIT_NODE_TIME"
  | "ERR_LIMIT_OUTPUT"
  | "ERR_LIMIT_HOST_CALLS"
  | "ERR_LIMIT_FUEL"
  | "ERR_LIMIT_MEMORY"
  | "ERR_LIMIT_NODES"
  | "ERR_CONFIG";

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

/**
 * Every error arcrun-auth throws is an ArcrunError with a stable `code` (the codes are API: renaming one is a
 * breaking change) and a message that ends with what to do next. No message, and no enumerable property,
 * ever holds a secret: upstream responses are kept on a non-enumerable `response`.
 */
export type ArcrunErrorCode =
  | "ERR_UNKNOWN_SERVICE"
  | "ERR_UNKNOWN_INSTANCE"
  | "ERR_NEEDS_LOGIN"
  | "ERR_REAUTH_REQUIRED"
  | "ERR_RECIPE_INVALID"
  | "ERR_STORE_UNAVAILABLE"
  | "ERR_STORE_CORRUPT"
  | "ERR_STORE_LOCKED"
  | "ERR_STORE_WRONG_KEY"
  | "ERR_HOST_NOT_ALLOWED"
  | "ERR_INVALID_OPTION"
  | "ERR_MISSING_SECRET"
  | "ERR_INVALID_SECRET"
  | "ERR_PRIMITIVE_UNSUPPORTED"
  | "ERR_TEST_FAILED"
  | "ERR_OAUTH"
  | "ERR_OAUTH_STATE_MISMATCH"
  | "ERR_LOGIN_TIMEOUT"
  | "ERR_LOGIN_CANCELLED"
  | "ERR_DEVICE_CODE_EXPIRED"
  | "ERR_ACCESS_DENIED"
  | "ERR_NO_CLIENT"
  | "ERR_BROKER"
  | "ERR_NETWORK"
  | "ERR_NOT_INTERACTIVE"
  | "ERR_CATALOGUE_SIGNATURE"
  | "ERR_CATALOGUE_INVALID"
  | "ERR_CATALOGUE_DOWNGRADE"
  | "ERR_CATALOGUE_SOURCE";

export interface ArcrunErrorOptions {
  cause?: unknown;
  service?: string;
  instance?: string;
}

export class ArcrunError extends Error {
  override name = "ArcrunError";
  readonly code: ArcrunErrorCode;
  declare readonly service?: string;
  declare readonly instance?: string;

  constructor(code: ArcrunErrorCode, message: string, options: ArcrunErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.service !== undefined) this.service = options.service;
    if (options.instance !== undefined) this.instance = options.instance;
  }
}

/**
 * An error response from an OAuth endpoint (RFC 6749 section 5.2). `error` and `error_description` are the
 * provider's words; the raw Response is non-enumerable so that logging the error never prints a body.
 */
export class OAuthError extends ArcrunError {
  override name = "OAuthError";
  readonly status: number;
  readonly error: string;
  readonly error_description?: string;
  declare readonly response?: Response;

  constructor(
    code: ArcrunErrorCode,
    message: string,
    details: { status: number; error: string; error_description?: string; response?: Response },
    options: ArcrunErrorOptions = {},
  ) {
    super(code, message, options);
    this.status = details.status;
    this.error = details.error;
    if (details.error_description !== undefined) this.error_description = details.error_description;
    Object.defineProperty(this, "response", { value: details.response, enumerable: false });
  }
}

export function isArcrunError(err: unknown, code?: ArcrunErrorCode): err is ArcrunError {
  return err instanceof ArcrunError && (code === undefined || err.code === code);
}

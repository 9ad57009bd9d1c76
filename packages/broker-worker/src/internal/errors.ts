import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * An error the broker answers with. `error` is an RFC 6749 section 5.2 style code (`invalid_request`,
 * `invalid_grant`, ...) or a broker code; `description` says what went wrong in words and `next` what to do
 * about it. Neither ever holds a token, a code, a verifier or a client secret: callers pass fixed text.
 */
export class BrokerError extends Error {
  override name = "BrokerError";
  readonly status: ContentfulStatusCode;
  readonly error: string;
  readonly next: string;
  readonly headers: Record<string, string>;

  constructor(
    status: ContentfulStatusCode,
    error: string,
    description: string,
    next: string,
    headers: Record<string, string> = {},
  ) {
    super(description);
    this.status = status;
    this.error = error;
    this.next = next;
    this.headers = headers;
  }

  /**
   * The JSON body of an API error: RFC 6749 section 5.2 fields, the description ending with the next step,
   * and that step alone in `next_step` so a client can put its own in place.
   */
  toJSON(): { error: string; error_description: string; next_step: string } {
    return { error: this.error, error_description: `${this.message} ${this.next}`, next_step: this.next };
  }
}

export const START_AGAIN =
  "Start the sign-in again from arcrun (run: arcrun setup, or auth.login in your program).";

export const misconfigured = (what: string) =>
  new BrokerError(
    500,
    "server_error",
    `This broker is misconfigured: ${what}.`,
    "If you run this broker, fix its configuration (see docs/broker.md); otherwise tell its operator.",
  );

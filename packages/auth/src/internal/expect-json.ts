/**
 * The body check of a recipe's `test` request (`expect_json`): for providers that answer a dead credential
 * with HTTP 200 and say so in the body (Slack `auth.test`: `{"ok": false, "error": "invalid_auth"}`), and
 * GraphQL APIs whose answer to a refused request is `{"data": null, "errors": [...]}` (a key with dots is a
 * path into nested objects: `data.me.id`). See docs/recipes.md.
 */
import type { ExpectJsonValue } from "@arcrun/recipes";

/** Why the answer does not hold the expected fields, or undefined when it does. */
export function jsonMismatch(
  text: string,
  expected: Readonly<Record<string, ExpectJsonValue>>,
): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return "the answer is not JSON";
  }
  if (!isObject(parsed)) return "the answer is not a JSON object";
  for (const [key, want] of Object.entries(expected)) {
    const got = at(parsed, key);
    if (typeof want === "object" && want !== null) {
      // `{ absent: true }`: a field whose presence means refusal (Railway's GraphQL `errors` beside HTTP 200,
      // Alpha Vantage's "Error Message"); its value is never echoed, only a short error code.
      if (got !== undefined) {
        const code = errorCode(parsed);
        return `${key} is present, expected it absent${code ? ` (error: ${code})` : ""}`;
      }
      continue;
    }
    if (got !== want) {
      // Only a short provider error code is echoed (never the body): it says what the provider disliked.
      const code = errorCode(parsed);
      return `${key} is ${JSON.stringify(got ?? null)}, expected ${JSON.stringify(want)}${code ? ` (error: ${code})` : ""}`;
    }
  }
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The value at a dotted path of nested objects; undefined where a step is missing or not an object. */
function at(body: Record<string, unknown>, path: string): unknown {
  let here: unknown = body;
  for (const step of path.split(".")) {
    if (!isObject(here)) return undefined;
    here = here[step];
  }
  return here;
}

const SHORT_CODE = /^[\w.-]{1,64}$/;

/** A provider's short error code: `error` (Slack), or the first GraphQL error's `extensions.code`. */
function errorCode(body: Record<string, unknown>): string | undefined {
  if (typeof body.error === "string") return SHORT_CODE.test(body.error) ? body.error : undefined;
  const first: unknown = Array.isArray(body.errors) ? body.errors[0] : undefined;
  const code = isObject(first) && isObject(first.extensions) ? first.extensions.code : undefined;
  return typeof code === "string" && SHORT_CODE.test(code) ? code : undefined;
}

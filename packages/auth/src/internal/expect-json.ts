/**
 * The body check of a recipe's `test` request (`expect_json`): for providers that answer a dead credential
 * with HTTP 200 and say so in the body (Slack `auth.test`: `{"ok": false, "error": "invalid_auth"}`).
 */

/** Why the answer does not hold the expected top-level fields, or undefined when it does. */
export function jsonMismatch(
  text: string,
  expected: Readonly<Record<string, string | number | boolean | null>>,
): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return "the answer is not JSON";
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return "the answer is not a JSON object";
  }
  const body = parsed as Record<string, unknown>;
  for (const [key, want] of Object.entries(expected)) {
    if (body[key] !== want) {
      // Only a short provider error code is echoed (never the body): it says what the provider disliked.
      const code =
        typeof body.error === "string" && /^[\w.-]{1,64}$/.test(body.error) ? body.error : undefined;
      return `${key} is ${JSON.stringify(body[key] ?? null)}, expected ${JSON.stringify(want)}${code ? ` (error: ${code})` : ""}`;
    }
  }
  return undefined;
}

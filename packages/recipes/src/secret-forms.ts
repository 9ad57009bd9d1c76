/**
 * The forms in which a secret can come back in text a server or a provider wrote, for redaction: the
 * broker's `scrubSecret` and the executor's secret registry both replace each of them (docs/executor.md,
 * "Sealed credentials").
 */

/** application/x-www-form-urlencoded, as a token endpoint reads it (space as `+`). */
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, "+");
}

/** Base64 of the UTF-8 bytes (`btoa` alone refuses anything outside Latin-1). */
function base64Utf8(value: string): string {
  const bytes = new TextEncoder().encode(value);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/**
 * A secret as is, URL-encoded, form-encoded, JSON-escaped (inside a JSON string) and base64 of its UTF-8
 * bytes; each distinct form once, longest first (so a form that contains another is replaced whole).
 */
export function secretForms(secret: string): string[] {
  const forms = new Set([
    secret,
    encodeURIComponent(secret),
    formEncode(secret),
    JSON.stringify(secret).slice(1, -1),
    base64Utf8(secret),
  ]);
  return [...forms].sort((a, b) => b.length - a.length);
}

/**
 * HTTP Basic credentials as a server may echo them: base64 of `user:password` (RFC 7617 section 2), also
 * with both parts form-encoded first, as OAuth's client_secret_basic sends them (RFC 6749 section 2.3.1).
 * The user alone is often no secret (an account SID, Mailgun's `api`); the pair is.
 */
export function basicForms(user: string, password: string): string[] {
  const forms = new Set([
    base64Utf8(`${user}:${password}`),
    base64Utf8(`${formEncode(user)}:${formEncode(password)}`),
  ]);
  return [...forms];
}

/**
 * Reading a resource server's `WWW-Authenticate: Bearer error="insufficient_scope", scope="..."` answer.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 */

/**
 * The scopes a 403 asks for when its challenge is a Bearer `insufficient_scope` error (RFC 6750 section 3.1),
 * an empty list when it names none; undefined for any other 403 (a plain "forbidden" is not about consent).
 */
export function insufficientScope(header: string | null): string[] | undefined {
  if (header === null) return undefined;
  // RFC 6750 section 3: `Bearer` followed by comma-separated auth-params, values quoted strings.
  const bearer = /(?:^|,)\s*Bearer\s+(.*)$/i.exec(header);
  if (!bearer) return undefined;
  const params = new Map<string, string>();
  const re = /([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
  for (const m of (bearer[1] ?? "").matchAll(re)) {
    const key = (m[1] ?? "").toLowerCase();
    if (!params.has(key)) params.set(key, (m[2] ?? m[3] ?? "").replace(/\\(.)/g, "$1"));
  }
  if (params.get("error") !== "insufficient_scope") return undefined;
  return (params.get("scope") ?? "").split(/\s+/).filter((s) => s !== "");
}

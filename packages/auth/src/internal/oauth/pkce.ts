/**
 * PKCE (RFC 7636) and the random values of an authorization request.
 * Only S256 is produced: a client that can hash must use it, and `plain` is never a fallback.
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.2
 */

export interface Pkce {
  /** 43 characters of base64url (32 random bytes), inside the 43..128 range of RFC 7636 section 4.1. */
  verifier: string;
  challenge: string;
  method: "S256";
}

export function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}

/** A base64url string of `bytes` random bytes from the platform CSPRNG (RFC 6749 section 10.10). */
export function randomToken(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** BASE64URL(SHA256(ASCII(code_verifier))), RFC 7636 section 4.2. */
export async function s256(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** A fresh verifier and its S256 challenge; call once per authorization attempt. */
export async function createPkce(): Promise<Pkce> {
  const verifier = randomToken(32);
  return { verifier, challenge: await s256(verifier), method: "S256" };
}

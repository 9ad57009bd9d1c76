const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function base64url(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64(text: string): Uint8Array {
  const std = text.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(std + "=".repeat((4 - (std.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** 32 random bytes, base64url: state values, handoff codes, the broker's own PKCE verifier. */
export function randomToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

export async function sha256(text: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text))));
}

/**
 * The S256 code challenge of a verifier.
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.2
 */
export const s256 = sha256;

/** Compares two strings without an early exit, so timing does not tell how much of a secret matched. */
export function timingSafeEqual(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

const keys = new Map<string, Promise<CryptoKey>>();

/** Imports the AES-256-GCM key from its base64 text; undefined when the text is not 32 bytes. */
export function importKey(secret: string): Promise<CryptoKey> | undefined {
  let raw: Uint8Array;
  try {
    raw = fromBase64(secret.trim());
  } catch {
    return undefined;
  }
  if (raw.length !== 32) return undefined;
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
    keys.set(secret, key);
  }
  return key;
}

export interface Sealed {
  iv: string;
  ct: string;
}

/** AES-256-GCM with a fresh 96-bit IV; `aad` binds the ciphertext to the record it belongs to. */
export async function seal(key: CryptoKey, plaintext: string, aad: string): Promise<Sealed> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: encoder.encode(aad) },
    key,
    encoder.encode(plaintext),
  );
  return { iv: base64url(iv), ct: base64url(new Uint8Array(ct)) };
}

export async function open(key: CryptoKey, sealed: Sealed, aad: string): Promise<string> {
  const pt = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromBase64(sealed.iv), additionalData: encoder.encode(aad) },
    key,
    fromBase64(sealed.ct),
  );
  return decoder.decode(pt);
}

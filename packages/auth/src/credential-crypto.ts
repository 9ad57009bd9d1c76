import { ArcrunError } from "./errors.js";

/**
 * A credential encrypted on the client for the arcrun executor: AES-256-GCM (NIST SP 800-38D) with a random
 * 96-bit IV, the 128-bit tag appended to the ciphertext, both base64. The credential's name is the
 * additional authenticated data, so a ciphertext cannot be replayed under another name.
 * The executor decrypts it only inside its host (`crypto_decrypt`); the key never reaches a component.
 */
export interface EncryptedCredential {
  name: string;
  /** base64(ciphertext || tag) */
  encrypted: string;
  /** base64 of the 12-byte IV */
  iv: string;
}

/** WebCrypto's key type, taken from the global so that this file needs neither DOM nor node:crypto types. */
export type CredentialKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

const KEY_BYTES = 32;
const IV_BYTES = 12;
const NAME = /^[A-Za-z0-9_.-]{1,128}$/;

function toBase64(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

function fromBase64(text: string, what: string): Uint8Array<ArrayBuffer> {
  try {
    const bin = atob(text);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch (cause) {
    throw new ArcrunError("ERR_INVALID_OPTION", `${what} is not base64. Check the value, then retry.`, {
      cause,
    });
  }
}

function aad(name: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`arcrun-credential:${name}`);
}

function checkName(name: string): void {
  if (!NAME.test(name)) {
    throw new ArcrunError(
      "ERR_INVALID_OPTION",
      `credential name "${name}" is not valid: use 1-128 letters, digits, "_", "-" or ".". Pick another name.`,
    );
  }
}

/** A new random AES-256 key, base64: what `ENCRYPTION_KEY` of the executor holds. */
export function generateCredentialKey(): string {
  return toBase64(crypto.getRandomValues(new Uint8Array(KEY_BYTES)));
}

/** Imports a base64 AES-256 key (the executor's `ENCRYPTION_KEY`). */
export async function importCredentialKey(base64Key: string): Promise<CredentialKey> {
  const raw = fromBase64(base64Key.trim(), "the encryption key");
  if (raw.length !== KEY_BYTES) {
    throw new ArcrunError(
      "ERR_INVALID_OPTION",
      `the encryption key must be ${KEY_BYTES} bytes (base64), got ${raw.length}. Copy the executor's ENCRYPTION_KEY again.`,
    );
  }
  return crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
}

async function asKey(key: string | CredentialKey): Promise<CredentialKey> {
  return typeof key === "string" ? importCredentialKey(key) : key;
}

/** Encrypts `plaintext` (a secret, or a JSON object of a recipe's secrets) under `name`. */
export async function encryptCredential(
  name: string,
  plaintext: string,
  key: string | CredentialKey,
): Promise<EncryptedCredential> {
  checkName(name);
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: aad(name), tagLength: 128 },
    await asKey(key),
    new TextEncoder().encode(plaintext),
  );
  return { name, encrypted: toBase64(new Uint8Array(sealed)), iv: toBase64(iv) };
}

/** Decrypts what `encryptCredential` produced; a wrong key, name or a changed byte fails with ERR_INVALID_SECRET. */
export async function decryptCredential(
  credential: EncryptedCredential,
  key: string | CredentialKey,
): Promise<string> {
  checkName(credential.name);
  const iv = fromBase64(credential.iv, "iv");
  if (iv.length !== IV_BYTES) {
    throw new ArcrunError(
      "ERR_INVALID_SECRET",
      `iv must be ${IV_BYTES} bytes. Encrypt the credential again.`,
    );
  }
  const cryptoKey = await asKey(key);
  const data = fromBase64(credential.encrypted, "encrypted");
  try {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv, additionalData: aad(credential.name), tagLength: 128 },
      cryptoKey,
      data,
    );
    return new TextDecoder().decode(plain);
  } catch (cause) {
    throw new ArcrunError(
      "ERR_INVALID_SECRET",
      `credential "${credential.name}" does not decrypt with this key (wrong key, wrong name, or altered data). ` +
        "Push it again, run: arcrun creds push " +
        credential.name,
      { cause },
    );
  }
}

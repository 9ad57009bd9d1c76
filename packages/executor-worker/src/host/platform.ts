import { HOST_STATUS } from "components/abi";
import { ExecutorError } from "../errors.js";
import { base64Decode, base64Encode, base64UrlEncode } from "../internal/base64.js";
import type { HostContext } from "./context.js";
import { type OpenedCredential, openCredential } from "./credentials.js";
import { md5 } from "./md5.js";
import type { HostCall, HostReply } from "./runtime.js";

// Host functions for the data and platform components: digests and HMACs (WASM has no crypto), sealing a
// value with a stored credential's key (the key never enters WASM), and an asynchronous sleep.

const ok = (body: unknown): HostReply => ({ status: HOST_STATUS.ok, body: JSON.stringify(body) });
const bad = (error: string): HostReply => ({
  status: HOST_STATUS.failed,
  body: JSON.stringify({ code: "ERR_BAD_REQUEST", error }),
});
const notFound = (name: string): HostReply => ({
  status: HOST_STATUS.not_found,
  body: JSON.stringify({
    code: "ERR_CREDENTIAL_NOT_FOUND",
    error: `no credential "${name}" for this tenant; run: arcrun creds push ${name}`,
  }),
});

type Input = Record<string, unknown>;

const utf8 = (text: string): Uint8Array<ArrayBuffer> => new Uint8Array(new TextEncoder().encode(text));
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

const DIGESTS: Record<string, string> = {
  md5: "MD5",
  sha1: "SHA-1",
  sha256: "SHA-256",
  sha384: "SHA-384",
  sha512: "SHA-512",
};
const HMACS = ["sha1", "sha256", "sha384", "sha512"];

function algorithmName(v: unknown): string {
  return (str(v) ?? "sha256").toLowerCase().replace(/-/g, "");
}

/** Bytes of `text` read as utf8 (default), base64 (standard or URL-safe) or hex; undefined when malformed. */
function decodeData(text: string, encoding: unknown): Uint8Array<ArrayBuffer> | undefined {
  const enc = str(encoding) ?? "utf8";
  if (enc === "utf8" || enc === "utf-8") return utf8(text);
  if (enc === "hex") {
    if (!/^(?:[0-9a-fA-F]{2})*$/.test(text)) return undefined;
    const out = new Uint8Array(text.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
    return out;
  }
  if (enc === "base64") {
    try {
      return base64Decode(text.replace(/\s+/g, ""));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function encodeBytes(bytes: Uint8Array, encoding: unknown): string | undefined {
  const enc = str(encoding) ?? "hex";
  if (enc === "hex") return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  if (enc === "base64") return base64Encode(bytes);
  if (enc === "base64url") return base64UrlEncode(bytes);
  return undefined;
}

function readData(input: Input): Uint8Array<ArrayBuffer> | HostReply {
  const data = str(input.data);
  if (data === undefined) return bad("data must be a string");
  const bytes = decodeData(data, input.data_encoding);
  if (!bytes)
    return bad(`data is not valid ${str(input.data_encoding)}; data_encoding is utf8, base64 or hex`);
  return bytes;
}

function encoded(bytes: Uint8Array, input: Input): HostReply {
  const digest = encodeBytes(bytes, input.encoding);
  return digest === undefined
    ? bad(`unknown encoding "${str(input.encoding)}"; use hex, base64 or base64url`)
    : ok({ digest });
}

/** `u6u.crypto_digest`: `{algorithm, data, data_encoding?, encoding?}` -> `{digest}` (md5, sha1, sha256, sha384, sha512). */
export async function cryptoDigest(_ctx: HostContext, input: Input): Promise<HostReply> {
  const alg = algorithmName(input.algorithm);
  const name = DIGESTS[alg];
  if (!name)
    return bad(`unknown algorithm "${str(input.algorithm)}"; use md5, sha1, sha256, sha384 or sha512`);
  const data = readData(input);
  if (!(data instanceof Uint8Array)) return data;
  const bytes = alg === "md5" ? md5(data) : new Uint8Array(await crypto.subtle.digest(name, data));
  return encoded(bytes, input);
}

/**
 * The secret of a credential used as key material: `field` names one of a JSON credential's keys; a
 * credential with a single secret needs none.
 */
function credentialSecret(opened: OpenedCredential, name: string, field: unknown): string | HostReply {
  const f = str(field);
  if (f !== undefined && f !== "") {
    const v = opened.secrets[f];
    return (
      v ?? bad(`credential "${name}" has no key "${f}"; it holds ${Object.keys(opened.secrets).join(", ")}`)
    );
  }
  const keys = Object.keys(opened.secrets);
  if (keys.length === 1) return opened.secrets[keys[0] as string] as string;
  return bad(`credential "${name}" holds ${keys.join(", ")}; name one with credential_field`);
}

/**
 * `u6u.crypto_hmac`: `{algorithm, data, data_encoding?, encoding?}` with the key as `key` (+ `key_encoding`)
 * or from a stored credential (`credential`, `field?`), which stays in the host -> `{digest}`. RFC 2104.
 */
export async function cryptoHmac(ctx: HostContext, input: Input): Promise<HostReply> {
  const alg = algorithmName(input.algorithm);
  if (!HMACS.includes(alg))
    return bad(`unknown HMAC algorithm "${str(input.algorithm)}"; use sha1, sha256, sha384 or sha512`);
  const data = readData(input);
  if (!(data instanceof Uint8Array)) return data;
  let key: Uint8Array<ArrayBuffer>;
  const credential = str(input.credential);
  if (credential) {
    const opened = await openCredential(ctx, credential);
    if (!opened) return notFound(credential);
    const secret = credentialSecret(opened, credential, input.field);
    if (typeof secret !== "string") return secret;
    key = utf8(secret);
  } else {
    const text = str(input.key);
    if (text === undefined) return bad("an HMAC needs a key: set key, or credential for a stored secret");
    // A key given as a credential's handle ({{credential.NAME}}) is used as that secret, here in the host.
    const sealed = ctx.secrets.unseal(text);
    const decoded = decodeData(sealed ? sealed.value : text, input.key_encoding);
    if (!decoded)
      return bad(`key is not valid ${str(input.key_encoding)}; key_encoding is utf8, base64 or hex`);
    key = decoded;
  }
  if (key.length === 0) return bad("the HMAC key is empty");
  const hash = DIGESTS[alg] as string;
  const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash }, false, ["sign"]);
  return encoded(new Uint8Array(await crypto.subtle.sign("HMAC", k, data)), input);
}

const SEAL_VERSION = "v1";
const SALT_BYTES = 16;
const IV_BYTES = 12;
const MIN_KEY_BYTES = 16;

/**
 * An AES-256-GCM key derived from a credential's secret with HKDF-SHA256 (RFC 5869) and a per-message salt.
 * The additional data binds a ciphertext to the tenant and the credential name, so it opens nowhere else.
 */
async function sealKey(
  ctx: HostContext,
  input: Input,
  salt: Uint8Array<ArrayBuffer>,
): Promise<{ key: CryptoKey; aad: Uint8Array<ArrayBuffer> } | HostReply> {
  const name = str(input.credential) ?? "";
  if (name === "") return bad("set credential: the stored credential whose secret is the key");
  const opened = await openCredential(ctx, name);
  if (!opened) return notFound(name);
  const secret = credentialSecret(opened, name, input.field);
  if (typeof secret !== "string") return secret;
  const ikm = new TextEncoder().encode(secret);
  if (ikm.length < MIN_KEY_BYTES) {
    return bad(
      `credential "${name}" is too short to be a key (${MIN_KEY_BYTES} bytes at least); push a random one: openssl rand -base64 32 | arcrun creds push ${name}`,
    );
  }
  const base = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveKey"]);
  const key = await crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt, info: new TextEncoder().encode("arcrun platform_crypto v1") },
    base,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
  return { key, aad: utf8(`arcrun:${ctx.tenant}:${name}`) };
}

/** `u6u.crypto_seal`: `{credential, field?, plaintext}` -> `{ciphertext}` ("v1." + base64url(salt, iv, data and tag)). */
export async function cryptoSeal(ctx: HostContext, input: Input): Promise<HostReply> {
  const plaintext = str(input.plaintext);
  if (plaintext === undefined) return bad("plaintext must be a string");
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const k = await sealKey(ctx, input, salt);
  if ("status" in k) return k;
  const ct = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: k.aad },
      k.key,
      new TextEncoder().encode(plaintext),
    ),
  );
  const all = new Uint8Array(SALT_BYTES + IV_BYTES + ct.length);
  all.set(salt);
  all.set(iv, SALT_BYTES);
  all.set(ct, SALT_BYTES + IV_BYTES);
  return ok({ ciphertext: `${SEAL_VERSION}.${base64UrlEncode(all)}` });
}

/** `u6u.crypto_open`: `{credential, field?, ciphertext}` -> `{plaintext}`; fails when altered or sealed elsewhere. */
export async function cryptoOpen(ctx: HostContext, input: Input): Promise<HostReply> {
  const text = str(input.ciphertext) ?? "";
  const [version, body, ...rest] = text.split(".");
  let all: Uint8Array<ArrayBuffer> | undefined;
  if (version === SEAL_VERSION && body && rest.length === 0) {
    try {
      all = base64Decode(body);
    } catch {
      all = undefined;
    }
  }
  if (!all || all.length < SALT_BYTES + IV_BYTES + 16) {
    return bad(
      'ciphertext is not a platform_crypto value ("v1." followed by base64url); pass what encrypt returned',
    );
  }
  const k = await sealKey(ctx, input, all.slice(0, SALT_BYTES));
  if ("status" in k) return k;
  try {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: all.slice(SALT_BYTES, SALT_BYTES + IV_BYTES), additionalData: k.aad },
      k.key,
      all.slice(SALT_BYTES + IV_BYTES),
    );
    return ok({ plaintext: new TextDecoder().decode(plain) });
  } catch {
    return bad(
      `the ciphertext was not encrypted with credential "${str(input.credential)}" of this tenant, or it was altered`,
    );
  }
}

/**
 * `u6u.sleep`: `{ms}` -> `{slept_ms}`. Refused at once (the node's or run's time limit error) when the wait
 * would pass the deadline, rather than holding the node until it times out.
 */
export async function sleep(_ctx: HostContext, input: Input, call: HostCall): Promise<HostReply> {
  const ms = input.ms;
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) return bad("ms must be a number >= 0");
  const wait = Math.ceil(ms);
  const left = call.deadline - Date.now();
  if (wait > left) {
    const which = call.deadlineCode === "ERR_LIMIT_RUN_TIME" ? "run_ms" : "node_ms";
    throw new ExecutorError(
      call.deadlineCode,
      `a wait of ${wait} ms would pass the ${which === "run_ms" ? "run's" : "node's"} time limit (${Math.max(0, left)} ms left; limits.${which}); wait less or raise limits.${which}`,
    );
  }
  const started = Date.now();
  await new Promise((resolve) => setTimeout(resolve, wait));
  return ok({ slept_ms: Date.now() - started });
}

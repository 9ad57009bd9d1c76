// Host calls of the data and platform components (see docs/executor.md, "Host ABI"): digests and HMACs
// (WASM has no crypto), sealing with a stored credential's key (the key stays in the host), and sleep.
import { finish, HostResult, SLOTS } from "./index";

@external("u6u", "crypto_digest")
declare function u6u_crypto_digest(inPtr: usize, inLen: i32, outPtrPtr: usize, outLenPtr: usize): i32;
@external("u6u", "crypto_hmac")
declare function u6u_crypto_hmac(inPtr: usize, inLen: i32, outPtrPtr: usize, outLenPtr: usize): i32;
@external("u6u", "crypto_seal")
declare function u6u_crypto_seal(inPtr: usize, inLen: i32, outPtrPtr: usize, outLenPtr: usize): i32;
@external("u6u", "crypto_open")
declare function u6u_crypto_open(inPtr: usize, inLen: i32, outPtrPtr: usize, outLenPtr: usize): i32;
@external("u6u", "sleep")
declare function u6u_sleep(inPtr: usize, inLen: i32, outPtrPtr: usize, outLenPtr: usize): i32;

/** {algorithm, data, data_encoding?, encoding?} -> {digest} */
export function cryptoDigest(request: string): HostResult {
  const buf = String.UTF8.encode(request);
  return finish(u6u_crypto_digest(changetype<usize>(buf), buf.byteLength, SLOTS, SLOTS + 4));
}

/** {algorithm, data, key | credential, ...} -> {digest} */
export function cryptoHmac(request: string): HostResult {
  const buf = String.UTF8.encode(request);
  return finish(u6u_crypto_hmac(changetype<usize>(buf), buf.byteLength, SLOTS, SLOTS + 4));
}

/** {credential, field?, plaintext} -> {ciphertext} */
export function cryptoSeal(request: string): HostResult {
  const buf = String.UTF8.encode(request);
  return finish(u6u_crypto_seal(changetype<usize>(buf), buf.byteLength, SLOTS, SLOTS + 4));
}

/** {credential, field?, ciphertext} -> {plaintext} */
export function cryptoOpen(request: string): HostResult {
  const buf = String.UTF8.encode(request);
  return finish(u6u_crypto_open(changetype<usize>(buf), buf.byteLength, SLOTS, SLOTS + 4));
}

/** {ms} -> {slept_ms} */
export function sleepMs(request: string): HostResult {
  const buf = String.UTF8.encode(request);
  return finish(u6u_sleep(changetype<usize>(buf), buf.byteLength, SLOTS, SLOTS + 4));
}

// hash: a digest (md5, sha1, sha256, sha384, sha512) or an HMAC (hmac-sha1/256/384/512) of a value,
// computed by the host (WASM has no crypto). An HMAC key may be a stored credential, which stays in the host.
import { JSON } from "json-as";
import { quote, toJson, Parts } from "../_sdk/text";
import { fail, getString, readConfig, writeStdout } from "../_sdk";
import { cryptoDigest, cryptoHmac } from "../_sdk/platform";
export { u6u_alloc } from "../_sdk";

const DIGESTS = ["md5", "sha1", "sha256", "sha384", "sha512"];
const HMACS = ["hmac-sha1", "hmac-sha256", "hmac-sha384", "hmac-sha512"];
const ENCODINGS = ["hex", "base64", "base64url"];

function q(s: string): string {
  return quote(s);
}

/** Constant-time equality of two digests (hex compares case-insensitively). */
function sameDigest(a: string, b: string): bool {
  if (a.length != b.length) return false;
  let diff: i32 = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff == 0;
}

function main(): void {
  const config = readConfig();
  const algorithm = getString(config, "algorithm", "sha256").toLowerCase();
  const encoding = getString(config, "encoding", "hex");
  const isHmac = HMACS.includes(algorithm);
  if (!isHmac && !DIGESTS.includes(algorithm)) {
    fail('unknown algorithm "' + algorithm + '": use md5, sha1, sha256, sha384, sha512, hmac-sha1, hmac-sha256, hmac-sha384 or hmac-sha512');
    return;
  }
  if (!ENCODINGS.includes(encoding)) {
    fail('unknown encoding "' + encoding + '": use hex, base64 or base64url');
    return;
  }
  const v = config.get("value");
  if (v == null || v.type == JSON.Types.Null) {
    fail("value is required: the text to hash (other JSON values are hashed as their compact JSON)");
    return;
  }
  const value = v.type == JSON.Types.String ? v.get<string>() : toJson(v);
  const inputEncoding = getString(config, "input_encoding", "utf8");
  // Built from parts: the value may be megabytes, and each `+` would copy it again.
  const req = new Parts().add('{"algorithm":').add(q(isHmac ? algorithm.substring(5) : algorithm)).add(',"data":').add(q(value))
    .add(',"data_encoding":').add(q(inputEncoding)).add(',"encoding":').add(q(encoding));
  if (isHmac) {
    const credential = getString(config, "credential");
    if (credential.length > 0) {
      req.add(',"credential":').add(q(credential)).add(',"field":').add(q(getString(config, "credential_field")));
    } else if (config.has("key") && config.get("key")!.type == JSON.Types.String) {
      req.add(',"key":').add(q(getString(config, "key"))).add(',"key_encoding":').add(q(getString(config, "key_encoding", "utf8")));
    } else {
      fail(algorithm + " needs a key: set key (text), or credential (a stored secret that never leaves the host)");
      return;
    }
  }
  const request = req.add("}").toString();
  const r = isHmac ? cryptoHmac(request) : cryptoDigest(request);
  if (!r.ok) {
    fail(r.error());
    return;
  }
  const digest = JSON.parse<JSON.Obj>(r.body).get("digest")!.get<string>();
  let out = '{"success":true';
  let data = '"data":{"digest":' + q(digest) + ',"algorithm":' + q(algorithm) + ',"encoding":' + q(encoding);
  if (config.has("compare")) {
    let expected = getString(config, "compare").trim();
    // GitHub and others send "sha256=<hex>": compare the digest part.
    const eq = expected.indexOf("=");
    if (encoding == "hex" && eq > 0 && eq < 12) expected = expected.substring(eq + 1);
    const matches = encoding == "hex" ? sameDigest(expected.toLowerCase(), digest) : sameDigest(expected, digest);
    out += ',"branch":"' + (matches ? "true" : "false") + '"';
    data += ',"matches":' + (matches ? "true" : "false");
  }
  writeStdout(out + "," + data + "}}");
}

main();

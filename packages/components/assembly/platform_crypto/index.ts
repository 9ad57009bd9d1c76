// platform_crypto: encrypts or decrypts a value with the key of a stored credential. The host derives an
// AES-256-GCM key from the credential (HKDF-SHA256) and does the work; the key never enters the component.
// A ciphertext is bound to the tenant and the credential name: it opens nowhere else.
import { JSON } from "json-as";
import { quote, toJson, Parts } from "../_sdk/text";
import { fail, getBool, getString, readConfig, writeStdout } from "../_sdk";
import { cryptoOpen, cryptoSeal } from "../_sdk/platform";
export { u6u_alloc } from "../_sdk";

function q(s: string): string {
  return quote(s);
}

function main(): void {
  const config = readConfig();
  const operation = getString(config, "operation");
  const credential = getString(config, "credential");
  if (operation != "encrypt" && operation != "decrypt") {
    fail(operation.length == 0 ? "operation is required: encrypt or decrypt" : 'unknown operation "' + operation + '": use encrypt or decrypt');
    return;
  }
  if (credential.length == 0) {
    fail("credential is required: the stored credential whose secret is the key (run: arcrun creds push NAME)");
    return;
  }
  const v = config.get("value");
  if (v == null || v.type == JSON.Types.Null) {
    fail(operation == "encrypt" ? "value is required: the text (or JSON value) to encrypt" : "value is required: a ciphertext from platform_crypto encrypt");
    return;
  }
  const field = ',"field":' + q(getString(config, "credential_field"));
  if (operation == "encrypt") {
    const text = v.type == JSON.Types.String ? v.get<string>() : toJson(v);
    const r = cryptoSeal('{"credential":' + q(credential) + field + ',"plaintext":' + q(text) + "}");
    if (!r.ok) {
      fail(r.error());
      return;
    }
    const ciphertext = JSON.parse<JSON.Obj>(r.body).get("ciphertext")!.get<string>();
    writeStdout('{"success":true,"data":{"ciphertext":' + q(ciphertext) + "}}");
    return;
  }
  if (v.type != JSON.Types.String) {
    fail("value must be a string: a ciphertext from platform_crypto encrypt");
    return;
  }
  const r = cryptoOpen('{"credential":' + q(credential) + field + ',"ciphertext":' + q(v.get<string>()) + "}");
  if (!r.ok) {
    fail(r.error());
    return;
  }
  const plaintext = JSON.parse<JSON.Obj>(r.body).get("plaintext")!.get<string>();
  if (getBool(config, "parse_json", false)) {
    const t = plaintext.trim();
    const first = t.length > 0 ? t.charCodeAt(0) : 0;
    // Only objects and arrays: anything else is returned as text, so a bad document cannot trap the parser.
    if ((first == 123 && t.endsWith("}")) || (first == 91 && t.endsWith("]"))) {
      const parsed = JSON.parse<JSON.Value>(t);
      writeStdout('{"success":true,"data":{"value":' + toJson(parsed) + "}}");
      return;
    }
    fail("the decrypted value is not a JSON object or array; leave parse_json off to get it as text");
    return;
  }
  writeStdout('{"success":true,"data":{"value":' + q(plaintext) + "}}");
}

main();

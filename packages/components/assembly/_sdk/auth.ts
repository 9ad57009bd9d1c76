// Shared by the auth_* components: read a tenant credential, its recipe, decrypt it, render the injection.
import { JSON } from "json-as";
import { quote, toJson, Parts } from "./text";
import {
  cryptoDecrypt,
  getObj,
  getString,
  kvGet,
  kvPut,
  mapToJson,
  missingVar,
  parseObject,
  renderRecipeTemplate,
  stringMap,
  valueText,
  httpRequest,
  HOST_NOT_FOUND,
} from "./index";

export class Credential {
  constructor(
    public name: string,
    public recipeId: string,
    public recipe: JSON.Obj,
    public secrets: Map<string, string>,
  ) {}
}

/** Set when loadCredential or an auth step fails: a message for the node's error. */
export let authError: string = "";

/** Reads `cred:NAME` (metadata), `recipe:ID`, and the decrypted secrets. Null with authError set on failure. */
export function loadCredential(name: string, recipeOverride: string): Credential | null {
  if (name.length == 0) {
    authError = "config.credential is required: the name of a credential pushed with arcrun creds push";
    return null;
  }
  const meta = kvGet('{"key":' + quote("cred:" + name) + "}");
  if (meta.status == HOST_NOT_FOUND) {
    authError = 'no credential "' + name + '" for this tenant; run: arcrun creds push ' + name;
    return null;
  }
  if (!meta.ok) {
    authError = meta.error();
    return null;
  }
  const record = parseObject(meta.body);
  let recipeId = recipeOverride;
  if (recipeId.length == 0 && record != null) recipeId = getString(record, "recipe");
  if (recipeId.length == 0) {
    authError = 'credential "' + name + '" names no recipe; push it with --recipe <service> or set config.recipe';
    return null;
  }
  const r = kvGet('{"key":' + quote("recipe:" + recipeId) + "}");
  if (!r.ok) {
    authError = 'unknown recipe "' + recipeId + '"; run: arcrun list';
    return null;
  }
  const recipe = parseObject(r.body);
  if (recipe == null) {
    authError = 'recipe "' + recipeId + '" is not an object';
    return null;
  }
  const plain = cryptoDecrypt('{"name":' + quote(name) + "}");
  if (!plain.ok) {
    authError = plain.error();
    return null;
  }
  const reply = parseObject(plain.body);
  const text = reply == null ? "" : getString(reply, "plaintext");
  const secrets = secretsFrom(text, recipe);
  applyDefaults(secrets, recipe);
  return new Credential(name, recipeId, recipe, secrets);
}

/** A recipe's `default` for each secret the credential leaves out (Mailgun's user "api"). */
function applyDefaults(secrets: Map<string, string>, recipe: JSON.Obj): void {
  const req = recipe.get("required_secrets");
  if (req == null || req.type != JSON.Types.Array) return;
  const arr = req.get<JSON.Arr>();
  for (let i = 0; i < arr.length; i++) {
    const item = arr.at(i);
    if (item.type != JSON.Types.Object) continue;
    const spec = item.get<JSON.Obj>();
    const key = getString(spec, "key");
    if (key.length > 0 && !secrets.has(key) && spec.has("default")) secrets.set(key, getString(spec, "default"));
  }
}

/** A JSON object of secrets as given, or a bare value for the recipe's first required secret. */
function secretsFrom(text: string, recipe: JSON.Obj): Map<string, string> {
  const obj = parseObject(text);
  if (obj != null) return stringMap(obj);
  const out = new Map<string, string>();
  let key = "token";
  const req = recipe.get("required_secrets");
  if (req != null && req.type == JSON.Types.Array) {
    const arr = req.get<JSON.Arr>();
    if (arr.length > 0) {
      const first = arr.at(0);
      if (first.type == JSON.Types.Object) key = getString(first.get<JSON.Obj>(), "key", "token");
    }
  }
  out.set(key, text);
  return out;
}

/** Renders an `inject` block into `{"headers":{...},"query":{...}}`; null with authError set when a value is missing. */
export function renderInject(inject: JSON.Obj | null, secrets: Map<string, string>, runtime: Map<string, string>): string | null {
  const headers = new Map<string, string>();
  const query = new Map<string, string>();
  if (inject != null) {
    const h = stringMap(getObj(inject, "header"));
    const hk = h.keys();
    for (let i = 0; i < hk.length; i++) {
      const v = renderRecipeTemplate(h.get(hk[i]), secrets, runtime);
      if (v == null) {
        authError = "the credential has no value for {{" + missingVar + "}}; push it again with that key";
        return null;
      }
      headers.set(hk[i], v);
    }
    const q = stringMap(getObj(inject, "query"));
    const qk = q.keys();
    for (let i = 0; i < qk.length; i++) {
      const v = renderRecipeTemplate(q.get(qk[i]), secrets, runtime);
      if (v == null) {
        authError = "the credential has no value for {{" + missingVar + "}}; push it again with that key";
        return null;
      }
      query.set(qk[i], v);
    }
  }
  return '{"headers":' + mapToJson(headers) + ',"query":' + mapToJson(query) + "}";
}

/** The output every auth component writes. */
export function authOutput(cred: Credential, injected: string, extra: string): string {
  const base = getString(cred.recipe, "base_url");
  return (
    '{"success":true,"data":{' +
    injected.substring(1, injected.length - 1) +
    ',"base_url":' +
    quote(base) +
    ',"credential":' +
    quote(cred.name) +
    ',"recipe":' +
    quote(cred.recipeId) +
    extra +
    "}}"
  );
}

/** A cached token `{access_token, token_type, expires_at}` under oauth2:NAME that is valid for 60 s more. */
export function cachedToken(name: string, now: i64): JSON.Obj | null {
  const r = kvGet('{"key":' + quote("oauth2:" + name) + "}");
  if (!r.ok) return null;
  const obj = parseObject(r.body);
  if (obj == null) return null;
  const token = getString(obj, "access_token");
  const exp = getString(obj, "expires_at");
  if (token.length == 0) return null;
  if (exp.length > 0 && I64.parseInt(exp) - now < 60) return null;
  return obj;
}

export function cacheToken(name: string, tokenJson: string, ttl: i64): bool {
  const r = kvPut(
    '{"key":' + quote("oauth2:" + name) + ',"value":' + quote(tokenJson) + ',"ttl":' + ttl.toString() + "}",
  );
  return r.ok;
}

/**
 * POSTs a form to a token endpoint (RFC 6749 section 3.2) and returns the parsed JSON response, or null
 * with authError set (the provider's `error` and `error_description` are kept, RFC 6749 section 5.2).
 */
export function postTokenForm(url: string, form: string, headers: Map<string, string>): JSON.Obj | null {
  headers.set("content-type", "application/x-www-form-urlencoded");
  headers.set("accept", "application/json");
  const req =
    '{"method":"POST","url":' + quote(url) + ',"headers":' + mapToJson(headers) + ',"body":' + quote(form) + "}";
  const r = httpRequest(req);
  if (!r.ok) {
    authError = r.error();
    return null;
  }
  const reply = parseObject(r.body);
  if (reply == null) {
    authError = "the token endpoint's reply is not JSON";
    return null;
  }
  const status = I32.parseInt(valueText(reply.get("status")));
  const data = getObj(reply, "data");
  let body: JSON.Obj | null = null;
  if (data != null) {
    const bodyV = data.get("body");
    if (bodyV != null && bodyV.type == JSON.Types.Object) body = bodyV.get<JSON.Obj>();
  }
  if (status < 200 || status > 299 || body == null) {
    let detail = "HTTP " + status.toString();
    if (body != null) {
      const err = getString(body, "error");
      const desc = getString(body, "error_description");
      if (err.length > 0) detail += " " + err;
      if (desc.length > 0) detail += ": " + desc;
    }
    authError = "the token endpoint refused (" + detail + ")";
    return null;
  }
  return body;
}

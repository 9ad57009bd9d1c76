// Shared by the auth_* components: read a tenant credential and its recipe, and have the host render the
// injection. A component holds sealed handles, never a secret (docs/executor.md, "Sealed credentials").
import { JSON } from "json-as";
import { quote, toJson, Parts } from "./text";
import {
  cryptoDecrypt,
  getObj,
  getString,
  kvGet,
  kvPut,
  mapToJson,
  parseObject,
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
    /** Handles for the secrets, values for the keys that are not secret (expires_at, client_email...). */
    public secrets: Map<string, string>,
  ) {}
  /** The base URL the host rendered for this credential (with the recipe's path_prefix), once known. */
  baseUrl: string = "";
  /** The recipe's oauth2 token and refresh URLs as the host rendered them for this credential ("" if none). */
  tokenUrl: string = "";
  refreshUrl: string = "";
}

/** Set when loadCredential or an auth step fails: a message for the node's error. */
export let authError: string = "";

/** Reads `cred:NAME` (metadata), `recipe:ID`, and the credential's sealed view. Null with authError set on failure. */
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
  const view = cryptoDecrypt('{"name":' + quote(name) + ',"recipe":' + quote(recipeId) + "}");
  if (!view.ok) {
    authError = view.error();
    return null;
  }
  const reply = parseObject(view.body);
  const secrets = new Map<string, string>();
  if (reply != null) {
    const s = stringMap(getObj(reply, "secrets"));
    const sk = s.keys();
    for (let i = 0; i < sk.length; i++) secrets.set(sk[i], s.get(sk[i]));
    const p = stringMap(getObj(reply, "public"));
    const pk = p.keys();
    for (let i = 0; i < pk.length; i++) secrets.set(pk[i], p.get(pk[i]));
  }
  const cred = new Credential(name, recipeId, recipe, secrets);
  if (reply != null) {
    const endpoints = stringMap(getObj(reply, "endpoints"));
    if (endpoints.has("token_url")) cred.tokenUrl = endpoints.get("token_url");
    if (endpoints.has("refresh_url")) cred.refreshUrl = endpoints.get("refresh_url");
  }
  return cred;
}

/**
 * The recipe's `inject` for `primitive` (static_key, oauth2, service_account), rendered and sealed by the
 * host: `{"headers":{...},"query":{...}}` (and `"body":{...},"body_format":"form"|"json"` for a recipe's
 * `inject.body`), or null with authError set. `runtime` holds access_token and
 * token_type (handles or text).
 */
export function renderInject(cred: Credential, primitive: string, runtime: Map<string, string>): string | null {
  const r = cryptoDecrypt(
    '{"name":' + quote(cred.name) + ',"recipe":' + quote(cred.recipeId) + ',"inject":' + quote(primitive) + ',"runtime":' + mapToJson(runtime) + "}",
  );
  if (!r.ok) {
    authError = r.error();
    return null;
  }
  const reply = parseObject(r.body);
  if (reply == null) {
    authError = "the host returned no injection";
    return null;
  }
  cred.baseUrl = getString(reply, "base_url");
  // A recipe's inject.body (UptimeRobot, Plaid): the fields for http_request's body, and its body_format.
  const body = getObj(reply, "body");
  const bodyPart = body == null ? "" : ',"body":' + mapToJson(stringMap(body)) + ',"body_format":' + quote(getString(reply, "body_format"));
  return '{"headers":' + mapToJson(stringMap(getObj(reply, "headers"))) + ',"query":' + mapToJson(stringMap(getObj(reply, "query"))) + bodyPart + "}";
}

/** The output every auth component writes. */
export function authOutput(cred: Credential, injected: string, extra: string): string {
  // The host's rendering (values filled in, path_prefix joined, a secret in it sealed); the recipe's text
  // only from a host that gives none.
  const base = cred.baseUrl.length > 0 ? cred.baseUrl : getString(cred.recipe, "base_url");
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
export function postTokenForm(url: string, form: string, headers: Map<string, string>, basic: string = ""): JSON.Obj | null {
  headers.set("content-type", "application/x-www-form-urlencoded");
  headers.set("accept", "application/json");
  let req =
    '{"method":"POST","url":' + quote(url) + ',"headers":' + mapToJson(headers) + ',"body":' + quote(form);
  // HTTP Basic from two handles is built by the host, which alone holds the values (see _sdk/index.ts).
  if (basic.length > 0) req += ',"basic":' + basic;
  req += "}";
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

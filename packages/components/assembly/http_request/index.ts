// http_request: one HTTP request through the host (which enforces the credential's recipe hosts).
import { JSON } from "json-as";
import { fail, formBody, getObj, getString, httpRequest, readConfig, stringMap, writeStdout } from "../_sdk";
import { mapJson, Parts, quote, toJson } from "../_sdk/text";
import { statusFailure } from "./status";
export { u6u_alloc } from "../_sdk";

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
const FORMATS = ["json", "form"];

function hasHeader(headers: Map<string, string>, name: string): bool {
  const hk = headers.keys();
  for (let i = 0; i < hk.length; i++) if (hk[i].toLowerCase() == name) return true;
  return false;
}

/**
 * A boolean option: 1 true, 0 false or absent, -1 anything else. "true" and "false" as text count, since a
 * template ({{input.strict}}) gives text; anything else is refused rather than read as false, because a
 * misspelt `fail_on_status: yes` would otherwise let a failing request pass as a success.
 */
function flag(v: JSON.Value | null): i32 {
  if (v == null || v.type == JSON.Types.Null) return 0;
  if (v.type == JSON.Types.Bool) return v.get<bool>() ? 1 : 0;
  if (v.type == JSON.Types.String) {
    const s = v.get<string>();
    if (s == "true") return 1;
    if (s == "false") return 0;
  }
  return -1;
}

function main(): void {
  const config = readConfig();
  const method = getString(config, "method", "GET").toUpperCase();
  let url = getString(config, "url");
  const configUrl = url;
  const headers = stringMap(getObj(config, "headers"));
  const query = stringMap(getObj(config, "query"));
  const format = getString(config, "body_format", "json");
  let body = "";
  let hasBody = false;
  let problem = "";
  const bodyV = config.get("body");
  const failOnStatus = flag(config.get("fail_on_status"));
  if (failOnStatus < 0) {
    problem = "config.fail_on_status must be true or false, got " + toJson(config.get("fail_on_status"));
  } else if (!FORMATS.includes(format)) {
    problem = 'config.body_format must be json (an object or list as JSON) or form (an object as application/x-www-form-urlencoded), got "' + format + '"';
  } else if (bodyV != null && bodyV.type != JSON.Types.Null) {
    hasBody = true;
    if (bodyV.type == JSON.Types.String) {
      body = bodyV.get<string>();
    } else if (format == "form") {
      if (bodyV.type != JSON.Types.Object) {
        problem = "config.body must be an object for body_format form, e.g. body: { grant_type: client_credentials }";
      } else {
        // Values as text (strings raw, anything else as its JSON), RFC 1866 / WHATWG form encoding.
        body = formBody(stringMap(bodyV.get<JSON.Obj>()));
        if (!hasHeader(headers, "content-type")) headers.set("content-type", "application/x-www-form-urlencoded");
      }
    } else {
      body = toJson(bodyV);
      if (!hasHeader(headers, "content-type")) headers.set("content-type", "application/json");
    }
  }

  if (problem.length > 0) {
    fail(problem);
  } else if (url.length == 0) {
    fail("config.url is required, e.g. https://api.example.com/v1/items");
  } else if (!url.startsWith("https://") && !url.startsWith("http://")) {
    fail("config.url must start with https:// or http://, got " + url);
  } else if (!METHODS.includes(method)) {
    fail("config.method must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, got " + method);
  } else {
    const qk = query.keys();
    if (qk.length > 0) {
      const full = new Parts().add(url).add(url.includes("?") ? "&" : "?");
      for (let i = 0; i < qk.length; i++) {
        if (i > 0) full.add("&");
        full.add(encodeURIComponent(qk[i])).add("=").add(encodeURIComponent(query.get(qk[i])));
      }
      url = full.toString();
    }
    const req = new Parts().add('{"method":').add(quote(method)).add(',"url":').add(quote(url)).add(',"headers":').add(mapJson(headers));
    if (hasBody) req.add(',"body":').add(quote(body));
    const r = httpRequest(req.add("}").toString());
    if (!r.ok) fail(r.error());
    else {
      const failure = failOnStatus == 1 ? statusFailure(method, configUrl, r.body) : null;
      // The host's reply is {"status","ok","headers","data":{"body"}}: the output is that with success.
      if (failure == null) writeStdout('{"success":true,' + r.body.substring(1));
      else writeStdout(failure);
    }
  }
}

main();

// http_request: one HTTP request through the host (which enforces the credential's recipe hosts).
import { JSON } from "json-as";
import { fail, getObj, getString, httpRequest, mapToJson, readConfig, stringMap, writeStdout } from "../_sdk";
export { u6u_alloc } from "../_sdk";

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

function main(): void {
  const config = readConfig();
  const method = getString(config, "method", "GET").toUpperCase();
  let url = getString(config, "url");
  const headers = stringMap(getObj(config, "headers"));
  const query = stringMap(getObj(config, "query"));
  let body = "";
  let hasBody = false;
  const bodyV = config.get("body");
  if (bodyV != null && bodyV.type != JSON.Types.Null) {
    hasBody = true;
    if (bodyV.type == JSON.Types.String) {
      body = bodyV.get<string>();
    } else {
      body = bodyV.toString();
      let typed = false;
      const hk = headers.keys();
      for (let i = 0; i < hk.length; i++) if (hk[i].toLowerCase() == "content-type") typed = true;
      if (!typed) headers.set("content-type", "application/json");
    }
  }

  if (url.length == 0) {
    fail("config.url is required, e.g. https://api.example.com/v1/items");
  } else if (!url.startsWith("https://") && !url.startsWith("http://")) {
    fail("config.url must start with https:// or http://, got " + url);
  } else if (!METHODS.includes(method)) {
    fail("config.method must be one of " + METHODS.join(", ") + ", got " + method);
  } else {
    const qk = query.keys();
    if (qk.length > 0) {
      let qs = "";
      for (let i = 0; i < qk.length; i++) {
        if (i > 0) qs += "&";
        qs += encodeURIComponent(qk[i]) + "=" + encodeURIComponent(query.get(qk[i]));
      }
      url += (url.includes("?") ? "&" : "?") + qs;
    }
    let req = '{"method":"' + method + '","url":' + JSON.stringify<string>(url) + ',"headers":' + mapToJson(headers);
    if (hasBody) req += ',"body":' + JSON.stringify<string>(body);
    req += "}";
    const r = httpRequest(req);
    if (!r.ok) fail(r.error());
    // The host's reply is {"status","ok","headers","data":{"body"}}: the output is that with success.
    else writeStdout('{"success":true,' + r.body.substring(1));
  }
}

main();

// fail_on_status: a response outside 2xx becomes the node's failure, with a message a person can act on
// from `arcrun workflow list` alone. The message holds the method, the URL without its query string, fragment
// or user info, the status, and a short excerpt of the body (GitHub's {"message":"Bad credentials"}); never
// a request header. The executor also redacts every registered secret from a node's error.
import { JSON } from "json-as";
import { getObj } from "../_sdk";
import { allocString, quote, toJson } from "../_sdk/text";
import { toNumber } from "../_sdk/values";

/** At most this many UTF-16 units of the body go into the message. */
const EXCERPT_UNITS = 200;

/** Reason phrases of RFC 9110 section 15 (and 429 of RFC 6585 section 4); "" for any other status. */
export function reasonPhrase(status: i32): string {
  switch (status) {
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 421: return "Misdirected Request";
    case 422: return "Unprocessable Content";
    case 426: return "Upgrade Required";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "";
  }
}

/** What to do about a status, the end of the message. */
function nextStep(status: i32): string {
  if (status == 304) return "a conditional request was not modified: leave fail_on_status off to branch on status";
  if (status >= 300 && status < 400) return "request the URL it redirects to (a request that carries a credential is not redirected)";
  if (status == 401) return "check the credential the request sends";
  if (status == 403) return "check that the credential may do this (its scopes or permissions)";
  if (status == 404) return "check the URL, and that the credential may see it";
  if (status == 408 || status >= 500) return "the service did not answer the request: try again later";
  if (status == 429) return "the service limits the rate: run less often or make fewer requests";
  return "check the request's method, parameters and body";
}

/** The URL as a message may show it: no query string, no fragment, no user:password@. */
export function displayUrl(url: string): string {
  let end = url.length;
  const q = url.indexOf("?");
  if (q >= 0) end = q;
  const h = url.indexOf("#");
  if (h >= 0 && h < end) end = h;
  let out = url.substring(0, end);
  const scheme = out.indexOf("://");
  if (scheme < 0) return out;
  const start = scheme + 3;
  let authorityEnd = out.indexOf("/", start);
  if (authorityEnd < 0) authorityEnd = out.length;
  const at = out.lastIndexOf("@", authorityEnd);
  if (at >= start) out = out.substring(0, start) + out.substring(at + 1);
  return out;
}

/**
 * The text on one line (runs of whitespace and control characters as one space), at most EXCERPT_UNITS
 * units and then "…"; a surrogate pair is never cut in half.
 */
export function excerpt(text: string): string {
  const n = text.length;
  const cap = n < EXCERPT_UNITS ? n : EXCERPT_UNITS;
  const out = allocString(cap);
  let at = changetype<usize>(out);
  let units = 0;
  let i = 0;
  let space = false;
  for (; i < n && units < cap; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c == 0x7f) {
      space = units > 0;
      continue;
    }
    if (space) {
      store<u16>(at, 0x20);
      at += 2;
      units++;
      space = false;
      if (units == cap) break;
    }
    store<u16>(at, <u16>c);
    at += 2;
    units++;
  }
  let cut = i < n;
  if (cut && units > 0) {
    const last = out.charCodeAt(units - 1);
    if (last >= 0xd800 && last <= 0xdbff) units--;
    if (units > 0 && out.charCodeAt(units - 1) == 0x20) units--;
  }
  // Only whitespace left after the cut is not a cut.
  if (cut) {
    let rest = i;
    while (rest < n && (text.charCodeAt(rest) <= 0x20 || text.charCodeAt(rest) == 0x7f)) rest++;
    cut = rest < n;
  }
  const kept = out.substring(0, units);
  return cut ? kept + "…" : kept;
}

/** The status of the host's reply `{"status":N,"ok":...}`, read from its prefix; a full parse otherwise. */
function replyStatus(reply: string): i32 {
  const prefix = '{"status":';
  if (reply.startsWith(prefix)) {
    let status = 0;
    let digits = 0;
    for (let i = prefix.length; i < reply.length; i++) {
      const c = reply.charCodeAt(i);
      if (c < 48 || c > 57) break;
      status = status * 10 + (c - 48);
      digits++;
    }
    if (digits > 0 && digits <= 3) return status;
  }
  const n = toNumber(JSON.parse<JSON.Obj>(reply).get("status"));
  return isNaN(n) ? 0 : <i32>n;
}

/**
 * The component's failure output `{"success":false,"error","status","ok":false}` for a reply whose status is
 * not 2xx, or null for a 2xx reply (the body is parsed only then).
 */
export function statusFailure(method: string, url: string, reply: string): string | null {
  const status = replyStatus(reply);
  if (status >= 200 && status < 300) return null;
  const parsed = JSON.parse<JSON.Obj>(reply);
  let text = "";
  let html = false;
  const headers = getObj(parsed, "headers");
  if (headers != null) {
    const type = headers.get("content-type");
    html = type != null && type.type == JSON.Types.String && type.get<string>().toLowerCase().includes("html");
  }
  const data = getObj(parsed, "data");
  // An HTML page (a proxy's or a login page) says nothing useful in 200 characters.
  if (!html && data != null) {
    const body = data.get("body");
    if (body != null && body.type == JSON.Types.String) text = excerpt(body.get<string>());
    else if (body != null && body.type != JSON.Types.Null) text = excerpt(toJson(body));
  }
  const reason = reasonPhrase(status);
  let message = method + " " + displayUrl(url) + " answered " + status.toString();
  if (reason.length > 0) message += " " + reason;
  if (text.length > 0) message += ": " + text;
  message += "; " + nextStep(status);
  return '{"success":false,"error":' + quote(message) + ',"status":' + status.toString() + ',"ok":false}';
}

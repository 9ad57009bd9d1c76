import { base64Encode } from "../internal/base64.js";
import {
  type Grant,
  originAllowed,
  type Position,
  type SecretRegistry,
  type SignKind,
} from "./credentials.js";

// The one place a sealed credential becomes plaintext again (docs/executor.md, "Sealed credentials"): an
// exact handle, in a position one of its grants names, on a host that grant allows. Anything else that looks
// like a handle (transformed, from another run) is sent as the text it is: garbage to the receiver.

export interface Egress {
  url: string;
  headers: Headers;
  body: string | undefined;
  /** The credentials whose secrets this request carries. */
  carried: Set<string>;
  /** A credential the host must sign the request with (a signing handle was where its grant allows). */
  sign?: { credential: string; kind: SignKind };
}

export interface EgressRefusal {
  credential: string;
  grants: readonly Grant[];
  where: string;
}

function describePosition(pos: Position): string {
  if (pos.in === "body") return pos.field === undefined ? "the body" : `the body field ${pos.field}`;
  if (pos.in === "path") return `the URL's path after ${pos.prefix}`;
  return `${pos.in} ${pos.name ?? "(any)"}`;
}

/** A value as one path segment's text: every byte but RFC 3986's pchar percent-encoded (section 3.3). */
function pathEncode(value: string): string {
  return encodeURIComponent(value).replace(/%(3A|40|21|24|26|27|28|29|2A|2B|2C|3B|3D)/gi, (_m, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

/** Where a sealed value may go, for an error message: "127.0.0.1:8080 (header authorization)". */
export function describeGrants(grants: readonly Grant[]): string {
  const byHosts = new Map<string, string[]>();
  for (const g of grants) {
    const key = g.hosts.join(", ") || "no host";
    byHosts.set(key, [...(byHosts.get(key) ?? []), describePosition(g.position)]);
  }
  return [...byHosts].map(([hosts, positions]) => `${hosts} (${positions.join(", ")})`).join("; ");
}

function matches(grant: Grant, pos: Position): boolean {
  if (grant.position.in !== pos.in) return false;
  // A grant of the whole body (a token endpoint's) matches anywhere in it; one of a body field only there.
  if (grant.position.in === "body" && pos.in === "body") {
    return grant.position.field === undefined || grant.position.field === pos.field;
  }
  if (grant.position.in === "body" || pos.in === "body") return false;
  if (grant.position.in === "path" || pos.in === "path") return false;
  const want = grant.position.name;
  if (want === undefined) return true;
  return pos.in === "header" ? want.toLowerCase() === pos.name?.toLowerCase() : want === pos.name;
}

/** How a value is written into a body of this content type. */
function bodyEncoder(contentType: string): (v: string) => string {
  if (/application\/x-www-form-urlencoded/i.test(contentType)) {
    return (v) => encodeURIComponent(v).replace(/%20/g, "+");
  }
  if (/json/i.test(contentType)) return (v) => JSON.stringify(v).slice(1, -1);
  return (v) => v;
}

/** How many times `needle` occurs in `text`. */
function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/** Every string in a parsed JSON value, object keys included. */
function* jsonStrings(value: unknown): Generator<string> {
  if (typeof value === "string") yield value;
  else if (Array.isArray(value)) for (const v of value) yield* jsonStrings(v);
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      yield k;
      yield* jsonStrings(v);
    }
  }
}

/**
 * The field a handle is in, when every occurrence of it in the body is in the value of one top-level field
 * of a form (application/x-www-form-urlencoded) or JSON object: the recipe's `inject.body` positions. A
 * handle anywhere else (another field, a nested value, a key, an escaped spelling of it) or in a body of
 * another kind gives undefined, and the request is refused.
 */
function bodyFieldOf(body: string, contentType: string, handle: string): string | undefined {
  let entries: Array<[string, unknown]>;
  let strings: string[];
  if (/^application\/x-www-form-urlencoded\b/i.test(contentType)) {
    entries = [...new URLSearchParams(body)];
    strings = entries.flat() as string[];
  } else if (/^application\/(?:[\w.-]+\+)?json\b/i.test(contentType)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return undefined;
    entries = Object.entries(parsed);
    strings = [...jsonStrings(parsed)];
  } else {
    return undefined;
  }
  const inText = occurrences(body, handle);
  const holders = entries.filter(([, v]) => typeof v === "string" && v.includes(handle));
  const field = holders[0]?.[0];
  if (field === undefined || holders.length !== 1) return undefined;
  // Parsed, the handle is as often in the body as in its text (no escaped spelling), and only in that value.
  const parsedCount = strings.reduce((n, t) => n + occurrences(t, handle), 0);
  const inField = occurrences(holders[0]?.[1] as string, handle);
  return parsedCount === inText && inField === inText ? field : undefined;
}

/**
 * Replaces each handle of this run in a request by its secret, or refuses the request when a handle is where
 * none of its grants allow (another host or port, a position the recipe does not declare).
 */
export function substituteSealed(
  secrets: SecretRegistry,
  url: URL,
  headers: Headers,
  body: string | undefined,
  basic: { user: string; password: string; form_encode?: boolean } | undefined,
): Egress | EgressRefusal {
  const carried = new Set<string>();
  let sign: Egress["sign"];
  const plain = (text: string, pos: Position, encode: (v: string) => string): string | EgressRefusal => {
    let out = text;
    for (const handle of secrets.handlesIn(text)) {
      const sealed = secrets.unseal(handle);
      if (!sealed) continue;
      if (!sealed.grants.some((g) => matches(g, pos) && originAllowed(url, g.hosts))) {
        return { credential: sealed.credential, grants: sealed.grants, where: describePosition(pos) };
      }
      if (sealed.sign) {
        // A signing handle stands alone in its header; the signature replaces it after substitution.
        if (text !== handle || (sign && sign.credential !== sealed.credential)) {
          return { credential: sealed.credential, grants: sealed.grants, where: describePosition(pos) };
        }
        sign = { credential: sealed.credential, kind: sealed.sign };
        carried.add(sealed.credential);
        return "";
      }
      carried.add(sealed.credential);
      out = out.split(handle).join(encode(sealed.value));
    }
    return out;
  };
  const same = (v: string) => v;

  // The URL's path: a handle only right after the prefix its grant names (a recipe's path_prefix, such as
  // Telegram's /bot<token>), on a host the grant allows.
  const target = new URL(url.href);
  let pathname = url.pathname;
  for (const handle of secrets.handlesIn(pathname)) {
    const sealed = secrets.unseal(handle);
    if (!sealed) continue;
    const grant = sealed.grants.find(
      (g) =>
        g.position.in === "path" &&
        pathname.startsWith(`${g.position.prefix}${handle}`) &&
        originAllowed(url, g.hosts),
    );
    if (grant?.position.in !== "path") {
      return { credential: sealed.credential, grants: sealed.grants, where: "the URL's path" };
    }
    const { prefix } = grant.position;
    carried.add(sealed.credential);
    pathname = `${prefix}${pathEncode(sealed.value)}${pathname.slice(prefix.length + handle.length)}`;
  }
  target.pathname = pathname;

  // The rest of the URL: handles only in query values; host, user info and parameter names carry none.
  let href = target.href;
  const rest = `${url.username}:${url.password}@${url.host}${url.hash}\n${[...url.searchParams.keys()].join("\n")}`;
  for (const handle of secrets.handlesIn(rest)) {
    const sealed = secrets.unseal(handle);
    if (sealed) return { credential: sealed.credential, grants: sealed.grants, where: "the URL's host" };
  }
  for (const [name, value] of url.searchParams) {
    if (!value.includes("arcrun_sealed_")) continue;
    for (const handle of secrets.handlesIn(value)) {
      const sealed = secrets.unseal(handle);
      if (!sealed) continue;
      const r = plain(handle, { in: "query", name }, same);
      if (typeof r !== "string") return r;
      href = href.split(handle).join(encodeURIComponent(sealed.value));
    }
  }

  const out = new Headers();
  for (const [name, value] of headers) {
    const r = plain(value, { in: "header", name }, same);
    if (typeof r !== "string") return r;
    if (r !== "" || value === "") out.set(name, r);
  }
  if (basic) {
    // HTTP Basic from two values (RFC 7617 section 2), each form-encoded first when a token endpoint asks
    // for it (RFC 6749 section 2.3.1); built here because a component holds only handles.
    const pos: Position = { in: "header", name: "authorization" };
    const enc = basic.form_encode ? (v: string) => encodeURIComponent(v).replace(/%20/g, "+") : same;
    const user = plain(basic.user, pos, enc);
    if (typeof user !== "string") return user;
    const password = plain(basic.password, pos, enc);
    if (typeof password !== "string") return password;
    const u = secrets.handlesIn(basic.user).length > 0 ? user : enc(user);
    const p = secrets.handlesIn(basic.password).length > 0 ? password : enc(password);
    out.set("authorization", `Basic ${base64Encode(`${u}:${p}`)}`);
    // The pair is a secret even where one half is plain text (a literal user): an API that echoes the
    // header must find it redacted in the answer, the trace and the output.
    for (const handle of secrets.handlesIn(`${basic.user}\n${basic.password}`)) {
      const sealed = secrets.unseal(handle);
      if (sealed)
        secrets.addBasic(sealed.credential, u, p, [...new Set(sealed.grants.flatMap((g) => g.hosts))]);
    }
  }
  let outBody = body;
  if (body !== undefined) {
    const type = headers.get("content-type") ?? "";
    const encode = bodyEncoder(type);
    for (const handle of secrets.handlesIn(body)) {
      const sealed = secrets.unseal(handle);
      if (!sealed) continue;
      // Anywhere in the body of a request to a token endpoint; else only in the one field its recipe's
      // inject.body names (UptimeRobot's api_key, Plaid's client_id and secret), in a form or JSON object.
      const anywhere = sealed.grants.some(
        (g) => g.position.in === "body" && g.position.field === undefined && originAllowed(url, g.hosts),
      );
      const field = anywhere ? undefined : bodyFieldOf(body, type, handle);
      const r = plain(handle, field === undefined ? { in: "body" } : { in: "body", field }, encode);
      if (typeof r !== "string") return r;
      outBody = (outBody as string).split(handle).join(r);
    }
  }
  return { url: href, headers: out, body: outBody, carried, ...(sign ? { sign } : {}) };
}

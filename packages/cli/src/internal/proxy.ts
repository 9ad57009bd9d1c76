import { randomBytes, timingSafeEqual } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Readable } from "node:stream";
import type { Recipe } from "@arcrun/recipes";
import { type Client, type ClientInfo, injectFor } from "arcrun-auth";
import { refKey } from "./service-ref.js";

/** The header a child may always use to present the proxy token; stripped before forwarding. */
export const PROXY_TOKEN_HEADER = "x-arcrun-proxy-token";

/** Request bodies up to this size are read whole, so a 401 can be retried after a refresh (and SigV4 can sign). */
const REPLAYABLE_BODY = 1024 * 1024;

/** Hop-by-hop headers (RFC 9110 §7.6.1) and the ones the upstream request sets itself. */
const HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "content-length",
]);

/** A service route the proxy serves: `/<service>[~<instance>]/...`. */
export interface ProxyTarget {
  service: string;
  instance: string;
  recipe: Recipe;
  client: Client;
}

export interface ProxyOptions {
  /** The per-run token every request must carry. */
  token: string;
  /**
   * The target of a route segment, or undefined when the proxy does not serve that service. Called once per
   * service and instance; the result is kept.
   */
  resolve(service: string, instance: string): Promise<ProxyTarget | undefined>;
  /** Default 0 (an ephemeral port). */
  port?: number;
}

export interface RunningProxy {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A fresh per-run proxy token: 32 random bytes, base64url. */
export function newProxyToken(): string {
  return `arcrun_proxy_${randomBytes(32).toString("base64url")}`;
}

function sameToken(candidate: string, token: Buffer): boolean {
  const c = Buffer.from(candidate);
  return c.length === token.length && timingSafeEqual(c, token);
}

/** A header whose whole value is `expected` (compared in constant time once the lengths match). */
function sameHeader(value: string | string[] | undefined, expected: Buffer): boolean {
  return typeof value === "string" && value.length === expected.length && sameToken(value, expected);
}

/**
 * Header names and query parameters a recipe injects under every primitive it offers (the proxy strips them
 * all from what a client sends), and the body fields the credential in use fills: a token may be accepted in
 * a body field only where that credential's inject replaces it, since the body is forwarded as sent.
 */
function injectedNames(
  recipe: Recipe,
  primitive: ClientInfo["primitive"],
): { headers: Set<string>; query: Set<string>; body: Set<string> } {
  const headers = new Set<string>();
  const query = new Set<string>();
  for (const inject of [
    recipe.inject,
    recipe.oauth2?.inject,
    recipe.service_account?.inject,
    recipe.session?.inject,
  ]) {
    for (const k of Object.keys(inject?.header ?? {})) headers.add(k.toLowerCase());
    for (const k of Object.keys(inject?.query ?? {})) query.add(k);
  }
  const body = new Set(Object.keys(injectFor(recipe, primitive)?.body?.fields ?? {}));
  return { headers, query, body };
}

/**
 * The top-level field of a short form or JSON body that holds the token, for an SDK that sends its key only
 * in the body (UptimeRobot's api_key, Plaid's secret); the body as read either way, since the request
 * stream is consumed. Anything else (a stream, a long body, another kind) is not read.
 */
async function bodyCarrier(
  req: IncomingMessage,
  token: Buffer,
  method: string,
  length: number,
): Promise<{ field?: string; body: Uint8Array } | undefined> {
  const type = req.headers["content-type"] ?? "";
  const form = /^application\/x-www-form-urlencoded\b/i.test(type);
  const json = /^application\/(?:[\w.-]+\+)?json\b/i.test(type);
  if (method === "GET" || method === "HEAD" || !(form || json)) return undefined;
  if (!Number.isFinite(length) || length > REPLAYABLE_BODY) return undefined;
  const body = await readAll(req);
  const text = Buffer.from(body).toString("utf8");
  let entries: Array<[string, unknown]> = [];
  if (form) entries = [...new URLSearchParams(text)];
  else {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) entries = Object.entries(parsed);
    } catch {
      // not JSON: no field holds the token
    }
  }
  const found = entries.find(([, v]) => typeof v === "string" && sameToken(v, token));
  return found ? { field: found[0], body } : { body };
}

/**
 * Where the request carries the proxy token, or undefined when it does not: X-Arcrun-Proxy-Token, a Bearer
 * Authorization (both compared first, without parsing anything), then any header (the SDK's own key header,
 * such as x-api-key, whatever the recipe) or query parameter. Read before the route: no recipe is needed.
 * Failing those, a short form or JSON body may hold it in a field the recipe fills (bodyCarrier).
 */
function presented(
  req: IncomingMessage,
  url: URL,
  token: Buffer,
  bearer: Buffer,
): { header?: string; query?: string } | undefined {
  if (sameHeader(req.headers[PROXY_TOKEN_HEADER], token)) return { header: PROXY_TOKEN_HEADER };
  if (sameHeader(req.headers.authorization, bearer)) return { header: "authorization" };
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === "string" && candidates(value).some((c) => sameToken(c, token)))
      return { header: name };
  }
  for (const [name, value] of url.searchParams) {
    if (sameToken(value, token)) return { query: name };
  }
  return undefined;
}

/**
 * The values in which a child may present the token: the bare value, `Bearer T` / `token T`, HTTP Basic with
 * T as the password (or user, or the whole user-pass), and an AWS SigV4 `Credential=T/...` (an SDK that signs with T as its key id).
 */
function candidates(value: string): string[] {
  const out = [value.trim()];
  const scheme = /^(\S+)\s+(.+)$/.exec(value.trim());
  if (scheme?.[1] && scheme[2]) {
    const kind = scheme[1].toLowerCase();
    if (kind === "basic") {
      const decoded = Buffer.from(scheme[2], "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon !== -1) out.push(decoded.slice(colon + 1), decoded.slice(0, colon));
      // Basic of the key alone, no user:password pair (WakaTime's SDKs: docs/recipes.md, {{basic secret.V}}).
      else out.push(decoded);
    } else if (kind === "aws4-hmac-sha256") {
      const cred = /Credential=([^/,\s]+)/.exec(scheme[2]);
      if (cred?.[1]) out.push(cred[1]);
    } else {
      out.push(scheme[2].trim());
    }
  }
  return out;
}

function send(res: ServerResponse, status: number, code: string, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: { code, message } });
  res.writeHead(status, { "content-type": "application/json", "x-arcrun-proxy": "error" });
  res.end(body);
}

async function readAll(req: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Starts the local credential proxy on 127.0.0.1: `/<service>[~<instance>]/<path>` goes to the recipe's
 * base_url + path, and `/<service>[~<instance>]/_/<path>` to the base URL's host root + path (for SDKs whose
 * base URL is the host, such as Anthropic's). The request goes through the bound client's own request path:
 * the credential is applied there, refreshed ahead of expiry and on a 401, signed (SigV4), and sent only to
 * the recipe's hosts. See docs/agents.md.
 */
export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const token = Buffer.from(options.token);
  const bearer = Buffer.from(`Bearer ${options.token}`);
  type Ready = ProxyTarget & { info: ClientInfo; names: ReturnType<typeof injectedNames>; base: URL };
  const targets = new Map<string, Promise<Ready | undefined>>();

  const target = (service: string, instance: string) => {
    const key = refKey(service, instance);
    let t = targets.get(key);
    if (!t) {
      t = options.resolve(service, instance).then(async (r): Promise<Ready | undefined> => {
        if (!r) return undefined;
        const info = await r.client.ready();
        return { ...r, info, names: injectedNames(r.recipe, info.primitive), base: new URL(info.baseUrl) };
      });
      // A failure (not connected yet) is not kept: the user may connect the service while the proxy runs.
      t.catch(() => targets.delete(key));
      targets.set(key, t);
    }
    return t;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = req.url ?? "/";
    const url = new URL(raw, "http://proxy.invalid");
    const method = (req.method ?? "GET").toUpperCase();
    const length = Number(req.headers["content-length"] ?? Number.NaN);
    // The token first: a request without it learns nothing (not which services are served) and costs little
    // (no recipe read, no credential resolved; a short form or JSON body is read to look for the token).
    let carrier: { header?: string; query?: string; field?: string } | undefined = presented(
      req,
      url,
      token,
      bearer,
    );
    let read: Uint8Array | undefined;
    if (!carrier) {
      const inBody = await bodyCarrier(req, token, method, length);
      read = inBody?.body;
      if (inBody?.field !== undefined) carrier = { field: inBody.field };
    }
    if (!carrier) {
      return send(
        res,
        401,
        "ERR_PROXY_TOKEN",
        "arcrun proxy: missing or wrong proxy token. Send the token arcrun gave this run (the key variables hold it) as a Bearer token or in X-Arcrun-Proxy-Token.",
      );
    }

    const [, segment = "", ...rest] = url.pathname.split("/");
    const m = /^([a-z0-9_]+)(?:~([A-Za-z0-9][A-Za-z0-9_.-]{0,63}))?$/.exec(decodeURIComponent(segment));
    if (!m?.[1]) {
      return send(
        res,
        404,
        "ERR_PROXY_ROUTE",
        "arcrun proxy: the path must start with a service id: /<service>[~<instance>]/<path>, e.g. /notion/users/me",
      );
    }
    const service = m[1];
    const instance = m[2] ?? "default";

    const t = await target(service, instance);
    if (!t) {
      return send(
        res,
        404,
        "ERR_PROXY_SERVICE",
        `arcrun proxy: ${service} is not served by this proxy. Name it when starting: --service ${service}`,
      );
    }
    const names = t.names;
    if (carrier.field !== undefined && !names.body.has(carrier.field)) {
      // Forwarded, the token would reach the API in a field the recipe's credential does not replace.
      return send(
        res,
        401,
        "ERR_PROXY_TOKEN",
        `arcrun proxy: the proxy token is in the body field ${carrier.field}, which ${service}'s recipe does not fill${names.body.size > 0 ? ` (it fills ${[...names.body].join(", ")})` : ""}. Send it there, as a Bearer token or in X-Arcrun-Proxy-Token.`,
      );
    }

    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined || HOP.has(k) || k === PROXY_TOKEN_HEADER || k === "authorization") continue;
      if (k === carrier.header || names.headers.has(k)) continue;
      // An SDK that signs requests itself (SigV4) signed them with the proxy token: the proxy signs again.
      if (k === "x-amz-date" || k === "x-amz-security-token" || k === "x-amz-content-sha256") continue;
      headers[k] = Array.isArray(v) ? v.join(", ") : v;
    }
    if (carrier.query !== undefined) url.searchParams.delete(carrier.query);
    for (const q of names.query) url.searchParams.delete(q);

    const fromRoot = rest[0] === "_";
    const path = `/${(fromRoot ? rest.slice(1) : rest).join("/")}`;
    // Under the base URL: a path the bound client joins to its current base URL itself (no URL to build or
    // host to check per request); from the host root: an absolute URL, checked against the recipe's hosts.
    const upstream = fromRoot
      ? new URL(`${t.base.origin}${path}${url.search}`)
      : `${path === "/" ? "" : path}${url.search}`;

    let body: Uint8Array | Readable | undefined;
    if (read !== undefined) {
      // Read already, for the token; the recipe's inject.body replaces the field that held it.
      body = read;
    } else if (method === "GET" || method === "HEAD") {
      req.resume();
    } else if (
      // SigV4 hashes the body; Digest sends it again after the server's challenge: both need it whole.
      t.info.primitive === "aws_sigv4" ||
      t.info.primitive === "http_digest" ||
      (Number.isFinite(length) && length <= REPLAYABLE_BODY)
    ) {
      body = await readAll(req);
    } else {
      body = req;
    }

    // A client that goes away ends the upstream exchange too: the answer's body is cancelled, which aborts the
    // upstream request, at once while it streams, or as soon as the answer arrives. Cheaper per request than
    // an AbortSignal on every request, which cost the proxy a sixth of its CPU time (docs/bench.md).
    let gone = false;
    let cancel: (() => void) | undefined;
    res.once("close", () => {
      if (res.writableFinished) return;
      gone = true;
      cancel?.();
    });
    const answer = await t.client.fetch(upstream, {
      method,
      headers,
      ...(body === undefined ? {} : { body, duplex: "half" as const }),
      redirect: "manual",
    });
    if (gone) {
      await answer.body?.cancel().catch(() => undefined);
      return;
    }
    const out: Record<string, string | string[]> = {};
    answer.headers.forEach((v, k) => {
      if (HOP.has(k) && k !== "content-length") return;
      if (k === "set-cookie") return;
      out[k] = v;
    });
    const cookies = answer.headers.getSetCookie();
    if (cookies.length > 0) out["set-cookie"] = cookies;
    res.writeHead(answer.status, answer.statusText, out);
    const answerLength = Number(answer.headers.get("content-length") ?? Number.NaN);
    if (Number.isFinite(answerLength) && answerLength <= REPLAYABLE_BODY) {
      // A short response with a length: read whole (no stream to build) and written with its headers at once.
      res.end(method === "HEAD" ? undefined : new Uint8Array(await answer.arrayBuffer()));
      return;
    }
    // Server-sent events and other streams: the headers go out now, each chunk as it arrives.
    res.flushHeaders();
    if (answer.body === null) {
      res.end();
      return;
    }
    const reader = answer.body.getReader();
    cancel = () => void reader.cancel().catch(() => undefined);
    for (;;) {
      const { done, value } = await reader.read();
      if (done || gone) break;
      if (!res.write(value)) await Promise.race([once(res, "drain"), once(res, "close")]);
    }
    res.end();
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const code =
        err && typeof err === "object" && "code" in err && typeof err.code === "string"
          ? err.code
          : "ERR_PROXY";
      if (abortLike(err)) return;
      if (code === "ERR_UNKNOWN_SERVICE") {
        send(res, 404, code, err instanceof Error ? err.message : String(err));
        return;
      }
      // arcrun-auth's messages never hold a secret and name the next step (ERR_NEEDS_LOGIN: arcrun setup ...).
      send(res, 502, code, err instanceof Error ? err.message : String(err));
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function abortLike(err: unknown): boolean {
  return (
    err instanceof Error &&
    (err.name === "AbortError" || (err as { code?: string }).code === "ERR_STREAM_PREMATURE_CLOSE")
  );
}

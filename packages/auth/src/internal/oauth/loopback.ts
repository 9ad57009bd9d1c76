/**
 * The loopback redirect of a native app (RFC 8252 section 7.3): a one-shot HTTP listener on the loopback
 * interface that receives exactly one authorization response, then closes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ArcrunError, OAuthError } from "../../errors.js";

export type LoopbackHost = "127.0.0.1" | "localhost" | "[::1]";

export interface LoopbackOptions {
  service: string;
  instance: string;
  /** The host in the redirect URI. 127.0.0.1 by default (RFC 8252 section 8.3: not `localhost`). */
  host?: LoopbackHost;
  /** A fixed port for providers that need a pre-registered redirect URI; ephemeral (0) otherwise. */
  port?: number;
  path?: string;
  /** The `state` sent in the authorization request; a response with another one is refused. */
  state: string;
  /**
   * Checks the `iss` parameter of the response (RFC 9207 section 2.4) when the server sends one; returns
   * false for an issuer other than the expected one.
   */
  issuerMatches?: (iss: string) => boolean;
  /** Whether the server is known to send `iss` (metadata `authorization_response_iss_parameter_supported`). */
  issuerRequired?: boolean;
  /** Milliseconds before the wait fails with ERR_LOGIN_TIMEOUT and the listener closes. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/** The accepted authorization response (RFC 6749 section 4.1.2). */
export interface AuthorizationResponse {
  code: string;
  state: string;
  iss?: string;
  /** The complete callback URL, as received. */
  url: URL;
}

export interface LoopbackHandle {
  /** The redirect URI to send in the authorization request. */
  readonly redirectUri: string;
  readonly port: number;
  /** Resolves with the one accepted response; rejects on an error response, timeout or abort. */
  readonly result: Promise<AuthorizationResponse>;
  /**
   * Offers a redirected URL pasted by the user (`--no-browser`). Returns the error when it is not a valid
   * response for this attempt (so the prompt can ask again); resolves `result` when it is.
   */
  submit(pasted: string): ArcrunError | undefined;
  /** Whether the listener has stopped accepting connections. */
  readonly closed: boolean;
  close(): Promise<void>;
}

const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
  connection: "close",
} as const;

function page(title: string, text: string): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}</style></head><body><h1>${esc(title)}</h1><p>${esc(text)}</p></body></html>`;
}

/** Parses what a user pasted: a full redirected URL, or just its query string. */
export function parsePasted(pasted: string, base: string): URL | undefined {
  const text = pasted.trim();
  if (text === "") return undefined;
  let url: URL;
  try {
    url = /^https?:\/\//i.test(text)
      ? new URL(text)
      : new URL(text.startsWith("?") ? text : `?${text}`, base);
  } catch {
    return undefined;
  }
  // An authorization response carries `code` or `error` (RFC 6749 sections 4.1.2 and 4.1.2.1).
  return url.searchParams.has("code") || url.searchParams.has("error") ? url : undefined;
}

/** Hosts a browser may put in the Host header of a request to this listener; anything else is a rebinding. */
function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `[::1]:${port}`, `localhost:${port}`]);
}

async function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once("error", onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Starts the listener. It binds 127.0.0.1 (and ::1 on the same port where it is free; RFC 8252 section 8.3
 * allows either), so a browser that resolves `localhost` to either family still reaches it.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4
 */
export async function startLoopback(opts: LoopbackOptions): Promise<LoopbackHandle> {
  const host: LoopbackHost = opts.host ?? "127.0.0.1";
  const path = opts.path ?? "/callback";
  const errCtx = { service: opts.service, instance: opts.instance };
  const servers: Server[] = [];
  let settled = false;
  let closed = false;
  let resolveResult!: (r: AuthorizationResponse) => void;
  let rejectResult!: (e: unknown) => void;
  const result = new Promise<AuthorizationResponse>((res, rej) => {
    resolveResult = res;
    rejectResult = rej;
  });
  // The caller may only look at `result` after the browser opened; never an unhandled rejection meanwhile.
  result.catch(() => {});

  let port = opts.port ?? 0;
  const hostsInOrder = host === "[::1]" ? ["::1", "127.0.0.1"] : ["127.0.0.1", "::1"];

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const reply = (status: number, title: string, text: string) => {
      res.writeHead(status, PAGE_HEADERS);
      res.end(page(title, text));
    };
    // RFC 8252 section 8.3 / DNS rebinding: a page on another origin that resolves to 127.0.0.1 sends its own Host.
    if (!allowedHosts(port).has((req.headers.host ?? "").toLowerCase())) {
      reply(421, "Wrong host", "This address only answers the arcrun sign-in redirect.");
      return;
    }
    const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
    if (req.method !== "GET" || url.pathname !== path) {
      reply(404, "Not found", "This address only answers the arcrun sign-in redirect.");
      return;
    }
    if (settled) {
      reply(409, "Already done", "This sign-in has already completed; you can close this tab.");
      return;
    }
    const verdict = check(url);
    if (verdict instanceof ArcrunError && verdict.code === "ERR_OAUTH_STATE_MISMATCH") {
      // A response for another attempt (or forged): refuse it, keep waiting for the right one.
      reply(
        400,
        "Sign-in failed",
        "This response does not belong to the current sign-in. Start again from the terminal.",
      );
      return;
    }
    if (verdict instanceof ArcrunError) {
      reply(400, "Sign-in failed", `${verdict.message}`);
    } else {
      reply(
        200,
        "Signed in",
        "arcrun received the authorization. You can close this tab and return to the terminal.",
      );
    }
    settle(verdict);
  };

  /** Validates an authorization response against this attempt (RFC 6749 section 4.1.2, RFC 9207). */
  const check = (url: URL): AuthorizationResponse | ArcrunError => {
    const q = url.searchParams;
    const state = q.get("state");
    if (state !== opts.state) {
      return new ArcrunError(
        "ERR_OAUTH_STATE_MISMATCH",
        `${opts.service}: the authorization response does not carry this attempt's state (possible CSRF); start again: run: arcrun setup ${opts.service}`,
        errCtx,
      );
    }
    const iss = q.get("iss") ?? undefined;
    if (iss !== undefined && opts.issuerMatches && !opts.issuerMatches(iss)) {
      return new ArcrunError(
        "ERR_OAUTH",
        `${opts.service}: the authorization response came from issuer ${iss}, not the recipe's authorization server (RFC 9207 mix-up); check the recipe's oauth2 > authorize_url`,
        errCtx,
      );
    }
    if (iss === undefined && opts.issuerRequired) {
      return new ArcrunError(
        "ERR_OAUTH",
        `${opts.service}: the authorization server advertises iss in responses but sent none (RFC 9207); start again: run: arcrun setup ${opts.service}`,
        errCtx,
      );
    }
    const error = q.get("error");
    if (error !== null) {
      const description = q.get("error_description") ?? undefined;
      return new OAuthError(
        error === "access_denied" ? "ERR_ACCESS_DENIED" : "ERR_OAUTH",
        `${opts.service}: authorization was refused (${error}${description ? `: ${description.slice(0, 200)}` : ""}); run: arcrun setup ${opts.service} to try again`,
        { status: 400, error, ...(description !== undefined ? { error_description: description } : {}) },
        errCtx,
      );
    }
    const code = q.get("code");
    if (!code) {
      return new ArcrunError(
        "ERR_OAUTH",
        `${opts.service}: the authorization response has no code; start again: run: arcrun setup ${opts.service}`,
        errCtx,
      );
    }
    return { code, state, url, ...(iss !== undefined ? { iss } : {}) };
  };

  let timer: NodeJS.Timeout | undefined;
  const onAbort = () =>
    settle(
      new ArcrunError(
        "ERR_LOGIN_CANCELLED",
        `${opts.service}: sign-in cancelled; run: arcrun setup ${opts.service} to try again`,
        {
          ...errCtx,
          cause: opts.signal?.reason,
        },
      ),
    );

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    if (timer) clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onAbort);
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            // Browsers keep connections alive; a closed listener must not leave one open.
            s.closeAllConnections();
          }),
      ),
    );
  };

  const settle = (v: AuthorizationResponse | ArcrunError) => {
    if (settled) return;
    settled = true;
    if (v instanceof ArcrunError) rejectResult(v);
    else resolveResult(v);
    // Let the page reach the browser before the sockets go.
    setImmediate(() => void close());
  };

  for (const [i, h] of hostsInOrder.entries()) {
    const server = createServer(handler);
    server.keepAliveTimeout = 1000;
    try {
      port = await listen(server, h, port);
      servers.push(server);
    } catch (cause) {
      if (i === 0) {
        await close();
        throw new ArcrunError(
          "ERR_INVALID_OPTION",
          `${opts.service}: cannot listen on ${h}:${port} for the sign-in redirect (${(cause as NodeJS.ErrnoException).code ?? "error"}); free the port or change the recipe's oauth2 > redirect > port`,
          { ...errCtx, cause },
        );
      }
      // The second address family is optional: ::1 may be absent or taken (RFC 8252 section 7.3).
    }
  }

  timer = setTimeout(
    () =>
      settle(
        new ArcrunError(
          "ERR_LOGIN_TIMEOUT",
          `${opts.service}: no sign-in response within ${Math.round(opts.timeoutMs / 1000)} s; run: arcrun setup ${opts.service} to try again (or add --no-browser / --device)`,
          errCtx,
        ),
      ),
    opts.timeoutMs,
  );
  timer.unref?.();
  if (opts.signal) {
    if (opts.signal.aborted) onAbort();
    else opts.signal.addEventListener("abort", onAbort, { once: true });
  }

  const redirectUri = `http://${host}:${port}${path}`;
  return {
    redirectUri,
    port,
    result,
    get closed() {
      return closed;
    },
    submit(pasted: string) {
      if (settled) return undefined;
      const url = parsePasted(pasted, redirectUri);
      if (!url) {
        return new ArcrunError(
          "ERR_INVALID_OPTION",
          `${opts.service}: that is not the redirected URL; paste the whole address from the browser's address bar`,
          errCtx,
        );
      }
      const verdict = check(url);
      if (verdict instanceof ArcrunError && verdict.code === "ERR_OAUTH_STATE_MISMATCH") return verdict;
      settle(verdict);
      return undefined;
    },
    close,
  };
}

import { hostAllowed, type PrimitiveName, type Recipe, renderTemplate } from "@arcrun/recipes";
import { ArcrunError } from "./errors.js";
import {
  type BodyInput,
  dispatchResponse,
  headersToObject,
  type NormalBody,
  normalizeBody,
  parseRetryAfter,
} from "./internal/http.js";
import { insufficientScope } from "./internal/oauth/step-up.js";
import { injectFor } from "./internal/recipe.js";
import { type Dispatcher, loadDispatcherBase } from "./internal/undici.js";
import type { CredentialSource, ResolvedCredential, Strategy } from "./types.js";

/** What fetch's `headers` accepts. */
export type HeadersInitLike = ConstructorParameters<typeof Headers>[0];

/** Query parameters: arrays repeat the name, undefined and null are left out. */
export type QueryParams = Record<
  string,
  string | number | boolean | null | undefined | ReadonlyArray<string | number | boolean>
>;

/** Options of `client.get/post/put/patch/delete`. `json` and `body` are mutually exclusive. */
export type RequestOptions = {
  query?: QueryParams;
  headers?: HeadersInitLike;
  signal?: AbortSignal;
  /** "follow" (default): redirects are followed, each hop checked against the recipe's hosts. */
  redirect?: "follow" | "manual" | "error";
} & ({ json?: unknown; body?: never } | { body?: BodyInput; json?: never });

/** The `init` of `client.fetch`: fetch's RequestInit, plus Node streams as bodies. */
export interface ClientRequestInit {
  method?: string;
  headers?: HeadersInitLike;
  body?: BodyInput;
  signal?: AbortSignal | null;
  redirect?: "follow" | "manual" | "error";
  /** Accepted for fetch compatibility (streaming request bodies); ignored. */
  duplex?: "half";
}

/** What `client.ready()` tells about the resolved credential; never a secret. */
export interface ClientInfo {
  service: string;
  instance: string;
  primitive: PrimitiveName;
  source: CredentialSource;
  /** The rendered base URL requests go to. */
  baseUrl: string;
  /** The hosts the credential may be sent to. */
  hosts: string[];
  expiresAt?: number;
}

/**
 * An authenticated HTTP client for one service instance, from `auth.bind()`. The credential is resolved
 * on the first request (or `ready()`); requests go only to the recipe's hosts.
 */
export interface Client {
  readonly service: string;
  readonly instance: string;
  /** Resolves the credential now (prompting or failing with ERR_NEEDS_LOGIN as a request would). */
  ready(): Promise<ClientInfo>;
  /** Like fetch: a path (joined to the recipe's base_url) or an absolute URL on one of the recipe's hosts. */
  fetch(input: string | URL, init?: ClientRequestInit): Promise<Response>;
  get(path: string, options?: RequestOptions): Promise<Response>;
  head(path: string, options?: RequestOptions): Promise<Response>;
  post(path: string, options?: RequestOptions): Promise<Response>;
  put(path: string, options?: RequestOptions): Promise<Response>;
  patch(path: string, options?: RequestOptions): Promise<Response>;
  delete(path: string, options?: RequestOptions): Promise<Response>;
  /** A fetch-compatible function for SDKs that take one (Octokit `request.fetch`, OpenAI `fetch`). */
  readonly fetchFn: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** An undici Dispatcher that injects the credential, for SDKs and code that take a dispatcher. */
  readonly dispatcher: Dispatcher;
}

/** What a bound client needs from its Auth; internal. */
export interface ClientDeps {
  service: string;
  instance: string;
  setup(): Promise<{ recipe: Recipe; strategy: Strategy; primitive: PrimitiveName }>;
  agent(): Dispatcher;
  retries: number;
  maxRetryDelayMs: number;
  maxRedirects: number;
  now(): number;
}

interface Prepared {
  cred: ResolvedCredential;
  primitive: PrimitiveName;
  baseUrl: string;
  baseOrigin: string;
  /** Path of base_url plus the inject path_prefix, no trailing slash. */
  basePath: string;
  hosts: string[];
  /** Injected headers, lower-case names. */
  headers: Record<string, string>;
  headerNames: string[];
  /** Injected query, encoded `k=v&k2=v2`, or "". */
  query: string;
  queryPairs: Array<[string, string]>;
  sign: Strategy["sign"];
  /** Whether the credential can change (a token with an expiry, or a signing strategy). */
  dynamic: boolean;
}

/** Internal: renders a recipe template (the test request's path) with the client's credential. */
export const renderWithCredential = Symbol("arcrun.renderWithCredential");

const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"]);
const REDIRECT = new Set([301, 302, 303, 307, 308]);
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function appendQuery(target: string, query: QueryParams | undefined): string {
  if (!query) return target;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null) continue;
    const values = Array.isArray(v) ? v : [v];
    for (const x of values) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(x))}`);
  }
  if (parts.length === 0) return target;
  return `${target}${target.includes("?") ? "&" : "?"}${parts.join("&")}`;
}

async function discard(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => undefined);
}

/** A request in flight through redirects and retries. */
interface Pending {
  method: string;
  /** Absolute URL, or undefined with `path` relative to base. */
  url?: URL;
  path?: string;
  headers: Record<string, string>;
  body: NormalBody;
  signal: AbortSignal | undefined;
  redirect: "follow" | "manual" | "error";
}

export class BoundClient implements Client {
  readonly service: string;
  readonly instance: string;
  readonly #deps: ClientDeps;
  #setup: Promise<{ recipe: Recipe; strategy: Strategy; primitive: PrimitiveName }> | undefined;
  #prepared: Prepared | undefined;
  readonly #cache = new WeakMap<ResolvedCredential, Prepared>();
  #dispatcher: Dispatcher | undefined;
  #fetchFn: Client["fetchFn"] | undefined;

  constructor(deps: ClientDeps) {
    this.#deps = deps;
    this.service = deps.service;
    this.instance = deps.instance;
  }

  #getSetup() {
    if (!this.#setup) {
      this.#setup = this.#deps.setup();
      // A failed setup (unknown service, bad recipe) is retried on the next call rather than cached.
      this.#setup.catch(() => {
        this.#setup = undefined;
      });
    }
    return this.#setup;
  }

  #prepare(recipe: Recipe, primitive: PrimitiveName, strategy: Strategy, cred: ResolvedCredential): Prepared {
    const cached = this.#cache.get(cred);
    if (cached) return cached;
    const render = (text: string, where: string): string => {
      try {
        return renderTemplate(text, cred.values);
      } catch (cause) {
        throw new ArcrunError(
          "ERR_RECIPE_INVALID",
          `The ${this.service} recipe's ${where} needs a value the credential does not have (${cause instanceof Error ? cause.message : "unknown"}). Run: arcrun setup ${this.service}`,
          { cause, service: this.service, instance: this.instance },
        );
      }
    };
    const hosts = recipe.hosts.map((h) => render(h, "hosts").toLowerCase());
    let baseUrl = render(recipe.base_url, "base_url").replace(/\/+$/, "");
    // An origin the token answer named (base_url_from) keeps base_url's path; #checkHost below still
    // holds its host to the recipe's hosts.
    if (cred.baseOrigin !== undefined)
      baseUrl = `${cred.baseOrigin}${new URL(baseUrl).pathname.replace(/\/+$/, "")}`;
    const base = new URL(baseUrl);
    const inject = injectFor(recipe, primitive);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(inject?.header ?? {}))
      headers[k.toLowerCase()] = render(v, `inject > header > ${k}`);
    const queryPairs: Array<[string, string]> = Object.entries(inject?.query ?? {}).map(([k, v]) => [
      k,
      render(v, `inject > query > ${k}`),
    ]);
    const prefix = inject?.path_prefix ? render(inject.path_prefix, "inject > path_prefix") : "";
    const p: Prepared = {
      cred,
      primitive,
      baseUrl,
      baseOrigin: base.origin,
      basePath: `${base.pathname.replace(/\/+$/, "")}${prefix.replace(/\/+$/, "")}`,
      hosts,
      headers,
      headerNames: Object.keys(headers),
      query: queryPairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&"),
      queryPairs,
      sign: strategy.sign?.bind(strategy),
      dynamic: cred.expiresAt !== undefined || strategy.sign !== undefined,
    };
    this.#checkHost(base, p);
    this.#cache.set(cred, p);
    return p;
  }

  #checkHost(url: URL, p: Prepared): void {
    const host = url.hostname.toLowerCase();
    const ok =
      hostAllowed(host, p.hosts) &&
      (url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.has(host)));
    if (!ok) {
      throw new ArcrunError(
        "ERR_HOST_NOT_ALLOWED",
        `Refused to send the ${this.service} credential to ${url.protocol}//${url.host}: the recipe allows only ${p.hosts.map((h) => `https://${h}`).join(", ")}. Use a path under ${p.baseUrl}, or add the host in a user recipe ($ARCRUN_HOME/recipes/${this.service}.yaml), then run: arcrun recipe show ${this.service}`,
        { service: this.service, instance: this.instance },
      );
    }
  }

  async #current(force = false): Promise<Prepared> {
    const p = this.#prepared;
    if (p && !p.dynamic && !force) return p;
    const { recipe, strategy, primitive } = await this.#getSetup();
    const cred = await strategy.resolve(force ? { force: true } : {});
    const next = this.#prepare(recipe, primitive, strategy, cred);
    this.#prepared = next;
    return next;
  }

  async [renderWithCredential](text: string): Promise<string> {
    const p = await this.#current();
    return renderTemplate(text, p.cred.values);
  }

  async ready(): Promise<ClientInfo> {
    const p = await this.#current();
    const info: ClientInfo = {
      service: this.service,
      instance: this.instance,
      primitive: p.primitive,
      source: p.cred.source,
      baseUrl: p.baseUrl,
      hosts: [...p.hosts],
    };
    if (p.cred.expiresAt !== undefined) info.expiresAt = p.cred.expiresAt;
    return info;
  }

  /** The URL a pending request goes to, with injected query; checks the host first. */
  #target(req: Pending, p: Prepared): { origin: string; path: string; url?: URL } {
    if (req.url === undefined) {
      const path = req.path ?? "/";
      const rel = path.startsWith("/") || path === "" ? path : `/${path}`;
      let full = `${p.basePath}${rel}`;
      if (p.query) full += `${full.includes("?") ? "&" : "?"}${p.query}`;
      return { origin: p.baseOrigin, path: full };
    }
    this.#checkHost(req.url, p);
    let full = `${req.url.pathname}${req.url.search}`;
    if (p.query) full += `${req.url.search ? "&" : "?"}${p.query}`;
    return { origin: req.url.origin, path: full, url: req.url };
  }

  async #send(req: Pending): Promise<Response> {
    const deps = this.#deps;
    let attempt = 0;
    let redirects = 0;
    let retried401 = false;
    let retried403 = false;
    let force = false;
    for (;;) {
      const p = await this.#current(force);
      force = false;
      const t = this.#target(req, p);
      let headers: Record<string, string>;
      if (p.headerNames.length === 0) headers = req.headers;
      else {
        headers = { ...req.headers };
        for (const k of p.headerNames) headers[k] = p.headers[k] as string;
      }
      let origin = t.origin;
      let path = t.path;
      let body = req.body.data;
      if (p.sign) {
        if (body instanceof Object && !(body instanceof Uint8Array)) {
          throw new ArcrunError(
            "ERR_INVALID_OPTION",
            `${this.service} signs every request, which needs the whole body: pass a string or bytes, not a stream.`,
            { service: this.service, instance: this.instance },
          );
        }
        const signed = await p.sign(
          {
            method: req.method,
            url: new URL(`${origin}${path}`),
            headers: new Headers(headers),
            body: body === null ? undefined : (body as string | Uint8Array),
          },
          p.cred,
        );
        if (signed.url.origin !== origin) this.#checkHost(signed.url, p);
        origin = signed.url.origin;
        path = `${signed.url.pathname}${signed.url.search}`;
        headers = headersToObject(signed.headers);
        body = signed.body ?? null;
      }
      const res = await dispatchResponse(
        deps.agent(),
        { origin, path, method: req.method as Dispatcher.HttpMethod, headers, body },
        req.signal,
        req.url ? req.url.href : `${p.baseUrl}${req.path?.startsWith("/") ? "" : "/"}${req.path ?? ""}`,
      );
      const status = res.status;

      if (REDIRECT.has(status) && req.redirect !== "manual") {
        const location = res.headers.get("location");
        if (location !== null) {
          await discard(res);
          if (req.redirect === "error") {
            throw new ArcrunError(
              "ERR_NETWORK",
              `${this.service} answered with a redirect (${status}) and redirect: "error" was set.`,
              { service: this.service, instance: this.instance },
            );
          }
          if (++redirects > deps.maxRedirects) {
            throw new ArcrunError(
              "ERR_NETWORK",
              `Too many redirects (more than ${deps.maxRedirects}) from ${new URL(origin).host}. Check the recipe's base_url, or run: arcrun doctor`,
              { service: this.service, instance: this.instance },
            );
          }
          const from = t.url ?? new URL(`${origin}${t.path}`);
          const next = new URL(location, from);
          // Never carry the injected query of one hop into the next hop's URL.
          for (const [k] of p.queryPairs) next.searchParams.delete(k);
          if (status === 303 || ((status === 301 || status === 302) && req.method === "POST")) {
            if (req.method !== "HEAD") req.method = "GET";
            req.body = { data: null, replayable: true };
            delete req.headers["content-type"];
            delete req.headers["content-length"];
          } else if (!req.body.replayable) {
            return res;
          }
          if (next.origin !== new URL(origin).origin) {
            // The fetch standard drops these on a cross-origin redirect; arcrun's own are re-checked per hop.
            delete req.headers.authorization;
            delete req.headers.cookie;
            delete req.headers["proxy-authorization"];
          }
          req.url = next;
          req.path = undefined;
          continue;
        }
      }

      if (status === 401 && !retried401 && req.body.replayable) {
        const { strategy } = await this.#getSetup();
        if (strategy.onUnauthorized) {
          retried401 = true;
          if (await strategy.onUnauthorized()) {
            await discard(res);
            this.#prepared = undefined;
            force = p.dynamic;
            continue;
          }
        }
      }

      if (status === 403 && !retried403 && req.body.replayable) {
        const needed = insufficientScope(res.headers.get("www-authenticate"));
        const strategy = needed ? (await this.#getSetup()).strategy : undefined;
        if (needed && strategy?.onInsufficientScope) {
          retried403 = true;
          const again = await strategy.onInsufficientScope(needed).catch(async (err: unknown) => {
            await discard(res);
            throw err;
          });
          if (again) {
            await discard(res);
            this.#prepared = undefined;
            force = p.dynamic;
            continue;
          }
        }
      }

      if (
        (status === 429 || status === 503) &&
        attempt < deps.retries &&
        IDEMPOTENT.has(req.method) &&
        req.body.replayable
      ) {
        const delay = parseRetryAfter(res.headers.get("retry-after"), deps.now()) ?? 250 * 2 ** attempt;
        if (delay <= deps.maxRetryDelayMs) {
          await discard(res);
          attempt++;
          await sleep(delay, req.signal);
          continue;
        }
      }
      return res;
    }
  }

  async #pending(
    method: string,
    input: string | URL,
    headersInit: unknown,
    bodyInput: BodyInput,
    signal: AbortSignal | null | undefined,
    redirect: "follow" | "manual" | "error" | undefined,
    json?: { value: unknown },
  ): Promise<Pending> {
    const headers = headersToObject(headersInit);
    let body: NormalBody;
    if (json) {
      body = { data: JSON.stringify(json.value), replayable: true, contentType: "application/json" };
    } else {
      body = await normalizeBody(bodyInput);
    }
    if (body.contentType && headers["content-type"] === undefined) headers["content-type"] = body.contentType;
    const req: Pending = {
      method: method.toUpperCase(),
      headers,
      body,
      signal: signal ?? undefined,
      redirect: redirect ?? "follow",
    };
    if (input instanceof URL) req.url = input;
    else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) req.url = new URL(input);
    else req.path = input;
    return req;
  }

  async fetch(input: string | URL, init: ClientRequestInit = {}): Promise<Response> {
    const req = await this.#pending(
      init.method ?? "GET",
      input,
      init.headers,
      init.body,
      init.signal,
      init.redirect,
    );
    const res = await this.#send(req);
    return res;
  }

  async #call(method: string, path: string, options: RequestOptions | undefined): Promise<Response> {
    if (options === undefined) {
      return this.#send({
        method,
        path,
        headers: {},
        body: { data: null, replayable: true },
        signal: undefined,
        redirect: "follow",
      });
    }
    const target = appendQuery(path, options.query);
    const req = await this.#pending(
      method,
      target,
      options.headers,
      options.body,
      options.signal,
      options.redirect,
      "json" in options && options.json !== undefined ? { value: options.json } : undefined,
    );
    return this.#send(req);
  }

  get(path: string, options?: RequestOptions): Promise<Response> {
    return this.#call("GET", path, options);
  }
  head(path: string, options?: RequestOptions): Promise<Response> {
    return this.#call("HEAD", path, options);
  }
  post(path: string, options?: RequestOptions): Promise<Response> {
    return this.#call("POST", path, options);
  }
  put(path: string, options?: RequestOptions): Promise<Response> {
    return this.#call("PUT", path, options);
  }
  patch(path: string, options?: RequestOptions): Promise<Response> {
    return this.#call("PATCH", path, options);
  }
  delete(path: string, options?: RequestOptions): Promise<Response> {
    return this.#call("DELETE", path, options);
  }

  get fetchFn(): Client["fetchFn"] {
    this.#fetchFn ??= async (input, init) => {
      if (input instanceof Request) {
        const body = input.body === null ? undefined : new Uint8Array(await input.arrayBuffer());
        const headers = headersToObject(input.headers);
        headersToObject(init?.headers, headers);
        return this.fetch(input.url, {
          method: init?.method ?? input.method,
          headers,
          body: (init?.body as BodyInput) ?? body,
          signal: init?.signal ?? input.signal,
          redirect: init?.redirect ?? input.redirect,
        });
      }
      return this.fetch(input, {
        ...(init?.method === undefined ? {} : { method: init.method }),
        headers: init?.headers,
        body: init?.body as BodyInput,
        signal: init?.signal,
        redirect: init?.redirect,
      });
    };
    return this.#fetchFn;
  }

  get dispatcher(): Dispatcher {
    this.#dispatcher ??= createAuthDispatcher(this, {
      current: (force) => this.#current(force),
      checkHost: (url, p) => this.#checkHost(url, p),
      agent: () => this.#deps.agent(),
    });
    return this.#dispatcher;
  }
}

interface DispatcherHooks {
  current(force?: boolean): Promise<Prepared>;
  checkHost(url: URL, p: Prepared): void;
  agent(): Dispatcher;
}

function failHandler(handler: Dispatcher.DispatchHandler, err: Error): void {
  if (handler.onResponseError) {
    let aborted = false;
    const controller: Dispatcher.DispatchController = {
      get aborted() {
        return aborted;
      },
      get paused() {
        return false;
      },
      get reason() {
        return err;
      },
      abort() {
        aborted = true;
      },
      pause() {},
      resume() {},
    };
    handler.onRequestStart?.(controller, {});
    handler.onResponseError(controller, err);
  } else {
    handler.onError?.(err);
  }
}

/** An undici Dispatcher that adds the credential to every request on an allowed host, and refuses the rest. */
function createAuthDispatcher(client: BoundClient, hooks: DispatcherHooks): Dispatcher {
  const Base = loadDispatcherBase();
  class AuthDispatcher extends Base {
    override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
      hooks
        .current()
        .then((p) => {
          const origin = String(options.origin ?? p.baseOrigin);
          const url = new URL(options.path, origin);
          hooks.checkHost(url, p);
          const headers = headersToObject(options.headers);
          for (const k of p.headerNames) headers[k] = p.headers[k] as string;
          let path = options.path;
          if (p.query) path += `${path.includes("?") ? "&" : "?"}${p.query}`;
          hooks.agent().dispatch({ ...options, origin: url.origin, path, headers }, handler);
        })
        .catch((err: unknown) => failHandler(handler, err instanceof Error ? err : new Error(String(err))));
      return true;
    }
    override close(): Promise<void>;
    override close(callback: () => void): void;
    override close(callback?: () => void): Promise<void> | void {
      if (callback) {
        callback();
        return;
      }
      return Promise.resolve();
    }
    override destroy(): Promise<void>;
    override destroy(err: Error | null): Promise<void>;
    override destroy(callback: () => void): void;
    override destroy(err: Error | null, callback: () => void): void;
    override destroy(a?: unknown, b?: unknown): Promise<void> | void {
      const cb = typeof a === "function" ? a : typeof b === "function" ? b : undefined;
      if (cb) {
        (cb as () => void)();
        return;
      }
      return Promise.resolve();
    }
  }
  void client;
  return new AuthDispatcher();
}

import { type PrimitiveName, type Recipe, renderTemplate } from "@arcrun/recipes";
import { createAuthDispatcher } from "./internal/client/dispatcher.js";
import {
  type Pending,
  type PendingInput,
  pendingRequest,
  type QueryParams,
  type Target,
  targetFor,
} from "./internal/client/request.js";
import { type Current, type SendContext, send } from "./internal/client/send.js";
import { type BodyInput, headersToObject } from "./internal/http.js";
import type { Dispatcher } from "./internal/undici.js";
import type { CredentialSource, ResolvedCredential, Strategy } from "./types.js";

export type { QueryParams } from "./internal/client/request.js";

/** What fetch's `headers` accepts. */
export type HeadersInitLike = ConstructorParameters<typeof Headers>[0];

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

/** What a bound client needs from its Auth: how to build its strategy, and the agent; internal. */
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

/** Internal: renders a recipe template (the test request's path) with the client's credential. */
export const renderWithCredential = Symbol("arcrun.renderWithCredential");

/**
 * A bound client: turns each entry point's input into a request (internal/client/request.ts) and hands it
 * to the one send loop (internal/client/send.ts); the dispatcher (internal/client/dispatcher.ts) does too.
 */
export class BoundClient implements Client {
  readonly service: string;
  readonly instance: string;
  readonly #deps: ClientDeps;
  readonly #send: SendContext;
  #setup: Promise<{ recipe: Recipe; strategy: Strategy; primitive: PrimitiveName }> | undefined;
  #held: Current | undefined;
  readonly #targets = new WeakMap<ResolvedCredential, Target>();
  #dispatcher: Dispatcher | undefined;
  #fetchFn: Client["fetchFn"] | undefined;

  constructor(deps: ClientDeps) {
    this.#deps = deps;
    this.service = deps.service;
    this.instance = deps.instance;
    this.#send = {
      service: deps.service,
      instance: deps.instance,
      current: () => this.#current(),
      unauthorized: async () => {
        const { strategy } = await this.#getSetup();
        if (!strategy.onUnauthorized || !(await strategy.onUnauthorized())) return false;
        this.#held = undefined;
        return true;
      },
      insufficientScope: async (needed) => {
        const { strategy } = await this.#getSetup();
        if (!strategy.onInsufficientScope || !(await strategy.onInsufficientScope(needed))) return false;
        this.#held = undefined;
        return true;
      },
      agent: deps.agent,
      retries: deps.retries,
      maxRetryDelayMs: deps.maxRetryDelayMs,
      maxRedirects: deps.maxRedirects,
      now: deps.now,
    };
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

  /**
   * The credential, its target and the strategy's applier: the one held while it cannot expire (a value, no
   * promise), else re-resolved through the strategy, which keeps a token while it is valid.
   */
  #current(): Current | Promise<Current> {
    const c = this.#held;
    if (c && c.target.cred.expiresAt === undefined) return c;
    return this.#resolve();
  }

  async #resolve(): Promise<Current> {
    const { recipe, strategy, primitive } = await this.#getSetup();
    const cred = await strategy.resolve();
    let target = this.#targets.get(cred);
    if (!target) {
      target = targetFor({ recipe, primitive, service: this.service, instance: this.instance }, cred);
      this.#targets.set(cred, target);
    }
    const held = this.#held;
    if (held && held.target === target && held.applier === strategy.applier) return held;
    const next = { target, applier: strategy.applier };
    this.#held = next;
    return next;
  }

  async [renderWithCredential](text: string): Promise<string> {
    const { target } = await this.#current();
    return renderTemplate(text, target.cred.values);
  }

  async ready(): Promise<ClientInfo> {
    const { target } = await this.#current();
    const info: ClientInfo = {
      service: this.service,
      instance: this.instance,
      primitive: target.primitive,
      source: target.cred.source,
      baseUrl: target.baseUrl,
      hosts: [...target.hosts],
    };
    if (target.cred.expiresAt !== undefined) info.expiresAt = target.cred.expiresAt;
    return info;
  }

  fetch(input: string | URL, init: ClientRequestInit = {}): Promise<Response> {
    return this.#request({
      method: init.method ?? "GET",
      input,
      headers: init.headers,
      body: init.body,
      signal: init.signal,
      redirect: init.redirect,
    });
  }

  #call(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    return this.#request({
      method,
      input: path,
      query: options.query,
      headers: options.headers,
      body: options.body,
      json: "json" in options && options.json !== undefined ? { value: options.json } : undefined,
      signal: options.signal,
      redirect: options.redirect,
    });
  }

  /** Builds the request and sends it; waits first only when building it had to read a body. */
  #request(input: PendingInput): Promise<Response> {
    let req: Pending | Promise<Pending>;
    try {
      req = pendingRequest(input);
    } catch (err) {
      return Promise.reject(err);
    }
    return req instanceof Promise ? req.then((r) => send(this.#send, r)) : send(this.#send, req);
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
    this.#dispatcher ??= createAuthDispatcher(this.#send);
    return this.#dispatcher;
  }
}

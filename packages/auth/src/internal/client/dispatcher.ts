/**
 * The bound client as an undici Dispatcher, for SDKs and code that take one. Each `dispatch` becomes a
 * Pending request that goes through the same send loop as the client's methods (host check, applier with
 * signing, 401 refresh, retries); the Response is then handed to undici's handler with backpressure.
 * Redirects are returned as they are (`redirect: "manual"`), as a plain undici dispatcher does.
 */
import { createRequire } from "node:module";
import { ArcrunError } from "../../errors.js";
import type { BodyInput } from "../http.js";
import { bodyChunks, headerRecord } from "../response.js";
import { type Dispatcher, loadDispatcherBase } from "../undici.js";
import { pendingRequest } from "./request.js";
import { type SendContext, send } from "./send.js";

type Handler = Dispatcher.DispatchHandler;

const requireUndici = createRequire(import.meta.url);
let wrapHandler: ((h: Handler) => Handler) | undefined;

/** undici's adapter from the legacy handler API (onConnect, onHeaders, ...) to the controller API. */
function wrap(handler: Handler): Handler {
  if (!wrapHandler) {
    const WrapHandler = requireUndici("undici/lib/handler/wrap-handler.js") as {
      wrap(h: Handler): Handler;
    };
    wrapHandler = (h) => WrapHandler.wrap(h);
  }
  return wrapHandler(handler);
}

class Controller implements Dispatcher.DispatchController {
  #paused = false;
  #resume: (() => void) | undefined;
  readonly #abort: AbortController;

  constructor(abort: AbortController) {
    this.#abort = abort;
  }
  get aborted(): boolean {
    return this.#abort.signal.aborted;
  }
  get paused(): boolean {
    return this.#paused;
  }
  get reason(): Error | null {
    return this.aborted ? (this.#abort.signal.reason as Error) : null;
  }
  abort(reason: Error): void {
    this.#abort.abort(reason);
    this.#resume?.();
  }
  pause(): void {
    this.#paused = true;
  }
  resume(): void {
    this.#paused = false;
    const r = this.#resume;
    this.#resume = undefined;
    r?.();
  }
  /** Resolves when the handler resumes (or aborts). */
  waitWhilePaused(): Promise<void> {
    if (!this.#paused || this.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.#resume = resolve;
    });
  }
}

async function run(ctx: SendContext, options: Dispatcher.DispatchOptions, handler: Handler): Promise<void> {
  const abort = new AbortController();
  const controller = new Controller(abort);
  try {
    handler.onRequestStart?.(controller, {});
    if (options.upgrade || options.method === "CONNECT") {
      throw new ArcrunError(
        "ERR_INVALID_OPTION",
        `${ctx.service}: the arcrun dispatcher sends HTTP requests only, not upgrades or CONNECT. Use the agent directly for those`,
        { service: ctx.service, instance: ctx.instance },
      );
    }
    const origin = options.origin === undefined ? undefined : String(options.origin);
    const built = pendingRequest({
      method: options.method,
      input: origin === undefined ? options.path : new URL(options.path, origin),
      headers: options.headers,
      body: options.body as BodyInput,
      signal: abort.signal,
      redirect: "manual",
    });
    const res = await send(ctx, built instanceof Promise ? await built : built);
    if (controller.aborted) {
      await res.body?.cancel().catch(() => undefined);
      return;
    }
    // The response goes to undici's handler as it came from undici: headers as a record and body chunks,
    // with no Headers object or web stream made in between (internal/response.ts).
    handler.onResponseStart?.(controller, res.status, headerRecord(res), res.statusText);
    const chunks = bodyChunks(res);
    if (chunks) {
      for await (const value of chunks) {
        await controller.waitWhilePaused();
        // Leaving the loop cancels the body (and with it the request upstream).
        if (controller.aborted) return;
        handler.onResponseData?.(controller, Buffer.from(value.buffer, value.byteOffset, value.byteLength));
      }
    }
    handler.onResponseEnd?.(controller, {});
  } catch (err) {
    handler.onResponseError?.(controller, err instanceof Error ? err : new Error(String(err)));
  }
}

/** An undici Dispatcher whose every request goes through the bound client's send loop. */
export function createAuthDispatcher(ctx: SendContext): Dispatcher {
  const Base = loadDispatcherBase();
  class AuthDispatcher extends Base {
    override dispatch(options: Dispatcher.DispatchOptions, handler: Handler): boolean {
      void run(ctx, options, wrap(handler));
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
  return new AuthDispatcher();
}

import { Readable } from "node:stream";
import { ArcrunError } from "../errors.js";
import { type ArcrunResponse, prepareResponseClass, type RawHeaders, responseClass } from "./response.js";
import type { Dispatcher } from "./undici.js";

/** A request body in the shapes fetch accepts, plus Node streams. */
export type BodyInput =
  | string
  | ArrayBuffer
  | ArrayBufferView
  | URLSearchParams
  | Blob
  | FormData
  | ReadableStream<Uint8Array>
  | Readable
  | AsyncIterable<Uint8Array>
  | null
  | undefined;

export interface NormalBody {
  data: string | Uint8Array | Readable | null;
  /** false for a stream: it can be sent once, so no retry or 307/308 redirect. */
  replayable: boolean;
  contentType?: string;
}

const NO_BODY: Readonly<NormalBody> = Object.freeze({ data: null, replayable: true });

/**
 * Turns any fetch body into what undici's dispatch takes, with the content type fetch would set. A value,
 * except for a Blob or FormData (read through a Response): only those make a request wait before it starts.
 */
export function normalizeBody(body: BodyInput): NormalBody | Promise<NormalBody> {
  if (body === undefined || body === null) return NO_BODY;
  if (typeof body === "string")
    return { data: body, replayable: true, contentType: "text/plain;charset=UTF-8" };
  if (body instanceof Uint8Array) return { data: body, replayable: true };
  if (body instanceof ArrayBuffer) return { data: new Uint8Array(body), replayable: true };
  if (ArrayBuffer.isView(body)) {
    return { data: new Uint8Array(body.buffer, body.byteOffset, body.byteLength), replayable: true };
  }
  if (body instanceof URLSearchParams) {
    return {
      data: body.toString(),
      replayable: true,
      contentType: "application/x-www-form-urlencoded;charset=UTF-8",
    };
  }
  if (body instanceof Blob || body instanceof FormData) return readWhole(body);
  if (body instanceof ReadableStream) {
    return { data: Readable.fromWeb(body as import("node:stream/web").ReadableStream), replayable: false };
  }
  if (body instanceof Readable) return { data: body, replayable: false };
  if (typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === "function") {
    return { data: Readable.from(body as AsyncIterable<Uint8Array>), replayable: false };
  }
  throw new ArcrunError(
    "ERR_INVALID_OPTION",
    "Unsupported request body type. Pass a string, bytes, or a stream.",
  );
}

async function readWhole(body: Blob | FormData): Promise<NormalBody> {
  const r = new Response(body);
  const contentType = r.headers.get("content-type") ?? undefined;
  const data = new Uint8Array(await r.arrayBuffer());
  return contentType === undefined ? { data, replayable: true } : { data, replayable: true, contentType };
}

/** Copies any HeadersInit (or undici's header shapes) into a plain object with lower-case names. */
export function headersToObject(init: unknown, into: Record<string, string> = {}): Record<string, string> {
  if (init === undefined || init === null) return into;
  if (init instanceof Headers) {
    init.forEach((v, k) => {
      into[k] = v;
    });
    return into;
  }
  if (Array.isArray(init)) {
    if (init.length > 0 && Array.isArray(init[0])) {
      for (const pair of init as Array<[string, string]>) appendHeader(into, pair[0], pair[1]);
    } else {
      for (let i = 0; i + 1 < init.length; i += 2) appendHeader(into, String(init[i]), String(init[i + 1]));
    }
    return into;
  }
  if (typeof init === "object") {
    if (typeof (init as Iterable<unknown>)[Symbol.iterator] === "function") {
      for (const pair of init as Iterable<[string, string]>) appendHeader(into, pair[0], pair[1]);
      return into;
    }
    for (const [k, v] of Object.entries(init as Record<string, unknown>)) {
      if (v === undefined || v === null) continue;
      if (Array.isArray(v)) for (const x of v) appendHeader(into, k, String(x));
      else appendHeader(into, k, String(v));
    }
  }
  return into;
}

function appendHeader(into: Record<string, string>, name: string, value: string): void {
  const k = name.toLowerCase();
  const prev = into[k];
  into[k] = prev === undefined ? value : `${prev}, ${value}`;
}

const NULL_BODY = new Set([101, 103, 204, 205, 304]);

function networkError(origin: string, err: unknown): ArcrunError {
  const code = (err as { code?: string }).code ?? (err instanceof Error ? err.name : "error");
  let host = origin;
  try {
    host = new URL(origin).host;
  } catch {
    // keep origin
  }
  return new ArcrunError(
    "ERR_NETWORK",
    `Could not complete the request to ${host} (${code}). Check the network and the recipe's base_url, or run: arcrun doctor`,
    { cause: err },
  );
}

/**
 * undici's handler API changed in undici 7 (onRequestStart, onResponseStart, ... with a controller), and
 * undici 8 knows only that one, while Node 20 and 22 ship undici 6, which knows only the old one (onConnect,
 * onHeaders, ...). The default dispatcher is the one Node's fetch uses, so a handler answers both: undici 7
 * and 8 call the controller methods, undici 6 calls the old ones, which this controller translates.
 */
class LegacyController implements Dispatcher.DispatchController {
  readonly #abort: (err?: Error) => void;
  #resume: (() => void) | undefined;
  #paused = false;
  #aborted = false;
  #reason: Error | null = null;

  constructor(abort: (err?: Error) => void) {
    this.#abort = abort;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  get paused(): boolean {
    return this.#paused;
  }

  get reason(): Error | null {
    return this.#reason;
  }

  setResume(resume: () => void): void {
    this.#resume = resume;
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    if (this.#paused) {
      this.#paused = false;
      this.#resume?.();
    }
  }

  abort(reason: Error): void {
    if (!this.#aborted) {
      this.#aborted = true;
      this.#reason = reason;
      this.#abort(reason);
    }
  }
}

/**
 * undici 6's raw headers (name, value, name, value... as bytes) as the record undici 7 hands a controller
 * handler: lower-case names, values read as UTF-8, a repeated name as an array, and content-disposition
 * read as Latin-1 when content-length is present (undici's parseHeaders, nodejs/node#46528).
 */
function headersFromRaw(raw: ReadonlyArray<Buffer | string>): RawHeaders {
  const out: RawHeaders = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = String(raw[i]).toLowerCase();
    const value = String(raw[i + 1]);
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (typeof prev === "string") out[name] = [prev, value];
    else prev.push(value);
  }
  const disposition = out["content-disposition"];
  if (typeof disposition === "string" && out["content-length"] !== undefined) {
    out["content-disposition"] = Buffer.from(disposition).toString("latin1");
  }
  return out;
}

/**
 * One request's handler: resolves the promise with a standard Response as soon as the headers arrive; the
 * body follows with backpressure (pause/resume). A class rather than closures: one allocation per request.
 */
class ResponseHandler implements Dispatcher.DispatchHandler {
  readonly #options: Dispatcher.DispatchOptions;
  readonly #signal: AbortSignal | undefined;
  readonly #url: string;
  readonly #resolve: (res: Response) => void;
  readonly #reject: (err: unknown) => void;
  #controller: Dispatcher.DispatchController | undefined;
  #legacy: LegacyController | undefined;
  #response: ArcrunResponse | undefined;
  #settled = false;
  readonly #onAbort: (() => void) | undefined;

  constructor(
    options: Dispatcher.DispatchOptions,
    signal: AbortSignal | undefined,
    url: string,
    resolve: (res: Response) => void,
    reject: (err: unknown) => void,
  ) {
    this.#options = options;
    this.#signal = signal;
    this.#url = url;
    this.#resolve = resolve;
    this.#reject = reject;
    if (signal) {
      this.#onAbort = () => this.#aborted();
      signal.addEventListener("abort", this.#onAbort, { once: true });
    }
  }

  #aborted(): void {
    const signal = this.#signal;
    const reason =
      signal?.reason instanceof Error ? signal.reason : new DOMException("aborted", "AbortError");
    const controller = this.#controller;
    if (controller && !controller.aborted) controller.abort(reason);
    if (!this.#settled) {
      this.#settled = true;
      this.#reject(signal?.reason ?? reason);
    }
  }

  #done(): void {
    if (this.#onAbort) this.#signal?.removeEventListener("abort", this.#onAbort);
  }

  /** dispatch threw before the request started. */
  failed(err: unknown): void {
    this.#done();
    this.#settled = true;
    this.#reject(networkError(String(this.#options.origin), err));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#signal?.aborted) {
      this.#aborted();
      return;
    }
    // undici writes the request right after this returns.
    prepareResponseClass();
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: RawHeaders,
    statusMessage?: string,
  ): void {
    if (statusCode < 200) return;
    const hasBody = !NULL_BODY.has(statusCode) && this.#options.method !== "HEAD";
    this.#settled = true;
    try {
      this.#response = new (responseClass())(
        hasBody,
        { status: statusCode, statusText: statusMessage ?? "" },
        headers,
        this.#url,
        controller,
      );
    } catch (err) {
      controller.abort(err instanceof Error ? err : new Error(String(err)));
      this.#reject(networkError(String(this.#options.origin), err));
      return;
    }
    this.#resolve(this.#response as unknown as Response);
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#response?.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }

  onResponseEnd(): void {
    this.#done();
    this.#response?.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, err: Error): void {
    this.#done();
    if (!this.#settled) {
      this.#settled = true;
      const signal = this.#signal;
      this.#reject(signal?.aborted ? signal.reason : networkError(String(this.#options.origin), err));
      return;
    }
    this.#response?.fail(err);
  }

  // undici 6 (Node 20 and 22's fetch): the old handler API, translated.

  onConnect(abort: (err?: Error) => void): void {
    this.#legacy = new LegacyController(abort);
    this.onRequestStart(this.#legacy);
  }

  onHeaders(statusCode: number, raw: Buffer[], resume: () => void, statusText: string): boolean {
    const c = this.#legacy as LegacyController;
    c.setResume(resume);
    this.onResponseStart(c, statusCode, headersFromRaw(raw), statusText);
    return !c.paused;
  }

  onData(chunk: Buffer): boolean {
    const c = this.#legacy as LegacyController;
    this.onResponseData(c, chunk);
    return !c.paused;
  }

  onComplete(): void {
    this.onResponseEnd();
  }

  onError(err: Error): void {
    this.onResponseError(this.#legacy, err);
  }
}

/**
 * One request through undici's dispatch API, resolved as a standard Response as soon as the headers
 * arrive; the body follows with backpressure (pause/resume). No redirect, retry or auth here.
 * `url` is what `response.url` says (the caller's URL, without injected credentials).
 */
export function dispatchResponse(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  signal: AbortSignal | undefined,
  url: string,
): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const handler = new ResponseHandler(options, signal, url, resolve, reject);
    try {
      dispatcher.dispatch(options, handler as unknown as Dispatcher.DispatchHandler);
    } catch (err) {
      handler.failed(err);
    }
  });
}

/** Parses Retry-After (RFC 9110 section 10.2.3): delay-seconds or an HTTP-date. Milliseconds, or undefined. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

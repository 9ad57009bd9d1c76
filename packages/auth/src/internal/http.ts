import { Readable } from "node:stream";
import { ArcrunError } from "../errors.js";
import { type ArcrunResponse, prepareResponseClass, responseClass } from "./response.js";
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
    let controller: Dispatcher.DispatchController | undefined;
    let response: ArcrunResponse | undefined;
    let settled = false;
    const onAbort = () => {
      const reason =
        signal?.reason instanceof Error ? signal.reason : new DOMException("aborted", "AbortError");
      if (controller && !controller.aborted) controller.abort(reason);
      if (!settled) {
        settled = true;
        reject(signal?.reason ?? reason);
      }
    };
    if (signal) {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      signal.addEventListener("abort", onAbort, { once: true });
    }
    const done = () => signal?.removeEventListener("abort", onAbort);
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c;
        // undici writes the request right after this returns.
        prepareResponseClass();
      },
      onResponseStart(c, statusCode, headers, statusMessage) {
        if (statusCode < 200) return;
        const hasBody = !NULL_BODY.has(statusCode) && options.method !== "HEAD";
        settled = true;
        try {
          response = new (responseClass())(
            hasBody,
            { status: statusCode, statusText: statusMessage ?? "" },
            headers,
            url,
            c,
          );
        } catch (err) {
          c.abort(err instanceof Error ? err : new Error(String(err)));
          reject(networkError(String(options.origin), err));
          return;
        }
        resolve(response as unknown as Response);
      },
      onResponseData(_c, chunk) {
        response?.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      },
      onResponseEnd() {
        done();
        response?.end();
      },
      onResponseError(_c, err) {
        done();
        if (!settled) {
          settled = true;
          reject(signal?.aborted ? signal.reason : networkError(String(options.origin), err));
          return;
        }
        response?.fail(err);
      },
    };
    try {
      dispatcher.dispatch(options, handler);
    } catch (err) {
      done();
      settled = true;
      reject(networkError(String(options.origin), err));
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

import type { Dispatcher } from "./undici.js";

/** Bytes buffered without a reader before the connection is paused (backpressure). */
const PAUSE_AT = 1 << 20;

const decoder = new TextDecoder();

/**
 * A standard Response (instanceof Response, same API) whose body is fed by undici's dispatch handler.
 * `text()`, `json()`, `arrayBuffer()`, `bytes()` and `blob()` read the buffered chunks directly; a web
 * ReadableStream is built only when `body` is asked for. On Node 20 a stream-backed Response costs ~30 us
 * per request, which would make the bound client far slower than undici.request.
 */
/** The part of Response the subclass relies on; @types/node declares its members as properties, not methods. */
interface ResponseBase {
  readonly status: number;
  readonly statusText: string;
}
type ResponseCtor = new (body: null, init: { status: number; statusText: string }) => ResponseBase;

/** Response headers as undici's dispatch hands them over (lower-case names, repeated ones as arrays). */
export type RawHeaders = Record<string, string | string[] | undefined>;

const RAW_HEADERS = Symbol("arcrun.rawHeaders");
const CHUNKS = Symbol("arcrun.chunks");

/**
 * A response's headers as a record, for undici's handler API (the dispatcher): an arcrun response hands over
 * what undici gave it, with no Headers object in between; any other Response is converted.
 */
export function headerRecord(res: Response): RawHeaders {
  const own = (res as Partial<ArcrunResponse>)[RAW_HEADERS];
  if (own) return own.call(res);
  const out: RawHeaders = {};
  res.headers.forEach((v, k) => {
    out[k] = v;
  });
  const cookies = res.headers.getSetCookie();
  if (cookies.length > 0) out["set-cookie"] = cookies;
  return out;
}

/**
 * A response's body chunks as they arrive, for undici's handler API (the dispatcher): an arcrun response
 * yields its buffered chunks with no web stream in between; any other Response is read through its stream.
 * Leaving the loop early cancels the body. Undefined for a response without a body.
 */
export function bodyChunks(res: Response): AsyncIterable<Uint8Array> | undefined {
  const own = (res as Partial<ArcrunResponse>)[CHUNKS];
  if (own) return own.call(res);
  return res.body ?? undefined;
}

/** Touching the global Response loads Node's internal undici (~10 ms), so the class is made on first use. */
let made: ReturnType<typeof define> | undefined;
export function responseClass(): ReturnType<typeof define> {
  made ??= define(Response as unknown as ResponseCtor);
  return made;
}

/**
 * Makes the class soon, off the request's path: called once the first request is written. With a caller's
 * dispatcher, Node's internal undici (which the Response class loads) then loads while the server answers
 * rather than after its headers arrive (docs/bench.md, "Cold start"); the default dispatcher has loaded it
 * already. Does nothing once the class exists.
 */
export function prepareResponseClass(): void {
  if (made === undefined) setImmediate(responseClass);
}

export type ArcrunResponse = InstanceType<ReturnType<typeof define>>;

function define(Base: ResponseCtor) {
  return class ArcrunResponse extends Base {
    #chunks: Uint8Array[] = [];
    #size = 0;
    #ended = false;
    #error: unknown;
    #used = false;
    #waiters: Array<() => void> = [];
    #stream: ReadableStream<Uint8Array> | undefined;
    #sink: ReadableStreamDefaultController<Uint8Array> | undefined;
    #controller: Dispatcher.DispatchController | undefined;
    #url: string;
    #hasBody: boolean;
    #raw: RawHeaders | undefined;
    #headers: Headers | undefined;
    /** Wakes the chunk iterator (CHUNKS) when data, the end or an error arrives. */
    #onData: (() => void) | undefined;

    constructor(
      hasBody: boolean,
      init: { status: number; statusText: string },
      headers: RawHeaders,
      url: string,
      controller: Dispatcher.DispatchController | undefined,
    ) {
      super(null, init);
      this.#raw = headers;
      this.#hasBody = hasBody;
      this.#url = url;
      this.#controller = controller;
      if (!hasBody) this.#ended = true;
    }

    get url(): string {
      return this.#url;
    }

    /**
     * The headers, made into a Headers object when first asked for: building one costs microseconds per
     * response (each name and value validated), and most callers read only the status and the body.
     */
    get headers(): Headers {
      if (!this.#headers) {
        const h = new Headers();
        const raw = this.#raw ?? {};
        for (const k of Object.keys(raw)) {
          const v = raw[k];
          if (v === undefined) continue;
          if (typeof v === "string") h.append(k, v);
          else for (const x of v) h.append(k, x);
        }
        this.#headers = h;
        this.#raw = undefined;
      }
      return this.#headers;
    }

    /**
     * Called by the dispatch handler. An empty chunk is dropped: undici hands one over when a paused
     * connection resumes with nothing read yet, and queued into a stream it would fill the queue, pause
     * the connection again and starve the reader (a slow stream reader never got past its first chunks).
     */
    push(chunk: Uint8Array): void {
      if (chunk.byteLength === 0) return;
      if (this.#sink) {
        this.#sink.enqueue(chunk);
        if ((this.#sink.desiredSize ?? 1) <= 0) this.#controller?.pause();
        return;
      }
      this.#chunks.push(chunk);
      this.#size += chunk.byteLength;
      if (this.#onData) this.#dataArrived();
      else if (this.#size >= PAUSE_AT && this.#waiters.length === 0) this.#controller?.pause();
    }

    #dataArrived(): void {
      const f = this.#onData;
      this.#onData = undefined;
      f?.();
    }

    [RAW_HEADERS](): RawHeaders {
      if (this.#raw) return this.#raw;
      const h = this.headers;
      const out: RawHeaders = {};
      h.forEach((v, k) => {
        out[k] = v;
      });
      const cookies = h.getSetCookie();
      if (cookies.length > 0) out["set-cookie"] = cookies;
      return out;
    }

    async *[CHUNKS](): AsyncGenerator<Uint8Array> {
      if (!this.#hasBody) return;
      if (this.#stream) {
        // The body was asked for as a stream already: it is the body now.
        const reader = this.#stream.getReader();
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return;
            yield value;
          }
        } finally {
          await reader.cancel().catch(() => undefined);
        }
      }
      if (this.#used) throw new TypeError("Body is unusable: Body has already been read");
      this.#used = true;
      const controller = this.#controller;
      try {
        for (;;) {
          if (this.#chunks.length > 0) {
            const chunks = this.#chunks;
            this.#chunks = [];
            this.#size = 0;
            yield* chunks;
            continue;
          }
          if (this.#error !== undefined) throw this.#error;
          if (this.#ended) return;
          if (controller?.paused) controller.resume();
          await new Promise<void>((r) => {
            this.#onData = r;
          });
        }
      } finally {
        if (!this.#ended && controller && !controller.aborted) {
          controller.abort(new DOMException("cancelled", "AbortError"));
        }
      }
    }

    end(): void {
      this.#ended = true;
      this.#dataArrived();
      if (this.#sink) {
        try {
          this.#sink.close();
        } catch {
          // cancelled by the reader
        }
      }
      this.#wake();
    }

    fail(err: unknown): void {
      this.#error = err;
      this.#ended = true;
      this.#dataArrived();
      if (this.#sink) {
        try {
          this.#sink.error(err);
        } catch {
          // already closed
        }
      }
      this.#wake();
    }

    #wake(): void {
      const w = this.#waiters;
      this.#waiters = [];
      for (const f of w) f();
    }

    get bodyUsed(): boolean {
      return this.#used;
    }

    get body(): ReadableStream<Uint8Array> | null {
      if (!this.#hasBody) return null;
      if (!this.#stream) {
        const controller = this.#controller;
        this.#stream = new ReadableStream<Uint8Array>({
          start: (sink) => {
            for (const c of this.#chunks) sink.enqueue(c);
            this.#chunks = [];
            this.#size = 0;
            if (this.#error !== undefined) sink.error(this.#error);
            else if (this.#ended) sink.close();
            else this.#sink = sink;
          },
          pull: () => {
            if (controller?.paused) controller.resume();
          },
          cancel: (reason) => {
            this.#used = true;
            if (controller && !controller.aborted && !this.#ended) {
              controller.abort(
                reason instanceof Error ? reason : new DOMException("cancelled", "AbortError"),
              );
            }
          },
        });
        // Once a stream exists it is the body; reading it marks the response used.
        const reader = this.#stream.getReader.bind(this.#stream);
        this.#stream.getReader = ((...args: Parameters<ReadableStream["getReader"]>) => {
          this.#used = true;
          return reader(...args);
        }) as ReadableStream<Uint8Array>["getReader"];
      }
      return this.#stream;
    }

    async #all(): Promise<Uint8Array> {
      if (this.#used) throw new TypeError("Body is unusable: Body has already been read");
      this.#used = true;
      if (this.#stream) {
        const bytes = new Uint8Array(await new Response(this.#stream).arrayBuffer());
        return bytes;
      }
      if (this.#controller?.paused) this.#controller.resume();
      while (!this.#ended) await new Promise<void>((r) => this.#waiters.push(r));
      if (this.#error !== undefined) throw this.#error;
      const chunks = this.#chunks;
      this.#chunks = [];
      if (chunks.length === 1) return chunks[0] as Uint8Array;
      const out = new Uint8Array(this.#size);
      let at = 0;
      for (const c of chunks) {
        out.set(c, at);
        at += c.byteLength;
      }
      return out;
    }

    async text(): Promise<string> {
      return decoder.decode(await this.#all());
    }

    async json(): Promise<unknown> {
      return JSON.parse(await this.text());
    }

    async arrayBuffer(): Promise<ArrayBuffer> {
      const b = await this.#all();
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    }

    async bytes(): Promise<Uint8Array> {
      const b = await this.#all();
      return new Uint8Array(b);
    }

    async blob(): Promise<Blob> {
      const b = await this.#all();
      return new Blob([b], { type: this.headers.get("content-type") ?? "" });
    }

    async formData(): Promise<FormData> {
      const b = await this.#all();
      return new Response(b, { headers: this.headers }).formData();
    }

    clone(): Response {
      if (this.#used) throw new TypeError("Response.clone: Body has already been consumed.");
      const init = { status: this.status, statusText: this.statusText, headers: new Headers(this.headers) };
      const body = this.body;
      if (!body) return new Response(null, init);
      const [a, b] = body.tee();
      this.#stream = a;
      return new Response(b, init);
    }
  };
}

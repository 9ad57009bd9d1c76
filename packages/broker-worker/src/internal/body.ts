import { BrokerError } from "./errors.js";

const tooLarge = (max: number) =>
  new BrokerError(
    413,
    "invalid_request",
    `The request body is larger than ${max} bytes.`,
    "Send a smaller request.",
  );

/**
 * How much of an oversized streamed body is read and thrown away before the 413 goes out. A server that
 * answers while the client is still sending and then closes makes the client's TCP stack see a reset, and
 * many clients then report "fetch failed" instead of the answer (Go's net/http reads up to 256 KiB of an
 * unread body for the same reason); past this budget the stream is cancelled, so a hostile sender costs at
 * most this much reading.
 */
const DRAIN_BYTES = 64 * 1024;

/** Reads at most `max` bytes of a body, refusing more before reading it all (a declared or a streamed size). */
async function readLimited(req: Request, max: number): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > max) throw tooLarge(max);
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      let drained = size - max;
      while (drained <= DRAIN_BYTES) {
        const next = await reader.read();
        if (next.done) throw tooLarge(max);
        drained += next.value.byteLength;
      }
      await reader.cancel();
      throw tooLarge(max);
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}

/** The string fields of a JSON or form body (RFC 6749 uses forms; arcrun-auth sends JSON). */
export async function readParams(req: Request, max: number): Promise<Record<string, string>> {
  const type = (req.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  const text = await readLimited(req, max);
  if (type === "application/x-www-form-urlencoded") return Object.fromEntries(new URLSearchParams(text));
  if (type === "application/json") {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new BrokerError(
        400,
        "invalid_request",
        "The request body is not valid JSON.",
        "Check the request your client sends.",
      );
    }
    if (typeof data !== "object" || data === null || Array.isArray(data)) {
      throw new BrokerError(
        400,
        "invalid_request",
        "The request body is not a JSON object.",
        "Check the request your client sends.",
      );
    }
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(data)) if (typeof v === "string") out[k] = v;
    return out;
  }
  throw new BrokerError(
    415,
    "invalid_request",
    "The request body must be application/json or application/x-www-form-urlencoded.",
    "Set the content-type header.",
  );
}

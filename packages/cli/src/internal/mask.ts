import { Transform, type TransformCallback } from "node:stream";

export const MASK = "<arcrun:masked>";

/** Secrets shorter than this are not masked: replacing "1" or "us" everywhere would garble the output. */
const MIN_LENGTH = 6;

/**
 * Replaces every occurrence of the secrets in a byte stream with MASK, also when one is split across chunks:
 * a chunk's tail that could be the start of a secret is held back until the next chunk (or the end) shows
 * whether it is one. Output that cannot start a secret passes through at once.
 */
export class MaskStream extends Transform {
  readonly #secrets: Buffer[];
  readonly #mask = Buffer.from(MASK);
  #held: Buffer = Buffer.alloc(0);

  constructor(secrets: readonly string[]) {
    super();
    this.#secrets = [...new Set(secrets)]
      .filter((s) => s.length >= MIN_LENGTH)
      .map((s) => Buffer.from(s))
      .sort((a, b) => b.length - a.length);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const data = this.#held.length > 0 ? Buffer.concat([this.#held, chunk]) : chunk;
    const { out, held } = this.#scan(data, false);
    this.#held = held;
    if (out.length > 0) this.push(out);
    done();
  }

  override _flush(done: TransformCallback): void {
    const { out } = this.#scan(this.#held, true);
    if (out.length > 0) this.push(out);
    done();
  }

  #scan(data: Buffer, end: boolean): { out: Buffer; held: Buffer } {
    if (this.#secrets.length === 0) return { out: data, held: Buffer.alloc(0) };
    const parts: Buffer[] = [];
    let from = 0;
    let i = 0;
    while (i < data.length) {
      const s = this.#secrets.find((x) => x[0] === data[i] && data.subarray(i, i + x.length).equals(x));
      if (s) {
        parts.push(data.subarray(from, i), this.#mask);
        i += s.length;
        from = i;
        continue;
      }
      if (
        !end &&
        this.#secrets.some(
          (x) => x.length > data.length - i && x.subarray(0, data.length - i).equals(data.subarray(i)),
        )
      ) {
        parts.push(data.subarray(from, i));
        return { out: Buffer.concat(parts), held: Buffer.from(data.subarray(i)) };
      }
      i++;
    }
    parts.push(data.subarray(from));
    return { out: Buffer.concat(parts), held: Buffer.alloc(0) };
  }
}

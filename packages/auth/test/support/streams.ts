import { PassThrough } from "node:stream";

/** A writable stream that keeps what it was given: hand it as a flow's `output`, read it with `text()`. */
export function sink(): PassThrough & { text(): string } {
  const out = new PassThrough() as PassThrough & { text(): string };
  let buf = "";
  out.on("data", (c: Buffer) => {
    buf += c.toString();
  });
  out.text = () => buf;
  return out;
}

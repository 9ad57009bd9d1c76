import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { MASK, MaskStream } from "../../src/internal/mask.js";

async function through(secrets: string[], chunks: string[]): Promise<string> {
  const out: Buffer[] = [];
  const m = Readable.from(chunks.map((c) => Buffer.from(c))).pipe(new MaskStream(secrets));
  for await (const c of m) out.push(c as Buffer);
  return Buffer.concat(out).toString("utf8");
}

describe("MaskStream", () => {
  it("masks a secret within a chunk, several times, and the longer of two overlapping secrets", async () => {
    expect(await through(["sk-abcdef"], ["key=sk-abcdef and sk-abcdef!"])).toBe(`key=${MASK} and ${MASK}!`);
    expect(await through(["abcdef", "abcdefgh"], ["xabcdefghx"])).toBe(`x${MASK}x`);
  });

  it("masks a secret split across chunks, byte by byte", async () => {
    const secret = "ghp_0123456789";
    const text = `token: ${secret}\n`;
    expect(await through([secret], [...text])).toBe(`token: ${MASK}\n`);
  });

  it("passes through a held prefix that turns out not to be the secret, and one at the very end", async () => {
    expect(await through(["secret123"], ["a secr", "et12x"])).toBe("a secret12x");
    expect(await through(["secret123"], ["ends with secre"])).toBe("ends with secre");
  });

  it("leaves values shorter than 6 characters alone (a region, a flag)", async () => {
    expect(await through(["us", "12345"], ["us-east-1 12345"])).toBe("us-east-1 12345");
  });
});

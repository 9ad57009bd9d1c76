import { describe, expect, it } from "vitest";
import { clientAddress, FixedWindowCounter } from "../src/index.js";

describe("FixedWindowCounter", () => {
  it("counts per key within a window and starts over when it ends", () => {
    const c = new FixedWindowCounter();
    const t0 = 1_000_000;
    expect(c.hit("a", 60, t0)).toEqual({ count: 1, retryAfterS: 60 });
    expect(c.hit("a", 60, t0 + 30_500)).toEqual({ count: 2, retryAfterS: 30 });
    expect(c.hit("b", 60, t0 + 30_500)).toEqual({ count: 1, retryAfterS: 60 });
    expect(c.peek("a", t0 + 59_999)).toEqual({ count: 2, retryAfterS: 1 });
    expect(c.peek("a", t0 + 60_000)).toEqual({ count: 0, retryAfterS: 0 });
    expect(c.hit("a", 60, t0 + 60_000)).toEqual({ count: 1, retryAfterS: 60 });
  });

  it("forgets the oldest keys rather than grow past its bound", () => {
    const c = new FixedWindowCounter(4);
    for (let i = 0; i < 6; i++) c.hit(`k${i}`, 60, 0);
    expect(c.peek("k0", 1).count).toBe(0);
    expect(c.peek("k5", 1).count).toBe(1);
  });
});

describe("clientAddress", () => {
  it("is CF-Connecting-IP, or unknown without it", () => {
    expect(clientAddress(new Headers({ "cf-connecting-ip": "203.0.113.9" }))).toBe("203.0.113.9");
    expect(clientAddress(new Headers())).toBe("unknown");
  });
});

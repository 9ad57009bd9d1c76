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

  it("counts an IPv6 client as its /64, in any spelling of the address", () => {
    const of = (ip: string) => clientAddress(new Headers({ "cf-connecting-ip": ip }));
    expect(of("2001:db8:a:b:1:2:3:4")).toBe("2001:db8:a:b::/64");
    expect(of("2001:0db8:000a:000b:ffff::1")).toBe("2001:db8:a:b::/64");
    expect(of("2001:db8:a:b::")).toBe("2001:db8:a:b::/64");
    expect(of("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(of("::1")).toBe("0:0:0:0::/64");
    expect(of("::ffff:192.0.2.1")).toBe("0:0:0:0::/64");
    expect(of("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    // Another /64 is another client.
    expect(of("2001:db8:a:c::1")).not.toBe(of("2001:db8:a:b::1"));
  });

  it("keeps a header that is not an address as it is", () => {
    const of = (ip: string) => clientAddress(new Headers({ "cf-connecting-ip": ip }));
    expect(of("1:2:3")).toBe("1:2:3");
    expect(of("1::2::3")).toBe("1::2::3");
    expect(of("zz::1")).toBe("zz::1");
  });
});

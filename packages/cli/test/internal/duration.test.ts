import { describe, expect, it } from "vitest";
import { parseDuration } from "../../src/internal/duration.js";
import { passphraseStrength } from "../../src/internal/passphrase.js";

describe("arcrun unlock --for", () => {
  it("takes s, m, h, d and sums of them", () => {
    expect(parseDuration("1s", "unlock")).toBe(1000);
    expect(parseDuration("15m", "unlock")).toBe(900_000);
    expect(parseDuration("1h30m", "unlock")).toBe(5_400_000);
    expect(parseDuration("7d", "unlock")).toBe(604_800_000);
  });

  it("refuses anything else, zero, and more than 7 days as a usage error naming the form", () => {
    for (const bad of ["", "10", "1w", "-1s", "0s", "8d", "1.5h", "1h ", "h"]) {
      expect(() => parseDuration(bad, "unlock"), bad).toThrow(
        /--for takes a duration such as 30s, 15m, 8h or 1d/,
      );
    }
  });
});

describe("passphrase strength", () => {
  it("grows with length and variety, and repetition does not count", () => {
    expect(passphraseStrength("password").label).toBe("weak");
    expect(passphraseStrength("aaaaaaaaaaaaaaaaaaaaaaaaaaaa").label).toBe("weak");
    expect(passphraseStrength("Ab1!efgh").label).toBe("fair");
    expect(passphraseStrength("correct horse battery staple").label).toBe("strong");
    expect(passphraseStrength("correct horse battery staple").bits).toBeGreaterThan(
      passphraseStrength("correct horse").bits,
    );
  });
});

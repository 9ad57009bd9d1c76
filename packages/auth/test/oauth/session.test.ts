import { getRecipe } from "@arcrun/recipes";
import { describe, expect, it } from "vitest";
import { signInWay } from "../../src/internal/oauth/session.js";

const headless = { PATH: "/usr/bin" };

describe("how a person at this terminal signs in", () => {
  it("a browser where one opens", () => {
    expect(signInWay({ device_url: "https://as/device", device_headless: true }, { BROWSER: "x" })).toEqual({
      browser: true,
      device: false,
    });
  });

  it("headless: the device flow where the recipe lets a headless session pick it", () => {
    expect(signInWay({ device_url: "https://as/device", device_headless: true }, headless)).toEqual({
      browser: false,
      device: true,
    });
  });

  it("headless without a usable device flow: paste-back, never a dead end", () => {
    expect(signInWay({ device_headless: true }, headless)).toEqual({ browser: false, device: false });
    // Google's device flow refuses Desktop clients and most scopes: the Google recipes say so.
    const drive = getRecipe("google_drive")?.oauth2;
    expect(drive?.device_url).toBeDefined();
    expect(drive && signInWay(drive, headless)).toEqual({ browser: false, device: false });
  });
});

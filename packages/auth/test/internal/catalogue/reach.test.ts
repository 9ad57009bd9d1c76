import { getRecipe, type Recipe } from "@arcrun/recipes";
import { describe, expect, it } from "vitest";
import { credentialHosts, widenedHosts } from "../../../src/internal/catalogue/reach.js";

const notion = getRecipe("notion") as Recipe;
const google = getRecipe("google_drive") as Recipe;

describe("where a recipe may send a credential", () => {
  it("hosts, the base URL's host, and every OAuth endpoint's host", () => {
    expect([...credentialHosts(notion)]).toEqual(["api.notion.com"]);
    const hosts = credentialHosts(google);
    for (const h of ["www.googleapis.com", "accounts.google.com", "oauth2.googleapis.com"])
      expect(hosts.has(h)).toBe(true);
  });

  it("an unchanged or narrowed recipe widens nothing", () => {
    expect(widenedHosts(notion, notion)).toEqual([]);
    expect(widenedHosts(google, { ...google, hosts: google.hosts.slice(0, 1) })).toEqual([]);
  });

  it("a new host, base URL or token endpoint widens; templates count as written", () => {
    expect(widenedHosts(notion, { ...notion, hosts: [...notion.hosts, "mirror.example"] })).toEqual([
      "mirror.example",
    ]);
    expect(widenedHosts(notion, { ...notion, base_url: "https://other.example/v1" })).toEqual([
      "other.example",
    ]);
    const oauth2 = google.oauth2 as NonNullable<Recipe["oauth2"]>;
    expect(
      widenedHosts(google, { ...google, oauth2: { ...oauth2, token_url: "https://tokens.example/t" } }),
    ).toEqual(["tokens.example"]);
    expect(
      widenedHosts(notion, {
        ...notion,
        base_url: "https://{{secret.shop}}.shop.example/v1",
        hosts: ["{{secret.shop}}.shop.example"],
      }),
    ).toEqual(["{{secret.shop}}.shop.example"]);
  });

  it("a service that was not in the catalogue before widens to all its hosts", () => {
    expect(widenedHosts(undefined, notion)).toEqual(["api.notion.com"]);
  });
});

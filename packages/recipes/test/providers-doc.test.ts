import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PROVIDERS_DOC, providersMarkdown } from "../scripts/providers-doc.js";
import { getRecipe, loadCatalog } from "../src/catalog.js";
import { redirectText } from "../src/registration.js";

const md = (s: string) => `\`${s}\``;

describe("docs/providers.md", () => {
  it("is current with the catalogue (regenerate: pnpm --filter @arcrun/recipes providers-doc)", () => {
    expect(readFileSync(PROVIDERS_DOC, "utf8")).toBe(providersMarkdown(loadCatalog()));
  });

  it("gives the exact redirect URI to register where the provider matches it exactly", () => {
    const notion = getRecipe("notion")?.oauth2;
    expect(notion && redirectText(notion, md)).toBe("exactly `http://localhost:8978/callback`");
    const github = getRecipe("github")?.oauth2;
    expect(github && redirectText(github, md)).toContain(
      "`http://127.0.0.1/callback` (arcrun listens on a free port",
    );
  });

  it("registration() gives the console steps: app type, APIs to enable, the exact redirect URI", async () => {
    const { registration } = await import("../src/registration.js");
    const gmail = getRecipe("gmail");
    const steps = new Map(gmail?.oauth2 ? registration(gmail, gmail.oauth2) : []);
    expect(steps.get("APIs to enable")).toBe("Gmail API");
    expect(steps.get("OAuth app")).toContain("application type Desktop app");
    const linear = getRecipe("linear");
    const l = new Map(linear?.oauth2 ? registration(linear, linear.oauth2) : []);
    expect(l.get("Redirect URI to register")).toBe("exactly http://localhost:8991/callback");
    expect(l.has("APIs to enable")).toBe(false);
  });
});

// Writes docs/providers.md from the catalogue: per OAuth provider what to register (client type, the exact
// redirect URI string, scopes) and its quirks, then every static-key service. A test checks the file is
// current: run `pnpm --filter @arcrun/recipes providers-doc` after changing a recipe.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadCatalog } from "../src/catalog.js";
import { registration } from "../src/registration.js";
import type { Recipe } from "../src/types.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const PROVIDERS_DOC = join(root, "..", "..", "docs", "providers.md");

const code = (s: string) => `\`${s}\``;

export function providersMarkdown(recipes: readonly Recipe[]): string {
  const lines: string[] = [
    "# Providers",
    "",
    "Generated from the recipe catalogue by `pnpm --filter @arcrun/recipes providers-doc`; do not edit by hand.",
    "Each OAuth provider below is tested against a simulator of its documented rules",
    "(`packages/auth/test/providers/`).",
    "",
    "## OAuth 2.0",
    "",
  ];
  for (const r of recipes) {
    const o = r.oauth2;
    if (o?.grant !== "authorization_code") continue;
    lines.push(`### ${r.display_name} (${code(r.id)})`, "");
    if (r.primitive !== "oauth2")
      lines.push(`Used with ${code(`--via oauth2`)}; the default is ${r.primitive}.`, "");
    for (const [label, text] of registration(r, o, code)) lines.push(`- ${label}: ${text}`);
    lines.push("");
  }
  lines.push("## Static keys", "", "| Service | Values asked for | Checked with |", "|---|---|---|");
  for (const r of recipes) {
    if (r.primitive !== "static_key") continue;
    const values = r.required_secrets.map((s) => s.label.replace(/\|/g, "\\|")).join("; ");
    const t = r.test;
    const check = t
      ? `${t.method} ${t.path.replace(/\|/g, "\\|")}${t.expect_json ? ` (body: ${JSON.stringify(t.expect_json)})` : ""}`
      : "no test request";
    lines.push(`| ${r.display_name} (${code(r.id)}) | ${values} | ${check} |`);
  }
  return `${lines.join("\n")}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(PROVIDERS_DOC, providersMarkdown(loadCatalog()));
  console.log(`wrote ${PROVIDERS_DOC}`);
}

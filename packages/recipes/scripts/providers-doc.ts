// Writes docs/providers.md from the catalogue: per OAuth provider what to register (client type, the exact
// redirect URI string, scopes) and its quirks, then every static-key service. A test checks the file is
// current: run `pnpm --filter @arcrun/recipes providers-doc` after changing a recipe.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadCatalog } from "../src/catalog.js";
import type { OAuth2Spec, Recipe } from "../src/types.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const PROVIDERS_DOC = join(root, "..", "..", "docs", "providers.md");

const code = (s: string) => `\`${s}\``;

/** The redirect URI a person registers: the exact string when the recipe fixes the port, else the rule. */
export function redirectText(o: OAuth2Spec): string {
  const host = o.redirect?.host ?? "127.0.0.1";
  const path = o.redirect?.path ?? "/callback";
  if (o.redirect?.port !== undefined) return `exactly ${code(`http://${host}:${o.redirect.port}${path}`)}`;
  return `${code(`http://${host}${path}`)} (arcrun listens on a free port: this works where the provider lets a loopback redirect use any port, RFC 8252 section 7.3)`;
}

function clientText(o: OAuth2Spec): string {
  if (o.client === "broker") return "arcrun's shared app (no registration needed), or your own";
  if (o.token_auth_method === "none") return "your own, a public client (client id only)";
  return o.client_secret === "required"
    ? `your own, with its client secret (${o.token_auth_method})`
    : `your own: a client id alone is a public client; with a secret, ${o.token_auth_method}`;
}

function quirks(r: Recipe, o: OAuth2Spec): string[] {
  const out: string[] = [];
  if (o.scope_param !== "scope") out.push(`scopes are sent as ${code(o.scope_param)}`);
  if (o.scope_separator !== " ") out.push(`scopes are joined with ${code(o.scope_separator)}`);
  const e = o.scope_echo;
  if (e) {
    if (e.separator) out.push(`the token answer lists scopes separated by ${code(e.separator)}`);
    if (e.never_echoed.length > 0)
      out.push(`never listed in the answer: ${e.never_echoed.map(code).join(", ")}`);
    if (e.prefix) out.push(`granted scopes come back prefixed with ${code(e.prefix)}`);
    for (const [k, v] of Object.entries(e.aliases)) out.push(`${code(k)} comes back as ${code(v)}`);
    if (e.empty === "not_reported")
      out.push("an empty scope answer means the provider does not report scopes");
  }
  if (o.refresh_url) out.push(`refresh at ${code(o.refresh_url)}`);
  if (o.base_url_from) out.push(`the API origin comes from the token answer's ${code(o.base_url_from)}`);
  if (o.revoke_url)
    out.push(`logout revokes at ${code(o.revoke_url)}${o.revoke_style === "bearer" ? " (bearer)" : ""}`);
  for (const k of Object.keys(o.token_headers)) out.push(`token and revoke requests carry ${code(k)}`);
  if (o.reauth_errors.length > 0) out.push(`sign in again after ${o.reauth_errors.map(code).join(", ")}`);
  if (o.body_format === "json") out.push("token requests are JSON");
  if (o.https_redirect_only)
    out.push(
      `https redirect URLs only: no sign-in on this machine with your own app (${o.https_redirect_only})`,
    );
  if (o.pkce === "none") out.push("no PKCE (the provider refuses it)");
  if (o.device_url) {
    out.push(
      o.device_headless
        ? "device code sign-in available (--device; picked by itself without a browser)"
        : "device code sign-in only with --device and a client type the provider allows it for; without a browser, paste-back",
    );
  }
  if (o.access_token_path) out.push(`the credential is the token at ${code(o.access_token_path)}`);
  const values = r.required_secrets.filter((s) => !s.sensitive);
  for (const s of values)
    out.push(`asks for ${code(s.key)} (${s.label}${s.default ? `, default ${code(s.default)}` : ""})`);
  return out;
}

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
    lines.push(`- Documentation: ${r.docs_url}`);
    lines.push(`- OAuth app: ${clientText(o)}`);
    lines.push(`- Redirect URI to register: ${redirectText(o)}`);
    lines.push(`- Scopes: ${o.scopes.length > 0 ? o.scopes.map(code).join(", ") : "none by default"}`);
    const q = quirks(r, o);
    if (q.length > 0) lines.push(`- Notes: ${q.join("; ")}`);
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

/**
 * What a person registers at an OAuth provider for a recipe (client type, the exact redirect URI string,
 * scopes) and the provider's quirks, as label/text pairs: docs/providers.md (scripts/providers-doc.ts) and
 * `arcrun setup <id>` without a client both print it, so the two never disagree.
 */
import type { OAuth2Spec, Recipe } from "./types.js";

/** How a literal (a URL, a scope) is shown: backticks in Markdown, as is at a terminal. */
export type Code = (s: string) => string;
const plain: Code = (s) => s;

/** The redirect URI a person registers: the exact string when the recipe fixes the port, else the rule. */
export function redirectText(o: OAuth2Spec, code: Code = plain): string {
  if (o.https_redirect_only)
    return "an https URL of your own: the provider refuses http and loopback redirects, so arcrun cannot complete a sign-in with your own app on this machine";
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

function quirks(r: Recipe, o: OAuth2Spec, code: Code): string[] {
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
    out.push(
      `logout revokes ${o.revoke_token === "access" ? "the access token " : o.revoke_token === "both" ? "both tokens " : ""}at ${code(o.revoke_url)}${o.revoke_style === "bearer" ? " (bearer)" : ""}`,
    );
  for (const k of Object.keys(o.token_headers)) out.push(`token and revoke requests carry ${code(k)}`);
  if (o.reauth_errors.length > 0) out.push(`sign in again after ${o.reauth_errors.map(code).join(", ")}`);
  if (o.body_format === "json") out.push("token requests are JSON");
  if (o.https_redirect_only)
    out.push(
      `https redirect URLs only: no sign-in on this machine with your own app (${o.https_redirect_only})`,
    );
  if (o.pkce === "none") out.push("no PKCE (the provider rejects it or documents none)");
  if (o.device_url) {
    out.push(
      o.device_headless
        ? "device code sign-in available (--device; picked by itself without a browser)"
        : "device code sign-in only with --device and a client type the provider allows it for; without a browser, paste-back",
    );
  }
  if (o.lookup) out.push(`after sign-in arcrun reads ${code(o.lookup.url)}`);
  if (o.lookup?.choose) {
    const { value, match } = o.lookup.choose;
    out.push(
      `a list: the element whose ${match.map((m) => code(m)).join(" or ")} names ${code(value)}, else the first`,
    );
  }
  for (const [name, c] of Object.entries(o.capture))
    out.push(
      c.from === "redirect"
        ? `captures ${code(name)} from the authorization redirect's ${code(c.path)} parameter`
        : `captures ${code(name)} from the ${c.from === "token" ? "token answer" : "lookup"}'s ${code(c.path)}${c.part === "https_host" ? " (its host)" : ""}`,
    );
  if (o.base_url) out.push(`requests go to ${code(o.base_url)}`);
  if (o.access_token_path) out.push(`the credential is the token at ${code(o.access_token_path)}`);
  const values = r.required_secrets.filter((s) => !s.sensitive);
  for (const s of values)
    out.push(`asks for ${code(s.key)} (${s.label}${s.default ? `, default ${code(s.default)}` : ""})`);
  return out;
}

/** The registration steps of an authorization-code recipe, as [label, text] pairs in reading order. */
export function registration(r: Recipe, o: OAuth2Spec, code: Code = plain): Array<[string, string]> {
  // The client credentials grant has no person and no redirect: only the app's id and secret matter.
  const machine = o.grant === "client_credentials";
  const out: Array<[string, string]> = [
    ["Documentation", r.docs_url],
    [
      "OAuth app",
      `${clientText(o)}${o.app_type ? `; create it as: ${o.app_type}` : ""}${machine ? "; no person signs in (client credentials grant), so no redirect URI is needed" : ""}`,
    ],
    ...(machine ? [] : [["Redirect URI to register", redirectText(o, code)] as [string, string]]),
    ["Scopes", o.scopes.length > 0 ? o.scopes.map(code).join(", ") : "none by default"],
  ];
  if (o.enable_apis.length > 0) out.push(["APIs to enable", o.enable_apis.join(", ")]);
  const q = quirks(r, o, code);
  if (q.length > 0) out.push(["Notes", q.join("; ")]);
  return out;
}

/** How a scaffolded recipe authenticates (docs/cli.md "recipe new"). */
export type AuthKind = "bearer" | "header" | "query" | "basic" | "basic_key" | "oauth2";

export const AUTH_KINDS: readonly AuthKind[] = ["bearer", "header", "query", "basic", "basic_key", "oauth2"];

export const AUTH_KIND_HELP: Record<AuthKind, string> = {
  bearer: "a key sent as Authorization: Bearer <key>",
  header: "a key in a header of the provider's choosing (X-API-Key, ...)",
  query: "a key in a query parameter (only where the provider takes it nowhere else)",
  basic: "HTTP Basic: a user name and a password or key",
  basic_key: "HTTP Basic with the key as the user name and an empty password (curl -u KEY:)",
  oauth2: "OAuth 2.0 authorization code with your own OAuth app",
};

/** What a person answers (or passes as flags) for a new recipe. */
export interface ScaffoldAnswers {
  id: string;
  displayName: string;
  docsUrl: string;
  baseUrl: string;
  auth: AuthKind;
  /** The header name (auth header) or query parameter (auth query). */
  param?: string;
  /** oauth2 only. */
  authorizeUrl?: string;
  tokenUrl?: string;
  scopes?: string[];
  /** A cheap request that proves the credential works, relative to the base URL ("/me"). */
  testPath?: string;
  categories?: string[];
}

/** `acme_api` -> `Acme Api`: a default display name. */
export function titleOf(id: string): string {
  return id
    .split("_")
    .filter(Boolean)
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join(" ");
}

/** A YAML double-quoted scalar (a JSON string is one). */
const q = (s: string): string => JSON.stringify(s);

/**
 * The recipe file's text: the schema comment for editors, then the fields of docs/recipes.md with the
 * answers. Values are quoted, so nothing a person types changes the YAML's structure.
 */
export function scaffoldRecipe(a: ScaffoldAnswers, schemaPath: string): string {
  const host = new URL(a.baseUrl).hostname;
  const lines = [
    `# yaml-language-server: $schema=${schemaPath}`,
    `# Written by arcrun recipe new. Reference: docs/recipes.md; check it with: arcrun recipe validate <this file>`,
    `id: ${a.id}`,
    `display_name: ${q(a.displayName)}`,
    `docs_url: ${q(a.docsUrl)}`,
    `categories: [${(a.categories ?? []).map(q).join(", ")}]`,
    `primitive: ${a.auth === "oauth2" ? "oauth2" : "static_key"}`,
    `base_url: ${q(a.baseUrl)}`,
    `# The only hosts the credential is ever sent to.`,
    `hosts: [${q(host)}]`,
  ];
  const label = (what: string) => q(`${a.displayName} ${what}`);
  switch (a.auth) {
    case "bearer":
      lines.push(
        "required_secrets:",
        `  - { key: token, label: ${label("API key")} }`,
        "inject:",
        '  header: { Authorization: "Bearer {{secret.token}}" }',
      );
      break;
    case "header":
      lines.push(
        "required_secrets:",
        `  - { key: token, label: ${label("API key")} }`,
        "inject:",
        `  header: { ${q(a.param ?? "X-API-Key")}: "{{secret.token}}" }`,
      );
      break;
    case "query":
      lines.push(
        "required_secrets:",
        `  - { key: token, label: ${label("API key")} }`,
        "inject:",
        `  query: { ${q(a.param ?? "api_key")}: "{{secret.token}}" }`,
        "# The provider takes the key only in the URL (it then shows in its logs and in proxies').",
        "secret_in_url: required",
      );
      break;
    case "basic":
      lines.push(
        "required_secrets:",
        `  - { key: user, label: ${label("user name")}, sensitive: false }`,
        `  - { key: password, label: ${label("password or API key")} }`,
        "inject:",
        '  header: { Authorization: "Basic {{basic secret.user secret.password}}" }',
      );
      break;
    case "basic_key":
      lines.push(
        "required_secrets:",
        `  - { key: token, label: ${label("API key")} }`,
        "inject:",
        '  # base64 of "KEY:"; {{basic secret.token}} (no "") is base64 of the key alone, for a provider that wants that.',
        `  header: { Authorization: 'Basic {{basic secret.token ""}}' }`,
      );
      break;
    case "oauth2":
      lines.push(
        "oauth2:",
        `  authorize_url: ${q(a.authorizeUrl ?? "")}`,
        `  token_url: ${q(a.tokenUrl ?? "")}`,
        `  scopes: [${(a.scopes ?? []).map(q).join(", ")}]`,
        "  # Your own OAuth app: config.yaml clients.<id>, or ARCRUN_<ID>_CLIENT_ID / _CLIENT_SECRET.",
        "  client: byo",
        "  inject:",
        '    header: { Authorization: "Bearer {{runtime.access_token}}" }',
      );
      break;
    default: {
      const never: never = a.auth;
      throw new Error(`unknown auth kind ${String(never)}`);
    }
  }
  if (a.testPath) {
    lines.push(
      "# The cheapest request that proves the credential works; setup stores it only if this passes.",
      `test: { method: GET, path: ${q(a.testPath)}, expect_status: 200 }`,
    );
  }
  return `${lines.join("\n")}\n`;
}

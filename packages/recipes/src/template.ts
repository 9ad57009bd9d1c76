/**
 * The `{{...}}` interpolation used in recipes. Pure and dependency-free: the library and both Workers use it.
 */

export type TemplateExpr =
  | { kind: "secret"; key: string }
  | { kind: "runtime"; key: RuntimeKey }
  /** A value the oauth2 login captured (`oauth2.capture`): Atlassian's cloud id, Slack's team. */
  | { kind: "captured"; key: string }
  /**
   * HTTP Basic (RFC 7617 section 2): `{{basic secret.U secret.P}}` is base64 of `U:P`; `{{basic secret.U ""}}`
   * of `U:` (an empty password: ImageKit, EasyPost, Cronitor); `{{basic "" secret.P}}` of `:P` (an empty user
   * name: lemlist); `{{basic secret.V}}` of the value alone, when the value is the whole user-pass (WakaTime:
   * base64 of the API key). An undefined user or password is an empty one.
   */
  | { kind: "basic"; user: string | undefined; password: string | undefined; colon: boolean }
  /** The OAuth client's id (not a secret, RFC 6749 section 2.2), for providers that want it on every call (Twitch Client-Id). */
  | { kind: "client"; key: ClientKey };

export const RUNTIME_KEYS = ["access_token", "token_type"] as const;
export type RuntimeKey = (typeof RUNTIME_KEYS)[number];
export const CLIENT_KEYS = ["id"] as const;
export type ClientKey = (typeof CLIENT_KEYS)[number];

const EXPR = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Parses one expression (the text between the braces); returns an error string when it is not valid. */
export function parseExpr(raw: string): TemplateExpr | string {
  const parts = raw.trim().split(/\s+/);
  if (parts.length === 1) {
    const [ns, key, ...rest] = (parts[0] ?? "").split(".");
    if (rest.length === 0 && key) {
      if (ns === "secret" && /^[a-z][a-z0-9_]*$/.test(key)) return { kind: "secret", key };
      if (ns === "runtime" && (RUNTIME_KEYS as readonly string[]).includes(key)) {
        return { kind: "runtime", key: key as RuntimeKey };
      }
      if (ns === "captured" && /^[a-z][a-z0-9_]*$/.test(key)) return { kind: "captured", key };
      if (ns === "client" && (CLIENT_KEYS as readonly string[]).includes(key)) {
        return { kind: "client", key: key as ClientKey };
      }
    }
  } else if (parts[0] === "basic" && (parts.length === 2 || parts.length === 3)) {
    const user = parts[1]?.match(/^secret\.([a-z][a-z0-9_]*)$/)?.[1];
    const second = parts[2];
    const password = second?.match(/^secret\.([a-z][a-z0-9_]*)$/)?.[1];
    if (user && second === undefined) return { kind: "basic", user, password: undefined, colon: false };
    if (user && second === '""') return { kind: "basic", user, password: undefined, colon: true };
    if (parts[1] === '""' && password) return { kind: "basic", user: undefined, password, colon: true };
    if (user && password) return { kind: "basic", user, password, colon: true };
  }
  return `an interpolation {{secret.KEY}}, {{runtime.${RUNTIME_KEYS.join("|")}}}, {{captured.KEY}}, {{client.id}}, {{basic secret.USER secret.PASSWORD}}, {{basic secret.USER ""}}, {{basic "" secret.PASSWORD}} or {{basic secret.USERPASS}}, got {{${raw}}}`;
}

/** Every expression in a string, in order, as raw text. */
export function findExprs(text: string): string[] {
  return Array.from(text.matchAll(EXPR), (m) => m[1] ?? "");
}

export function hasExpr(text: string): boolean {
  return findExprs(text).length > 0;
}

export interface TemplateValues {
  secret: Readonly<Record<string, string | undefined>>;
  runtime?: Readonly<Partial<Record<RuntimeKey, string>>>;
  /** Values captured at login (`oauth2.capture`), each already checked against its pattern. */
  captured?: Readonly<Record<string, string>>;
  /** The OAuth client the token was issued to (`{{client.id}}`). */
  client?: Readonly<Partial<Record<ClientKey, string>>>;
}

/** A value the template needs and does not have. The message names the variable, never a value. */
export class MissingTemplateValue extends Error {
  override name = "MissingTemplateValue";
  constructor(readonly variable: string) {
    super(`no value for {{${variable}}}`);
  }
}

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** Substitutes every expression. Throws MissingTemplateValue for an absent value, Error for a bad expression. */
export function renderTemplate(text: string, values: TemplateValues): string {
  return text.replace(EXPR, (_m, raw: string) => {
    const expr = parseExpr(raw);
    if (typeof expr === "string") throw new Error(expr);
    switch (expr.kind) {
      case "secret": {
        const v = values.secret[expr.key];
        if (v === undefined) throw new MissingTemplateValue(`secret.${expr.key}`);
        return v;
      }
      case "runtime": {
        const v = values.runtime?.[expr.key];
        if (v === undefined) throw new MissingTemplateValue(`runtime.${expr.key}`);
        return v;
      }
      case "captured": {
        const v = values.captured?.[expr.key];
        if (v === undefined) throw new MissingTemplateValue(`captured.${expr.key}`);
        return v;
      }
      case "client": {
        const v = values.client?.[expr.key];
        if (v === undefined) throw new MissingTemplateValue(`client.${expr.key}`);
        return v;
      }
      case "basic": {
        // An undefined user or password is an empty one (the parser allows at most one of them).
        const part = (key: string | undefined): string => {
          if (key === undefined) return "";
          const v = values.secret[key];
          if (v === undefined) throw new MissingTemplateValue(`secret.${key}`);
          return v;
        };
        const u = part(expr.user);
        if (!expr.colon) return base64(u);
        return base64(`${u}:${part(expr.password)}`);
      }
      default: {
        const never: never = expr;
        return never;
      }
    }
  });
}

/**
 * Whether `host` (a concrete host name, lower case) is allowed by a `hosts` pattern list whose entries are
 * already rendered: exact names, or `*.example.com` for any subdomain (not the apex).
 */
export function hostAllowed(host: string, patterns: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, "");
  return patterns.some((raw) => {
    const p = raw.toLowerCase();
    if (p.startsWith("*.")) return h.endsWith(p.slice(1)) && h.length > p.length - 1;
    return h === p;
  });
}

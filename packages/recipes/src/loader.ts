import { getPublicSuffix } from "tldts";
import { parse } from "yaml";
import type * as z from "zod/mini";
import { RecipeError } from "./errors.js";
import { MAX_RECIPE_FILE_BYTES, recipeTooLarge } from "./limits.js";
import { RecipeFileSchema, RecipeSchema } from "./schema.js";
import { findExprs, parseExpr } from "./template.js";
import type { OAuth2Spec, Recipe, RecipeWarning } from "./types.js";
import { OAUTH_URL_KEYS } from "./types.js";

/** One recipe file's text, named by its path (used in every error). */
export interface RecipeSource {
  file: string;
  text: string;
}

/** A parsed file before `extends` is resolved. */
export interface RawRecipe {
  file: string;
  data: Record<string, unknown>;
}

/** Known recipes a file may extend: resolved ones, and the merged (still partial) abstract bases. */
export interface RecipeBases {
  recipes: readonly Recipe[];
  bases: Readonly<Record<string, Record<string, unknown>>>;
}

export interface ResolvedSet {
  recipes: Recipe[];
  /** What is valid but unwise (a secret in a URL), per recipe; never a reason to refuse it. */
  warnings: RecipeWarning[];
  /** Abstract bases (`_id`), merged with their own parents, for later files to extend. */
  bases: Record<string, Record<string, unknown>>;
}

function baseName(file: string): string {
  const name = file.split(/[\\/]/).pop() ?? file;
  return name.replace(/\.ya?ml$/i, "");
}

/** The value at a zod issue's path in the parsed data (what the file actually says there). */
function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = data;
  for (const k of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function received(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function zodExpected(issue: z.core.$ZodIssue, data: unknown): string {
  const got = valueAt(data, issue.path);
  if (issue.code === "unrecognized_keys")
    return `no key ${issue.keys.map((k) => `"${k}"`).join(", ")} (unknown key)`;
  if (issue.code === "invalid_type")
    return `${issue.expected}${got === undefined ? " (missing)" : ` (got ${received(got)})`}`;
  if (issue.code === "invalid_value")
    return `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}${got === undefined ? " (missing)" : ` (got ${received(got)})`}`;
  return issue.message;
}

function fromZod(file: string, error: z.core.$ZodError, data: unknown): RecipeError {
  const issue = error.issues[0];
  if (!issue) return new RecipeError(file, [], "a valid recipe", { cause: error });
  return new RecipeError(file, issue.path.map(String), zodExpected(issue, data), { cause: error });
}

/** Line and column (1-based) of an offset in text. */
function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, col: (before[before.length - 1]?.length ?? 0) + 1 };
}

/**
 * `is not valid YAML: <reason> (line N, column M)`. The yaml parser reports errors found at the end of the
 * input on the (empty) line after the last newline; those are placed just after the last character.
 */
function yamlProblem(text: string, cause: unknown): string {
  const first = cause instanceof Error ? (cause.message.split("\n")[0] ?? "") : String(cause);
  const reason = first.replace(/ at line \d+, column \d+:?$/, "").replace(/[.:]$/, "");
  const pos = (cause as { pos?: unknown }).pos;
  if (!Array.isArray(pos) || typeof pos[0] !== "number") return `is not valid YAML: ${reason}`;
  const end = text.trimEnd().length;
  if (pos[0] >= end) {
    const { line, col } = lineCol(text, end);
    return `is not valid YAML: ${reason} (line ${line}, column ${col}: the end of the file)`;
  }
  const { line, col } = lineCol(text, pos[0]);
  return `is not valid YAML: ${reason} (line ${line}, column ${col})`;
}

/** Parses YAML text into a raw recipe object; the shape is checked, `extends` is not resolved yet. */
export async function parseRecipeSource(source: RecipeSource): Promise<RawRecipe> {
  // Three bytes per UTF-16 unit at most: only a text near the limit needs counting.
  if (source.text.length * 3 > MAX_RECIPE_FILE_BYTES) {
    const bytes = new TextEncoder().encode(source.text).length;
    if (bytes > MAX_RECIPE_FILE_BYTES) throw new RecipeError(source.file, [], recipeTooLarge(bytes));
  }
  let data: unknown;
  try {
    data = parse(source.text, { prettyErrors: true, uniqueKeys: true });
  } catch (cause) {
    throw new RecipeError(source.file, [], yamlProblem(source.text, cause), { cause });
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new RecipeError(source.file, [], "a YAML mapping with an `id`");
  }
  const checked = RecipeFileSchema.safeParse(data);
  if (!checked.success) throw fromZod(source.file, checked.error, data);
  const id = (data as { id: string }).id;
  if (baseName(source.file) !== id) {
    throw new RecipeError(source.file, ["id"], `"${baseName(source.file)}" (the file name), got "${id}"`);
  }
  return { file: source.file, data: data as Record<string, unknown> };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Deep merge: objects merge key by key, arrays and scalars replace. */
export function deepMerge(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? deepMerge(b, v) : v;
  }
  return out;
}

const isAbstract = (id: string) => id.startsWith("_");

/**
 * Resolves `extends`, applies defaults, and checks each recipe's meaning (URLs, hosts, interpolation).
 * Later files with the same id replace earlier ones (user recipes override built-ins); `known` supplies
 * the built-in recipes and bases that files may extend. A file that extends its own id (`id: gitlab`,
 * `extends: gitlab`) changes the known recipe of that id: only the keys it sets differ.
 */
export function resolveRecipes(files: readonly RawRecipe[], known?: RecipeBases): ResolvedSet {
  const byId = new Map<string, RawRecipe>();
  for (const f of files) byId.set(f.data.id as string, f);
  const knownRecipes = new Map((known?.recipes ?? []).map((r) => [r.id, r]));

  const merged = new Map<string, Record<string, unknown>>();
  const merging: string[] = [];

  const knownOf = (id: string) =>
    known?.bases[id] ?? (knownRecipes.get(id) as Record<string, unknown> | undefined);

  const mergedOf = (id: string, from: RawRecipe, selfExtends = false): Record<string, unknown> => {
    const done = selfExtends ? undefined : merged.get(id);
    if (done) return done;
    // `id: gitlab` with `extends: gitlab` changes the built-in gitlab: its parent is the known recipe.
    const own = selfExtends ? undefined : byId.get(id);
    if (!own) {
      const k = knownOf(id);
      if (k) return k;
      throw new RecipeError(
        from.file,
        ["extends"],
        `the id of a known recipe or base, got "${id}" (unknown base)`,
      );
    }
    if (merging.includes(id)) {
      const cycle = [...merging.slice(merging.indexOf(id)), id].join(" -> ");
      throw new RecipeError(own.file, ["extends"], `no cycle, got ${cycle}`);
    }
    merging.push(id);
    const { extends: parent, ...rest } = own.data;
    let result: Record<string, unknown> = rest;
    if (typeof parent === "string") {
      const { id: _parentId, $schema: _s, ...inherited } = mergedOf(parent, own, parent === id);
      result = deepMerge(inherited, rest);
    }
    merging.pop();
    merged.set(id, result);
    return result;
  };

  const recipes: Recipe[] = [];
  const warnings: RecipeWarning[] = [];
  const bases: Record<string, Record<string, unknown>> = {};
  for (const f of byId.values()) {
    const id = f.data.id as string;
    const m = mergedOf(id, f);
    if (isAbstract(id)) {
      bases[id] = m;
      continue;
    }
    const { $schema: _s, ...data } = m;
    const parsed = RecipeSchema.safeParse(data);
    if (!parsed.success) throw fromZod(f.file, parsed.error, data);
    checkRecipe(f.file, parsed.data);
    warnings.push(...recipeWarnings(f.file, parsed.data));
    recipes.push(parsed.data);
  }
  recipes.sort((a, b) => a.id.localeCompare(b.id));
  return { recipes, warnings, bases };
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** Replaces interpolations so a template URL can be parsed; `x` is a valid host label and path segment. */
const placeholder = (text: string) => text.replace(/\{\{[^{}]*\}\}/g, "x");

function checkUrl(file: string, path: string[], value: string | undefined): URL | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(placeholder(value));
  } catch {
    throw new RecipeError(file, path, `an absolute URL, got "${value}"`);
  }
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && LOOPBACK.has(url.hostname)) return url;
  throw new RecipeError(file, path, `an https:// URL (plain http only for loopback hosts), got "${value}"`);
}

function hostOfTemplate(value: string): string | undefined {
  const m = value.match(/^[a-z]+:\/\/([^/?#]+)/i);
  return m?.[1]?.replace(/:\d+$/, "").toLowerCase();
}

function hostMatchesPattern(host: string, pattern: string): boolean {
  const h = host.toLowerCase();
  const p = pattern.toLowerCase();
  if (h === p) return true;
  if (p.startsWith("*.")) {
    const suffix = p.slice(1);
    return h.endsWith(suffix) && h.length > suffix.length;
  }
  return false;
}

const AWS_SECRETS = ["access_key_id", "secret_access_key"] as const;

/** Endpoints of the token protocols are used as written: interpolation there would never be rendered. */
function checkNoExpr(file: string, path: string[], value: string | undefined): void {
  if (value !== undefined && /\{\{/.test(value)) {
    throw new RecipeError(
      file,
      path,
      `a URL without {{...}} (this endpoint is not interpolated), got "${value}"`,
    );
  }
}

function checkSecretSpec(file: string, at: string[], s: Recipe["required_secrets"][number]): void {
  for (const [i, name] of (typeof s.env === "string" ? [s.env] : (s.env ?? [])).entries()) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new RecipeError(
        file,
        [...at, "env", ...(typeof s.env === "string" ? [] : [String(i)])],
        `an environment variable name such as OPENAI_API_KEY, got "${name}"`,
      );
    }
  }
  if (s.pattern === undefined) return;
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${s.pattern})$`);
  } catch {
    throw new RecipeError(file, [...at, "pattern"], `a valid regular expression, got "${s.pattern}"`);
  }
  if (s.default !== undefined && !re.test(s.default)) {
    throw new RecipeError(
      file,
      [...at, "default"],
      `a value matching pattern ${s.pattern}, got "${s.default}"`,
    );
  }
}

/**
 * A session block's URLs are on the recipe's hosts (the secrets go there): a URL may name a value only as a
 * host may (not secret, with a pattern: a Supabase project ref), and its templates name declared secrets.
 */
function checkSession(
  file: string,
  session: NonNullable<Recipe["session"]>,
  hosts: string[],
  checkTemplate: (path: string[], text: string, inHost?: boolean) => void,
): void {
  const urls: Array<[string[], string]> = [[["session", "login", "url"], session.login.url]];
  if (session.refresh) urls.push([["session", "refresh", "url"], session.refresh.url]);
  if (session.logout) urls.push([["session", "logout", "url"], session.logout.url]);
  for (const [path, url] of urls) {
    checkUrl(file, path, url);
    checkTemplate(path, url, true);
    const host = hostOfTemplate(url);
    // checkUrl above: https (plain http only for a loopback host, as everywhere in a recipe).
    if (!host || !hosts.some((p) => hostMatchesPattern(host, p))) {
      throw new RecipeError(file, path, `a URL on a host listed in hosts (${hosts.join(", ")})`);
    }
  }
  for (const [k, v] of Object.entries(session.login.headers ?? {}))
    checkTemplate(["session", "login", "headers", k], v);
  for (const [k, v] of Object.entries(session.login.json ?? {}))
    checkTemplate(["session", "login", "json", k], v);
  for (const which of ["refresh", "logout"] as const) {
    const spec = session[which];
    for (const [k, v] of Object.entries(spec?.headers ?? {}))
      checkTemplate(["session", which, "headers", k], v);
    // The request must carry a token somewhere: as Bearer, or in the JSON field.
    if (spec?.bearer === "none" && spec.json_field === undefined) {
      throw new RecipeError(file, ["session", which, "json_field"], "a json_field when bearer is none");
    }
  }
}

/** The semantic checks zod cannot express. Exported for tests. */
export function checkRecipe(file: string, r: Recipe): void {
  checkUrl(file, ["docs_url"], r.docs_url);
  checkUrl(file, ["base_url"], r.base_url);
  const seenKeys = new Set<string>();
  r.required_secrets.forEach((s, i) => {
    const at = ["required_secrets", String(i)];
    checkUrl(file, [...at, "help_url"], s.help_url);
    if (seenKeys.has(s.key))
      throw new RecipeError(file, [...at, "key"], `a unique key, got "${s.key}" twice`);
    seenKeys.add(s.key);
    checkSecretSpec(file, at, s);
  });
  if (r.oauth2) {
    for (const k of OAUTH_URL_KEYS) checkUrl(file, ["oauth2", k], r.oauth2[k]);
    if (r.oauth2.revoke_style && !r.oauth2.revoke_url) {
      throw new RecipeError(
        file,
        ["oauth2", "revoke_url"],
        `a URL (revoke_style is ${r.oauth2.revoke_style}), or no revoke_style`,
      );
    }
    if (r.oauth2.revoke_auth_method && (!r.oauth2.revoke_url || r.oauth2.revoke_style === "bearer")) {
      throw new RecipeError(
        file,
        ["oauth2", "revoke_auth_method"],
        "no revoke_auth_method: it applies only to an rfc7009 revoke_url (a bearer revocation authenticates with the access token)",
      );
    }
    if (r.oauth2.revoke_token && (!r.oauth2.revoke_url || r.oauth2.revoke_style === "bearer")) {
      throw new RecipeError(
        file,
        ["oauth2", "revoke_token"],
        "no revoke_token: it applies only to an rfc7009 revoke_url (a bearer revocation always sends the access token)",
      );
    }
    if (r.oauth2.grant === "authorization_code" && !r.oauth2.authorize_url) {
      throw new RecipeError(
        file,
        ["oauth2", "authorize_url"],
        "a URL (required for grant authorization_code)",
      );
    }
  }
  if (r.service_account) {
    checkUrl(file, ["service_account", "token_url"], r.service_account.token_url);
    checkNoExpr(file, ["service_account", "token_url"], r.service_account.token_url);
    checkNoExpr(file, ["service_account", "audience"], r.service_account.audience);
  }

  // The block each usable primitive needs.
  const required = {
    oauth2: r.oauth2,
    service_account: r.service_account,
    aws_sigv4: r.aws_sigv4,
    http_digest: r.http_digest,
    session: r.session,
  } as const;
  if (r.primitive !== "static_key" && !required[r.primitive]) {
    throw new RecipeError(
      file,
      [r.primitive],
      `an ${r.primitive} block (the recipe's primitive is ${r.primitive})`,
    );
  }
  if (r.primitive === "static_key") {
    if (r.required_secrets.length === 0) {
      throw new RecipeError(file, ["required_secrets"], "at least one secret for primitive static_key");
    }
    if (!r.inject) throw new RecipeError(file, ["inject"], "an inject block for primitive static_key");
  }
  if (r.primitive === "aws_sigv4") {
    for (const key of AWS_SECRETS) {
      if (!r.required_secrets.some((s) => s.key === key)) {
        throw new RecipeError(
          file,
          ["required_secrets"],
          `a secret "${key}" (primitive aws_sigv4 signs with access_key_id, secret_access_key and an optional session_token)`,
        );
      }
    }
  }
  if (r.service_account?.kind === "google_jwt" || r.service_account?.kind === "jwt_bearer") {
    const key = r.service_account.key_secret;
    if (r.primitive === "service_account" && !r.required_secrets.some((s) => s.key === key)) {
      throw new RecipeError(
        file,
        ["service_account", "key_secret"],
        `a key declared in required_secrets ("${key}")`,
      );
    }
  }

  const declared = new Map(r.required_secrets.map((s) => [s.key, s]));
  const captures = r.oauth2?.capture ?? {};
  const checkTemplate = (
    path: string[],
    text: string | undefined,
    allowRuntime: boolean,
    inHost = false,
    allowCaptured = false,
    allowClient = false,
  ) => {
    if (text === undefined) return;
    for (const raw of findExprs(text)) {
      const expr = parseExpr(raw);
      if (typeof expr === "string") throw new RecipeError(file, path, expr);
      if (expr.kind === "captured") {
        if (!allowCaptured) {
          throw new RecipeError(
            file,
            path,
            `no {{captured.${expr.key}}} here: captured values go in base_url and hosts of an oauth2 credential (the recipe's primitive oauth2, or oauth2 > base_url and hosts)`,
          );
        }
        if (captures[expr.key] === undefined) {
          throw new RecipeError(
            file,
            path,
            `a value declared in oauth2 > capture, got {{captured.${expr.key}}}`,
          );
        }
      }
      if (expr.kind === "client" && !allowClient) {
        throw new RecipeError(
          file,
          path,
          `no {{client.${expr.key}}} here: the OAuth client's id goes in the inject of an oauth2 credential (oauth2 > inject, or inject when the primitive is oauth2)`,
        );
      }
      const keys =
        expr.kind === "secret"
          ? [expr.key]
          : expr.kind === "basic"
            ? [expr.user, expr.password].filter((k): k is string => k !== undefined)
            : [];
      if (expr.kind === "runtime" && !allowRuntime) {
        throw new RecipeError(
          file,
          path,
          `no {{runtime.${expr.key}}} here: only credentials from oauth2 or service_account have a token`,
        );
      }
      for (const key of keys) {
        const spec = declared.get(key);
        if (!spec)
          throw new RecipeError(file, path, `a secret declared in required_secrets, got {{secret.${key}}}`);
        if (inHost && (spec.sensitive || !spec.pattern)) {
          throw new RecipeError(
            file,
            path,
            `{{secret.${key}}} in a host only with sensitive: false and a pattern (so a value cannot redirect credentials)`,
          );
        }
      }
    }
  };
  // OAuth endpoints may name a non-secret, pattern-checked value (a Microsoft tenant, a Shopify shop): the
  // same rule as a host, since the client secret goes there.
  for (const k of OAUTH_URL_KEYS) if (r.oauth2) checkTemplate(["oauth2", k], r.oauth2[k], false, true);
  const checkInject = (
    path: string[],
    inject: Recipe["inject"],
    allowRuntime: boolean,
    allowClient = false,
  ) => {
    if (!inject) return;
    for (const [k, v] of Object.entries(inject.header ?? {}))
      checkTemplate([...path, "header", k], v, allowRuntime, false, false, allowClient);
    for (const [k, v] of Object.entries(inject.query ?? {}))
      checkTemplate([...path, "query", k], v, allowRuntime, false, false, allowClient);
    checkTemplate([...path, "path_prefix"], inject.path_prefix, allowRuntime);
    for (const [k, v] of Object.entries(inject.body?.fields ?? {}))
      checkTemplate([...path, "body", "fields", k], v, allowRuntime, false, false, allowClient);
  };

  const tokenPrimitive =
    r.primitive === "oauth2" || r.primitive === "service_account" || r.primitive === "session";
  checkInject(["inject"], r.inject, tokenPrimitive, r.primitive === "oauth2");
  if (r.oauth2) checkInject(["oauth2", "inject"], r.oauth2.inject, true, true);
  if (r.session)
    checkSession(file, r.session, r.hosts, (path, text, inHost) => checkTemplate(path, text, false, inHost));
  if (r.http_digest) {
    checkTemplate(["http_digest", "username"], r.http_digest.username, false);
    checkTemplate(["http_digest", "password"], r.http_digest.password, false);
  }
  if (r.service_account) checkInject(["service_account", "inject"], r.service_account.inject, true);
  // A top-level inject reused by an alternative token primitive may use the token; one used by static_key may not.
  if (!tokenPrimitive) {
    if (r.oauth2 && !r.oauth2.inject) {
      throw new RecipeError(
        file,
        ["oauth2", "inject"],
        "an inject block (the top-level one is for static_key)",
      );
    }
    if (r.service_account && !r.service_account.inject) {
      throw new RecipeError(
        file,
        ["service_account", "inject"],
        "an inject block (the top-level one is for static_key)",
      );
    }
  }

  // Captured values exist only for an oauth2 credential: in the top-level base_url and hosts only when
  // oauth2 is the recipe's primitive, else in oauth2 > base_url and hosts.
  const checkTarget = (at: string[], baseUrl: string, hosts: string[], allowCaptured: boolean) => {
    const baseHost = hostOfTemplate(baseUrl);
    checkTemplate([...at, "base_url"], baseHost, false, true, allowCaptured);
    checkTemplate(
      [...at, "base_url"],
      baseUrl.replace(/^[a-z]+:\/\/[^/?#]+/i, ""),
      false,
      false,
      allowCaptured,
    );
    hosts.forEach((h, i) => {
      if (!/^(\*\.)?([a-z0-9-]+|\{\{[^{}]+\}\})(\.([a-z0-9-]+|\{\{[^{}]+\}\}))*$|^\[::1\]$/i.test(h)) {
        throw new RecipeError(
          file,
          [...at, "hosts", String(i)],
          `a host name such as api.example.com or *.example.com, got "${h}"`,
        );
      }
      checkTemplate([...at, "hosts", String(i)], h, false, true, allowCaptured);
      checkWildcard(file, i, h);
    });
    // A host taken whole from sign-in (Wrike's token answer host, DocuSign's base_uri) is unknown here: it
    // is held to a list of fixed hosts instead, checked at sign-in and on every request (docs/recipes.md
    // "Captured values").
    const wholeCaptured = baseHost !== undefined && /^\{\{\s*captured\.[A-Za-z0-9_]+\s*\}\}$/.test(baseHost);
    if (wholeCaptured && hosts.some((h) => h.includes("{{"))) {
      throw new RecipeError(
        file,
        [...at, "hosts"],
        `fixed host names only, since the host of base_url is a captured value (${baseHost}), got "${hosts.join(", ")}"`,
      );
    }
    if (baseHost && !wholeCaptured && !hosts.some((p) => hostMatchesPattern(baseHost, p))) {
      throw new RecipeError(
        file,
        [...at, "base_url"],
        `a host listed in hosts (${hosts.join(", ")}), got "${baseHost}"`,
      );
    }
  };
  checkTarget([], r.base_url, r.hosts, r.primitive === "oauth2");
  if (r.oauth2?.base_url !== undefined || r.oauth2?.hosts !== undefined) {
    checkTarget(["oauth2"], r.oauth2.base_url ?? r.base_url, r.oauth2.hosts ?? r.hosts, true);
  }
  if (r.oauth2) checkCaptures(file, r.oauth2, r.oauth2.hosts ?? r.hosts);
  const choose = r.oauth2?.lookup?.choose;
  if (choose) {
    const spec = r.required_secrets.find((s) => s.key === choose.value);
    if (!spec || spec.sensitive) {
      throw new RecipeError(
        file,
        ["oauth2", "lookup", "choose", "value"],
        `the key of a non-sensitive required_secrets value (it is named in messages), got "${choose.value}"`,
      );
    }
  }
  for (const [k, v] of Object.entries(r.oauth2?.lookup?.header ?? {}))
    checkTemplate(["oauth2", "lookup", "header", k], v, true);
  // Token request parameters may name a value as an endpoint does (Auth0's audience https://{{secret.domain}}/api/v2/).
  for (const [k, v] of Object.entries(r.oauth2?.token_params ?? {}))
    checkTemplate(["oauth2", "token_params", k], v, false, true);
  if (r.aws_sigv4) checkTemplate(["aws_sigv4", "region"], r.aws_sigv4.region, false);
  if (r.service_account) checkTemplate(["service_account", "subject"], r.service_account.subject, false);
  if (r.test) {
    if (r.test.json !== undefined && r.test.form !== undefined) {
      throw new RecipeError(
        file,
        ["test", "form"],
        "either json or form as the test request's body, not both",
      );
    }
    checkTemplate(["test", "path"], r.test.path, tokenPrimitive);
    for (const [k, v] of Object.entries(r.test.headers ?? {}))
      checkTemplate(["test", "headers", k], v, tokenPrimitive);
    if (/^[a-z]+:\/\//i.test(r.test.path)) {
      const host = hostOfTemplate(r.test.path);
      if (host && !r.hosts.some((p) => hostMatchesPattern(host, p))) {
        throw new RecipeError(
          file,
          ["test", "path"],
          `a path, or a URL on a host listed in hosts, got "${r.test.path}"`,
        );
      }
    }
  }
}

/** Each capture's pattern compiles; a lookup capture has a lookup, on a fixed https host the token may go to. */
function checkCaptures(file: string, o: OAuth2Spec, hosts: string[]): void {
  for (const [name, c] of Object.entries(o.capture)) {
    try {
      new RegExp(`^(?:${c.pattern})$`);
    } catch {
      throw new RecipeError(
        file,
        ["oauth2", "capture", name, "pattern"],
        `a valid regular expression, got "${c.pattern}"`,
      );
    }
    if (c.from === "lookup" && !o.lookup) {
      throw new RecipeError(file, ["oauth2", "lookup"], `a lookup request (capture ${name} is from: lookup)`);
    }
    if (c.from === "redirect" && /[.=]/.test(c.path)) {
      throw new RecipeError(
        file,
        ["oauth2", "capture", name, "path"],
        `the name of a query parameter of the authorization redirect (from: redirect), got "${c.path}"`,
      );
    }
  }
  if (o.lookup) {
    const at = ["oauth2", "lookup", "url"];
    checkUrl(file, at, o.lookup.url);
    checkNoExpr(file, at, o.lookup.url);
    const host = new URL(o.lookup.url).hostname.toLowerCase();
    if (!o.lookup.url.startsWith("https://") || !hosts.some((p) => hostMatchesPattern(host, p))) {
      throw new RecipeError(
        file,
        at,
        `an https URL on a host listed in hosts (${hosts.join(", ")}), got "${o.lookup.url}"`,
      );
    }
  }
}

/**
 * `*.X` sends credentials to every name under X: refused when X is itself a public suffix (`*.com`,
 * `*.co.uk`, `*.github.io`), where anyone may register a name. The Public Suffix List (ICANN and private
 * sections) comes from tldts, bundled into this lazily loaded validation code only. A templated host
 * (`*.s3.{{secret.region}}.amazonaws.com`) is known only when bound, and is not checked here.
 * @see https://publicsuffix.org/learn/
 */
function checkWildcard(file: string, index: number, host: string): void {
  if (!host.startsWith("*.") || host.includes("{{")) return;
  const base = host.slice(2).toLowerCase();
  const suffix = getPublicSuffix(`x.${base}`, { allowPrivateDomains: true });
  if (suffix === base) {
    throw new RecipeError(
      file,
      ["hosts", String(index)],
      `a wildcard under a domain of the provider (*.api.example.com), got "${host}": ${base} is a public suffix, where anyone can register a name to receive the credentials`,
    );
  }
}

/**
 * A secret in a URL (path or query) ends up in server logs, proxies and browser history: a warning, unless
 * the recipe says the provider takes it nowhere else (`secret_in_url: required`, as Telegram).
 */
export function recipeWarnings(file: string, r: Recipe): RecipeWarning[] {
  if (r.secret_in_url === "required") return [];
  const out: RecipeWarning[] = [];
  const sensitive = new Set(r.required_secrets.filter((s) => s.sensitive).map((s) => s.key));
  // A token, a Basic pair, or a secret not marked `sensitive: false` (a region or a subdomain is fine).
  const secretIn = (text: string | undefined) =>
    text !== undefined &&
    findExprs(text).some((raw) => {
      const expr = parseExpr(raw);
      if (typeof expr === "string") return false;
      // A captured value (a cloud id) is not secret: it is pattern-checked and may sit in a path.
      if (expr.kind === "captured") return false;
      return expr.kind !== "secret" || sensitive.has(expr.key);
    });
  const warn = (keyPath: string[]) =>
    out.push({
      file,
      keyPath,
      message:
        "a secret in the URL ends up in server logs and proxies; put it in a header if the provider allows, or set secret_in_url: required if it takes it only in the URL",
    });
  const injects: [string[], Recipe["inject"]][] = [
    [["inject"], r.inject],
    [["oauth2", "inject"], r.oauth2?.inject],
    [["service_account", "inject"], r.service_account?.inject],
  ];
  for (const [path, inject] of injects) {
    if (!inject) continue;
    if (secretIn(inject.path_prefix)) warn([...path, "path_prefix"]);
    for (const [k, v] of Object.entries(inject.query ?? {})) if (secretIn(v)) warn([...path, "query", k]);
  }
  if (secretIn(r.base_url.replace(/^[a-z]+:\/\/[^/?#]+/i, ""))) warn(["base_url"]);
  if (secretIn(r.test?.path)) warn(["test", "path"]);
  return out;
}

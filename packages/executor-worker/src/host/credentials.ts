import {
  basicForms,
  hostAllowed,
  MissingTemplateValue,
  type Recipe,
  renderTemplate,
  secretForms,
  type TemplateValues,
} from "@arcrun/recipes";
import {
  type CredentialEnvelope,
  deriveTenantKey,
  ENVELOPE_VERSION,
  openEnvelope,
  sealEnvelope,
} from "@arcrun/workflow";
import { ExecutorError } from "../errors.js";
import { base64Decode } from "../internal/base64.js";
import { readV1 } from "../internal/migrate-v1.js";
import { credentialKey } from "../keys.js";

// Sealed credentials (docs/executor.md, "Sealed credentials"): a credential's plaintext stays in the host.
// What a component or a template sees is a handle, an opaque random token unique to the run; the host puts
// the secret back only at egress (host/egress.ts), in a position the credential grants, on its hosts.

/** What `POST /credentials` stores under the tenant's credential key: never a plaintext. */
export interface CredentialRecord extends CredentialEnvelope {
  /** The recipe the credential belongs to: its `hosts` are where the credential may be sent. */
  recipe?: string;
  /** Extra hosts the tenant allows for this credential (a custom API); `*.example.com` for subdomains. */
  hosts?: string[];
  created_at: string;
}

export interface KvStore {
  get(key: string): Promise<string | null>;
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
  delete(key: string): Promise<void>;
}

export { credentialKey, tokenCacheKey } from "../keys.js";
export const CREDENTIAL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/** The executor's `ENCRYPTION_KEY`, checked: 32 bytes, base64. Each tenant's key is derived from it. */
export function checkExecutorKey(base64Key: string | undefined): string {
  if (!base64Key) {
    throw new ExecutorError(
      "ERR_CONFIG",
      "ENCRYPTION_KEY is not set; run: wrangler secret put ENCRYPTION_KEY (locally: put it in .dev.vars)",
    );
  }
  let raw: Uint8Array | undefined;
  try {
    raw = base64Decode(base64Key.trim());
  } catch {
    raw = undefined;
  }
  if (raw?.length !== 32) {
    throw new ExecutorError(
      "ERR_CONFIG",
      "ENCRYPTION_KEY must be 32 bytes, base64; generate one with arcrun init",
    );
  }
  return base64Key.trim();
}

/**
 * Opens a record of `tenant` (the protocol's envelope: the tenant's derived key, additional data binding
 * tenant and name; a first-version record with the executor's key). A record of another tenant or name
 * does not open.
 */
export async function decryptRecord(
  record: CredentialRecord,
  tenant: string,
  executorKey: string,
): Promise<string> {
  try {
    return await openEnvelope(executorKey, tenant, record);
  } catch (cause) {
    throw new ExecutorError(
      "ERR_CREDENTIAL_INVALID",
      `credential "${record.name}" does not open with this tenant's key; run: arcrun creds push ${record.name}`,
      { cause },
    );
  }
}

/** The secrets of a plaintext: a JSON object's string leaves, or the whole text. */
export function secretValues(plaintext: string): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(plaintext);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(parsed)) {
        if (typeof v === "string") out[k] = v;
        else if (typeof v === "number" || typeof v === "boolean") out[k] = String(v);
      }
      return out;
    }
  } catch {
    // not JSON: a single secret value
  }
  return { value: plaintext };
}

function originOf(url: string): string[] {
  try {
    return [new URL(url).host];
  } catch {
    return [];
  }
}

/**
 * Where a credential may be posted to get, refresh or revoke a token: the recipe's oauth2 `token_url`,
 * `refresh_url` (Figma redeems refresh tokens there), `revoke_url` and `device_url`, and its
 * service-account `token_url`, each rendered with the credential's values (Microsoft's token URL names the
 * tenant: `{{secret.tenant}}`). An endpoint that needs a value the credential lacks is left out.
 */
function tokenEndpoints(recipe: Recipe, secrets: Record<string, string>): string[] {
  const templates = [
    recipe.oauth2?.token_url,
    recipe.oauth2?.refresh_url,
    recipe.oauth2?.revoke_url,
    recipe.oauth2?.device_url,
    recipe.service_account?.token_url,
  ].filter((u): u is string => typeof u === "string");
  const out: string[] = [];
  for (const template of templates) {
    try {
      out.push(renderTemplate(template, { secret: secrets }));
    } catch {
      // needs a value this credential does not have: no endpoint
    }
  }
  return out;
}

/** The hosts (with their port) of the recipe's token endpoints for this credential. */
function tokenHosts(recipe: Recipe | undefined, secrets: Record<string, string>): string[] {
  return recipe ? [...new Set(tokenEndpoints(recipe, secrets).flatMap(originOf))] : [];
}

/**
 * Where a credential may be sent: its recipe's `hosts` (rendered with its secrets), the recipe's token,
 * refresh, revoke and device endpoints (with their port), and the hosts the tenant added on push. Nothing
 * when there is neither.
 */
export function allowedHosts(
  record: CredentialRecord,
  recipe: Recipe | undefined,
  secrets: Record<string, string>,
): string[] {
  const hosts = new Set<string>(record.hosts ?? []);
  if (recipe) {
    for (const pattern of recipe.hosts) {
      try {
        hosts.add(renderTemplate(pattern, { secret: secrets }));
      } catch {
        // a host that needs a secret this credential lacks allows nothing
      }
    }
    for (const h of tokenHosts(recipe, secrets)) hosts.add(h);
  }
  return [...hosts];
}

const DEFAULT_PORT: Record<string, string> = { "https:": "443", "http:": "80" };

/**
 * Whether `url` is on one of `patterns`, port included: `host:port` allows that port only, a bare host
 * (or `*.host`) only the scheme's default port. A credential for 127.0.0.1:8443 never reaches 127.0.0.1:9999.
 */
export function originAllowed(url: URL, patterns: readonly string[]): boolean {
  const port = url.port || DEFAULT_PORT[url.protocol] || "";
  return patterns.some((raw) => {
    const m = /^(.*):(\d{1,5})$/.exec(raw);
    const host = m ? (m[1] ?? "") : raw;
    const want = m ? (m[2] ?? "") : DEFAULT_PORT[url.protocol];
    return want === port && hostAllowed(url.hostname, [host]);
  });
}

/**
 * A place in an outgoing request a sealed value may go: a header or query parameter (any, or by name), the
 * body (anywhere, or only in the value of one top-level field of a form or JSON object: a recipe's
 * `inject.body`), or the start of the URL's path right after `prefix` (a recipe's `inject.path_prefix`).
 */
export type Position =
  | { in: "header" | "query"; name?: string }
  | { in: "body"; field?: string }
  | { in: "path"; prefix: string };

/** A position on some hosts. A sealed value goes out only where one of its grants allows. */
export interface Grant {
  position: Position;
  hosts: readonly string[];
}

const HANDLE_PREFIX = "arcrun_sealed_";
/** A handle: the prefix and 32 base32 letters (160 random bits), all URL-, JSON- and header-safe. */
const HANDLE = /arcrun_sealed_[a-z2-7]{32}/g;

function randomHandle(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  let out = HANDLE_PREFIX;
  let bits = 0;
  let acc = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += alphabet[(acc >> bits) & 31];
    }
  }
  return out;
}

/** How the host applies a signing handle at egress. */
export type SignKind = "aws_sigv4" | "http_digest";

export interface Sealed {
  credential: string;
  value: string;
  grants: readonly Grant[];
  /**
   * A signing handle: no value of its own; where its grant allows, the host drops it and signs the whole
   * request with the credential instead (AWS SigV4: the signature covers method, URL, headers and body;
   * HTTP Digest: the host answers the server's challenge, docs/executor.md "HTTP Digest").
   */
  sign?: SignKind;
}

interface Tainted {
  value: string;
  credential: string;
  hosts: string[];
}

/**
 * The secrets of one execution. `seal` gives a handle for a secret; `unseal` is for the host's egress and
 * signing code only. Every plaintext is also kept (as is, URL-encoded, JSON-escaped, base64) so that a
 * response or an error that echoes one is redacted before a component or a trace sees it.
 */
export class SecretRegistry {
  private readonly entries: Tainted[] = [];
  private readonly seen = new Set<string>();
  private readonly handles = new Map<string, Sealed>();
  private readonly memo = new Map<string, string>();
  private unsorted = false;

  /** A handle for `value` with these grants; the same one for the same value and grants within the run. */
  seal(credential: string, value: string, grants: readonly Grant[], hosts: string[]): string {
    const id = `${credential}\u0000${JSON.stringify(grants)}\u0000${value}`;
    const known = this.memo.get(id);
    if (known !== undefined) return known;
    const handle = randomHandle();
    this.handles.set(handle, { credential, value, grants });
    this.memo.set(id, handle);
    this.add(credential, value, hosts);
    return handle;
  }

  /** A signing handle for `credential` (see `Sealed.sign`), one per credential and grants within the run. */
  sealSigner(credential: string, sign: SignKind, grants: readonly Grant[]): string {
    const id = `${credential}\u0000${JSON.stringify(grants)}\u0000sign:${sign}`;
    const known = this.memo.get(id);
    if (known !== undefined) return known;
    const handle = randomHandle();
    this.handles.set(handle, { credential, value: "", grants, sign });
    this.memo.set(id, handle);
    return handle;
  }

  /** The sealed value behind an exact handle of this run; undefined for anything else. */
  unseal(handle: string): Sealed | undefined {
    return this.handles.get(handle);
  }

  /** The distinct handle-shaped strings in `text` (of this run or not). */
  handlesIn(text: string): string[] {
    if (!text.includes(HANDLE_PREFIX)) return [];
    return [...new Set(text.match(HANDLE) ?? [])];
  }

  add(credential: string, value: string, hosts: string[]): void {
    // Very short values would match by accident (and are not worth stealing).
    if (value.length < 6) return;
    for (const form of secretForms(value)) {
      const id = `${credential}\u0000${form}`;
      if (this.seen.has(id)) continue;
      this.seen.add(id);
      this.entries.push({ value: form, credential, hosts });
      this.unsorted = true;
    }
  }

  /**
   * Registers HTTP Basic credentials of `user` and `password` (base64 of `user:password`, also with both
   * form-encoded): a server that echoes the Authorization header it received gives away the pair even
   * where the user alone is no secret (an account SID, Mailgun's `api`).
   */
  addBasic(credential: string, user: string, password: string, hosts: string[]): void {
    for (const form of basicForms(user, password)) this.add(credential, form, hosts);
  }

  /**
   * Registers each secret, and the HTTP Basic pair of any two values of which one is secret (`known`: the
   * credential's values that are not secret, which may be a pair's user), or of a secret and an empty half.
   */
  addSecrets(
    credential: string,
    secrets: Record<string, string>,
    hosts: string[],
    known: Record<string, string> = {},
  ): void {
    const hidden = Object.values(secrets);
    const all = [...hidden, ...Object.values(known)];
    for (const v of hidden) this.add(credential, v, hosts);
    for (const h of hidden) {
      // The secret as a user with an empty password (`{{basic secret.KEY ""}}`: ImageKit, EasyPost, Lob), or
      // as a password with an empty user (`{{basic "" secret.KEY}}`: lemlist).
      this.addBasic(credential, h, "", hosts);
      this.addBasic(credential, "", h, hosts);
      for (const v of all) {
        this.addBasic(credential, v, h, hosts);
        this.addBasic(credential, h, v, hosts);
      }
    }
  }

  /** Registers the tokens of a token response or a token cache entry. */
  addTokens(credential: string, json: string, hosts: string[]): void {
    try {
      const parsed: unknown = JSON.parse(json);
      if (!parsed || typeof parsed !== "object") return;
      for (const key of TOKEN_FIELDS) {
        const v = (parsed as Record<string, unknown>)[key];
        if (typeof v === "string") this.add(credential, v, hosts);
      }
    } catch {
      // not a token document
    }
  }

  /** The credentials whose plaintext occurs in `text`. */
  find(text: string): Tainted[] {
    return this.entries.filter((e) => text.includes(e.value));
  }

  /** The first credential whose plaintext is in `text` and may not go to `url`, if any (`found`: find's answer). */
  violation(text: string, url: URL, found: Tainted[] = this.find(text)): Tainted | undefined {
    return found.find((e) => !originAllowed(url, e.hosts));
  }

  /**
   * Replaces every secret value in `text` (for responses, traces and error messages), longest first: a
   * shorter form can sit inside a longer one (base64 of `user:` of a length divisible by 3, followed by
   * base64 of the password), and replacing it first would leave the rest of the longer one in clear.
   */
  redact(text: string): string {
    if (this.unsorted) {
      this.entries.sort((a, b) => b.value.length - a.value.length);
      this.unsorted = false;
    }
    let out = text;
    for (const e of this.entries) if (out.includes(e.value)) out = out.split(e.value).join("[redacted]");
    return out;
  }
}

/** The fields of a token response (RFC 6749 section 5.1) that are secrets. */
export const TOKEN_FIELDS = ["access_token", "refresh_token", "id_token"] as const;

/**
 * Keys of a credential that are not secrets unless its recipe declares them sensitive: token metadata
 * (RFC 6749 section 5.1), the client identifier ("not a secret", RFC 6749 section 2.2), and the public
 * fields of a service-account key file (docs/executor.md lists them).
 */
const PUBLIC_KEYS = new Set([
  "token_type",
  "expires_in",
  "expires_at",
  "scope",
  "client_id",
  "client_email",
  "token_uri",
  "type",
  "project_id",
  "private_key_id",
  "auth_uri",
  "universe_domain",
]);

/** One of the tenant's credentials, opened in the host for this execution. */
export interface OpenedCredential {
  record: CredentialRecord;
  recipe: Recipe | undefined;
  plaintext: string;
  /** Every value, plaintext: for the host's own use (egress, signing, HMAC), never for a component. */
  secrets: Record<string, string>;
  /** The values that are not secret, as they are. */
  public: Record<string, string>;
  hosts: string[];
  /** Where the credential's secrets may go: the recipe's inject positions and its token endpoints. */
  grants: Grant[];
}

/**
 * A run's recipe by id: a built-in or operator recipe at once, a tenant's pushed one read from KV on first
 * use (src/recipes.ts `runRecipes`).
 */
export type RecipeLookup = (id: string) => Recipe | undefined | Promise<Recipe | undefined>;

/** What opening a credential needs from its execution. */
export interface CredentialSource {
  tenant: string;
  kv: KvStore;
  /** The executor's key (checked), from which the tenant's is derived. */
  encryptionKey: () => string;
  recipe: RecipeLookup;
  secrets: SecretRegistry;
  /** Per-execution cache of opened credentials. */
  opened: Map<string, Promise<OpenedCredential | undefined>>;
}

export async function loadRecord(
  src: Pick<CredentialSource, "kv" | "tenant">,
  name: string,
): Promise<CredentialRecord | undefined> {
  if (!CREDENTIAL_NAME.test(name)) return undefined;
  const raw =
    (await src.kv.get(credentialKey(src.tenant, name))) ?? (await readV1(src.kv, "cred", src.tenant, name));
  return raw ? (JSON.parse(raw) as CredentialRecord) : undefined;
}

function publicValues(secrets: Record<string, string>, recipe: Recipe | undefined): Record<string, string> {
  const declared = new Map((recipe?.required_secrets ?? []).map((s) => [s.key, s.sensitive !== false]));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(secrets)) {
    const sensitive = declared.get(k);
    if (sensitive === false || (sensitive === undefined && PUBLIC_KEYS.has(k))) out[k] = v;
  }
  // A service-account key file kept as one JSON secret: its public fields, for the assertion's claims.
  const keySecret = recipe?.service_account?.key_secret;
  const nested = keySecret ? secrets[keySecret] : undefined;
  if (nested?.trimStart().startsWith("{")) {
    for (const [k, v] of Object.entries(secretValues(nested))) if (PUBLIC_KEYS.has(k)) out[k] ??= v;
  }
  return out;
}

function injectBlocks(recipe: Recipe): NonNullable<Recipe["inject"]>[] {
  return [recipe.inject, recipe.oauth2?.inject, recipe.service_account?.inject].filter(
    (i): i is NonNullable<Recipe["inject"]> => i !== undefined,
  );
}

/**
 * The grants of a credential's secrets: the headers, query parameters and body fields its recipe's inject
 * names, on its hosts (any header when there is no inject to say which); and the body and Authorization header of a
 * request to the recipe's token endpoints (a refresh, a client assertion).
 */
function grantsFor(recipe: Recipe | undefined, hosts: string[], secrets: Record<string, string>): Grant[] {
  const grants: Grant[] = [];
  const injects = recipe ? injectBlocks(recipe) : [];
  for (const inject of injects) {
    for (const name of Object.keys(inject.header ?? {}))
      grants.push({ position: { in: "header", name }, hosts });
    for (const name of Object.keys(inject.query ?? {}))
      grants.push({ position: { in: "query", name }, hosts });
    for (const field of Object.keys(inject.body?.fields ?? {}))
      grants.push({ position: { in: "body", field }, hosts });
  }
  if (injects.length === 0) grants.push({ position: { in: "header" }, hosts });
  const token = tokenHosts(recipe, secrets);
  if (token.length > 0) {
    grants.push({ position: { in: "body" }, hosts: token });
    grants.push({ position: { in: "header", name: "authorization" }, hosts: token });
  }
  return grants;
}

/**
 * Rewrites a first-version record (the executor's key, bound to the name only) as a version-2 record under
 * the tenant's key, bound to tenant and name: an old record is read this way once. New ones are refused
 * by POST /credentials, so a copied old record cannot be registered.
 */
async function migrate(
  src: CredentialSource,
  record: CredentialRecord,
  plaintext: string,
  executorKey: string,
): Promise<void> {
  const envelope = await sealEnvelope(await deriveTenantKey(executorKey, src.tenant), record.name, plaintext);
  await src.kv.put(credentialKey(src.tenant, record.name), JSON.stringify({ ...record, ...envelope }));
}

/**
 * Decrypts one of the tenant's credentials (once per execution) and registers its values for redaction.
 * Undefined when the tenant has none by that name.
 */
export function openCredential(src: CredentialSource, name: string): Promise<OpenedCredential | undefined> {
  let pending = src.opened.get(name);
  if (!pending) {
    pending = (async () => {
      const record = await loadRecord(src, name);
      if (!record) return undefined;
      const executorKey = src.encryptionKey();
      const plaintext = await decryptRecord(record, src.tenant, executorKey);
      if (record.v !== ENVELOPE_VERSION) await migrate(src, record, plaintext, executorKey);
      const recipe = record.recipe ? await src.recipe(record.recipe) : undefined;
      const secrets = secretValues(plaintext);
      // A bare value is the recipe's first required secret (a GitHub token is `token`).
      const first = (recipe?.required_secrets ?? [])[0]?.key;
      if (first !== undefined && secrets.value === plaintext && Object.keys(secrets).length === 1) {
        delete secrets.value;
        secrets[first] = plaintext;
      }
      for (const s of recipe?.required_secrets ?? []) {
        if (secrets[s.key] === undefined && s.default !== undefined) secrets[s.key] = s.default;
      }
      const pub = publicValues(secrets, recipe);
      const hosts = allowedHosts(record, recipe, secrets);
      const hidden = Object.fromEntries(Object.entries(secrets).filter(([k]) => pub[k] === undefined));
      src.secrets.addSecrets(name, hidden, hosts, pub);
      src.secrets.add(name, plaintext, hosts);
      return {
        record,
        recipe,
        plaintext,
        secrets,
        public: pub,
        hosts,
        grants: grantsFor(recipe, hosts, secrets),
      };
    })();
    src.opened.set(name, pending);
  }
  return pending;
}

/** What a component or a template gets for a key of a credential: a handle, or the value if it is public. */
export function sealedValue(
  src: CredentialSource,
  opened: OpenedCredential,
  key: string,
): string | undefined {
  const pub = opened.public[key];
  if (pub !== undefined) return pub;
  const v = opened.secrets[key];
  return v === undefined ? undefined : src.secrets.seal(opened.record.name, v, opened.grants, opened.hosts);
}

/** Every key of a credential as a component sees it: `secrets` as handles, `public` as values. */
export function sealedView(
  src: CredentialSource,
  opened: OpenedCredential,
): { secrets: Record<string, string>; public: Record<string, string> } {
  const secrets: Record<string, string> = {};
  for (const k of Object.keys(opened.secrets)) {
    if (opened.public[k] === undefined) secrets[k] = sealedValue(src, opened, k) as string;
  }
  return { secrets, public: opened.public };
}

export type InjectPrimitive = "static_key" | "oauth2" | "service_account";

function injectFor(recipe: Recipe, primitive: InjectPrimitive): Recipe["inject"] {
  return (
    (primitive === "oauth2"
      ? recipe.oauth2?.inject
      : primitive === "service_account"
        ? recipe.service_account?.inject
        : undefined) ?? recipe.inject
  );
}

/**
 * The recipe's oauth2 token and refresh URLs for a credential, rendered as `renderSealedBaseUrl` renders the
 * base URL (Microsoft's token URL names `{{secret.tenant}}`); one that needs a value the credential lacks is
 * left out. The refresh URL is where auth_oauth2 redeems a refresh token (Figma's differs from its token URL).
 */
export function renderSealedEndpoints(
  src: CredentialSource,
  opened: OpenedCredential,
  recipe: Recipe | undefined,
): { token_url?: string; refresh_url?: string } {
  const view = sealedView(src, opened);
  const values = { secret: { ...view.secrets, ...view.public } };
  const out: { token_url?: string; refresh_url?: string } = {};
  for (const key of ["token_url", "refresh_url"] as const) {
    const template = recipe?.oauth2?.[key];
    if (template === undefined) continue;
    try {
      out[key] = renderTemplate(template, values);
    } catch {
      // needs a value this credential does not have
    }
  }
  return out;
}

/**
 * The recipe's base URL for a credential, as a component may hold it: rendered with the credential's
 * values (public ones as they are, secrets as handles), then the inject's `path_prefix` as arcrun-auth
 * joins it (docs/recipes.md). A prefix that holds a secret (Telegram's `/bot{{secret.token}}`) is one
 * handle, which the host puts back only at the start of the path, after the base URL's own path, on the
 * credential's hosts (host/egress.ts).
 */
export function renderSealedBaseUrl(
  src: CredentialSource,
  opened: OpenedCredential,
  recipe: Recipe,
  primitive: InjectPrimitive,
): string {
  const name = opened.record.name;
  const view = sealedView(src, opened);
  const render = (template: string, values: Record<string, string>, where: string) => {
    try {
      return renderTemplate(template, { secret: values });
    } catch (err) {
      const variable = err instanceof MissingTemplateValue ? err.variable : "a value";
      throw new ExecutorError(
        "ERR_CREDENTIAL_INVALID",
        `credential "${name}" has no value for {{${variable}}} (the recipe's ${where}); push it again with that key: arcrun creds push ${name}`,
      );
    }
  };
  const base = render(recipe.base_url, { ...view.secrets, ...view.public }, "base_url").replace(/\/+$/, "");
  const template = injectFor(recipe, primitive)?.path_prefix;
  if (!template) return base;
  const prefix = render(template, opened.secrets, "inject.path_prefix").replace(/^\/+|\/+$/g, "");
  if (prefix === "") return base;
  const hidden = Object.entries(opened.secrets).filter(([k]) => opened.public[k] === undefined);
  if (!hidden.some(([, v]) => v.length > 0 && prefix.includes(v))) return `${base}/${prefix}`;
  let basePath = "/";
  try {
    basePath = `${new URL(base).pathname.replace(/\/+$/, "")}/`;
  } catch {
    // not a URL: the request fails on its own
  }
  const grant: Grant = { position: { in: "path", prefix: basePath }, hosts: opened.hosts };
  return `${base}/${src.secrets.seal(name, prefix, [grant], opened.hosts)}`;
}

/**
 * Renders the recipe's `inject` for a credential in the host and seals each header, query and body field
 * value, bound to that one header, parameter or body field on the credential's hosts. `runtime.access_token`
 * may be a handle (of the same credential), as the auth components hold tokens; `{{client.id}}` is the
 * credential's `client_id` (Twitch's Client-Id header).
 */
export function renderSealedInject(
  src: CredentialSource,
  opened: OpenedCredential,
  recipe: Recipe,
  primitive: InjectPrimitive,
  runtime: Record<string, string>,
): {
  headers: Record<string, string>;
  query: Record<string, string>;
  body?: Record<string, string>;
  body_format?: "form" | "json";
} {
  const name = opened.record.name;
  const plainRuntime: Record<string, string> = {};
  for (const [k, v] of Object.entries(runtime)) {
    const sealed = src.secrets.unseal(v);
    if (sealed && sealed.credential !== name) {
      throw new ExecutorError(
        "ERR_HOST_DENIED",
        `runtime.${k} is a value of credential "${sealed.credential}", not of "${name}"`,
      );
    }
    plainRuntime[k] = sealed ? sealed.value : v;
  }
  const inject = injectFor(recipe, primitive);
  const clientId = opened.secrets.client_id;
  const values: TemplateValues = {
    secret: opened.secrets,
    runtime: plainRuntime,
    ...(clientId !== undefined ? { client: { id: clientId } } : {}),
  };
  const render = (where: "header" | "query" | "body", block: Record<string, string> | undefined) => {
    const out: Record<string, string> = {};
    for (const [key, template] of Object.entries(block ?? {})) {
      let value: string;
      try {
        value = renderTemplate(template, values);
      } catch (err) {
        const variable = err instanceof MissingTemplateValue ? err.variable : "a value";
        // {{client.id}} is the token set's client_id (the OAuth client it was issued to).
        const key = variable === "client.id" ? " (client_id, in the JSON token set on stdin)" : "";
        throw new ExecutorError(
          "ERR_CREDENTIAL_INVALID",
          `credential "${name}" has no value for {{${variable}}}; push it again with that key${key}: arcrun creds push ${name}`,
        );
      }
      const position: Position = where === "body" ? { in: "body", field: key } : { in: where, name: key };
      out[key] = src.secrets.seal(name, value, [{ position, hosts: opened.hosts }], opened.hosts);
    }
    return out;
  };
  const headers = render("header", inject?.header);
  // SigV4 signs the request as sent and Digest answers a challenge of the server (RFC 7616), so both are
  // done at egress: the keys never leave the host, and the component gets a signing handle in the
  // Authorization header, which the host replaces by the signature or the answer (host/egress.ts).
  // A recipe has one of the two blocks; were both there, Digest wins.
  const signer =
    primitive !== "static_key"
      ? undefined
      : recipe.http_digest
        ? "http_digest"
        : recipe.aws_sigv4
          ? "aws_sigv4"
          : undefined;
  if (signer) {
    const grant: Grant = { position: { in: "header", name: "authorization" }, hosts: opened.hosts };
    headers.authorization = src.secrets.sealSigner(name, signer, [grant]);
  }
  const query = render("query", inject?.query);
  if (!inject?.body) return { headers, query };
  // The body fields go into the request body by the workflow (http_request's body and body_format); each
  // handle is put back only in the value of its own field (host/egress.ts).
  return { headers, query, body: render("body", inject.body.fields), body_format: inject.body.format };
}

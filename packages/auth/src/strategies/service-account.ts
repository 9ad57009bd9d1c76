/**
 * The `service_account` primitive: a JWT bearer assertion signed with the account's private key, exchanged
 * for an access token (RFC 7523 section 2.1). `google_jwt` reads Google's JSON key file; `jwt_bearer` a PEM
 * key with the issuer in `client_id`. The token is cached until 5 minutes before it expires.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { renderTemplate, type ServiceAccountSpec } from "@arcrun/recipes";
import { ArcrunError } from "../errors.js";
import { injectApplier } from "../internal/apply.js";
import { envName } from "../internal/oauth/client-config.js";
import { type FlowContext, type TokenResponse, tokenRequest } from "../internal/oauth/endpoint.js";
import { heldResolved } from "../internal/oauth/held.js";
import { JWT_BEARER_GRANT, parseGoogleKey, signAssertion } from "../internal/oauth/jwt-assertion.js";
import { refreshDue } from "../internal/oauth/tokens.js";
import { checkValues, promptValues, valuesCredential } from "../internal/secrets.js";
import type {
  CredentialSource,
  LoginOptions,
  ResolvedCredential,
  ServiceAccountCredential,
  Strategy,
  StrategyFactoryContext,
} from "../types.js";

interface KeyMaterial {
  text: string;
  source: CredentialSource;
}

interface CachedToken {
  access_token: string;
  token_type: string;
  expires_at?: number;
  issued_at: number;
}

function spec(ctx: StrategyFactoryContext): ServiceAccountSpec {
  const s = ctx.recipe.service_account;
  if (!s) {
    throw new ArcrunError(
      "ERR_RECIPE_INVALID",
      `${ctx.service}: the recipe has no service_account block, so it cannot use a service account; add service_account > kind and token_url to the recipe`,
      { service: ctx.service, instance: ctx.instance },
    );
  }
  return s;
}

/** A key given inline (JSON or PEM) or as a path to a key file. */
async function keyText(value: string, ctx: StrategyFactoryContext, where: string): Promise<string> {
  const v = value.trim();
  if (v.startsWith("{") || v.includes("PRIVATE KEY")) return v;
  try {
    return await readFile(v, "utf8");
  } catch (cause) {
    throw new ArcrunError(
      "ERR_INVALID_SECRET",
      `${ctx.service}: ${where} is neither a key nor a readable key file path; check it, or run: arcrun setup ${ctx.service} --via service_account`,
      { service: ctx.service, instance: ctx.instance, cause },
    );
  }
}

/**
 * Finds the key, first match wins: `bind(..., { secret: { <key_secret> } })`, the recipe's required_secrets
 * (environment, secret files, store), `ARCRUN_<SERVICE>_<KEY_SECRET>`, `GOOGLE_APPLICATION_CREDENTIALS` for
 * google_jwt, `$ARCRUN_SECRETS_DIR` / `/run/secrets/<service>_<key_secret>`, then the stored record.
 */
async function findKey(
  ctx: StrategyFactoryContext,
  s: ServiceAccountSpec,
): Promise<{ key?: KeyMaterial; values: Record<string, string> }> {
  const name = s.key_secret;
  const explicit = ctx.secret?.[name];
  if (explicit)
    return {
      key: { text: await keyText(explicit, ctx, `the ${name} option`), source: "option" },
      values: { ...ctx.secret },
    };
  const declared = ctx.recipe.required_secrets.some((r) => r.key === name);
  const r = declared || ctx.recipe.required_secrets.length > 0 ? await ctx.readValues() : undefined;
  const values = { ...(r?.values ?? {}) };
  const fromValues = r?.values[name];
  if (fromValues) {
    return {
      key: { text: await keyText(fromValues, ctx, name), source: r?.sources[name] ?? "store" },
      values,
    };
  }
  const envVar = `ARCRUN_${envName(ctx.service)}_${envName(name)}`;
  const fromEnv =
    ctx.env[envVar] ?? (s.kind === "google_jwt" ? ctx.env.GOOGLE_APPLICATION_CREDENTIALS : undefined);
  if (fromEnv) return { key: { text: await keyText(fromEnv, ctx, envVar), source: "env" }, values };
  for (const dir of [ctx.env.ARCRUN_SECRETS_DIR, "/run/secrets"]) {
    if (!dir) continue;
    const text = await readFile(join(dir, `${ctx.service}_${name}`), "utf8").catch(() => undefined);
    if (text) return { key: { text, source: "secret-file" }, values };
  }
  const stored = r ? r.stored : await ctx.store.get(ctx.service, ctx.instance);
  const inStore = stored?.type === "service_account" ? stored.values[name] : undefined;
  if (inStore) return { key: { text: inStore, source: "store" }, values: { ...stored?.values, ...values } };
  return { values };
}

/** @see https://www.rfc-editor.org/rfc/rfc7523#section-2.1 */
export function createServiceAccountStrategy(ctx: StrategyFactoryContext): Strategy {
  const s = spec(ctx);
  const { service, instance } = ctx;
  const flow: FlowContext = { service, instance, fetch: ctx.fetch };
  let cached: CachedToken | undefined;
  let source: CredentialSource = "store";
  let secrets: Record<string, string> = {};
  let pending: Promise<CachedToken> | undefined;

  const notConfigured = () =>
    new ArcrunError(
      "ERR_NEEDS_LOGIN",
      `${ctx.recipe.display_name} (${service}) has no service account key; set ARCRUN_${envName(service)}_${envName(s.key_secret)} to the key file's path or content${s.kind === "google_jwt" ? " (or GOOGLE_APPLICATION_CREDENTIALS)" : ""}, or run: arcrun setup ${service} --via service_account`,
      { service, instance },
    );

  /**
   * The user to act as (`sub`, domain-wide delegation): `bind(..., { subject })`, else the recipe's
   * `service_account > subject` template (gmail_sa: `{{secret.subject}}`) rendered with the values.
   */
  const subjectFor = async (values: Record<string, string>): Promise<string | undefined> => {
    if (ctx.subject) return ctx.subject;
    const template = s.subject;
    if (!template) return undefined;
    const render = (secret: Record<string, string>) => {
      try {
        return renderTemplate(template, { secret });
      } catch {
        return undefined;
      }
    };
    const first = render(values);
    if (first !== undefined) return first;
    // The key may have come from elsewhere (an option) than the other values (environment, store).
    const more = ctx.recipe.required_secrets.length > 0 ? (await ctx.readValues()).values : {};
    const second = render({ ...more, ...values });
    if (second !== undefined && second !== "") return second;
    const key = /\{\{\s*secret\.([a-z0-9_]+)\s*\}\}/.exec(template)?.[1] ?? "subject";
    throw new ArcrunError(
      "ERR_MISSING_SECRET",
      `${service}: the service account acts as a user (service_account > subject is ${template}), and no ${key} is set; pass { subject: "user@example.com" }, set ARCRUN_${envName(service)}_${envName(key)}, or run: arcrun setup ${service}`,
      { service, instance },
    );
  };

  const mint = async (given?: { key: KeyMaterial; values: Record<string, string> }): Promise<CachedToken> => {
    const found = given ?? (await findKey(ctx, s));
    if (!found.key) throw notConfigured();
    secrets = found.values;
    source = found.key.source;
    let issuer: string;
    let pem: string;
    let keyId: string | undefined;
    if (s.kind === "google_jwt") {
      const key = parseGoogleKey(found.key.text, service, s.key_secret);
      issuer = key.client_email;
      pem = key.private_key;
      keyId = key.private_key_id;
    } else {
      const id = found.values.client_id ?? found.values.issuer;
      if (!id) {
        throw new ArcrunError(
          "ERR_MISSING_SECRET",
          `${service}: a jwt_bearer service account needs client_id (the assertion's issuer); set ARCRUN_${envName(service)}_CLIENT_ID or run: arcrun setup ${service} --via service_account`,
          { service, instance },
        );
      }
      issuer = id;
      pem = found.key.text;
      keyId = found.values.key_id;
    }
    const now = ctx.now();
    const scope =
      s.scopes.length > 0
        ? [...new Set([...s.scopes, ...(ctx.scopes ?? [])])].join(s.scope_separator)
        : undefined;
    const assertion = await signAssertion(
      pem,
      keyId,
      {
        issuer,
        audience: s.audience ?? s.token_url,
        scope: s.kind === "google_jwt" ? scope : undefined,
        subject: await subjectFor(found.values),
        nowMs: now,
      },
      service,
    );
    const params: Record<string, string> = { grant_type: JWT_BEARER_GRANT, assertion };
    if (s.kind === "jwt_bearer" && scope) params.scope = scope;
    let resp: TokenResponse;
    try {
      resp = await tokenRequest(flow, {
        url: s.token_url,
        // RFC 7523 section 2.1: the assertion authenticates; no client authentication is needed.
        client: { clientId: "", authMethod: "none" },
        bodyFormat: "form",
        params,
      });
    } catch (err) {
      if (err instanceof ArcrunError && err.code === "ERR_OAUTH") {
        throw new ArcrunError(
          "ERR_INVALID_SECRET",
          `${service}: the token endpoint refused the service account's assertion (${err.message.replace(/^[^:]*: /, "")})`,
          { service, instance, cause: err },
        );
      }
      throw err;
    }
    const token: CachedToken = {
      access_token: resp.access_token,
      token_type: resp.token_type,
      issued_at: now,
    };
    if (resp.expires_in !== undefined) token.expires_at = now + resp.expires_in * 1000;
    return token;
  };

  const get = async (force: boolean): Promise<CachedToken> => {
    const c = cached;
    if (c && !force && !refreshDue(c, ctx.now())) return c;
    pending ??= mint().finally(() => {
      pending = undefined;
    });
    cached = await pending;
    return cached;
  };

  const resolved = heldResolved(
    (t: CachedToken, from: CredentialSource, values: Record<string, string>): ResolvedCredential => ({
      values: { secret: values, runtime: { access_token: t.access_token, token_type: t.token_type } },
      source: from,
      ...(t.expires_at !== undefined ? { expiresAt: t.expires_at } : {}),
      ...(s.scopes.length > 0 ? { scopes: s.scopes } : {}),
    }),
  );

  return {
    primitive: "service_account",
    applier: injectApplier(ctx.inject, service, instance),
    async resolve(options = {}) {
      const token = await get(options.force === true);
      return resolved(token, source, secrets);
    },
    async onUnauthorized() {
      const before = cached?.access_token;
      const next = await get(true);
      return next.access_token !== before;
    },
    /**
     * Asks for the key (a path to the key file, or its content), checks it, asks for the recipe's other
     * values (gmail_sa: the user to act as), mints a token to prove the key works, and only then stores it.
     */
    async login(_options: LoginOptions) {
      if (!ctx.interactive) throw notConfigured();
      const answer = await ctx.prompt.ask({
        service,
        key: s.key_secret,
        label:
          s.kind === "google_jwt"
            ? "Path to the service account JSON key file (or its content)"
            : "Path to the PEM private key (or its content)",
        sensitive: false,
      });
      if (answer.trim() === "") throw notConfigured();
      const text = (await keyText(answer, ctx, "that path")).trim();
      if (s.kind === "google_jwt") parseGoogleKey(text, service, s.key_secret);
      const declared = ctx.recipe.required_secrets.some((r) => r.key === s.key_secret);
      const others = ctx.recipe.required_secrets.filter((r) => r.key !== s.key_secret).map((r) => r.key);
      const answers = others.length > 0 ? await promptValues(ctx.prompt, ctx.recipe, service, others) : {};
      const checked = checkValues(
        ctx.recipe,
        service,
        instance,
        declared ? { ...answers, [s.key_secret]: text } : answers,
      );
      const values = { ...checked, [s.key_secret]: text };
      cached = undefined;
      const token = await mint({ key: { text, source: "interactive" }, values });
      const previous = await ctx.store.get(service, instance);
      const record = valuesCredential(
        "service_account",
        values,
        ctx.now(),
        previous,
      ) as ServiceAccountCredential;
      await ctx.store.set(service, instance, record);
      cached = token;
      source = "store";
    },
  };
}

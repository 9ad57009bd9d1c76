/**
 * The `session` primitive: "log in with a key or password, get a session token" APIs (Bluesky app passwords:
 * com.atproto.server.createSession). The recipe's `session` block describes the login request, where the
 * access and refresh tokens are in the answer, and the refresh request. The token goes on each request like
 * an OAuth token (`{{runtime.access_token}}`); it is renewed when due or after a 401, under the same
 * single-flight and cross-process lock as an OAuth refresh, and kept in the store's record beside the values
 * (when the values came from the store). A refresh the provider refuses with one of `relogin_errors` (the
 * refresh token expired) logs in again with the same values. See docs/recipes.md "Session logins".
 */
import {
  renderTemplate,
  type SessionRequestSpec,
  type SessionSpec,
  type SessionTokenRequestSpec,
} from "@arcrun/recipes";
import { ArcrunError } from "../errors.js";
import { injectApplier } from "../internal/apply.js";
import { credentialLockPath, SingleFlight, withFileLock } from "../internal/lock.js";
import { valueAt } from "../internal/oauth/capture.js";
import { isRecord } from "../internal/oauth/endpoint.js";
import { heldResolved } from "../internal/oauth/held.js";
import { refreshDue } from "../internal/oauth/tokens.js";
import { checkValues, needsLogin, promptAndStoreValues, setupCommand } from "../internal/secrets.js";
import { USER_AGENT } from "../internal/user-agent.js";
import type {
  CredentialSource,
  ResolvedCredential,
  SessionCredential,
  Strategy,
  StrategyFactoryContext,
} from "../types.js";

/** A session as the strategy holds it. */
interface Tokens {
  access_token: string;
  refresh_token?: string | undefined;
  expires_at?: number | undefined;
  issued_at: number;
}

const flights = new SingleFlight<Tokens>();

/** The `exp` claim (seconds) of a JWT, read without verifying: only to renew the token ahead of time. */
function jwtExpiry(token: string): number | undefined {
  const payload = token.split(".")[1];
  if (payload === undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    return isRecord(claims) && typeof claims.exp === "number" ? claims.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The provider's error code (at the recipe's `error_path`) and message of a refused request (XRPC:
 * { error, message }; Supabase Auth: { error_code, msg }), never a token.
 */
function errorOf(body: unknown, path: string): { error?: string; message?: string } {
  if (!isRecord(body)) return {};
  const error = valueAt(body, path);
  const message = typeof body.message === "string" ? body.message : body.msg;
  return {
    ...(error !== undefined ? { error } : {}),
    ...(typeof message === "string" ? { message: message.slice(0, 200) } : {}),
  };
}

/**
 * A refresh or logout request (SessionTokenRequest in the recipe schema): the token as Bearer or in a JSON
 * field, and the recipe's headers rendered with the values; undefined when the token it needs is not held.
 */
function tokenRequest(
  spec: SessionTokenRequestSpec,
  tokens: { access_token?: string | undefined; refresh_token?: string | undefined },
  values: Record<string, string>,
): { url: string; headers: Record<string, string>; json?: Record<string, string> } | undefined {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.headers ?? {})) headers[k] = renderTemplate(v, { secret: values });
  if (spec.bearer !== "none") {
    const token = spec.bearer === "access_token" ? tokens.access_token : tokens.refresh_token;
    if (token === undefined) return undefined;
    headers.authorization = `Bearer ${token}`;
  }
  let json: Record<string, string> | undefined;
  if (spec.json_field !== undefined) {
    if (tokens.refresh_token === undefined) return undefined;
    json = { [spec.json_field]: tokens.refresh_token };
  }
  return { url: renderTemplate(spec.url, { secret: values }), headers, ...(json ? { json } : {}) };
}

class SessionRefused extends ArcrunError {
  readonly error: string | undefined;
  constructor(message: string, error: string | undefined, service: string, instance: string) {
    super("ERR_INVALID_SECRET", message, { service, instance });
    this.error = error;
  }
}

function spec(ctx: StrategyFactoryContext): SessionSpec {
  const s = ctx.recipe.session;
  if (!s) {
    throw new ArcrunError(
      "ERR_RECIPE_INVALID",
      `${ctx.service}: the recipe has no session block (login, token_path); add it to the recipe`,
      { service: ctx.service, instance: ctx.instance },
    );
  }
  return s;
}

export function createSessionStrategy(ctx: StrategyFactoryContext): Strategy {
  const s = spec(ctx);
  const { recipe, service, instance } = ctx;
  const resolved = heldResolved<Tokens>((tokens, source, secrets) => ({
    values: { secret: secrets, runtime: { access_token: tokens.access_token, token_type: "Bearer" } },
    source,
    ...(tokens.expires_at !== undefined ? { expiresAt: tokens.expires_at } : {}),
  }));
  let current: Tokens | undefined;
  let values: Record<string, string> = {};
  let source: CredentialSource = "store";
  let pending: Promise<Tokens> | undefined;

  const call = async (
    what: "login" | "refresh",
    url: string,
    request: Pick<SessionRequestSpec, "method" | "headers" | "json">,
  ): Promise<Tokens> => {
    const headers = new Headers({ accept: "application/json", "user-agent": USER_AGENT });
    for (const [k, v] of Object.entries(request.headers ?? {})) headers.set(k, v);
    let body: string | undefined;
    if (request.json) {
      headers.set("content-type", "application/json");
      body = JSON.stringify(request.json);
    }
    let res: Response;
    try {
      res = await ctx.fetch(url, {
        method: request.method,
        headers,
        redirect: "manual",
        ...(body !== undefined ? { body } : {}),
      });
    } catch (cause) {
      throw new ArcrunError(
        "ERR_NETWORK",
        `${service}: could not reach the ${what} endpoint (${new URL(url).host}); check the network and try again`,
        { cause, service, instance },
      );
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const { error, message } = errorOf(parsed, s.error_path);
      const said = error ? ` (${error}${message ? `: ${message}` : ""})` : "";
      if (res.status >= 500 || res.status === 429) {
        throw new ArcrunError(
          "ERR_NETWORK",
          `${service}: the ${what} endpoint answered ${res.status}${said}; try again in a moment`,
          { service, instance },
        );
      }
      const help = recipe.required_secrets.find((r) => r.help_url)?.help_url;
      throw new SessionRefused(
        what === "login"
          ? `${service}: the login was refused (HTTP ${res.status}${said}): check the ${recipe.required_secrets.map((r) => r.key).join(" and ")}${help ? ` at ${help}` : ""}, then run: ${setupCommand(service, instance)}`
          : `${service}: the session refresh was refused (HTTP ${res.status}${said}); run: ${setupCommand(service, instance)}`,
        error,
        service,
        instance,
      );
    }
    const access = valueAt(parsed, s.token_path);
    if (access === undefined) {
      throw new ArcrunError(
        "ERR_RECIPE_INVALID",
        `${service}: the ${what} answer has no token at ${s.token_path} (the recipe's session > token_path); fix the recipe`,
        { service, instance },
      );
    }
    const now = ctx.now();
    const expiresIn = s.expires_in_path ? Number(valueAt(parsed, s.expires_in_path)) : Number.NaN;
    const expiresAt = Number.isFinite(expiresIn)
      ? now + expiresIn * 1000
      : s.expiry_from_jwt
        ? jwtExpiry(access)
        : undefined;
    const refresh = s.refresh_token_path ? valueAt(parsed, s.refresh_token_path) : undefined;
    return {
      access_token: access,
      issued_at: now,
      ...(refresh !== undefined ? { refresh_token: refresh } : {}),
      ...(expiresAt !== undefined ? { expires_at: expiresAt } : {}),
    };
  };

  const login = (): Promise<Tokens> => {
    const render = (block: Record<string, string> | undefined) =>
      block === undefined
        ? undefined
        : Object.fromEntries(
            Object.entries(block).map(([k, v]) => [k, renderTemplate(v, { secret: values })]),
          );
    const headers = render(s.login.headers);
    const json = render(s.login.json);
    return call("login", renderTemplate(s.login.url, { secret: values }), {
      method: s.login.method,
      ...(headers ? { headers } : {}),
      ...(json ? { json } : {}),
    });
  };

  const renew = async (held: Tokens): Promise<Tokens> => {
    const request = s.refresh ? tokenRequest(s.refresh, held, values) : undefined;
    if (!request) return login();
    try {
      const next = await call("refresh", request.url, {
        method: "POST",
        headers: request.headers,
        ...(request.json ? { json: request.json } : {}),
      });
      // A refresh that does not rotate the refresh token keeps the one it used.
      return next.refresh_token === undefined && held.refresh_token !== undefined
        ? { ...next, refresh_token: held.refresh_token }
        : next;
    } catch (err) {
      if (err instanceof SessionRefused && err.error !== undefined && s.relogin_errors.includes(err.error)) {
        ctx.logger.debug?.(
          `${service}: the refresh token is no longer accepted (${err.error}); logging in again`,
        );
        return login();
      }
      throw err;
    }
  };

  const readValues = async (): Promise<boolean> => {
    const r = await ctx.readValues();
    if (r.missing.length > 0) {
      if (!ctx.interactive) throw needsLogin(recipe, service, instance, r.missing);
      await promptAndStoreValues(ctx, "session", "login");
      return readValues();
    }
    const next = checkValues(recipe, service, instance, r.values);
    if (JSON.stringify(next) !== JSON.stringify(values)) current = undefined;
    values = next;
    const first = recipe.required_secrets[0]?.key;
    source = (first !== undefined ? r.sources[first] : undefined) ?? "store";
    return true;
  };

  /**
   * The stored record of these values, whose session this process and others share: read from the store, or
   * given as the `secret` option (a login's test) when they are the stored values exactly.
   */
  const storedRecord = async (): Promise<SessionCredential | undefined> => {
    if (source !== "store" && source !== "option") return undefined;
    const rec = await ctx.store.get(service, instance).catch(() => undefined);
    return rec?.type === "session" && JSON.stringify(rec.values) === JSON.stringify(values) ? rec : undefined;
  };

  const obtain = async (force: boolean, stale: string | undefined): Promise<Tokens> => {
    await readValues();
    const key = `${ctx.home}\0session:${service}/${instance}`;
    return flights.run(key, () =>
      withFileLock(credentialLockPath(ctx.home, service, instance), async () => {
        const rec = await storedRecord();
        // Another process may have renewed the session while this one waited for the lock.
        const held: Tokens | undefined =
          rec?.access_token !== undefined
            ? {
                access_token: rec.access_token,
                issued_at: rec.issued_at ?? 0,
                ...(rec.refresh_token !== undefined ? { refresh_token: rec.refresh_token } : {}),
                ...(rec.expires_at !== undefined ? { expires_at: rec.expires_at } : {}),
              }
            : current;
        if (held && held.access_token !== stale && !refreshDue(held, ctx.now())) return held;
        const next = held && (force || refreshDue(held, ctx.now())) ? await renew(held) : await login();
        if (rec) {
          await ctx.store
            .set(service, instance, {
              ...rec,
              access_token: next.access_token,
              issued_at: next.issued_at,
              ...(next.refresh_token !== undefined ? { refresh_token: next.refresh_token } : {}),
              ...(next.expires_at !== undefined ? { expires_at: next.expires_at } : {}),
              updated_at: new Date(ctx.now()).toISOString(),
            })
            .catch((err: unknown) => {
              ctx.logger.debug?.(`${service}: session kept in memory only (${(err as Error).message})`);
            });
        }
        return next;
      }),
    );
  };

  const get = async (force: boolean): Promise<Tokens> => {
    const c = current;
    if (c && !force && !refreshDue(c, ctx.now())) return c;
    pending ??= obtain(force, force ? c?.access_token : undefined).finally(() => {
      pending = undefined;
    });
    current = await pending;
    return current;
  };

  return {
    primitive: "session",
    applier: injectApplier(ctx.inject, service, instance),
    async resolve(options = {}): Promise<ResolvedCredential> {
      const tokens = await get(options.force === true);
      return resolved(tokens, source, values);
    },
    async onUnauthorized() {
      const before = current?.access_token;
      if (!before) return false;
      return (await get(true)).access_token !== before;
    },
    async login() {
      await promptAndStoreValues(ctx, "session", "login");
      current = undefined;
      await get(true);
    },
    ...(s.logout
      ? {
          /** Ends the stored session at the provider (AT Protocol deleteSession); logout deletes it locally anyway. */
          async revoke(credential) {
            const logout = s.logout;
            if (!logout || credential.type !== "session") return;
            let tokens: { access_token?: string | undefined; refresh_token?: string | undefined } =
              credential;
            // A logout with the access token (Supabase Auth) needs a live one: renew a due token first, as
            // OAuth logout does. A failed renewal leaves the stored one, whose refusal is then reported.
            if (logout.bearer === "access_token" && s.refresh && credential.access_token !== undefined) {
              const held: Tokens = {
                access_token: credential.access_token,
                issued_at: credential.issued_at ?? 0,
                ...(credential.refresh_token !== undefined
                  ? { refresh_token: credential.refresh_token }
                  : {}),
                ...(credential.expires_at !== undefined ? { expires_at: credential.expires_at } : {}),
              };
              const renewal = refreshDue(held, ctx.now())
                ? tokenRequest(s.refresh, held, credential.values)
                : undefined;
              if (renewal) {
                tokens = await call("refresh", renewal.url, {
                  method: "POST",
                  headers: renewal.headers,
                  ...(renewal.json ? { json: renewal.json } : {}),
                }).catch(() => credential);
              }
            }
            const request = tokenRequest(logout, tokens, credential.values);
            if (!request) return;
            let res: Response;
            try {
              res = await ctx.fetch(request.url, {
                method: "POST",
                headers: {
                  ...request.headers,
                  "user-agent": USER_AGENT,
                  accept: "application/json",
                  ...(request.json ? { "content-type": "application/json" } : {}),
                },
                ...(request.json ? { body: JSON.stringify(request.json) } : {}),
                redirect: "manual",
              });
            } catch (cause) {
              throw new ArcrunError(
                "ERR_NETWORK",
                `${service}: could not reach the logout endpoint (${new URL(request.url).host}); check the network`,
                { cause, service, instance },
              );
            }
            const text = await res.text();
            if (!res.ok) {
              let parsed: unknown;
              try {
                parsed = JSON.parse(text);
              } catch {
                parsed = undefined;
              }
              const { error } = errorOf(parsed, s.error_path);
              const help = recipe.required_secrets.find((r) => r.help_url)?.help_url;
              throw new ArcrunError(
                res.status >= 500 || res.status === 429 ? "ERR_NETWORK" : "ERR_INVALID_SECRET",
                `${service}: the logout endpoint answered ${res.status}${error ? ` (${error})` : ""}; end the session or revoke the password in the provider's settings${help ? ` (${help})` : ""}`,
                { service, instance },
              );
            }
            current = undefined;
          },
        }
      : {}),
  };
}

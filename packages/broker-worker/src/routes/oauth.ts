import { Hono } from "hono";
import type { AppEnv, Env } from "../env.js";
import { readParams } from "../internal/body.js";
import { type Config, getConfig, getService, type Limited, type Service } from "../internal/config.js";
import { importKey, open, randomToken, s256, seal, timingSafeEqual } from "../internal/crypto.js";
import { BrokerError, misconfigured, START_AGAIN } from "../internal/errors.js";
import { clean, revokeRequest, scrubSecret, tokenRequest } from "../internal/provider.js";
import { checkRateLimit, clientIp } from "../internal/rate-limit.js";
import { type Handoff, type Pending, put, take } from "../internal/store.js";
import {
  badRequest,
  clientState,
  codeChallenge,
  codeVerifier,
  loopbackRedirect,
  opaque,
  scope,
} from "../internal/validate.js";

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

function limit(config: Config, route: Limited, req: Request): void {
  checkRateLimit(route, clientIp(req.headers), config.limits[route]);
}

function callbackUrl(env: Env, requestUrl: string): string {
  const origin = env.PUBLIC_URL ? env.PUBLIC_URL.replace(/\/+$/, "") : new URL(requestUrl).origin;
  return `${origin}/oauth/callback`;
}

function encryptionKey(env: Env): Promise<CryptoKey> {
  const key = env.TOKEN_ENCRYPTION_KEY ? importKey(env.TOKEN_ENCRYPTION_KEY) : undefined;
  if (!key) throw misconfigured("the secret TOKEN_ENCRYPTION_KEY is not set to base64 of 32 bytes");
  return key;
}

/** The loopback URL with the given parameters set (RFC 6749 section 4.1.2 and 4.1.2.1). */
function toLoopback(redirectUri: string, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.href;
}

/**
 * The query parameters the recipe captures from the authorization redirect (`oauth2.capture` with
 * `from: redirect`, QuickBooks' realmId beside code and state): the provider sent them to the broker's
 * callback, so the broker passes them on to the loopback, where the library reads them as from a direct
 * redirect. Only declared names, and only values matching their pattern, are passed on (the library
 * checks again and names a missing one).
 */
function redirectCaptures(oauth2: Service["oauth2"], q: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of Object.values(oauth2.capture)) {
    if (c.from !== "redirect") continue;
    const v = q[c.path];
    if (v !== undefined && new RegExp(`^(?:${c.pattern})$`).test(v)) out[c.path] = v;
  }
  return out;
}

const aadOf = (h: Pick<Handoff, "service" | "code_challenge" | "redirect_uri">) =>
  `arcrun-broker handoff\n${h.service}\n${h.code_challenge}\n${h.redirect_uri}`;

export const oauth = new Hono<AppEnv>();

/**
 * Step 1: the library opens this in the browser. The broker remembers the library's loopback, state and
 * code_challenge, and sends the browser to the provider with its own client_id, state and PKCE.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.3
 */
oauth.get("/oauth/:service/start", async (c) => {
  const config = await getConfig(c.env);
  limit(config, "start", c.req.raw);
  const service = getService(config, c.env, c.req.param("service"));
  const q = c.req.query();
  const redirectUri = loopbackRedirect(q.redirect_uri);
  const state = clientState(q.state);
  const challenge = codeChallenge(q.code_challenge, q.code_challenge_method);
  const scopes = scope(q.scope) ?? service.oauth2.scopes;
  // Fail before the user consents, not after, when the broker could not park the tokens.
  await encryptionKey(c.env);

  const brokerState = randomToken();
  const verifier = service.oauth2.pkce === "S256" ? randomToken() : undefined;
  const scopeText = scopes.join(service.oauth2.scope_separator);
  const pending: Pending = {
    service: service.id,
    redirect_uri: redirectUri,
    state,
    code_challenge: challenge,
    ...(verifier ? { verifier } : {}),
    ...(scopeText ? { scope: scopeText } : {}),
    expires_at: Date.now() + config.pendingTtlS * 1000,
  };
  await put(c.env.BROKER_KV, "pending", brokerState, pending);

  const authorize = new URL(service.oauth2.authorize_url ?? "");
  for (const [k, v] of Object.entries(service.oauth2.authorization_params)) authorize.searchParams.set(k, v);
  authorize.searchParams.set("response_type", "code");
  authorize.searchParams.set("client_id", service.clientId);
  authorize.searchParams.set("redirect_uri", callbackUrl(c.env, c.req.url));
  authorize.searchParams.set("state", brokerState);
  if (scopeText) authorize.searchParams.set("scope", scopeText);
  if (verifier) {
    authorize.searchParams.set("code_challenge", await s256(verifier));
    authorize.searchParams.set("code_challenge_method", "S256");
  }
  return c.redirect(authorize.href, 302);
});

/**
 * Step 2: the provider sends the browser back here. The broker exchanges the code with the shared app's
 * secret, parks the token response encrypted under a one-time handoff code, and sends the browser to the
 * library's loopback with that code and the library's own state.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4 (iss checked where configured)
 */
oauth.get("/oauth/callback", async (c) => {
  const config = await getConfig(c.env);
  const q = c.req.query();
  if (!q.state || !/^[A-Za-z0-9_-]{43}$/.test(q.state)) {
    throw new BrokerError(
      400,
      "invalid_request",
      "This page was opened without a sign-in in progress: the link has no valid state.",
      START_AGAIN,
    );
  }
  const pending = await take<Pending>(c.env.BROKER_KV, "pending", q.state);
  if (!pending) {
    throw new BrokerError(
      400,
      "invalid_request",
      "This sign-in is unknown, was already completed, or took longer than allowed.",
      START_AGAIN,
    );
  }
  const back = (params: Record<string, string | undefined>) =>
    c.redirect(toLoopback(pending.redirect_uri, { ...params, state: pending.state }), 302);
  const service = getService(config, c.env, pending.service);

  if (q.error !== undefined) {
    return back({
      error: clean(scrubSecret(q.error, service), 64)?.replace(/[^A-Za-z0-9_.-]/g, "_") ?? "server_error",
      error_description: clean(scrubSecret(q.error_description, service), 200),
    });
  }
  if (service.issuer && q.iss !== undefined && q.iss !== service.issuer) {
    return back({
      error: "invalid_request",
      error_description: "The issuer in the response is not the provider's.",
    });
  }
  if (!q.code || q.code.length > 4096) {
    return back({ error: "invalid_request", error_description: "The provider sent no authorization code." });
  }

  let tokens: Record<string, unknown>;
  try {
    tokens = await tokenRequest(service, {
      grant_type: "authorization_code",
      code: q.code,
      redirect_uri: callbackUrl(c.env, c.req.url),
      ...(pending.verifier ? { code_verifier: pending.verifier } : {}),
      ...service.oauth2.token_params,
    });
  } catch (err) {
    if (!(err instanceof BrokerError)) throw err;
    return back({ error: err.error, error_description: err.message });
  }

  const code = randomToken();
  const bound = {
    service: service.id,
    code_challenge: pending.code_challenge,
    redirect_uri: pending.redirect_uri,
  };
  const sealed = await seal(await encryptionKey(c.env), JSON.stringify(tokens), aadOf(bound));
  const handoff: Handoff = { ...bound, ...sealed, expires_at: Date.now() + config.handoffTtlS * 1000 };
  await put(c.env.BROKER_KV, "handoff", code, handoff);
  return back({ ...redirectCaptures(service.oauth2, q), code });
});

/**
 * Step 3: the library redeems the handoff code with its PKCE verifier and gets the provider's token
 * response, once; the encrypted copy is deleted before anything is checked.
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.6
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1 (Cache-Control: no-store)
 */
oauth.post("/oauth/token", async (c) => {
  const config = await getConfig(c.env);
  limit(config, "token", c.req.raw);
  const p = await readParams(c.req.raw, config.maxBodyBytes);
  if (p.grant_type !== undefined && p.grant_type !== "authorization_code") {
    throw new BrokerError(
      400,
      "unsupported_grant_type",
      "Only grant_type=authorization_code is redeemed here.",
      "Use POST /oauth/refresh to refresh a token.",
    );
  }
  const code = opaque("code", p.code, 256);
  const verifier = codeVerifier(p.code_verifier);
  const key = await encryptionKey(c.env);
  const handoff = await take<Handoff>(c.env.BROKER_KV, "handoff", code);
  if (!handoff) {
    throw new BrokerError(
      400,
      "invalid_grant",
      "The handoff code is unknown, already used, or expired (it works once, for 60 seconds).",
      START_AGAIN,
    );
  }
  if (p.redirect_uri !== undefined && p.redirect_uri !== handoff.redirect_uri) {
    throw new BrokerError(
      400,
      "invalid_grant",
      "The redirect_uri is not the one the sign-in started with.",
      START_AGAIN,
    );
  }
  if (!timingSafeEqual(await s256(verifier), handoff.code_challenge)) {
    throw new BrokerError(
      400,
      "invalid_grant",
      "The code_verifier does not match the code_challenge this sign-in started with; the handoff is now void.",
      START_AGAIN,
    );
  }
  let tokens: unknown;
  try {
    tokens = JSON.parse(await open(key, handoff, aadOf(handoff)));
  } catch {
    throw new BrokerError(
      500,
      "server_error",
      "The broker could not decrypt the handed-off token (its key changed).",
      START_AGAIN,
    );
  }
  return c.json(tokens as Record<string, unknown>, 200, NO_STORE);
});

/**
 * Step 4: refresh a broker-issued token with the shared app's secret. The broker keeps nothing.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 */
oauth.post("/oauth/refresh", async (c) => {
  const config = await getConfig(c.env);
  limit(config, "refresh", c.req.raw);
  const p = await readParams(c.req.raw, config.maxBodyBytes);
  if (!p.service) throw badRequest("The service field is missing.", "Send {service, refresh_token}.");
  const service = getService(config, c.env, p.service);
  const refreshToken = opaque("refresh_token", p.refresh_token);
  const scopes = scope(p.scope);
  const tokens = await tokenRequest(service, {
    grant_type: "refresh_token",
    refresh_token: refreshToken,
    ...(scopes ? { scope: scopes.join(service.oauth2.scope_separator) } : {}),
    ...service.oauth2.refresh_params,
  });
  return c.json(tokens, 200, NO_STORE);
});

/**
 * Revokes a broker-issued token at the provider (logout).
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 */
oauth.post("/oauth/revoke", async (c) => {
  const config = await getConfig(c.env);
  limit(config, "revoke", c.req.raw);
  const p = await readParams(c.req.raw, config.maxBodyBytes);
  if (!p.service) throw badRequest("The service field is missing.", "Send {service, token}.");
  const service = getService(config, c.env, p.service);
  const token = opaque("token", p.token);
  const hint = p.token_type_hint;
  if (hint !== undefined && hint !== "access_token" && hint !== "refresh_token") {
    throw badRequest("token_type_hint must be access_token or refresh_token.", "Fix the request.");
  }
  await revokeRequest(service, token, hint);
  return c.json({ revoked: true }, 200, NO_STORE);
});

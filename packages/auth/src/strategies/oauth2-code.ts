/**
 * The `oauth2` primitive for people: authorization code + PKCE through a loopback redirect (RFC 6749
 * section 4.1, RFC 7636, RFC 8252), paste-back when no browser can reach this machine, the device grant
 * (device-code.ts), and tokens kept fresh by internal/oauth/refresh.ts. Recipes with
 * `grant: client_credentials` use client-credentials.ts instead.
 */
import type { OAuth2Spec } from "@arcrun/recipes";
import { ArcrunError } from "../errors.js";
import { injectApplier } from "../internal/apply.js";
import { openBrowser, readPastedLines } from "../internal/oauth/browser.js";
import { checkCapturedTarget, lookupCaptures, readCaptures } from "../internal/oauth/capture.js";
import { setupHint, type TokenResponse, tokenRequest } from "../internal/oauth/endpoint.js";
import { heldResolved } from "../internal/oauth/held.js";
import { startLoopback } from "../internal/oauth/loopback.js";
import { createPkce, randomToken } from "../internal/oauth/pkce.js";
import { freshToken } from "../internal/oauth/refresh.js";
import { revokeBearer, revokeToken } from "../internal/oauth/revoke.js";
import {
  type ClientChoice,
  createSession,
  declaredValues,
  type OAuthSession,
  signInWay,
} from "../internal/oauth/session.js";
import { grantCovers, refreshDue, toCredential } from "../internal/oauth/tokens.js";
import { envNames } from "../stores/env.js";
import type {
  CredentialSource,
  LoginOptions,
  OAuth2Credential,
  ResolvedCredential,
  StoredCredential,
  Strategy,
  StrategyFactoryContext,
} from "../types.js";
import { deviceLogin } from "./device-code.js";

/** Five minutes for a person to finish consent, unless the caller says otherwise. */
export const DEFAULT_LOGIN_TIMEOUT_MS = 5 * 60 * 1000;

/** The template values and metadata of a token credential. */
export function oauthResolved(
  cred: OAuth2Credential,
  source: CredentialSource,
  secrets: Record<string, string>,
): ResolvedCredential {
  return {
    values: {
      secret: secrets,
      runtime: { access_token: cred.access_token, token_type: cred.token_type },
      ...(cred.captured !== undefined ? { captured: cred.captured } : {}),
      ...(cred.client_id !== undefined ? { client: { id: cred.client_id } } : {}),
    },
    source,
    ...(cred.expires_at !== undefined ? { expiresAt: cred.expires_at } : {}),
    ...(cred.scopes !== undefined ? { scopes: cred.scopes } : {}),
    ...(cred.base_url !== undefined ? { baseOrigin: cred.base_url } : {}),
  };
}

/**
 * The recipe's `oauth2.capture` values for a new login: those of the token response, then those of the
 * `oauth2.lookup` answer (a GET with the new token). A missing or malformed value fails the login.
 */
async function loginCaptures(
  session: OAuthSession,
  { token: resp, redirect }: LoginAnswer,
  ctx: StrategyFactoryContext,
): Promise<Record<string, string> | undefined> {
  const { capture, lookup } = session.spec;
  if (Object.keys(capture).length === 0) return undefined;
  const fromRedirect = readCaptures(capture, "redirect", redirect ?? {}, session.flow, true);
  const fromToken = readCaptures(capture, "token", resp.body ?? {}, session.flow, true);
  const { values } = await ctx.readValues();
  const fromLookup = lookup
    ? await lookupCaptures(
        session.flow,
        lookup.url,
        lookup.header,
        ctx.inject,
        { secret: values, runtime: { access_token: resp.access_token, token_type: resp.token_type } },
        capture,
        lookup.choose
          ? {
              key: lookup.choose.value,
              match: lookup.choose.match,
              wanted: values[lookup.choose.value],
              where: envNames(ctx.recipe, ctx.service, ctx.instance, lookup.choose.value)[0] ?? "",
            }
          : undefined,
      )
    : {};
  const captured = { ...fromRedirect, ...fromToken, ...fromLookup };
  checkCapturedTarget(session.flow, ctx.recipe, { secret: values, captured });
  return captured;
}

/**
 * What a sign-in brought back: the token response, and the query of the authorization redirect (a provider
 * may name the account there, as QuickBooks' realmId). The broker passes those parameters on to the loopback.
 */
export interface LoginAnswer {
  token: TokenResponse;
  /** The redirect's query parameters; undefined for the device flow, which has no redirect. */
  redirect?: Record<string, string> | undefined;
}

/**
 * Whether `iss` names the server the recipe sends people to (RFC 9207 section 2.4): same origin as the
 * authorize URL, whose path lies under the issuer's path (issuers may carry a path, as Keycloak realms do).
 */
export function issuerMatches(authorizeUrl: string, iss: string): boolean {
  try {
    const a = new URL(authorizeUrl);
    const i = new URL(iss);
    if (a.origin !== i.origin) return false;
    const base = i.pathname.replace(/\/$/, "");
    return a.pathname === base || a.pathname.startsWith(`${base}/`);
  } catch {
    return false;
  }
}

/**
 * One authorization code attempt: fresh PKCE verifier and state, the loopback listener, the browser (or the
 * printed URL and a pasted redirect), and the code exchange (RFC 6749 section 4.1.3 with RFC 7636 section 4.5).
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 */
export async function authorizationCodeLogin(
  session: OAuthSession,
  choice: ClientChoice,
  options: LoginOptions,
  env: Readonly<Record<string, string | undefined>>,
  display: string,
): Promise<LoginAnswer> {
  const { spec, flow } = session;
  if (!spec.authorize_url && choice.kind === "byo") {
    throw new ArcrunError(
      "ERR_RECIPE_INVALID",
      `${flow.service}: the recipe has no oauth2 > authorize_url, so a person cannot sign in in a browser; add it to the recipe`,
      { service: flow.service, instance: flow.instance },
    );
  }
  const pkce = await createPkce();
  const state = randomToken(32);
  const scopes = session.scopes(options.scopes);
  const authorizeUrl = spec.authorize_url ?? "";
  const loopback = await startLoopback({
    service: flow.service,
    instance: flow.instance,
    ...(spec.redirect?.host ? { host: spec.redirect.host } : {}),
    ...(spec.redirect?.port ? { port: spec.redirect.port } : {}),
    path: spec.redirect?.path ?? "/callback",
    state,
    ...(choice.kind === "byo" ? { issuerMatches: (iss: string) => issuerMatches(authorizeUrl, iss) } : {}),
    timeoutMs: options.timeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS,
    signal: options.signal,
  });
  let stopReading: (() => void) | undefined;
  /** Rejects when stdin ends before a redirected URL was pasted (`browser: false`). */
  let inputEnded: Promise<never> | undefined;
  try {
    let url: string;
    if (choice.kind === "broker") {
      url = await choice.broker.startUrl({
        service: flow.service,
        redirectUri: loopback.redirectUri,
        state,
        codeChallenge: pkce.challenge,
        scopes,
      });
    } else {
      const u = new URL(authorizeUrl);
      for (const [k, v] of Object.entries(spec.authorization_params)) u.searchParams.set(k, v);
      u.searchParams.set("response_type", "code");
      u.searchParams.set("client_id", choice.client.clientId);
      u.searchParams.set("redirect_uri", loopback.redirectUri);
      if (scopes.length > 0) u.searchParams.set(spec.scope_param, scopes.join(spec.scope_separator));
      u.searchParams.set("state", state);
      if (spec.pkce === "S256") {
        // RFC 7636 section 4.3 and RFC 8252 section 8.1: S256 always; never `plain`.
        u.searchParams.set("code_challenge", pkce.challenge);
        u.searchParams.set("code_challenge_method", "S256");
      }
      url = u.toString();
    }

    const out = session.out(options);
    if (options.browser === false) {
      out.write(
        `\nTo connect ${display}, open this URL in a browser on any machine:\n\n  ${url}\n\n` +
          "After you approve, the browser goes to an address starting with " +
          `${loopback.redirectUri} (it may show an error page if that is another machine).\n` +
          "Copy that whole address from the address bar and paste it here.\nPaste the redirected URL: ",
      );
      inputEnded = new Promise<never>((_, reject) => {
        stopReading = readPastedLines(
          options.input ?? process.stdin,
          out,
          (line) => loopback.submit(line)?.message ?? true,
          loopback.result,
          () => {
            out.write("\n");
            reject(
              new ArcrunError(
                "ERR_NOT_INTERACTIVE",
                `${flow.service}: no input: paste the redirected URL, or run at a terminal (stdin ended before a URL was pasted)`,
                { service: flow.service, instance: flow.instance },
              ),
            );
          },
        );
      });
    } else {
      let opened = false;
      if (options.openUrl) {
        await options.openUrl(url);
        opened = true;
      } else {
        opened = await openBrowser(url, env);
      }
      out.write(
        opened
          ? `\nOpened your browser to connect ${display}. If it did not open, visit:\n  ${url}\n`
          : `\nCould not open a browser. To connect ${display}, visit:\n  ${url}\n`,
      );
    }

    const response = await (inputEnded ? Promise.race([loopback.result, inputEnded]) : loopback.result);
    // The same whether the browser came back to the listener or the URL was pasted: both are response.url.
    const redirect = Object.fromEntries(response.url.searchParams);
    if (choice.kind === "broker") {
      const token = await choice.broker.redeem({
        service: flow.service,
        code: response.code,
        codeVerifier: pkce.verifier,
        redirectUri: loopback.redirectUri,
      });
      return { token, redirect };
    }
    const params: Record<string, string> = {
      ...spec.token_params,
      grant_type: "authorization_code",
      code: response.code,
      redirect_uri: loopback.redirectUri,
    };
    if (spec.pkce === "S256") params.code_verifier = pkce.verifier;
    const token = await tokenRequest(
      { ...flow, ...(options.signal ? { signal: options.signal } : {}) },
      { url: spec.token_url, client: choice.client, bodyFormat: spec.body_format, params },
      spec.access_token_path,
    );
    return { token, redirect };
  } finally {
    stopReading?.();
    await loopback.close();
  }
}

type RevokedToken = { value: string; hint: "refresh_token" | "access_token" };

/**
 * The tokens logout sends to an rfc7009 revoke_url, in order, as the recipe's `oauth2.revoke_token` says.
 * Absent or `refresh`: the refresh token where there is one (RFC 7009 section 2.1: the server then ends the
 * grant's access tokens too), else the access token. `access`: the live access token only (Twitch, Trakt take
 * nothing else). `both`: the live access token, then the refresh token (of the renewed credential, when the
 * access token had to be renewed and the provider rotated it).
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 */
async function revokedTokens(
  credential: OAuth2Credential,
  which: OAuth2Spec["revoke_token"],
  live: () => Promise<OAuth2Credential>,
): Promise<RevokedToken[]> {
  const access = (c: OAuth2Credential): RevokedToken => ({ value: c.access_token, hint: "access_token" });
  const refresh = (c: OAuth2Credential): RevokedToken[] =>
    c.refresh_token ? [{ value: c.refresh_token, hint: "refresh_token" }] : [];
  switch (which) {
    case undefined:
    case "refresh": {
      const [token] = refresh(credential);
      return [token ?? access(credential)];
    }
    case "access":
      return [access(await live())];
    case "both": {
      const c = await live();
      return [access(c), ...refresh(c)];
    }
    default: {
      const never: never = which;
      throw new TypeError(`unknown revoke_token ${String(never)}`);
    }
  }
}

/** @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1 */
export function createOAuth2CodeStrategy(ctx: StrategyFactoryContext): Strategy {
  const session = createSession(ctx);
  const { service, instance } = ctx;
  const display = ctx.recipe.display_name;
  let current: OAuth2Credential | undefined;
  let secrets: Record<string, string> = {};
  let source: CredentialSource = "store";
  const resolved = heldResolved(oauthResolved);

  /**
   * Scopes this bind asks for that the grant never covered: neither requested at login nor granted under the
   * recipe's scope_echo rules. A provider's differently written answer is not one of them (it is recorded in
   * `scopes_missing` instead); only a caller's new scope makes consent be asked again.
   */
  const newScopes = (cred: OAuth2Credential): string[] => {
    if (cred.scopes === undefined && cred.scopes_requested === undefined) return [];
    const asked = cred.scopes_requested ?? [];
    const granted = cred.scopes ?? [];
    return session
      .scopes()
      .filter((s) => !asked.includes(s) && !grantCovers(granted, s, session.spec.scope_echo));
  };
  const scopeWords = (scopes: readonly string[]) =>
    `the scope${scopes.length > 1 ? "s" : ""} ${scopes.join(", ")}`;
  /** Signs in the way a person at this terminal can (signInWay: browser, device code, or paste-back). */
  const signInHere = (scopes?: string[]) =>
    strategy.login?.({ ...signInWay(session.spec, ctx.env), ...(scopes ? { scopes } : {}) });

  const strategy: Strategy = {
    primitive: "oauth2",
    applier: injectApplier(ctx.inject, service, instance),

    async resolve(options = {}) {
      const c = current;
      const force = options.force === true;
      if (c && !force && !refreshDue(c, ctx.now())) return resolved(c, source, secrets);
      if (!c) {
        // Values of the recipe's required_secrets (a site name, ...) for its templates; the token is in the store.
        secrets = ctx.recipe.required_secrets.length > 0 ? (await ctx.readValues()).values : {};
        const stored = await ctx.store.get(service, instance);
        if (stored?.type !== "oauth2") {
          if (!ctx.interactive) {
            throw new ArcrunError(
              "ERR_NEEDS_LOGIN",
              `${display} (${service}) is not connected yet; ${setupHint(ctx)}`,
              {
                service,
                instance,
              },
            );
          }
          await signInHere();
          source = "interactive";
        }
      }
      const choice = await session.client();
      let cred = await freshToken(session.keeper(choice), {
        ...(force ? { force: true } : {}),
        ...(force && c ? { staleAccessToken: c.access_token } : {}),
      });
      let missing = newScopes(cred);
      if (missing.length > 0 && ctx.interactive && source !== "interactive") {
        // Incremental consent: ask once for what was granted plus what this bind needs, as at first login.
        session
          .out()
          .write(
            `${display} (${service}) was connected without ${scopeWords(missing)}; asking for it now.\n`,
          );
        await signInHere([...(cred.scopes_requested ?? cred.scopes ?? []), ...missing]);
        source = "interactive";
        cred = (current as OAuth2Credential | undefined) ?? cred;
        missing = [];
      }
      if (missing.length > 0) {
        throw new ArcrunError(
          "ERR_NEEDS_LOGIN",
          `${display} (${service}) was connected without ${scopeWords(missing)}; ${setupHint(ctx)} --scopes ${missing.join(",")}`,
          { service, instance },
        );
      }
      current = cred;
      return resolved(cred, source, secrets);
    },

    async onUnauthorized() {
      const c = current;
      if (!c) return false;
      const choice = await session.client();
      const next = await freshToken(session.keeper(choice), {
        force: true,
        staleAccessToken: c.access_token,
      });
      current = next;
      return next.access_token !== c.access_token;
    },

    /**
     * RFC 6750 section 3.1: the resource needs scopes the token lacks. At a terminal, consent is asked again
     * for the login's scopes plus the named ones (the client asks this once per request); unattended,
     * ERR_NEEDS_LOGIN says what to run.
     */
    async onInsufficientScope(needed: readonly string[]) {
      const c = current;
      const asked = [...new Set([...(c?.scopes_requested ?? c?.scopes ?? session.scopes()), ...needed])];
      const extra = needed.filter((s) => !grantCovers(c?.scopes ?? [], s, session.spec.scope_echo));
      const what = extra.length > 0 ? scopeWords(extra) : "a scope this request needs";
      if (!ctx.interactive) {
        throw new ArcrunError(
          "ERR_NEEDS_LOGIN",
          `${display} (${service}) refused the request for lack of ${what} (403 insufficient_scope); ${setupHint(ctx)}${extra.length > 0 ? ` --scopes ${extra.join(",")}` : ""}`,
          { service, instance },
        );
      }
      session
        .out()
        .write(`${display} (${service}) needs ${what} for this request; asking for consent again.\n`);
      await signInHere(asked);
      source = "interactive";
      return true;
    },

    async login(options: LoginOptions) {
      const httpsOnly = session.spec.https_redirect_only;
      // The redirect must reach this machine's loopback listener over http, which the provider refuses.
      const refuse = (): never => {
        // The next step the recipe actually offers: its default primitive, the device flow, or a token minted
        // where the app's https redirect is served (used as it is, never stored: docs/auth.md, the `secret` option).
        const instead =
          ctx.recipe.primitive !== "oauth2"
            ? `set it up with its default (${ctx.recipe.primitive.replace("_", " ")}): arcrun setup ${service}`
            : session.spec.device_url
              ? `use the device flow: arcrun setup ${service} --device`
              : `sign in where your app's https redirect is served, and give the access token to the library: bind("${service}", { secret: { access_token } })`;
        throw new ArcrunError(
          "ERR_PRIMITIVE_UNSUPPORTED",
          `${display} (${service}) accepts only https redirect URLs (${httpsOnly}), so a sign-in with your own app cannot come back to this machine; ${instead}`,
          { service, instance },
        );
      };
      const loopbackRefused = httpsOnly !== undefined && !options.device;
      // Without the broker the app can only be the user's own: refuse before a client is looked up or asked for.
      if (loopbackRefused && session.spec.client !== "broker") refuse();
      const choice = await session.client();
      if (loopbackRefused && choice.kind === "byo") refuse();
      const answer: LoginAnswer = options.device
        ? { token: await deviceLogin(session, choice, options, display) }
        : await authorizationCodeLogin(session, choice, options, ctx.env, display);
      const resp = answer.token;
      const keeper = session.keeper(choice);
      const captured = await loginCaptures(session, answer, ctx);
      await keeper.withLock(async () => {
        const previous = await ctx.store.get(service, instance);
        const cred = toCredential(resp, {
          now: ctx.now(),
          client: choice.kind,
          requestedScopes: session.scopes(options.scopes),
          scopeRules: session.scopeRules,
          baseUrlFrom: session.spec.base_url_from,
          // A new grant replaces the old one entirely: never carry an old refresh token over. Values given
          // with this sign-in (a tenant) are kept with it.
          values: { ...previous?.values, ...declaredValues(ctx) },
          captured,
          ...(choice.kind === "byo" ? { clientId: choice.client.clientId } : {}),
        });
        await ctx.store.set(service, instance, cred);
        current = cred;
      });
      session
        .out(options)
        .write(
          `Connected ${display} (${service}${instance === "default" ? "" : `, instance ${instance}`}).\n`,
        );
    },

    async revoke(credential: StoredCredential) {
      if (credential.type !== "oauth2") return;
      await session.ready();
      const { revoke_url: revokeUrl, revoke_style: revokeStyle } = session.spec;
      /**
       * The credential whose access token is live: renewed first when it is due, since an endpoint that takes
       * the access token (Bearer, or `revoke_token: access`) refuses an expired one.
       */
      const live = async (): Promise<OAuth2Credential> => {
        if (
          !credential.refresh_token ||
          credential.expires_at === undefined ||
          credential.expires_at > ctx.now()
        ) {
          return credential;
        }
        const renewed = await strategy.resolve({ force: true }).catch(() => undefined);
        return renewed && current ? current : credential;
      };
      if (revokeStyle === "bearer" && revokeUrl) {
        await revokeBearer(session.flow, revokeUrl, (await live()).access_token);
        return;
      }
      const tokens = await revokedTokens(credential, session.spec.revoke_token, live);
      const choice = await session.client();
      if (choice.kind === "broker") {
        for (const token of tokens) {
          await choice.broker.revoke?.({ service, token: token.value, tokenTypeHint: token.hint });
        }
        return;
      }
      if (!revokeUrl) return;
      // A provider may want the client authenticated otherwise at revocation than at the token endpoint
      // (the recipe's revoke_auth_method); a public client has no secret to send either way.
      const revokeAuth = session.spec.revoke_auth_method;
      const client =
        revokeAuth && choice.client.authMethod !== "none"
          ? { ...choice.client, authMethod: revokeAuth }
          : choice.client;
      for (const token of tokens) {
        await revokeToken(
          session.flow,
          { url: revokeUrl, client, bodyFormat: session.spec.body_format },
          token,
        );
      }
    },
  };
  return strategy;
}

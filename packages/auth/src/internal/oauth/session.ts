/**
 * What every oauth2 flow of one bound service shares: the recipe's oauth2 block, the OAuth client (the
 * user's own or the broker), the token keeper (refresh, locks) and the login output.
 */
import { MissingTemplateValue, OAUTH_URL_KEYS, type OAuth2Spec, renderTemplate } from "@arcrun/recipes";
import { ArcrunError } from "../../errors.js";
import type { LoginOptions, OAuth2Credential, StrategyFactoryContext } from "../../types.js";
import type { BrokerClient, BrokerContext } from "../broker/seam.js";
import { credentialLockPath, SingleFlight, withFileLock } from "../lock.js";
import { needsLogin } from "../secrets.js";
import { findByoClient, noClientError, publicOrConfidential, storedClient } from "./client-config.js";
import {
  type FlowContext,
  type OAuthClient,
  setupHint,
  type TokenResponse,
  tokenRequest,
} from "./endpoint.js";
import type { TokenKeeper } from "./refresh.js";
import type { ScopeRules } from "./tokens.js";

/** One flight per credential per process, shared by every bound client of it. */
const flights = new SingleFlight<OAuth2Credential>();

/** The user's own client, or the broker: how tokens are obtained and renewed. */
export type ClientChoice = { kind: "byo"; client: OAuthClient } | { kind: "broker"; broker: BrokerClient };

export interface OAuthSession {
  spec: OAuth2Spec;
  flow: FlowContext;
  /** Recipe scopes plus the ones asked for with `bind` / `login`, without duplicates. */
  scopes(extra?: readonly string[]): string[];
  /** How scopes are joined in requests and read back from token responses. */
  scopeRules: ScopeRules;
  /** Fills in the recipe's templated endpoints (`{{secret.tenant}}`); client() waits for it too. */
  ready(): Promise<void>;
  client(): Promise<ClientChoice>;
  keeper(choice: ClientChoice): TokenKeeper;
  /** Where login messages go. */
  out(options?: LoginOptions): NodeJS.WritableStream;
  hint: string;
}

export function oauthSpec(ctx: StrategyFactoryContext): OAuth2Spec {
  const spec = ctx.recipe.oauth2;
  if (!spec) {
    throw new ArcrunError(
      "ERR_RECIPE_INVALID",
      `${ctx.service}: the recipe has no oauth2 block, so it cannot use the oauth2 primitive; add oauth2 > token_url (and authorize_url) to the recipe`,
      { service: ctx.service, instance: ctx.instance },
    );
  }
  return spec;
}

/** The broker client the caller passed (`createAuth({ broker })`), else the HTTP one, loaded only here. */
async function brokerClient(ctx: StrategyFactoryContext, args: BrokerContext): Promise<BrokerClient> {
  if (ctx.broker) return ctx.broker(args);
  return (await import("../broker/client.js")).createBrokerClient(args);
}

export function createSession(ctx: StrategyFactoryContext): OAuthSession {
  const raw = oauthSpec(ctx);
  // A copy whose endpoints are filled in by ready(): the recipe's own object is shared and stays a template.
  const spec: OAuth2Spec = { ...raw };
  const templated =
    OAUTH_URL_KEYS.some((k) => raw[k]?.includes("{{")) ||
    Object.values(raw.token_params).some((v) => v.includes("{{"));
  let rendered: Promise<void> | undefined = templated ? undefined : Promise.resolve();
  const ready = (): Promise<void> => {
    rendered ??= (async () => {
      // readValues fills defaults and refuses a value that does not match the recipe's pattern.
      const { values, missing } = await ctx.readValues();
      try {
        for (const k of OAUTH_URL_KEYS) {
          const v = raw[k];
          if (v !== undefined) spec[k] = renderTemplate(v, { secret: values });
        }
        // Token parameters may name the same values (Auth0's audience https://{{secret.domain}}/api/v2/).
        spec.token_params = Object.fromEntries(
          Object.entries(raw.token_params).map(([k, v]) => [k, renderTemplate(v, { secret: values })]),
        );
      } catch (err) {
        // A value an endpoint needs (a tenant domain) is set nowhere: say which, and where to set it.
        if (err instanceof MissingTemplateValue)
          throw needsLogin(ctx.recipe, ctx.service, ctx.instance, missing);
        throw err;
      }
    })();
    rendered.catch(() => {
      rendered = undefined;
    });
    return rendered;
  };
  const flow: FlowContext = {
    service: ctx.service,
    instance: ctx.instance,
    fetch: ctx.fetch,
    ...(Object.keys(spec.token_headers).length > 0 ? { headers: spec.token_headers } : {}),
  };
  let chosen: Promise<ClientChoice> | undefined;

  const client = (): Promise<ClientChoice> => {
    chosen ??= (async (): Promise<ClientChoice> => {
      await ready();
      // Explicit or environment values named client_id / client_secret win (recipes that ask for them).
      const explicitId = ctx.secret?.client_id;
      const byo =
        explicitId !== undefined
          ? publicOrConfidential(explicitId, ctx.secret?.client_secret, spec.token_auth_method)
          : ((await findByoClient({
              service: ctx.service,
              instance: ctx.instance,
              home: ctx.home,
              env: ctx.env,
              authMethod: spec.token_auth_method,
              secret: spec.client_secret,
            })) ?? (await storedClient(ctx.store, ctx.service, spec.token_auth_method)));
      if (byo) return { kind: "byo", client: byo };
      if (spec.client === "broker") {
        return {
          kind: "broker",
          broker: await brokerClient(ctx, {
            service: ctx.service,
            instance: ctx.instance,
            env: ctx.env,
            fetch: ctx.fetch,
            home: ctx.home,
          }),
        };
      }
      const values = await ctx.readValues();
      const id = values.values.client_id;
      if (id) {
        return {
          kind: "byo",
          client: publicOrConfidential(id, values.values.client_secret, spec.token_auth_method),
        };
      }
      throw noClientError(ctx.service, ctx.instance, ctx.home);
    })();
    chosen.catch(() => {
      chosen = undefined;
    });
    return chosen;
  };

  const scopes = (extra: readonly string[] = []) => [
    ...new Set([...spec.scopes, ...(ctx.scopes ?? []), ...extra]),
  ];

  const scopeRules: ScopeRules = { separator: spec.scope_separator, echo: spec.scope_echo };

  const keeper = (choice: ClientChoice): TokenKeeper => ({
    service: ctx.service,
    instance: ctx.instance,
    store: ctx.store,
    now: ctx.now,
    logger: ctx.logger,
    client: choice.kind,
    requestedScopes: scopes(),
    scopeRules,
    withLock: (fn) => withFileLock(credentialLockPath(ctx.home, ctx.service, ctx.instance), fn),
    singleFlight: (key, fn) => flights.run(`${ctx.home}\0${key}`, fn),
    renew: (current) => renewToken(spec, flow, choice, current, scopes()),
    reauthErrors: spec.reauth_errors,
    baseUrlFrom: spec.base_url_from,
    captures: spec.capture,
  });

  return {
    spec,
    flow,
    scopes,
    scopeRules,
    ready,
    client,
    keeper,
    out: (options) => options?.output ?? process.stderr,
    hint: setupHint(ctx),
  };
}

/**
 * The recipe's values given with the call (`secret`: a tenant for the endpoints), to keep with the token so
 * later calls find them in the store; only keys the recipe declares, never a token or a client.
 */
export function declaredValues(ctx: StrategyFactoryContext): Record<string, string> {
  const keys = new Set(ctx.recipe.required_secrets.map((s) => s.key));
  return Object.fromEntries(Object.entries(ctx.secret ?? {}).filter(([k]) => keys.has(k)));
}

/**
 * A new token for a stored record: the refresh_token grant (RFC 6749 section 6) with the recipe's
 * `refresh_params`, or a new client_credentials grant (RFC 6749 section 4.4), which has no refresh token.
 */
export function renewToken(
  spec: OAuth2Spec,
  flow: FlowContext,
  choice: ClientChoice,
  current: OAuth2Credential,
  scopes: readonly string[],
): Promise<TokenResponse> | undefined {
  if (spec.grant === "client_credentials" && choice.kind === "byo") {
    return clientCredentialsToken(spec, flow, choice.client, scopes);
  }
  const refreshToken = current.refresh_token;
  if (!refreshToken) return undefined;
  if (choice.kind === "broker") return choice.broker.refresh({ service: flow.service, refreshToken, scopes });
  return tokenRequest(
    flow,
    {
      url: spec.refresh_url ?? spec.token_url,
      client: choice.client,
      bodyFormat: spec.body_format,
      params: { ...spec.refresh_params, grant_type: "refresh_token", refresh_token: refreshToken },
    },
    spec.access_token_path,
  );
}

/** RFC 6749 section 4.4.2. */
export function clientCredentialsToken(
  spec: OAuth2Spec,
  flow: FlowContext,
  client: OAuthClient,
  scopes: readonly string[],
): Promise<TokenResponse> {
  const params: Record<string, string> = { ...spec.token_params, grant_type: "client_credentials" };
  if (scopes.length > 0) params.scope = scopes.join(spec.scope_separator);
  return tokenRequest(
    flow,
    { url: spec.token_url, client, bodyFormat: spec.body_format, params },
    spec.access_token_path,
  );
}

/**
 * How a person at this terminal signs in: the browser where one opens; else the device flow where the
 * recipe lets a headless session pick it; else paste-back, which works with every client type.
 */
export function signInWay(
  spec: Pick<OAuth2Spec, "device_url" | "device_headless">,
  env: Readonly<Record<string, string | undefined>>,
): { browser: boolean; device: boolean } {
  const browser = canOpenBrowser(env);
  return { browser, device: !browser && spec.device_url !== undefined && spec.device_headless };
}

/** Whether this machine can show a browser: a desktop session, macOS, Windows, or an explicit $BROWSER. */
export function canOpenBrowser(env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.BROWSER) return true;
  if (process.platform === "darwin" || process.platform === "win32") return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

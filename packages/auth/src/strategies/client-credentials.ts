/**
 * The client credentials grant (RFC 6749 section 4.4) for `grant: client_credentials` recipes: no person,
 * no refresh token; a new token is requested when the current one is due, under the same single-flight
 * and lock as a refresh. Where no store answers (CI), the token lives in memory only.
 */
import { ArcrunError } from "../errors.js";
import { injectApplier } from "../internal/apply.js";
import { heldResolved } from "../internal/oauth/held.js";
import { freshToken } from "../internal/oauth/refresh.js";
import {
  type ClientChoice,
  clientCredentialsToken,
  createSession,
  declaredValues,
} from "../internal/oauth/session.js";
import { refreshDue, toCredential } from "../internal/oauth/tokens.js";
import type { OAuth2Credential, ResolvedCredential, Strategy, StrategyFactoryContext } from "../types.js";
import { oauthResolved } from "./oauth2-code.js";

/** @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4 */
export function createClientCredentialsStrategy(ctx: StrategyFactoryContext): Strategy {
  const session = createSession(ctx);
  let current: OAuth2Credential | undefined;
  let pending: Promise<OAuth2Credential> | undefined;
  const resolved = heldResolved(oauthResolved);
  // The recipe's values (a tenant domain) for its templates: base_url and hosts name them.
  let values: Promise<Record<string, string>> | undefined;
  const templateValues = (): Promise<Record<string, string>> => {
    if (!values) {
      const read = (async () =>
        ctx.recipe.required_secrets.length > 0 ? (await ctx.readValues()).values : {})();
      // A failed read is not kept: the next request reads again. Attached once, not per request.
      read.catch(() => {
        if (values === read) values = undefined;
      });
      values = read;
    }
    return values;
  };

  const ownClient = async (): Promise<Extract<ClientChoice, { kind: "byo" }>> => {
    const choice = await session.client();
    if (choice.kind !== "byo") {
      throw new ArcrunError(
        "ERR_NO_CLIENT",
        `${ctx.service}: the client credentials grant needs your own client; set ARCRUN_${ctx.service.toUpperCase()}_CLIENT_ID and ARCRUN_${ctx.service.toUpperCase()}_CLIENT_SECRET`,
        { service: ctx.service, instance: ctx.instance },
      );
    }
    return choice;
  };

  /** A token: the stored one while fresh, else a renewal; `replace` (a login) always asks for a new grant. */
  const obtain = async (
    force: boolean,
    stale: string | undefined,
    replace = false,
  ): Promise<OAuth2Credential> => {
    const choice = await ownClient();
    const keeper = session.keeper(choice);
    const stored = await ctx.store.get(ctx.service, ctx.instance).catch(() => undefined);
    if (stored?.type === "oauth2" && !replace) {
      return freshToken(keeper, force ? { force, ...(stale ? { staleAccessToken: stale } : {}) } : {});
    }
    return keeper.singleFlight(`oauth2:${ctx.service}/${ctx.instance}`, () =>
      keeper.withLock(async () => {
        const again = await ctx.store.get(ctx.service, ctx.instance).catch(() => undefined);
        if (
          !replace &&
          again?.type === "oauth2" &&
          !refreshDue(again, ctx.now()) &&
          again.access_token !== stale
        )
          return again;
        const resp = await clientCredentialsToken(
          session.spec,
          session.flow,
          choice.client,
          session.scopes(),
        );
        const cred = toCredential(resp, {
          now: ctx.now(),
          client: "byo",
          requestedScopes: session.scopes(),
          scopeRules: session.scopeRules,
          baseUrlFrom: session.spec.base_url_from,
          clientId: choice.client.clientId,
          // Values given with this call (a tenant) are kept with the token, as after a sign-in.
          values: { ...(again?.type === "oauth2" ? again.values : {}), ...declaredValues(ctx) },
        });
        await ctx.store.set(ctx.service, ctx.instance, cred).catch((err: unknown) => {
          ctx.logger.debug?.(`${ctx.service}: token kept in memory only (${(err as Error).message})`);
        });
        return cred;
      }),
    );
  };

  const get = async (force: boolean): Promise<OAuth2Credential> => {
    const c = current;
    if (c && !force && !refreshDue(c, ctx.now())) return c;
    pending ??= obtain(force, c?.access_token).finally(() => {
      pending = undefined;
    });
    current = await pending;
    return current;
  };

  return {
    primitive: "oauth2",
    applier: injectApplier(ctx.inject, ctx.service, ctx.instance),
    async resolve(options = {}): Promise<ResolvedCredential> {
      const cred = await get(options.force === true);
      return resolved(cred, "store", await templateValues());
    },
    async onUnauthorized() {
      const before = current?.access_token;
      if (!before) return false;
      return (await get(true)).access_token !== before;
    },
    async login() {
      // A login is a new grant, as a sign-in is: it replaces what is stored, with the values given to it.
      current = await obtain(true, current?.access_token, true);
    },
  };
}

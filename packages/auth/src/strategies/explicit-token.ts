import { injectApplier } from "../internal/apply.js";
import type { ResolvedCredential, Strategy, StrategyFactoryContext } from "../types.js";

/**
 * A token passed explicitly (`bind(service, { secret: { access_token } })`) for a token primitive
 * (oauth2, service_account): used as it is, never stored or refreshed. For tests, CI, and tokens minted
 * elsewhere.
 */
export function createExplicitTokenStrategy(ctx: StrategyFactoryContext, accessToken: string): Strategy {
  const { access_token: _t, token_type: tokenType, client_id: clientId, ...rest } = ctx.secret ?? {};
  const credential: ResolvedCredential = {
    values: {
      secret: rest,
      runtime: { access_token: accessToken, token_type: tokenType ?? "Bearer" },
      // The client the token was issued to, for `{{client.id}}` (Twitch's Client-Id).
      ...(clientId !== undefined ? { client: { id: clientId } } : {}),
    },
    source: "option",
  };
  return {
    primitive: ctx.primitive,
    applier: injectApplier(ctx.inject, ctx.service, ctx.instance),
    async resolve() {
      return credential;
    },
  };
}

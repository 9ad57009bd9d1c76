/**
 * The `aws_sigv4` primitive: every request signed with AWS Signature Version 4, region and service from the
 * recipe's `aws_sigv4` block, keys from `access_key_id`, `secret_access_key` and optional `session_token`.
 * The signing itself is `signSigV4` of @arcrun/recipes, which the executor's host shares.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html
 */
import { signSigV4, sigV4Keys } from "@arcrun/recipes";
import { ArcrunError } from "../errors.js";
import { injectApplier } from "../internal/apply.js";
import { needsLogin } from "../internal/secrets.js";
import { valuesResolver } from "../internal/values-strategy.js";
import type { OutgoingRequest, ResolvedCredential, Strategy, StrategyFactoryContext } from "../types.js";

export function createSigV4Strategy(ctx: StrategyFactoryContext): Strategy {
  const { recipe, service, instance } = ctx;
  const spec = recipe.aws_sigv4;
  if (!spec) {
    throw new ArcrunError(
      "ERR_RECIPE_INVALID",
      `${service}: the recipe has no aws_sigv4 block (service, region); add it to the recipe`,
      { service, instance },
    );
  }
  const inject = injectApplier(ctx.inject, service, instance);

  /** Signs method, path, query, host, x-amz-date, x-amz-content-sha256 and the body hash. */
  const sign = async (request: OutgoingRequest, credential: ResolvedCredential): Promise<OutgoingRequest> => {
    const keys = sigV4Keys(credential.values.secret);
    if (!keys) throw needsLogin(recipe, service, instance, ["access_key_id"]);
    const body = request.body;
    if (body !== null && typeof body !== "string" && !(body instanceof Uint8Array)) {
      throw new ArcrunError(
        "ERR_INVALID_OPTION",
        `${service} signs every request, which needs the whole body: pass a string or bytes, not a stream.`,
        { service, instance },
      );
    }
    const signed = await signSigV4(
      {
        method: request.method,
        url: `${request.origin}${request.path}`,
        headers: new Headers(request.headers),
        ...(body !== null ? { body: typeof body === "string" ? body : new Uint8Array(body) } : {}),
      },
      keys,
      spec,
      credential.values,
    );
    const url = new URL(signed.url);
    const headers: Record<string, string> = {};
    signed.headers.forEach((v, k) => {
      headers[k] = v;
    });
    return {
      ...request,
      method: signed.method,
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      headers,
    };
  };

  const strategy: Strategy = {
    primitive: "aws_sigv4",
    applier: {
      queryNames: inject.queryNames,
      async apply(request, credential) {
        return sign(await inject.apply(request, credential), credential);
      },
    },
    ...valuesResolver(ctx, "aws_sigv4", "keys", (values) => {
      if (!sigV4Keys(values)) {
        throw new ArcrunError(
          "ERR_RECIPE_INVALID",
          `${service}: an aws_sigv4 recipe needs required_secrets access_key_id and secret_access_key; fix the recipe`,
          { service, instance },
        );
      }
    }),
  };
  return strategy;
}

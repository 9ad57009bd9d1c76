/**
 * The `aws_sigv4` primitive: every request signed with AWS Signature Version 4, region and service from the
 * recipe's `aws_sigv4` block, keys from `access_key_id`, `secret_access_key` and optional `session_token`.
 * The signer is aws4fetch (small, dependency-free, WebCrypto), loaded on the first signed request.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html
 */
import { renderTemplate } from "@arcrun/recipes";
import { ArcrunError } from "../errors.js";
import { checkValues, needsLogin, promptAndStoreValues } from "../internal/secrets.js";
import type {
  LoginOptions,
  RequestParts,
  ResolvedCredential,
  Strategy,
  StrategyFactoryContext,
} from "../types.js";

const KEY_ID = ["access_key_id", "aws_access_key_id"];
const SECRET = ["secret_access_key", "aws_secret_access_key"];
const SESSION = ["session_token", "aws_session_token"];

function pick(
  values: Readonly<Record<string, string | undefined>>,
  names: readonly string[],
): string | undefined {
  for (const n of names) {
    const v = values[n];
    if (v) return v;
  }
  return undefined;
}

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
  let current: ResolvedCredential | undefined;

  const read = async (): Promise<ResolvedCredential | undefined> => {
    const r = await ctx.readValues();
    if (r.missing.length > 0) return undefined;
    const values = checkValues(recipe, service, instance, r.values);
    if (!pick(values, KEY_ID) || !pick(values, SECRET)) {
      throw new ArcrunError(
        "ERR_RECIPE_INVALID",
        `${service}: an aws_sigv4 recipe needs required_secrets access_key_id and secret_access_key; fix the recipe`,
        { service, instance },
      );
    }
    const first = recipe.required_secrets[0]?.key;
    return { values: { secret: values }, source: (first ? r.sources[first] : undefined) ?? "store" };
  };

  const strategy: Strategy = {
    primitive: "aws_sigv4",
    async resolve(options = {}) {
      if (current && !options.force) return current;
      let resolved = await read();
      if (!resolved) {
        const r = await ctx.readValues();
        if (!ctx.interactive) throw needsLogin(recipe, service, instance, r.missing);
        await strategy.login?.({});
        resolved = await read();
        if (!resolved) throw needsLogin(recipe, service, instance, r.missing);
      }
      current = resolved;
      return current;
    },

    /** Signs method, path, query, host, x-amz-date, x-amz-content-sha256 and the body hash. */
    async sign(request: RequestParts, credential: ResolvedCredential): Promise<RequestParts> {
      const secrets = credential.values.secret;
      const accessKeyId = pick(secrets, KEY_ID);
      const secretAccessKey = pick(secrets, SECRET);
      if (!accessKeyId || !secretAccessKey) throw needsLogin(recipe, service, instance, ["access_key_id"]);
      const sessionToken = pick(secrets, SESSION);
      const region = renderTemplate(spec.region, credential.values);
      const awsService = renderTemplate(spec.service, credential.values);
      const { AwsV4Signer } = await import("aws4fetch");
      const body =
        request.body === undefined
          ? undefined
          : typeof request.body === "string"
            ? request.body
            : new Uint8Array(request.body);
      const signer = new AwsV4Signer({
        method: request.method,
        url: request.url.toString(),
        headers: request.headers,
        ...(body !== undefined ? { body } : {}),
        accessKeyId,
        secretAccessKey,
        ...(sessionToken ? { sessionToken } : {}),
        service: awsService,
        region,
      });
      const signed = await signer.sign();
      return {
        ...request,
        method: signed.method,
        url: new URL(signed.url.toString()),
        headers: new Headers(signed.headers),
      };
    },

    async onUnauthorized() {
      const before = JSON.stringify(current?.values.secret ?? {});
      current = undefined;
      const again = await read().catch(() => undefined);
      if (!again || JSON.stringify(again.values.secret) === before) return false;
      current = again;
      return true;
    },

    async login(_options: LoginOptions) {
      await promptAndStoreValues(ctx, "aws_sigv4", "keys");
      current = undefined;
    },
  };
  return strategy;
}

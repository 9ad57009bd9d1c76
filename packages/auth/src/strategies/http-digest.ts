/**
 * The `http_digest` primitive: HTTP Digest access authentication (RFC 7616). A request goes out without a
 * credential until the server challenges it (401 with `WWW-Authenticate: Digest ...`); the applier takes the
 * challenge and the send loop sends the request again with the answer: a hash of the user name, password,
 * nonce, nonce count and request, so the password itself never goes on the wire. Later requests answer the
 * same nonce at once with the next nonce count (section 3.4), until the server sends a new challenge (a
 * stale nonce, section 3.3). Every request path of a bound client (its methods, fetchFn, dispatcher) goes
 * through the same send loop, so each one answers the challenge.
 * @see https://www.rfc-editor.org/rfc/rfc7616
 */
import { createHash, randomBytes } from "node:crypto";
import {
  chooseDigestChallenge,
  type DigestAlgorithm,
  type DigestChallenge,
  type DigestHash,
  digestAuthorization,
  parseDigestChallenges,
} from "@arcrun/recipes";
import { ArcrunError } from "../errors.js";
import { injectApplier, renderOrFail } from "../internal/apply.js";
import { valuesResolver } from "../internal/values-strategy.js";
import type { OutgoingRequest, ResolvedCredential, Strategy, StrategyFactoryContext } from "../types.js";

const hash: DigestHash = (algorithm, text) =>
  createHash(algorithm === "MD5" ? "md5" : "sha256")
    .update(text, "utf8")
    .digest("hex");

interface Held {
  challenge: DigestChallenge;
  algorithm: DigestAlgorithm;
  /** The last nonce count sent with this nonce. */
  nc: number;
}

export function createHttpDigestStrategy(ctx: StrategyFactoryContext): Strategy {
  const { recipe, service, instance } = ctx;
  const spec = recipe.http_digest;
  if (!spec) {
    throw new ArcrunError(
      "ERR_RECIPE_INVALID",
      `${service}: the recipe has no http_digest block (username, password); add it to the recipe`,
      { service, instance },
    );
  }
  const inject = injectApplier(ctx.inject, service, instance);
  let held: Held | undefined;

  const answer = async (request: OutgoingRequest, credential: ResolvedCredential, h: Held) => {
    // The count goes up before anything is awaited: concurrent requests never share one (section 3.4.4).
    h.nc += 1;
    const authorization = await digestAuthorization(
      {
        challenge: h.challenge,
        algorithm: h.algorithm,
        username: renderOrFail(spec.username, credential, "http_digest > username", service, instance),
        password: renderOrFail(spec.password, credential, "http_digest > password", service, instance),
        method: request.method,
        uri: request.path,
        nc: h.nc,
        cnonce: randomBytes(16).toString("base64url"),
      },
      hash,
    );
    return { ...request, headers: { ...request.headers, authorization } };
  };

  return {
    primitive: "http_digest",
    applier: {
      queryNames: inject.queryNames,
      apply(request, credential) {
        const out = inject.apply(request, credential);
        const h = held;
        if (!h) return out;
        return out instanceof Promise
          ? out.then((o) => answer(o, credential, h))
          : answer(out, credential, h);
      },
      challenge(wwwAuthenticate, sent) {
        const chosen = chooseDigestChallenge(parseDigestChallenges(wwwAuthenticate), spec.algorithms);
        if (!chosen) return false;
        const sentAuth = sent.headers.authorization ?? "";
        const answered = /^Digest\s/i.test(sentAuth);
        // The first answer to a nonce (nc=1) refused without `stale=true` means the user name or password
        // is wrong (section 3.3): answering the new nonce would be refused the same way. A nonce held from
        // earlier requests may have been forgotten by the server (a restart, another node) without
        // `stale=true`: that one gets the new challenge.
        const firstAnswer = /[\s,]nc=0*1(?:[\s,]|$)/.test(sentAuth);
        if (answered && !chosen.challenge.stale && firstAnswer) {
          held = undefined;
          return false;
        }
        held = { ...chosen, nc: 0 };
        return true;
      },
    },
    ...valuesResolver(ctx, "http_digest", "credentials"),
  };
}

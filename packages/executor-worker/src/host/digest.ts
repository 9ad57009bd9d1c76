import {
  chooseDigestChallenge,
  type DigestAlgorithm,
  type DigestChallenge,
  type DigestHash,
  digestAuthorization,
  type HttpDigestSpec,
  parseDigestChallenges,
  renderTemplate,
} from "@arcrun/recipes";
import { base64UrlEncode } from "../internal/base64.js";
import { md5 } from "./md5.js";

/**
 * HTTP Digest in the host (docs/executor.md "HTTP Digest"): the answer to a server's challenge for a
 * credential of an `http_digest` recipe, computed with the `digestAuthorization` arcrun-auth uses, and the
 * server nonces a run keeps so that its later requests answer at once (RFC 7616 section 3.4: the client
 * reuses the nonce with the nonce count one higher each time) instead of being challenged again.
 * @see https://www.rfc-editor.org/rfc/rfc7616#section-3.4
 */

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/** MD5 or SHA-256 of UTF-8 text, lower-case hex, for Digest (Web Crypto has no MD5 in Node; md5.ts). */
const digestHash: DigestHash = async (algorithm, text) => {
  const data = new TextEncoder().encode(text);
  return algorithm === "MD5"
    ? hex(md5(data))
    : hex(new Uint8Array(await crypto.subtle.digest("SHA-256", data)));
};

/** A challenge the server issued and accepted an answer to, with the last nonce count used with it. */
export interface DigestNonce {
  challenge: DigestChallenge;
  algorithm: DigestAlgorithm;
  nc: number;
}

/**
 * The nonces of one run, by credential and origin: kept in the run's memory only (never stored, never shown
 * to a component), so a later run starts with a challenge again.
 */
export type DigestNonces = Map<string, DigestNonce>;

export function digestNonceKey(credential: string, url: string): string {
  return `${credential}\n${new URL(url).origin}`;
}

/** The challenge of a 401 the recipe accepts (its `http_digest.algorithms`, qop=auth), if any. */
export function chooseChallenge(
  res: Response,
  spec: HttpDigestSpec,
): { challenge: DigestChallenge; algorithm: DigestAlgorithm } | undefined {
  return chooseDigestChallenge(parseDigestChallenges(res.headers.get("www-authenticate")), spec.algorithms);
}

/**
 * The `Authorization` value answering `chosen` for `method` on `url` with nonce count `nc` and a fresh
 * client nonce. Throws MissingTemplateValue when the credential lacks a value the recipe's block names.
 */
export async function digestAnswerFor(
  spec: HttpDigestSpec,
  secrets: Record<string, string>,
  chosen: { challenge: DigestChallenge; algorithm: DigestAlgorithm },
  method: string,
  url: string,
  nc: number,
): Promise<string> {
  const u = new URL(url);
  return digestAuthorization(
    {
      ...chosen,
      username: renderTemplate(spec.username, { secret: secrets }),
      password: renderTemplate(spec.password, { secret: secrets }),
      method,
      uri: `${u.pathname}${u.search}`,
      nc,
      cnonce: base64UrlEncode(crypto.getRandomValues(new Uint8Array(16))),
    },
    digestHash,
  );
}

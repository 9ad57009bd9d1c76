/**
 * HTTP Digest access authentication (RFC 7616), shared by arcrun-auth's `http_digest` strategy and the
 * executor's host, which answers the challenge at egress: parsing a `WWW-Authenticate: Digest` challenge
 * and computing the `Authorization` answer. The hash is passed in, since Web Crypto has no MD5 in Node
 * (arcrun-auth uses node:crypto, the executor its own MD5).
 * @see https://www.rfc-editor.org/rfc/rfc7616
 */

export type DigestAlgorithm = "SHA-256" | "SHA-256-sess" | "MD5" | "MD5-sess";

/** The lower-case hex digest of the UTF-8 text with MD5 or SHA-256. */
export type DigestHash = (algorithm: "MD5" | "SHA-256", text: string) => string | Promise<string>;

/** One `Digest` challenge (RFC 7616 section 3.3). */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque?: string | undefined;
  /** Absent means MD5 (section 3.3). */
  algorithm: string;
  /** The qop values offered; empty for an RFC 2069 server. */
  qop: string[];
  /** `stale=true`: the nonce expired, the credentials were right (section 3.3). */
  stale: boolean;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;

/**
 * Every challenge of a `WWW-Authenticate` value (RFC 9110 section 11.6.1: several challenges may share one
 * header, comma-separated), as scheme and auth-params with quoted strings unescaped.
 */
function challenges(header: string): Array<{ scheme: string; params: Record<string, string> }> {
  const out: Array<{ scheme: string; params: Record<string, string> }> = [];
  let rest = header;
  let current: { scheme: string; params: Record<string, string> } | undefined;
  for (;;) {
    rest = rest.replace(/^[\s,]+/, "");
    if (rest === "") return out;
    const name = TOKEN.exec(rest)?.[0];
    if (name === undefined) return out;
    const after = rest.slice(name.length).replace(/^\s*/, "");
    if (after.startsWith("=") && current) {
      let value: string;
      let tail = after.slice(1).replace(/^\s*/, "");
      if (tail.startsWith('"')) {
        let i = 1;
        value = "";
        while (i < tail.length && tail[i] !== '"') {
          if (tail[i] === "\\" && i + 1 < tail.length) i++;
          value += tail[i];
          i++;
        }
        tail = tail.slice(i + 1);
      } else {
        value = TOKEN.exec(tail)?.[0] ?? "";
        tail = tail.slice(value.length);
      }
      current.params[name.toLowerCase()] = value;
      rest = tail;
    } else {
      current = { scheme: name.toLowerCase(), params: {} };
      out.push(current);
      rest = after;
    }
  }
}

/** The Digest challenges in a `WWW-Authenticate` value; ones without realm or nonce are left out. */
export function parseDigestChallenges(header: string | null | undefined): DigestChallenge[] {
  if (!header) return [];
  return challenges(header)
    .filter((c) => c.scheme === "digest" && c.params.realm !== undefined && c.params.nonce !== undefined)
    .map(({ params }) => ({
      realm: params.realm as string,
      nonce: params.nonce as string,
      opaque: params.opaque,
      algorithm: params.algorithm ?? "MD5",
      qop: (params.qop ?? "")
        .split(",")
        .map((q) => q.trim().toLowerCase())
        .filter((q) => q !== ""),
      stale: (params.stale ?? "").toLowerCase() === "true",
    }));
}

/**
 * The challenge to answer: the first of `preferred` (the recipe's order) that the server offers, with
 * qop=auth where it offers qop (section 3.7: a client answers the challenge of the algorithm it prefers).
 */
export function chooseDigestChallenge(
  offered: readonly DigestChallenge[],
  preferred: readonly DigestAlgorithm[],
): { challenge: DigestChallenge; algorithm: DigestAlgorithm } | undefined {
  for (const algorithm of preferred) {
    const challenge = offered.find(
      (c) =>
        c.algorithm.toUpperCase() === algorithm.toUpperCase() &&
        (c.qop.length === 0 || c.qop.includes("auth")),
    );
    if (challenge) return { challenge, algorithm };
  }
  return undefined;
}

export interface DigestAnswer {
  challenge: DigestChallenge;
  algorithm: DigestAlgorithm;
  username: string;
  password: string;
  method: string;
  /** The request-target as sent: path and query (section 3.4.6 `uri`). */
  uri: string;
  /** The nonce count: 1 for the first request with this nonce, then one more per request. */
  nc: number;
  /** The client nonce, fresh per request. */
  cnonce: string;
}

/** A quoted-string (RFC 9110 section 5.6.4): backslash before `"` and `\`. */
function quote(value: string): string {
  return `"${value.replace(/["\\]/g, "\\$&")}"`;
}

/**
 * The `Authorization` header value answering a challenge (section 3.4.1): `response` is
 * KD(H(A1), nonce:nc:cnonce:qop:H(A2)) with A1 = user:realm:password (for -sess, H(A1):nonce:cnonce) and
 * A2 = method:uri; a server without qop gets RFC 2069's H(H(A1):nonce:H(A2)).
 */
export async function digestAuthorization(a: DigestAnswer, hash: DigestHash): Promise<string> {
  const base = a.algorithm.startsWith("SHA-256") ? "SHA-256" : "MD5";
  const H = async (text: string) => hash(base, text);
  const { challenge: c } = a;
  const nc = a.nc.toString(16).padStart(8, "0");
  let ha1 = await H(`${a.username}:${c.realm}:${a.password}`);
  if (a.algorithm.endsWith("-sess")) ha1 = await H(`${ha1}:${c.nonce}:${a.cnonce}`);
  const ha2 = await H(`${a.method.toUpperCase()}:${a.uri}`);
  const qop = c.qop.length > 0;
  const response = qop
    ? await H(`${ha1}:${c.nonce}:${nc}:${a.cnonce}:auth:${ha2}`)
    : await H(`${ha1}:${c.nonce}:${ha2}`);
  const parts = [
    `username=${quote(a.username)}`,
    `realm=${quote(c.realm)}`,
    `uri=${quote(a.uri)}`,
    `algorithm=${a.algorithm}`,
    `nonce=${quote(c.nonce)}`,
    ...(qop ? [`nc=${nc}`, `cnonce=${quote(a.cnonce)}`, "qop=auth"] : []),
    `response=${quote(response)}`,
    ...(c.opaque !== undefined ? [`opaque=${quote(c.opaque)}`] : []),
  ];
  return `Digest ${parts.join(", ")}`;
}

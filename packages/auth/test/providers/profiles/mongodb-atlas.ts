/**
 * MongoDB Atlas Administration API v2 with a programmatic API key pair over HTTP Digest. The stand-in issues
 * its own nonces and checks each answer as RFC 7616 says a server does, computing the expected response
 * itself with node:crypto (not with the library's code).
 */
import { createHash, randomBytes } from "node:crypto";
import {
  type ExchangeProfile,
  json,
  type ProviderState,
  type SimReply,
  type SimRequest,
} from "../simulator.js";

const ATLAS_AUTH = "https://www.mongodb.com/docs/atlas/api/api-authentication/";
const ATLAS_VERSIONING = "https://www.mongodb.com/docs/atlas/api/versioned-api-overview/";
const ATLAS_STATUS =
  "https://www.mongodb.com/docs/api/doc/atlas-admin-api-v2/operation/operation-getsystemstatus";
const RFC7616 = "https://www.rfc-editor.org/rfc/rfc7616";

const PUBLIC_KEY = randomBytes(4).toString("hex");
const PRIVATE_KEY = `${randomBytes(4).toString("hex")}-${randomBytes(2).toString("hex")}-${randomBytes(6).toString("hex")}`;
/** The stand-in's own realm name: the pages do not give Atlas's. */
const REALM = "arcrun Atlas stand-in";

interface Nonce {
  /** Nonce counts already answered: a second use of one is a replay (RFC 7616 section 3.4.4). */
  used: Set<number>;
  expired: boolean;
}

const books = new WeakMap<ProviderState, Map<string, Nonce>>();
const book = (sim: ProviderState) => {
  let b = books.get(sim);
  if (!b) {
    b = new Map();
    books.set(sim, b);
  }
  return b;
};

/** Test control: every nonce issued so far expires (the next answer with one gets `stale=true`). */
export function expireAtlasNonces(sim: ProviderState): void {
  for (const n of book(sim).values()) n.expired = true;
}

/** Test control: the stand-in forgets every nonce (a restart): an answer with one is refused, not stale. */
export function forgetAtlasNonces(sim: ProviderState): void {
  book(sim).clear();
}

/** Test control: how many nonces the stand-in issued. */
export function atlasNonces(sim: ProviderState): number {
  return book(sim).size;
}

/** Atlas's error document (fields as in the 401 example of ATLAS_STATUS; the values are the stand-in's own). */
const atlasError = (
  status: number,
  errorCode: string,
  detail: string,
  headers: Record<string, string> = {},
) => json(status, { detail, error: status, errorCode, parameters: [], reason: errorCode }, headers);

/**
 * RFC 7616 section 3.3: a challenge per algorithm the server supports, SHA-256 first (section 3.7: the
 * client uses the first one it supports), qop=auth, a fresh nonce and an opaque value.
 */
function challenge(sim: ProviderState, stale: boolean): SimReply {
  const nonce = randomBytes(18).toString("base64");
  book(sim).set(nonce, { used: new Set(), expired: false });
  const opaque = sim.extra.get("opaque") ?? randomBytes(12).toString("hex");
  sim.extra.set("opaque", opaque);
  const one = (algorithm: string) =>
    `Digest realm="${REALM}", qop="auth", algorithm=${algorithm}, nonce="${nonce}", opaque="${opaque}"${stale ? ", stale=true" : ""}`;
  // ATLAS_AUTH: a request without a valid Digest answer is refused with 401.
  return atlasError(401, "UNAUTHORIZED", "You are not authorized for this resource.", {
    "www-authenticate": `${one("SHA-256")}, ${one("MD5")}`,
  });
}

/** The auth-params of an `Authorization: Digest` header. */
function digestParams(header: string | undefined): Record<string, string> | undefined {
  if (!header || !/^Digest\s/i.test(header)) return undefined;
  const out: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/([a-z0-9-]+)=(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/gi)) {
    out[(m[1] as string).toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : (m[3] ?? "");
  }
  return out;
}

/** Why an answer is refused, or undefined when it is right: RFC 7616 section 3.4.1's response recomputed. */
function check(req: SimRequest, sim: ProviderState): "missing" | "stale" | "refused" | undefined {
  const p = digestParams(req.headers.authorization);
  if (!p) return "missing";
  const nonce = p.nonce !== undefined ? book(sim).get(p.nonce) : undefined;
  if (!nonce || p.realm !== REALM || p.opaque !== sim.extra.get("opaque")) return "refused";
  if (p.username !== PUBLIC_KEY) return "refused";
  // Section 3.4.6: the uri is the request-target of this very request.
  if (p.uri !== `${req.url.pathname}${req.url.search}`) return "refused";
  const algorithm = (p.algorithm ?? "MD5").toUpperCase();
  if (algorithm !== "SHA-256" && algorithm !== "MD5") return "refused";
  if (p.qop !== "auth" || !/^[0-9a-f]{8}$/.test(p.nc ?? "") || !p.cnonce) return "refused";
  const H = (text: string) =>
    createHash(algorithm === "MD5" ? "md5" : "sha256")
      .update(text)
      .digest("hex");
  const ha1 = H(`${PUBLIC_KEY}:${REALM}:${PRIVATE_KEY}`);
  const ha2 = H(`${req.method}:${p.uri}`);
  const expected = H(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:auth:${ha2}`);
  if (p.response !== expected) return "refused";
  // ATLAS_AUTH: "The nonce is only valid for a short amount of time ... to prevent replay attacks"; RFC
  // 7616 section 3.3: a right answer with an expired nonce is told `stale=true`.
  if (nonce.expired) return "stale";
  // RFC 7616 section 3.4.4 (nc) and section 5.5: a nonce count seen before is a replay.
  const nc = Number.parseInt(p.nc as string, 16);
  if (nonce.used.has(nc)) return "refused";
  nonce.used.add(nc);
  return undefined;
}

/** An Atlas v2 resource: Digest first, then the versioned Accept header. */
function atlasRoute(answer: (req: SimRequest) => SimReply) {
  return (req: SimRequest, sim: ProviderState): SimReply => {
    const why = check(req, sim);
    if (why === "missing" || why === "refused") return challenge(sim, false);
    if (why === "stale") return challenge(sim, true);
    // ATLAS_VERSIONING: every v2 request names a resource version, application/vnd.atlas.YYYY-MM-DD+json
    // (a request without one is refused with 406: mongodb-atlas-api-client issue #58).
    if (!/^application\/vnd\.atlas\.\d{4}-\d{2}-\d{2}\+json/.test(req.headers.accept ?? "")) {
      return atlasError(406, "INVALID_VERSION_DATE", "Accept must name a resource version.");
    }
    return answer(req);
  };
}

export const mongodbAtlas: ExchangeProfile = {
  kind: "http_digest",
  recipe: "mongodb_atlas",
  docs: [ATLAS_AUTH, ATLAS_VERSIONING, ATLAS_STATUS, RFC7616],
  values: { public_key: PUBLIC_KEY, private_key: PRIVATE_KEY },
  wrongValues: {
    public_key: PUBLIC_KEY,
    private_key: `${PRIVATE_KEY.slice(0, -1)}${PRIVATE_KEY.endsWith("a") ? "b" : "a"}`,
  },
  routes: {
    // ATLAS_STATUS: getSystemStatus, the application's status with the API key's metadata.
    "GET https://cloud.mongodb.com/api/atlas/v2": atlasRoute(() =>
      json(200, {
        apiKey: { publicKey: PUBLIC_KEY, roles: [] },
        appName: "MongoDB Atlas",
        throttling: false,
      }),
    ),
    "GET https://cloud.mongodb.com/api/atlas/v2/orgs": atlasRoute(() =>
      json(200, { results: [], totalCount: 0 }),
    ),
    "POST https://cloud.mongodb.com/api/atlas/v2/groups": atlasRoute((req) =>
      json(201, { id: randomBytes(12).toString("hex"), ...(JSON.parse(req.body || "{}") as object) }),
    ),
  },
};

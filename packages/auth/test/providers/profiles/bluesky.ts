/**
 * Bluesky (AT Protocol XRPC on bsky.social) with an app password: the stand-in logs in with createSession,
 * issues its own HS256 JWTs (an access JWT of two hours, a refresh JWT that is rotated on each use), renews
 * with refreshSession and answers getSession, as the pages below say the PDS does.
 */
import { createHmac, randomBytes } from "node:crypto";
import {
  bearerOf,
  type ExchangeProfile,
  json,
  type ProviderState,
  type SimReply,
  type SimRequest,
} from "../simulator.js";

const CREATE_SESSION = "https://docs.bsky.app/docs/api/com-atproto-server-create-session";
const REFRESH_SESSION = "https://docs.bsky.app/docs/api/com-atproto-server-refresh-session";
const GET_SESSION = "https://docs.bsky.app/docs/api/com-atproto-server-get-session";
const DELETE_SESSION = "https://docs.bsky.app/docs/api/com-atproto-server-delete-session";
const RATE_LIMITS = "https://docs.bsky.app/docs/advanced-guides/rate-limits";
const GET_PROFILE = "https://docs.bsky.app/docs/api/app-bsky-actor-get-profile";
/** The PDS's token claims (scope, sub, exp; refresh tokens carry a jti and are deleted when used). */
const INDIGO_AUTH = "https://github.com/bluesky-social/indigo/blob/main/docs/auth.md";
/** An expired access token, and a used refresh token, are answered 400 ExpiredToken. */
const EXPIRED_400 = "https://github.com/Preloading/TwitterAPIBridge/issues/2";
const REVOKED_400 = "https://github.com/MarshalX/atproto/issues/158";

const HANDLE = `arcrun-${randomBytes(3).toString("hex")}.bsky.social`;
const DID = `did:plc:${randomBytes(12).toString("hex")}`;
/** App passwords look like xxxx-xxxx-xxxx-xxxx. */
const APP_PASSWORD = Array.from({ length: 4 }, () => randomBytes(2).toString("hex")).join("-");
const KEY = randomBytes(32);
/** INDIGO_AUTH: the access token lasts "usually around an hour"; bsky.social's last two hours. */
const ACCESS_SECONDS = 2 * 3600;
const REFRESH_SECONDS = 90 * 86_400;

interface Book {
  /** jti of refresh JWTs already used: each is deleted when redeemed (INDIGO_AUTH). */
  used: Set<string>;
  /** Tokens issued so far; each carries its number. */
  issued: number;
  /** Test control: tokens numbered up to this count as expired. */
  expiredUpTo: number;
  /** Test control: the expiry above ends access tokens only. */
  accessOnly: boolean;
  logins: number[];
}

const books = new WeakMap<ProviderState, Book>();
const book = (sim: ProviderState): Book => {
  let b = books.get(sim);
  if (!b) {
    b = { used: new Set(), issued: 0, expiredUpTo: 0, accessOnly: false, logins: [] };
    books.set(sim, b);
  }
  return b;
};

/** Test control: every token issued so far expires (access and refresh, or access only). */
export function expireBlueskyTokens(sim: ProviderState, which: "access" | "all"): void {
  const b = book(sim);
  b.expiredUpTo = b.issued;
  b.accessOnly = which === "access";
}

/** Test control: the createSession calls the stand-in answered (within its rate-limit window). */
export function blueskyLogins(sim: ProviderState): number {
  return book(sim).logins.length;
}

interface Claims {
  scope: string;
  sub: string;
  iat: number;
  exp: number;
  jti?: string;
  /** The stand-in's own serial number, for the test control (a private claim). */
  n: number;
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

function sign(claims: Claims): string {
  const head = `${b64({ alg: "HS256", typ: "JWT" })}.${b64(claims)}`;
  return `${head}.${createHmac("sha256", KEY).update(head).digest("base64url")}`;
}

function verify(token: string | undefined): Claims | undefined {
  const [h, p, s] = (token ?? "").split(".");
  if (!h || !p || !s) return undefined;
  if (createHmac("sha256", KEY).update(`${h}.${p}`).digest("base64url") !== s) return undefined;
  return JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as Claims;
}

/** XRPC errors are `{ error, message }` (CREATE_SESSION, REFRESH_SESSION response schemas). */
const xrpcError = (status: number, error: string, message: string) => json(status, { error, message });

function session(sim: ProviderState): SimReply {
  const b = book(sim);
  const iat = Math.floor(Date.now() / 1000);
  // INDIGO_AUTH: scope com.atproto.access / com.atproto.refresh, sub the DID, a jti on the refresh token.
  const accessJwt = sign({
    scope: "com.atproto.access",
    sub: DID,
    iat,
    exp: iat + ACCESS_SECONDS,
    n: ++b.issued,
  });
  const refreshJwt = sign({
    scope: "com.atproto.refresh",
    sub: DID,
    iat,
    exp: iat + REFRESH_SECONDS,
    jti: randomBytes(12).toString("hex"),
    n: ++b.issued,
  });
  // CREATE_SESSION and REFRESH_SESSION: accessJwt, refreshJwt, handle and did are required in the answer.
  return json(200, { accessJwt, refreshJwt, handle: HANDLE, did: DID, active: true });
}

/** Whether a token's own expiry, or the test control, has ended it. */
function expired(sim: ProviderState, c: Claims, kind: "access" | "refresh"): boolean {
  const b = book(sim);
  if (c.exp * 1000 <= Date.now()) return true;
  return c.n <= b.expiredUpTo && (kind === "access" || !b.accessOnly);
}

/** A resource: a live access JWT as Bearer, or 400 ExpiredToken / 401 (GET_SESSION, EXPIRED_400). */
function withAccess(answer: (req: SimRequest) => SimReply) {
  return (req: SimRequest, sim: ProviderState): SimReply => {
    const claims = verify(bearerOf(req));
    if (!claims) return xrpcError(401, "AuthenticationRequired", "Authentication Required");
    // REFRESH_SESSION: the refresh JWT is for refreshSession only; elsewhere it is the wrong token.
    if (claims.scope !== "com.atproto.access") return xrpcError(400, "InvalidToken", "Bad token scope");
    if (expired(sim, claims, "access")) return xrpcError(400, "ExpiredToken", "Token has expired");
    return answer(req);
  };
}

export const bluesky: ExchangeProfile = {
  kind: "session",
  recipe: "bluesky",
  docs: [
    CREATE_SESSION,
    REFRESH_SESSION,
    GET_SESSION,
    DELETE_SESSION,
    RATE_LIMITS,
    GET_PROFILE,
    INDIGO_AUTH,
    EXPIRED_400,
    REVOKED_400,
  ],
  values: { identifier: HANDLE, app_password: APP_PASSWORD },
  wrongValues: {
    identifier: HANDLE,
    app_password: APP_PASSWORD.replace(/^./, (c) => (c === "a" ? "b" : "a")),
  },
  routes: {
    "POST https://bsky.social/xrpc/com.atproto.server.createSession": (req, sim) => {
      // CREATE_SESSION: input encoding application/json with identifier and password, both required.
      if (!/^application\/json/.test(req.headers["content-type"] ?? "")) {
        return xrpcError(
          400,
          "InvalidRequest",
          "Wrong request encoding (Content-Type): expected application/json",
        );
      }
      let body: unknown;
      try {
        body = JSON.parse(req.body);
      } catch {
        return xrpcError(400, "InvalidRequest", "Request body is not JSON");
      }
      const { identifier, password } = (body ?? {}) as { identifier?: unknown; password?: unknown };
      if (typeof identifier !== "string" || typeof password !== "string") {
        return xrpcError(400, "InvalidRequest", 'Input must have the property "identifier" and "password"');
      }
      // RATE_LIMITS: createSession is limited per handle, 30 per 5 minutes (and 300 per day).
      const b = book(sim);
      const now = Date.now();
      b.logins = b.logins.filter((t) => t > now - 5 * 60_000);
      if (b.logins.length >= 30) return xrpcError(429, "RateLimitExceeded", "Rate Limit Exceeded");
      b.logins.push(now);
      // CREATE_SESSION: a wrong identifier or password is 401 (the stand-in's message).
      if ((identifier !== HANDLE && identifier !== DID) || password !== APP_PASSWORD) {
        return xrpcError(401, "AuthenticationRequired", "Invalid identifier or password");
      }
      return session(sim);
    },
    "POST https://bsky.social/xrpc/com.atproto.server.refreshSession": (req, sim) => {
      const claims = verify(bearerOf(req));
      if (!claims) return xrpcError(401, "AuthenticationRequired", "Authentication Required");
      // REFRESH_SESSION: "Requires auth using the 'refreshJwt' (not the 'accessJwt')".
      if (claims.scope !== "com.atproto.refresh" || claims.jti === undefined) {
        return xrpcError(400, "InvalidToken", "Invalid token type");
      }
      const b = book(sim);
      // INDIGO_AUTH: a used refresh token is deleted; REVOKED_400: using it again is 400 ExpiredToken.
      if (b.used.has(claims.jti)) return xrpcError(400, "ExpiredToken", "Token has been revoked");
      if (expired(sim, claims, "refresh")) return xrpcError(400, "ExpiredToken", "Token has expired");
      b.used.add(claims.jti);
      return session(sim);
    },
    "POST https://bsky.social/xrpc/com.atproto.server.deleteSession": (req, sim) => {
      // DELETE_SESSION: "Delete the current session. Requires auth" (200, 400, 401); clients send the
      // refresh JWT, as to refreshSession. The deleted session's refresh JWT is refused from then on.
      const claims = verify(bearerOf(req));
      if (!claims) return xrpcError(401, "AuthenticationRequired", "Authentication Required");
      if (claims.scope !== "com.atproto.refresh" || claims.jti === undefined) {
        return xrpcError(400, "InvalidToken", "Invalid token type");
      }
      book(sim).used.add(claims.jti);
      return { status: 200 };
    },
    // GET_SESSION: the session's handle and DID.
    "GET https://bsky.social/xrpc/com.atproto.server.getSession": withAccess(() =>
      json(200, { handle: HANDLE, did: DID, active: true }),
    ),
    // GET_PROFILE: actor (a handle or DID) is a required query parameter; a missing one is an XRPC
    // InvalidRequest (400), the error shape of every XRPC method.
    "GET https://bsky.social/xrpc/app.bsky.actor.getProfile": withAccess((req) => {
      const actor = req.url.searchParams.get("actor");
      if (!actor) return xrpcError(400, "InvalidRequest", 'Error: Params must have the property "actor"');
      return json(200, { did: DID, handle: actor });
    }),
  },
};

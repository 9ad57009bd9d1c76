/**
 * Supabase Auth (GoTrue) on a hosted project, for the supabase_user recipe: the password and refresh_token
 * grants of POST /token, GET /user and POST /logout, behind the project's API gateway, which wants the API
 * key on every request. Refresh tokens rotate and a used one is refused, as with rotation enabled.
 */
import { randomBytes } from "node:crypto";
import {
  bearerOf,
  type ExchangeProfile,
  json,
  type ProviderState,
  type SimReply,
  type SimRequest,
} from "../simulator.js";

const GOTRUE = "https://github.com/supabase/auth#post-token";
const GOTRUE_ROTATION = "https://github.com/supabase/auth#configuration";
const ERROR_CODES = "https://supabase.com/docs/guides/auth/debugging/error-codes";
const API_KEYS = "https://supabase.com/docs/guides/api/api-keys";
/** parseJWTClaims: an unverifiable or expired JWT is NewForbiddenError(ErrorCodeBadJWT, ...), HTTP 403. */
const GOTRUE_AUTH_GO = "https://github.com/supabase/auth/blob/master/internal/api/auth.go";

const REF = randomBytes(10).toString("hex");
const ORIGIN = `https://${REF}.supabase.co`;
const PUBLISHABLE = `sb_publishable_${randomBytes(12).toString("base64url")}`;
const EMAIL = `arcrun-${randomBytes(3).toString("hex")}@example.com`;
const PASSWORD = randomBytes(12).toString("base64url");
const USER_ID = crypto.randomUUID();

interface Book {
  access: Map<string, { expired: boolean }>;
  /** Refresh token to whether it was used (rotation: each is good once). */
  refresh: Map<string, { used: boolean }>;
}

const books = new WeakMap<ProviderState, Book>();
const book = (sim: ProviderState): Book => {
  let b = books.get(sim);
  if (!b) {
    b = { access: new Map(), refresh: new Map() };
    books.set(sim, b);
  }
  return b;
};

/** Test control: every access token issued so far stops working. */
export function expireSupabaseAccess(sim: ProviderState): void {
  for (const a of book(sim).access.values()) a.expired = true;
}

/** Test control: every refresh token is forgotten (as after POST /logout from elsewhere). */
export function forgetSupabaseRefresh(sim: ProviderState): void {
  book(sim).refresh.clear();
}

/** GoTrue's error document: { code, error_code, msg } (ERROR_CODES: the error_code values). */
const authError = (status: number, errorCode: string, msg: string) =>
  json(status, { code: status, error_code: errorCode, msg });

function session(sim: ProviderState): SimReply {
  const b = book(sim);
  const access = `at-${randomBytes(16).toString("base64url")}`;
  const refresh = randomBytes(9).toString("base64url");
  b.access.set(access, { expired: false });
  b.refresh.set(refresh, { used: false });
  // GOTRUE: the answer of both grants.
  return json(200, {
    access_token: access,
    token_type: "bearer",
    expires_in: 3600,
    refresh_token: refresh,
    user: { id: USER_ID, email: EMAIL },
  });
}

/** API_KEYS: "Every request to your Supabase project carries an API key" (the refusal is the stand-in's). */
function gateway(route: (req: SimRequest, sim: ProviderState) => SimReply) {
  return (req: SimRequest, sim: ProviderState): SimReply => {
    if (req.headers.apikey !== PUBLISHABLE) return json(401, { message: "Invalid API key" });
    return route(req, sim);
  };
}

function body(req: SimRequest): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(req.body);
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A live access token as Bearer (GOTRUE: GET /user "requires authentication"). */
function withUser(route: (req: SimRequest, sim: ProviderState) => SimReply) {
  return gateway((req, sim) => {
    const token = bearerOf(req);
    const a = token !== undefined ? book(sim).access.get(token) : undefined;
    // GOTRUE_AUTH_GO: 403 with error_code bad_jwt (ERROR_CODES: "JWT sent in the Authorization header is not valid").
    if (!a || a.expired) return authError(403, "bad_jwt", "invalid JWT: token is expired");
    return route(req, sim);
  });
}

export const supabaseUser: ExchangeProfile = {
  kind: "session",
  recipe: "supabase_user",
  docs: [GOTRUE, GOTRUE_ROTATION, ERROR_CODES, API_KEYS, GOTRUE_AUTH_GO],
  values: { project_ref: REF, publishable_key: PUBLISHABLE, email: EMAIL, password: PASSWORD },
  wrongValues: {
    project_ref: REF,
    publishable_key: PUBLISHABLE,
    email: EMAIL,
    password: `${PASSWORD.slice(0, -1)}${PASSWORD.endsWith("a") ? "b" : "a"}`,
  },
  routes: {
    [`POST ${ORIGIN}/auth/v1/token`]: gateway((req, sim) => {
      const grant = req.url.searchParams.get("grant_type");
      const b = body(req);
      if (grant === "password") {
        // GOTRUE: ?grant_type=password with { email, password }; ERROR_CODES: invalid_credentials.
        if (b?.email !== EMAIL || b.password !== PASSWORD) {
          return authError(400, "invalid_credentials", "Invalid login credentials");
        }
        return session(sim);
      }
      if (grant === "refresh_token") {
        // GOTRUE: ?grant_type=refresh_token with { refresh_token } in the body (never as Bearer).
        const token = typeof b?.refresh_token === "string" ? b.refresh_token : undefined;
        const r = token !== undefined ? book(sim).refresh.get(token) : undefined;
        // ERROR_CODES: refresh_token_not_found, refresh_token_already_used; GOTRUE_ROTATION: a revoked
        // (used) refresh token is refused.
        if (!r)
          return authError(400, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
        if (r.used)
          return authError(400, "refresh_token_already_used", "Invalid Refresh Token: Already Used");
        r.used = true;
        return session(sim);
      }
      return authError(400, "validation_failed", "Unsupported grant type");
    }),
    // GOTRUE: GET /user, the signed-in user.
    [`GET ${ORIGIN}/auth/v1/user`]: withUser(() =>
      json(200, { id: USER_ID, email: EMAIL, role: "authenticated" }),
    ),
    // GOTRUE: POST /logout "will revoke all refresh tokens for the user" (requires authentication).
    [`POST ${ORIGIN}/auth/v1/logout`]: withUser((_req, sim) => {
      book(sim).refresh.clear();
      return { status: 204 };
    }),
    [`GET ${ORIGIN}/rest/v1/todos`]: withUser(() => json(200, [])),
  },
};

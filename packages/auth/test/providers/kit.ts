/**
 * Building blocks the provider profiles are made of. Each option is a rule a profile states and cites; the
 * blocks only carry them out. Nothing here is lenient by default: a client that does not follow a rule the
 * profile states is refused the way that provider refuses it.
 */
import {
  bearerOf,
  formReply,
  json,
  type ProviderState,
  params,
  type Route,
  type SimReply,
  type SimRequest,
} from "./simulator.js";

export interface TokenRules {
  /** How the client must authenticate: Basic, body, either, or not at all (a public client sends no secret). */
  clientAuth: "basic" | "post" | "basic_or_post" | "public";
  /** The body encodings the endpoint takes. */
  body: "form" | "json" | "form_or_json";
  /** Headers every token request must carry, with the value pattern. */
  requiredHeaders?: Record<string, RegExp>;
  /** The `scope` of the answer for the granted scopes, exactly as the provider writes it; undefined: left out. */
  scopeEcho(granted: string[]): string | undefined;
  /** `expires_in` as the provider writes it (a number, a string, or left out). */
  expiresIn?: number | string;
  /**
   * Whether a refresh token is issued at the code exchange, and on use: kept (reusable), replaced with the
   * old one still valid (reissued), or replaced with the old one refused from then on (rotating).
   */
  refreshToken: "none" | "reusable" | "reissued" | "rotating";
  /** Extra fields of a successful answer. */
  extra?(sim: ProviderState): Record<string, unknown>;
  /** The error for a dead refresh token or code (RFC 6749 section 5.2 says invalid_grant). */
  deadGrantError?: string;
  /** The error for a dead code, where the provider names it apart from a dead refresh token. */
  deadCodeError?: string;
  /** How an error is answered: RFC 6749 section 5.2 (400 JSON) or the provider's own way. */
  errorReply?(req: SimRequest, error: string): SimReply;
  /** The provider's own shape of a successful answer, from the RFC 6749 one (Slack nests the user token). */
  shape?(body: Record<string, unknown>): Record<string, unknown>;
  /** How a success is answered, when not JSON (GitHub: form-encoded unless asked for JSON). */
  successReply?(req: SimRequest, body: Record<string, unknown>): SimReply;
  /** The grant types this endpoint takes (a separate refresh endpoint takes only refresh_token). */
  grantTypes?: Array<"authorization_code" | "refresh_token">;
  /** Where the redirect_uri of the authorization request must be repeated at the code exchange. */
  redirectUriRequired?: boolean;
}

const rfcError = (_req: SimRequest, error: string): SimReply => json(400, { error });

/** Whether a request's headers satisfy `required`; the name of the first that does not. */
export function missingHeader(req: SimRequest, required: Record<string, RegExp> = {}): string | undefined {
  for (const [name, pattern] of Object.entries(required)) {
    const v = req.headers[name.toLowerCase()];
    if (typeof v !== "string" || !pattern.test(v)) return name;
  }
  return undefined;
}

/** A token endpoint: authorization_code and refresh_token grants under the profile's rules. */
export function tokenRoute(rules: TokenRules): Route {
  const fail = rules.errorReply ?? rfcError;
  const dead = rules.deadGrantError ?? "invalid_grant";
  return (req, sim) => {
    const missing = missingHeader(req, rules.requiredHeaders);
    if (missing) return fail(req, "invalid_request");
    const type = req.headers["content-type"] ?? "";
    const isJson = type.includes("application/json");
    const isForm = type.includes("application/x-www-form-urlencoded");
    if ((rules.body === "form" && !isForm) || (rules.body === "json" && !isJson) || (!isJson && !isForm)) {
      return fail(req, "invalid_request");
    }
    const p = params(req);
    if (rules.clientAuth === "public") {
      // A public client proves nothing but its id; a secret sent anyway is refused (Entra AADSTS700025).
      if (p.client_id !== sim.clientId || p.client_secret !== undefined || req.headers.authorization) {
        return fail(req, "invalid_client");
      }
    } else if (!sim.clientAuthenticated(req, rules.clientAuth)) {
      return { ...fail(req, "invalid_client"), ...(rules.errorReply ? {} : { status: 401 }) };
    }
    const allowed = rules.grantTypes ?? ["authorization_code", "refresh_token"];
    let grant: ReturnType<ProviderState["redeem"]>;
    let refresh: string | undefined;
    if (p.grant_type === "authorization_code" && allowed.includes("authorization_code")) {
      if (rules.redirectUriRequired !== false && p.redirect_uri === undefined)
        return fail(req, "invalid_request");
      grant = sim.redeem(p.code ?? "", p.redirect_uri, p.code_verifier);
      if (!grant) return fail(req, rules.deadCodeError ?? dead);
      if (rules.refreshToken !== "none") refresh = sim.issueRefresh(grant);
    } else if (p.grant_type === "refresh_token" && allowed.includes("refresh_token")) {
      const r = sim.redeemRefresh(p.refresh_token ?? "", rules.refreshToken === "rotating");
      if (typeof r === "string") return fail(req, dead);
      grant = r;
      if (rules.refreshToken === "rotating" || rules.refreshToken === "reissued")
        refresh = sim.issueRefresh(grant);
    } else {
      return fail(req, "unsupported_grant_type");
    }
    const body: Record<string, unknown> = {
      access_token: sim.issueAccess(grant),
      token_type: "Bearer",
      ...(rules.expiresIn !== undefined ? { expires_in: rules.expiresIn } : {}),
      ...(refresh !== undefined ? { refresh_token: refresh } : {}),
      ...(rules.extra?.(sim) ?? {}),
    };
    const scope = rules.scopeEcho(grant.scopes);
    if (scope !== undefined) body.scope = scope;
    const shaped = rules.shape ? rules.shape(body) : body;
    return rules.successReply ? rules.successReply(req, shaped) : json(200, shaped);
  };
}

export interface ApiRules {
  requiredHeaders?: Record<string, RegExp>;
  /** The answer when a required header is missing. */
  missingHeaderReply?(name: string): SimReply;
  /** The answer to an unknown, expired or revoked token. */
  unauthorized?(): SimReply;
  /** The answer to a live token. */
  ok(sim: ProviderState, req: SimRequest): SimReply;
  /** The token, when it is not `Authorization: Bearer` (a static key in another header). */
  token?(req: SimRequest): string | undefined;
  /** For static keys: whether this is the right key. */
  accepts?(token: string | undefined, sim: ProviderState): boolean;
}

const bearer401 = (): SimReply =>
  json(401, { error: "invalid_token" }, { "www-authenticate": 'Bearer error="invalid_token"' });

/** A protected resource: required headers first, then the token. */
export function apiRoute(rules: ApiRules): Route {
  return (req, sim) => {
    const missing = missingHeader(req, rules.requiredHeaders);
    if (missing) return rules.missingHeaderReply?.(missing) ?? json(400, { message: `${missing} required` });
    const token = rules.token ? rules.token(req) : bearerOf(req);
    const ok = rules.accepts ? rules.accepts(token, sim) : sim.live(token) !== undefined;
    if (!ok) return (rules.unauthorized ?? bearer401)();
    return rules.ok(sim, req);
  };
}

/** RFC 7009 section 2.1: POST token=..., client authenticated as at the token endpoint. */
export function rfc7009Route(opts: {
  /** "none": the endpoint takes the token alone (Google, Salesforce). */
  clientAuth: TokenRules["clientAuth"] | "none";
  requiredHeaders?: Record<string, RegExp>;
  body?: TokenRules["body"];
}): Route {
  return (req, sim) => {
    if (missingHeader(req, opts.requiredHeaders)) return json(400, { error: "invalid_request" });
    const p = params(req);
    if (opts.body === "json" && !(req.headers["content-type"] ?? "").includes("application/json")) {
      return json(400, { error: "invalid_request" });
    }
    const authed =
      opts.clientAuth === "none" ||
      (opts.clientAuth === "public"
        ? p.client_id === sim.clientId
        : sim.clientAuthenticated(req, opts.clientAuth));
    if (!authed) return json(401, { error: "invalid_client" });
    if (!p.token) return json(400, { error: "invalid_request" });
    sim.revokeToken(p.token);
    return json(200, {});
  };
}

/** Revocation that takes the access token itself as `Authorization: Bearer` and no body. */
export function bearerRevokeRoute(ok: () => SimReply = () => json(200, {})): Route {
  return (req, sim) => {
    const token = bearerOf(req);
    if (sim.live(token) === undefined) return bearer401();
    sim.revokeToken(token as string);
    return ok();
  };
}

export { formReply, json };

export interface ClientCredentialsRules {
  /** How the client must authenticate: Basic, body, or either. */
  clientAuth: "basic" | "post" | "basic_or_post";
  body: "form" | "json" | "form_or_json";
  /** Parameters the request must carry, with the exact value (Auth0's audience). */
  requiredParams?(sim: ProviderState): Record<string, string>;
  /** The scopes a token of this client has (set when the app is registered, not by the request). */
  scopes: string[];
  /** The `scope` of the answer, as the provider writes it; undefined: left out. */
  scopeEcho(granted: string[]): string | undefined;
  expiresIn: number;
  /** token_type as the provider writes it (Spotify: "bearer"); "Bearer" unless said. */
  tokenType?: string;
  /** Extra fields of a successful answer. */
  extra?(sim: ProviderState): Record<string, unknown>;
  /** How an error is answered, when not RFC 6749 section 5.2 (400 JSON; 401 for invalid_client). */
  errorReply?(req: SimRequest, error: string): SimReply;
}

/** A token endpoint for the client credentials grant (RFC 6749 section 4.4.2) only; never a refresh token. */
export function clientCredentialsRoute(rules: ClientCredentialsRules): Route {
  const fail = (req: SimRequest, error: string): SimReply =>
    rules.errorReply?.(req, error) ?? json(error === "invalid_client" ? 401 : 400, { error });
  return (req, sim) => {
    const type = req.headers["content-type"] ?? "";
    const isJson = type.includes("application/json");
    const isForm = type.includes("application/x-www-form-urlencoded");
    if ((rules.body === "form" && !isForm) || (rules.body === "json" && !isJson) || (!isJson && !isForm)) {
      return fail(req, "invalid_request");
    }
    if (!sim.clientAuthenticated(req, rules.clientAuth)) return fail(req, "invalid_client");
    const p = params(req);
    if (p.grant_type !== "client_credentials") return fail(req, "unsupported_grant_type");
    for (const [k, v] of Object.entries(rules.requiredParams?.(sim) ?? {})) {
      if (p[k] !== v) return fail(req, "access_denied");
    }
    const grant = sim.newGrant(rules.scopes);
    const body: Record<string, unknown> = {
      access_token: sim.issueAccess(grant),
      token_type: rules.tokenType ?? "Bearer",
      expires_in: rules.expiresIn,
      ...(rules.extra?.(sim) ?? {}),
    };
    const scope = rules.scopeEcho(grant.scopes);
    if (scope !== undefined) body.scope = scope;
    return json(200, body);
  };
}

/**
 * Provider simulators: one real node:http server per provider profile, reached through a test undici
 * dispatcher that sends the recipe's own https hosts to it. The recipe is used as shipped; only where its
 * requests land changes. Each profile (profiles/*.ts) enforces its provider's documented rules and cites
 * the page each rule comes from.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Agent, type Dispatcher } from "undici";

export interface SimRequest {
  method: string;
  /** The URL as the client addressed it: https://<recipe host><path>. */
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface SimReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export type Route = (req: SimRequest, sim: ProviderState) => SimReply | Promise<SimReply>;

export interface OAuthProfile {
  kind: "oauth2";
  /** The recipe id, tested as shipped from the catalogue. */
  recipe: string;
  /** The provider pages the rules come from. */
  docs: string[];
  /** Whether the provider's app registration has a client secret (false: a public client). */
  clientSecret: boolean;
  /** "METHOD https://host/path" to handler. */
  routes: Record<string, Route>;
  /** `via: "oauth2"` for recipes whose default primitive is another one (a static key, a service account). */
  via?: "oauth2";
  /** Whether the provider invalidates a grant so that the next refresh fails (false: no refresh tokens). */
  refreshes: boolean;
  /** false when the token answer has no expires_in, so tokens are renewed only after a 401. */
  refreshAhead?: false;
  /** Whether the recipe can call a revocation endpoint on logout. */
  revokes: boolean;
  /** Values of the recipe's required_secrets (non-secret ones such as a site name), given as environment. */
  values?: Record<string, string>;
}

export interface StaticKeyProfile {
  kind: "static_key";
  recipe: string;
  docs: string[];
  /** The values setup is given: the right key. */
  values: Record<string, string>;
  /** The same values with a key the provider refuses. */
  wrongValues: Record<string, string>;
  routes: Record<string, Route>;
}

/** An aws_sigv4 store: the test request passes only with a signature the simulator recomputed (profiles/s3.ts). */
export interface SigV4Profile {
  kind: "aws_sigv4";
  recipe: string;
  docs: string[];
  /** The values setup is given: the right keys, and the region or account the endpoint needs. */
  values: Record<string, string>;
  /** The same values with a secret access key the store does not know. */
  wrongValues: Record<string, string>;
  routes: Record<string, Route>;
}

/**
 * A `grant: client_credentials` recipe (RFC 6749 section 4.4): no person and no redirect; the client's own
 * id and secret get a token, and a new one when it is due or refused (kit.ts clientCredentialsRoute).
 */
export interface ClientCredentialsProfile {
  kind: "client_credentials";
  recipe: string;
  docs: string[];
  routes: Record<string, Route>;
  /** Values of the recipe's required_secrets (a tenant domain), given as environment. */
  values?: Record<string, string>;
}

/**
 * A provider with a challenge-response or login exchange (an `http_digest` or `session` recipe): the values
 * setup is given, the same with a password the provider refuses, and its routes.
 */
export interface ExchangeProfile {
  kind: "http_digest" | "session";
  recipe: string;
  docs: string[];
  values: Record<string, string>;
  wrongValues: Record<string, string>;
  routes: Record<string, Route>;
}

export type Profile =
  | OAuthProfile
  | StaticKeyProfile
  | SigV4Profile
  | ClientCredentialsProfile
  | ExchangeProfile;

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): SimReply => ({
  status,
  headers: { "content-type": "application/json; charset=utf-8", ...headers },
  body: JSON.stringify(body),
});

export const formReply = (status: number, body: Record<string, string>): SimReply => ({
  status,
  headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
  body: new URLSearchParams(body).toString(),
});

/** The request body as parameters, whatever its encoding (form, JSON or the query string). */
export function params(req: SimRequest): Record<string, string> {
  const type = req.headers["content-type"] ?? "";
  if (type.includes("application/json")) {
    const parsed = JSON.parse(req.body || "{}") as Record<string, unknown>;
    return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
  }
  if (type.includes("application/x-www-form-urlencoded"))
    return Object.fromEntries(new URLSearchParams(req.body));
  return {};
}

export function bearerOf(req: SimRequest): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "");
  return m?.[1];
}

/** HTTP Basic credentials (RFC 7617), form-decoded as RFC 6749 section 2.3.1 says. */
export function basicOf(req: SimRequest): { id: string; secret: string } | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? "");
  if (!m?.[1]) return undefined;
  const pair = Buffer.from(m[1], "base64").toString("utf8");
  const i = pair.indexOf(":");
  if (i < 0) return undefined;
  const dec = (s: string) => decodeURIComponent(s.replace(/\+/g, " "));
  return { id: dec(pair.slice(0, i)), secret: dec(pair.slice(i + 1)) };
}

interface Grant {
  id: string;
  scopes: string[];
  revoked: boolean;
}

interface Code {
  grant: Grant;
  redirectUri: string | undefined;
  challenge: string | undefined;
  used: boolean;
}

interface AccessToken {
  grant: Grant;
  expired: boolean;
}

interface RefreshToken {
  grant: Grant;
  /** A rotated refresh token that was already redeemed once. */
  used: boolean;
}

/** What a provider remembers: its registered client, codes, tokens and grants. Rules live in the profiles. */
export class ProviderState {
  readonly clientId = `client-${randomBytes(6).toString("hex")}`;
  readonly clientSecret = randomBytes(18).toString("base64url");
  /** Every request in order, for assertions (method, URL as addressed, headers). */
  readonly seen: SimRequest[] = [];
  readonly revoked: string[] = [];
  readonly codes = new Map<string, Code>();
  readonly access = new Map<string, AccessToken>();
  readonly refresh = new Map<string, RefreshToken>();
  readonly grants: Grant[] = [];
  /** Test control: scopes the consenting user unticks on the consent screen. */
  readonly withheld = new Set<string>();
  /** Free-form values a profile keeps between requests (e.g. a captured instance URL). */
  readonly extra = new Map<string, string>();

  /** The authorization step: a grant for the consenting user and a code to redirect with. */
  newCode(scopes: string[], redirectUri: string | undefined, challenge: string | undefined): string {
    const grant: Grant = { id: randomBytes(6).toString("hex"), scopes, revoked: false };
    this.grants.push(grant);
    const code = `code-${randomBytes(12).toString("hex")}`;
    this.codes.set(code, { grant, redirectUri, challenge, used: false });
    return code;
  }

  /**
   * RFC 6749 section 4.1.3 and RFC 7636 section 4.6: the code once, with the redirect_uri of the
   * authorization request, and the verifier whose S256 is the challenge.
   */
  redeem(code: string, redirectUri: string | undefined, verifier: string | undefined): Grant | undefined {
    const c = this.codes.get(code);
    if (!c || c.used || c.grant.revoked) return undefined;
    c.used = true;
    if (c.redirectUri !== undefined && c.redirectUri !== redirectUri) return undefined;
    if (c.challenge !== undefined) {
      if (verifier === undefined) return undefined;
      if (createHash("sha256").update(verifier).digest("base64url") !== c.challenge) return undefined;
    }
    return c.grant;
  }

  /** The client credentials grant: a grant of the client itself, with the scopes the provider gives it. */
  newGrant(scopes: string[]): Grant {
    const grant: Grant = { id: randomBytes(6).toString("hex"), scopes, revoked: false };
    this.grants.push(grant);
    return grant;
  }

  issueAccess(grant: Grant): string {
    const token = `at-${randomBytes(12).toString("hex")}`;
    this.access.set(token, { grant, expired: false });
    return token;
  }

  issueRefresh(grant: Grant): string {
    const token = `rt-${randomBytes(12).toString("hex")}`;
    this.refresh.set(token, { grant, used: false });
    return token;
  }

  /**
   * A refresh token redeemed: the grant, or why not. With rotation a second use of the same token is
   * refused and ends the grant (RFC 9700 section 4.14.2, refresh token reuse detection).
   */
  redeemRefresh(token: string, rotate: boolean): Grant | "unknown" | "reused" | "revoked" {
    const r = this.refresh.get(token);
    if (!r) return "unknown";
    if (r.grant.revoked) return "revoked";
    if (r.used) {
      r.grant.revoked = true;
      return "reused";
    }
    if (rotate) r.used = true;
    return r.grant;
  }

  /** The grant behind a live access token, or undefined (unknown, expired or revoked). */
  live(token: string | undefined): Grant | undefined {
    if (token === undefined) return undefined;
    const a = this.access.get(token);
    if (!a || a.expired || a.grant.revoked) return undefined;
    return a.grant;
  }

  /** Test control: every access token issued so far stops working (as after its expiry). */
  expireAccessTokens(): void {
    for (const a of this.access.values()) a.expired = true;
  }

  /** Test control: the user removes the app in the provider's settings; every grant ends. */
  revokeGrants(): void {
    for (const g of this.grants) g.revoked = true;
  }

  /** A revocation endpoint was called with this token: its grant ends. */
  revokeToken(token: string): boolean {
    const grant = this.access.get(token)?.grant ?? this.refresh.get(token)?.grant;
    this.revoked.push(token);
    if (grant) grant.revoked = true;
    return grant !== undefined;
  }

  /** Whether the request's client authentication (Basic, or client_id/client_secret in the body) is right. */
  clientAuthenticated(req: SimRequest, method: "basic" | "post" | "basic_or_post"): boolean {
    const basic = basicOf(req);
    const p = params(req);
    const byBasic = basic?.id === this.clientId && basic.secret === this.clientSecret;
    const byPost = p.client_id === this.clientId && p.client_secret === this.clientSecret;
    if (method === "basic") return byBasic;
    if (method === "post") return byPost;
    return byBasic || byPost;
  }
}

export interface Simulator {
  profile: Profile;
  state: ProviderState;
  /** Sends the profile's hosts to this simulator; every other host goes out as usual (the loopback listener). */
  dispatcher: Dispatcher;
  /** fetch through the dispatcher, for driving the consent step as a browser would. */
  fetch(url: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** The hosts a profile answers for, from its route keys. */
export function profileHosts(profile: Profile): string[] {
  return [
    ...new Set(
      Object.keys(profile.routes).map((k) => new URL((k.split(" ")[1] ?? "").replace(/\*$/, "")).host),
    ),
  ];
}

export async function startSimulator(profile: Profile): Promise<Simulator> {
  const state = new ProviderState();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      // The dispatcher puts the addressed host first in the path: /<host>/<path>.
      const raw = req.url ?? "/";
      const slash = raw.indexOf("/", 1);
      const host = raw.slice(1, slash < 0 ? undefined : slash);
      const sim: SimRequest = {
        method: req.method ?? "GET",
        url: new URL(`https://${host}${slash < 0 ? "/" : raw.slice(slash)}`),
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      state.seen.push(sim);
      const key = `${sim.method} ${sim.url.origin}${sim.url.pathname}`;
      // A key ending in "*" matches every path it starts (Telegram puts the token in the path).
      const route =
        profile.routes[key] ??
        Object.entries(profile.routes).find(([k]) => k.endsWith("*") && key.startsWith(k.slice(0, -1)))?.[1];
      Promise.resolve(
        route ? route(sim, state) : json(404, { error: "not_found", path: sim.url.pathname }),
      ).then(
        (reply) => {
          res.writeHead(reply.status, reply.headers ?? {});
          res.end(reply.body ?? "");
        },
        (err: unknown) => {
          res.writeHead(500, { "content-type": "text/plain" });
          res.end(String(err));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const hosts = new Set(profileHosts(profile));
  const agent = new Agent();
  const dispatcher = agent.compose((dispatch) => (opts, handler) => {
    const target = new URL(String(opts.origin));
    if (target.protocol !== "https:" || !hosts.has(target.host)) return dispatch(opts, handler);
    return dispatch({ ...opts, origin, path: `/${target.host}${opts.path}` }, handler);
  });
  return {
    profile,
    state,
    dispatcher,
    fetch: (url, init = {}) => globalThis.fetch(url, { ...init, dispatcher } as unknown as RequestInit),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await agent.close();
    },
  };
}

/**
 * The authorization endpoint most providers share (RFC 6749 section 4.1.1): client_id known, redirect_uri
 * allowed by the provider's rule, PKCE kept for the token request; consent given at once, and a real HTTP
 * 302 to the redirect URI with `code` and `state`.
 */
export function authorizeRoute(rule: {
  /** Whether the provider accepts this redirect_uri for the registered app (undefined: none was sent). */
  redirectAllowed(uri: string | undefined): boolean;
  /** How the scope parameter is split (the request's separator). */
  scopeSeparator?: string;
  /** The parameter that carries the scopes (Slack user scopes: user_scope). */
  scopeParam?: string;
  /** Whether the provider requires PKCE. */
  pkceRequired?: boolean;
}): Route {
  return (req, sim) => {
    const q = req.url.searchParams;
    if (q.get("client_id") !== sim.clientId) return json(400, { error: "invalid_client" });
    const redirect = q.get("redirect_uri") ?? undefined;
    if (!rule.redirectAllowed(redirect)) {
      // RFC 6749 section 4.1.2.1: a bad redirect URI is shown to the user, never redirected to.
      return { status: 400, headers: { "content-type": "text/plain" }, body: "redirect_uri mismatch" };
    }
    if (q.get("response_type") !== "code" || redirect === undefined) {
      return { status: 400, headers: { "content-type": "text/plain" }, body: "invalid request" };
    }
    const challenge = q.get("code_challenge") ?? undefined;
    if (rule.pkceRequired && (challenge === undefined || q.get("code_challenge_method") !== "S256")) {
      return { status: 400, headers: { "content-type": "text/plain" }, body: "PKCE required" };
    }
    const scopes = (q.get(rule.scopeParam ?? "scope") ?? "")
      .split(rule.scopeSeparator ?? " ")
      .filter((s) => s !== "" && !sim.withheld.has(s));
    const code = sim.newCode(scopes, redirect, challenge);
    const to = new URL(redirect);
    to.searchParams.set("code", code);
    const state = q.get("state");
    if (state !== null) to.searchParams.set("state", state);
    return { status: 302, headers: { location: to.toString() } };
  };
}

/** A loopback redirect URI: http, 127.0.0.1 / localhost / [::1], any port (RFC 8252 section 7.3). */
export function loopback(uri: string | undefined): URL | undefined {
  if (uri === undefined) return undefined;
  try {
    const u = new URL(uri);
    return u.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(u.hostname) ? u : undefined;
  } catch {
    return undefined;
  }
}

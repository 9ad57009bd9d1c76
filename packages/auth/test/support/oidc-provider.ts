/**
 * A real OAuth 2.0 / OpenID Connect authorization server for tests: oidc-provider 9 on 127.0.0.1, with
 *
 * - a native-app client (`token_endpoint_auth_method: none`, loopback redirects on any port, rotating
 *   refresh tokens: replaying a used one revokes the whole grant), and a confidential client
 *   (`client_secret_basic` or `client_secret_post`) for client credentials and BYO tests;
 * - the device authorization grant, token revocation (RFC 7009) and introspection (RFC 7662);
 * - a registered `urn:ietf:params:oauth:grant-type:jwt-bearer` grant (RFC 7523) whose handler verifies the
 *   assertion's RS256 signature and claims against a service account registered by the test;
 * - a protected resource under `/api/` that validates bearer tokens by introspection at the provider;
 * - a front door that records every token request (grant type, body format, client authentication) and
 *   can hold requests of one grant type, to place a `kill -9` in the middle of a refresh.
 *
 * Used by arcrun-auth's OAuth tests and by the broker's tests. Start one per test file:
 *
 * ```ts
 * const op = await startTestProvider();
 * const { access_token, refresh_token } = await op.seedGrant({ accessTokenTtl: 1 });
 * // ... point a recipe at op.urls, call op.resourceUrl with the token ...
 * await op.close();
 * ```
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { decodeJwt, importJWK, type JWK, type JWTPayload, jwtVerify } from "jose";
import Provider from "oidc-provider";

export const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
export const DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code";

export interface TestProviderOptions {
  /** Access token lifetime in seconds (default 3600). */
  accessTokenTtl?: number;
  /** Client authentication of the confidential client (default client_secret_basic). */
  confidentialAuthMethod?: "client_secret_basic" | "client_secret_post";
  /**
   * Handles requests under `/api/` after the bearer token was found active by introspection; return false to
   * fall back to the default JSON echo. Lets a test stand in for an API (Drive's upload endpoint, ...).
   */
  resource?: (
    req: IncomingMessage,
    res: ServerResponse,
    token: IntrospectedToken,
    body: Buffer,
  ) => boolean | Promise<boolean>;
  /**
   * Answers every page the browser sees (everything but `/token` and `/api/`) this many milliseconds late,
   * as a loaded provider does: pages that post themselves from script are then still on screen when the
   * browser driver looks.
   */
  pageLatencyMs?: number;
  /**
   * The `interval` the device authorization response carries (RFC 8628 section 3.2: the minimum seconds
   * between polls). oidc-provider sends none, so a client waits the default 5 s between polls (section 3.5);
   * a test that polls while the browser approves sets 1 to wait less.
   */
  deviceIntervalSeconds?: number;
}

/** The active part of an RFC 7662 introspection response. */
export interface IntrospectedToken {
  active: true;
  client_id: string;
  sub?: string;
  scope?: string;
  exp?: number;
}

/** One request seen at the token endpoint. */
export interface TokenRequestRecord {
  grant_type: string;
  /** How the body was encoded. */
  format: "form" | "json";
  /** How the client authenticated: an Authorization header (basic) or client_id in the body. */
  auth: "basic" | "body" | "none";
  /** Parameter names only: values (codes, secrets, tokens) stay out of test output. */
  params: string[];
  /** For jwt-bearer: the verified assertion's claims. */
  assertion?: JWTPayload;
  /** Status the provider answered. */
  status?: number;
}

export interface ServiceAccountRegistration {
  client_email: string;
  /** The RSA public key, as a JWK. */
  publicJwk: JWK;
}

export interface TestProvider {
  /** `http://127.0.0.1:<port>`; also the issuer. */
  readonly issuer: string;
  readonly urls: {
    authorize: string;
    token: string;
    revoke: string;
    device: string;
    introspect: string;
  };
  /** The protected resource's base URL: `${issuer}/api`. */
  readonly resourceUrl: string;
  readonly nativeClient: { client_id: string };
  readonly confidentialClient: { client_id: string; client_secret: string };
  /** Every token request, in order of arrival. */
  readonly tokenRequests: TokenRequestRecord[];
  /** Requests the protected resource answered, by status. */
  readonly resourceHits: { ok: number; unauthorized: number };
  /** Token requests of one grant type, counted at arrival. */
  count(grantType: string): number;
  /**
   * Holds token requests of `grantType` before the provider sees them, until `release()`; a held request
   * whose client disconnected meanwhile is dropped, never processed.
   */
  hold(grantType: string): { release(): void; arrived: Promise<void> };
  registerServiceAccount(sa: ServiceAccountRegistration): Promise<void>;
  /** Issues a grant for the native client without a browser: an access and a rotating refresh token. */
  seedGrant(opts?: {
    accessTokenTtl?: number;
    accountId?: string;
  }): Promise<{ access_token: string; refresh_token: string; expires_in: number }>;
  /** Introspects a token (RFC 7662) as the resource server does. */
  introspect(token: string): Promise<IntrospectedToken | { active: false }>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Starts the provider and its front door on an ephemeral 127.0.0.1 port. */
export async function startTestProvider(options: TestProviderOptions = {}): Promise<TestProvider> {
  const front: Server = createServer();
  await new Promise<void>((r) => front.listen(0, "127.0.0.1", r));
  const port = (front.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}`;
  const nativeClient = { client_id: "arcrun-native" };
  const confidentialClient = {
    client_id: "arcrun-confidential",
    client_secret: randomBytes(24).toString("base64url"),
  };
  const resourceServer = {
    client_id: "test-resource-server",
    client_secret: randomBytes(24).toString("base64url"),
  };
  const serviceAccounts = new Map<string, JWK>();
  const accessTokenTtl = options.accessTokenTtl ?? 3600;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: nativeClient.client_id,
        application_type: "native",
        token_endpoint_auth_method: "none",
        redirect_uris: ["http://127.0.0.1/callback", "http://[::1]/callback", "http://localhost/callback"],
        grant_types: ["authorization_code", "refresh_token", DEVICE_CODE],
        response_types: ["code"],
      },
      {
        client_id: confidentialClient.client_id,
        client_secret: confidentialClient.client_secret,
        application_type: "native",
        token_endpoint_auth_method: options.confidentialAuthMethod ?? "client_secret_basic",
        redirect_uris: ["http://127.0.0.1/callback"],
        grant_types: ["authorization_code", "refresh_token", "client_credentials"],
        response_types: ["code"],
      },
      {
        client_id: resourceServer.client_id,
        client_secret: resourceServer.client_secret,
        token_endpoint_auth_method: "client_secret_basic",
        redirect_uris: [],
        grant_types: [],
        response_types: [],
      },
    ],
    features: {
      devInteractions: { enabled: true },
      deviceFlow: { enabled: true },
      introspection: { enabled: true, allowedPolicy: async () => true },
      revocation: { enabled: true },
      clientCredentials: { enabled: true },
    },
    pkce: { required: () => true },
    scopes: ["openid", "offline_access", "api"],
    // An OpenID Connect scope beyond openid, which consent grants like a provider's extra scopes (tests of
    // a bind that asks for more than the stored token has).
    claims: { email: ["email"] },
    // Refresh tokens for the native client, as a real provider issues them after consent to offline_access.
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed("refresh_token") && code.scopes.has("offline_access"),
    ttl: {
      AccessToken: accessTokenTtl,
      IdToken: 3600,
      ClientCredentials: accessTokenTtl,
      RefreshToken: 14 * 24 * 3600,
      Grant: 14 * 24 * 3600,
      Session: 3600,
      Interaction: 600,
      DeviceCode: 600,
      AuthorizationCode: 60,
    },
    findAccount: async (_ctx, sub) => ({
      accountId: sub,
      claims: async () => ({ sub, email: `${sub}@example.com` }),
    }),
    cookies: { keys: [randomBytes(16).toString("hex")] },
    clientBasedCORS: () => true,
    renderError: async (ctx, out) => {
      ctx.type = "html";
      ctx.body = `<!doctype html><title>error</title><h1>oops</h1><pre>${String(out.error)}: ${String(out.error_description ?? "")}</pre>`;
    },
  });
  provider.proxy = false;
  const interval = options.deviceIntervalSeconds;
  if (interval !== undefined) {
    provider.use(async (ctx, next) => {
      await next();
      if (ctx.path === "/device/auth" && ctx.status === 200 && typeof ctx.body === "object" && ctx.body)
        ctx.body = { ...ctx.body, interval };
    });
  }

  // RFC 7523 section 2.1: verify the assertion (signature, iss, aud = token URL, exp - iat <= 1 h).
  const tokenUrl = `${issuer}/token`;
  const assertions = new Map<string, JWTPayload>();
  provider.registerGrantType(
    JWT_BEARER,
    async (ctx) => {
      const assertion = String(ctx.oidc.params?.assertion ?? "");
      const client = ctx.oidc.client;
      const jwk = client ? serviceAccounts.get(client.clientId) : undefined;
      const fail = (d: string) => {
        ctx.status = 400;
        ctx.body = { error: "invalid_grant", error_description: d };
      };
      if (!client || !jwk) return fail("unknown service account");
      let payload: JWTPayload;
      try {
        const key = await importJWK(jwk, "RS256");
        ({ payload } = await jwtVerify(assertion, key, {
          algorithms: ["RS256"],
          issuer: client.clientId,
          audience: tokenUrl,
          maxTokenAge: "1h",
        }));
      } catch (err) {
        return fail(`assertion rejected: ${(err as Error).message}`);
      }
      if (
        typeof payload.iat !== "number" ||
        typeof payload.exp !== "number" ||
        payload.exp - payload.iat > 3600
      ) {
        return fail("exp - iat must be at most 3600 seconds");
      }
      assertions.set(assertion, payload);
      const token = new provider.ClientCredentials({ client, scope: "api" });
      const value = await token.save();
      ctx.body = {
        access_token: value,
        token_type: "Bearer",
        expires_in: token.expiration,
        scope: typeof payload.scope === "string" ? payload.scope : "api",
      };
    },
    ["assertion", "scope"],
  );

  const tokenRequests: TokenRequestRecord[] = [];
  const holds = new Map<string, { gate: Promise<void>; arrived: () => void }>();
  const resourceHits = { ok: 0, unauthorized: 0 };
  const callback = provider.callback();

  const introspect = async (token: string): Promise<IntrospectedToken | { active: false }> => {
    const res = await fetch(`${issuer}/token/introspection`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`${resourceServer.client_id}:${resourceServer.client_secret}`).toString("base64")}`,
      },
      body: new URLSearchParams({ token }).toString(),
    });
    const json = (await res.json()) as { active?: boolean } & Partial<IntrospectedToken>;
    return json.active === true ? (json as IntrospectedToken) : { active: false };
  };

  front.on("request", (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? "/", issuer);
      const browserPage = url.pathname !== "/token" && !/^\/api(\/|$)/.test(url.pathname);
      if (options.pageLatencyMs && browserPage) {
        await new Promise((r) => setTimeout(r, options.pageLatencyMs));
      }
      if (url.pathname.startsWith("/api/") || url.pathname === "/api") {
        const body = await readBody(req);
        const auth = req.headers.authorization ?? "";
        const m = /^Bearer (.+)$/i.exec(auth);
        const info = m?.[1] ? await introspect(m[1]) : { active: false as const };
        if (!info.active) {
          resourceHits.unauthorized++;
          res.writeHead(401, {
            "www-authenticate": 'Bearer error="invalid_token"',
            "content-type": "application/json",
          });
          res.end(JSON.stringify({ error: "invalid_token" }));
          return;
        }
        resourceHits.ok++;
        if (options.resource && (await options.resource(req, res, info, body))) return;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            ok: true,
            method: req.method,
            path: url.pathname,
            query: Object.fromEntries(url.searchParams),
            client_id: info.client_id,
            sub: info.sub,
            scope: info.scope,
            bytes: body.length,
          }),
        );
        return;
      }
      if (req.method === "POST" && url.pathname === "/token") {
        const raw = (await readBody(req)).toString("utf8");
        const json = (req.headers["content-type"] ?? "").includes("application/json");
        let params: Record<string, string>;
        try {
          params = json
            ? (JSON.parse(raw) as Record<string, string>)
            : Object.fromEntries(new URLSearchParams(raw));
        } catch {
          params = {};
        }
        const grantType = params.grant_type ?? "";
        const record: TokenRequestRecord = {
          grant_type: grantType,
          format: json ? "json" : "form",
          auth: req.headers.authorization?.startsWith("Basic ")
            ? "basic"
            : params.client_id
              ? "body"
              : "none",
          params: Object.keys(params).sort(),
        };
        tokenRequests.push(record);
        // RFC 7523 assertions carry no client_id; the provider routes by client, so name it from `iss`.
        if (grantType === JWT_BEARER && !params.client_id && params.assertion) {
          try {
            const iss = decodeJwt(params.assertion).iss;
            if (iss) params.client_id = iss;
          } catch {
            // The grant handler answers invalid_grant for a malformed assertion.
          }
        }
        const hold = holds.get(grantType);
        if (hold) {
          hold.arrived();
          await hold.gate;
          // The client died while held: the request never reaches the provider, as when a process is
          // killed before its request is sent.
          if (req.socket.destroyed) {
            record.status = 0;
            return;
          }
        }
        // oidc-provider reads an already-parsed body from req.body (form-encoded only: JSON becomes form here,
        // standing in for the providers that accept JSON token requests).
        (req as IncomingMessage & { body?: unknown }).body = params;
        req.headers["content-type"] = "application/x-www-form-urlencoded";
        res.on("finish", () => {
          record.status = res.statusCode;
          if (params.assertion) {
            const claims = assertions.get(params.assertion);
            if (claims) record.assertion = claims;
          }
        });
      }
      callback(req, res);
    })().catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(err));
    });
  });

  const tp: TestProvider = {
    issuer,
    urls: {
      authorize: `${issuer}/auth`,
      token: tokenUrl,
      revoke: `${issuer}/token/revocation`,
      device: `${issuer}/device/auth`,
      introspect: `${issuer}/token/introspection`,
    },
    resourceUrl: `${issuer}/api`,
    nativeClient,
    confidentialClient,
    tokenRequests,
    resourceHits,
    count: (grantType) => tokenRequests.filter((r) => r.grant_type === grantType).length,
    hold(grantType) {
      let release!: () => void;
      let arrived!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      const arrivedP = new Promise<void>((r) => {
        arrived = r;
      });
      holds.set(grantType, { gate, arrived });
      return {
        arrived: arrivedP,
        release: () => {
          holds.delete(grantType);
          release();
        },
      };
    },
    async registerServiceAccount(sa) {
      serviceAccounts.set(sa.client_email, sa.publicJwk);
      // Registered as a client so the provider routes the grant; it has no secret and no redirect.
      const { Client } = provider;
      const schema = {
        client_id: sa.client_email,
        token_endpoint_auth_method: "none",
        grant_types: [JWT_BEARER],
        redirect_uris: [],
        response_types: [],
      };
      await (
        Client as unknown as { adapter: { upsert(id: string, v: unknown, ttl?: number): Promise<void> } }
      ).adapter.upsert(sa.client_email, schema);
    },
    async seedGrant(opts = {}) {
      const accountId = opts.accountId ?? "alice";
      const client = await provider.Client.find(nativeClient.client_id);
      if (!client) throw new Error("native client missing");
      const grant = new provider.Grant({ accountId, clientId: client.clientId });
      grant.addOIDCScope("openid offline_access");
      const grantId = await grant.save();
      const scope = "openid offline_access";
      const rt = new provider.RefreshToken({ accountId, client, grantId, scope, gty: "authorization_code" });
      const refresh_token = await rt.save();
      const ttl = opts.accessTokenTtl ?? accessTokenTtl;
      // base_token.js honours `expiresIn` from the constructor; the published types leave it out.
      const at = new provider.AccessToken({
        accountId,
        client,
        grantId,
        scope,
        gty: "authorization_code",
        expiresIn: ttl,
      } as ConstructorParameters<typeof provider.AccessToken>[0]);
      const access_token = await at.save();
      return { access_token, refresh_token, expires_in: ttl };
    },
    introspect,
    async close() {
      await new Promise<void>((r) => {
        front.close(() => r());
        front.closeAllConnections();
      });
    },
  };
  return tp;
}

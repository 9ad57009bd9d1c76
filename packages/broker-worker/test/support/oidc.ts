import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

export interface OidcServer {
  issuer: string;
  provider: Provider;
  /** Token requests seen by the provider, by grant type (to count refreshes). */
  grants: string[];
  /** A protected resource on its own port: 200 with the token's subject for a live access token, else 401. */
  resourceUrl: string;
  close(): Promise<void>;
}

export interface OidcOptions {
  clientId: string;
  clientSecret: string;
  /** Access token lifetime in seconds (default 3600). */
  accessTokenTtl?: number;
}

const listen = (server: Server) =>
  new Promise<number>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );

/**
 * oidc-provider 9 on 127.0.0.1 as the upstream authorization server, with its development login and
 * consent pages. The client is `native`, so any loopback port of its redirect URI is accepted
 * (RFC 8252 section 7.3); refresh tokens come with `offline_access` and `prompt=consent`.
 */
export async function startOidc(options: OidcOptions): Promise<OidcServer> {
  const server = createServer();
  const port = await listen(server);
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        application_type: "native",
        redirect_uris: ["http://127.0.0.1/oauth/callback"],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    features: { devInteractions: { enabled: true }, revocation: { enabled: true } },
    scopes: ["openid", "offline_access", "profile"],
    pkce: { required: () => true },
    ttl: {
      AccessToken: options.accessTokenTtl ?? 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Grant: 3600,
      Interaction: 600,
      RefreshToken: 86_400,
      Session: 3600,
    },
    findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub }) }),
  });
  const grants: string[] = [];
  provider.on("grant.success", (ctx) => {
    const body = (ctx as { oidc?: { params?: { grant_type?: string } } }).oidc?.params;
    grants.push(body?.grant_type ?? "unknown");
  });
  server.on("request", provider.callback());

  const resource = createServer(async (req, res) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const record = token ? await provider.AccessToken.find(token) : undefined;
    if (!record || record.isExpired) {
      res.writeHead(401, { "www-authenticate": 'Bearer error="invalid_token"' }).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ sub: record.accountId }));
  });
  const resourcePort = await listen(resource);

  return {
    issuer,
    provider,
    grants,
    resourceUrl: `http://127.0.0.1:${resourcePort}`,
    async close() {
      server.closeAllConnections();
      resource.closeAllConnections();
      await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => resource.close(r))]);
    },
  };
}

/** A recipe for the local provider, served by the broker through EXTRA_RECIPES. */
export function localRecipe(oidc: OidcServer, id = "local_oidc"): Record<string, unknown> {
  return {
    id,
    display_name: "Local OIDC",
    docs_url: "https://github.com/panva/node-oidc-provider",
    primitive: "oauth2",
    base_url: oidc.resourceUrl,
    hosts: ["127.0.0.1"],
    inject: { header: { Authorization: "Bearer {{runtime.access_token}}" } },
    oauth2: {
      authorize_url: `${oidc.issuer}/auth`,
      token_url: `${oidc.issuer}/token`,
      revoke_url: `${oidc.issuer}/token/revocation`,
      scopes: ["openid", "offline_access"],
      authorization_params: { prompt: "consent" },
      token_auth_method: "client_secret_basic",
      client: "broker",
    },
  };
}

/** Cookies of the authorization server, shared by every request the browser stand-in makes. */
class CookieJar {
  #cookies = new Map<string, string>();
  store(res: Response): void {
    // Node's Headers has getSetCookie; the Workers types this package compiles with do not declare it.
    for (const c of (res.headers as unknown as { getSetCookie(): string[] }).getSetCookie()) {
      const [pair] = c.split(";");
      const eq = pair?.indexOf("=") ?? -1;
      if (pair && eq > 0) this.#cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  }
  header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

/**
 * Plays the browser over plain HTTP: follows redirects from `startUrl` (the broker, then the provider),
 * signs in and consents on oidc-provider's development pages, and stops at the first redirect to
 * `loopbackPrefix`, returning that URL. `abort: true` cancels at the consent page instead.
 * Headless Chromium does the same in the end-to-end test; this is the fast path for protocol tests.
 */
export async function consentOverHttp(
  startUrl: string,
  loopbackPrefix: string,
  options: { abort?: boolean } = {},
): Promise<{ url: URL; visited: string[] }> {
  const jar = new CookieJar();
  const visited: string[] = [];
  let next: { url: string; init: RequestInit } = { url: startUrl, init: {} };
  for (let hop = 0; hop < 20; hop++) {
    if (next.url.startsWith(loopbackPrefix)) return { url: new URL(next.url), visited };
    visited.push(next.url);
    const res = await fetch(next.url, {
      ...next.init,
      redirect: "manual",
      headers: { ...(next.init.headers as Record<string, string>), cookie: jar.header() },
    });
    jar.store(res);
    const location = res.headers.get("location");
    if (location) {
      next = { url: new URL(location, next.url).href, init: {} };
      continue;
    }
    const body = await res.text();
    const form = /<form[^>]*action="([^"]+)"[^>]*method="post"/i.exec(body);
    const prompt = /name="prompt" value="([a-z]+)"/.exec(body)?.[1];
    if (!form?.[1] || !prompt) throw new Error(`stuck at ${next.url} (${res.status})`);
    const action = new URL(form[1].replace(/&amp;/g, "&"), next.url);
    if (prompt === "consent" && options.abort) {
      const abort = /href="([^"]*\/abort)"/.exec(body)?.[1];
      if (!abort) throw new Error(`no abort link at ${next.url}`);
      next = { url: new URL(abort.replace(/&amp;/g, "&"), next.url).href, init: {} };
      continue;
    }
    const fields: Record<string, string> =
      prompt === "login" ? { prompt, login: "alice", password: "x" } : { prompt };
    next = {
      url: action.href,
      init: {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(fields).toString(),
      },
    };
  }
  throw new Error("too many redirects");
}

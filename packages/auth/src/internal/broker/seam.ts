/**
 * The seam between the oauth2 strategy and the arcrun broker (docs/broker.md), for recipes with
 * `client: broker`: what the strategy calls, and what the HTTP broker client (./client.ts) implements.
 * Types only, so both sides import this module and neither imports the other. The default client is
 * ./client.ts `createBrokerClient`; `createAuth({ broker })` passes another.
 */
import type { TokenResponse } from "../oauth/endpoint.js";

export interface BrokerStartArgs {
  service: string;
  /** The loopback redirect URI the broker sends the handoff code to. */
  redirectUri: string;
  state: string;
  /** S256 challenge of the verifier the library later sends to `redeem` (RFC 7636 section 4.2). */
  codeChallenge: string;
  scopes: readonly string[];
}

export interface BrokerClient {
  /** The URL to open in the browser: `GET {broker}/oauth/{service}/start?...` (step 1). */
  startUrl(args: BrokerStartArgs): string | Promise<string>;
  /** Redeems the one-time handoff code with the PKCE verifier (step 3); returns the provider's tokens. */
  redeem(args: {
    service: string;
    code: string;
    codeVerifier: string;
    redirectUri: string;
  }): Promise<TokenResponse>;
  /** Refreshes through the shared app (step 4). Throws OAuthError with `error: "invalid_grant"` when refused. */
  refresh(args: {
    service: string;
    refreshToken: string;
    scopes?: readonly string[];
  }): Promise<TokenResponse>;
  /** Revokes at the provider through the shared app, where the provider can (RFC 7009). */
  revoke?(args: {
    service: string;
    token: string;
    tokenTypeHint: "refresh_token" | "access_token";
  }): Promise<void>;
}

export interface BrokerContext {
  service: string;
  instance: string;
  env: Readonly<Record<string, string | undefined>>;
  fetch: typeof globalThis.fetch;
  /** $ARCRUN_HOME of the Auth instance (`createAuth({ home })`), whose config.yaml may name the broker. */
  home?: string;
}

export type BrokerClientFactory = (ctx: BrokerContext) => BrokerClient | Promise<BrokerClient>;

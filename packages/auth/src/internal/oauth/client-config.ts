/**
 * Bring-your-own OAuth clients: `ARCRUN_<SERVICE>_CLIENT_ID` / `ARCRUN_<SERVICE>_CLIENT_SECRET`, then
 * `clients.<service>.client_id/client_secret` in `$ARCRUN_HOME/config.yaml`, then the client `arcrun setup`
 * saved in the credential store (reserved name `arcrun_oauth_client`, instance = the service), so its
 * secret is kept like a credential, never in a plaintext file.
 */
import { join } from "node:path";
import { ArcrunError } from "../../errors.js";
import { readConfigFile } from "../config-file.js";
import { OAUTH_CLIENT_ENTRY } from "./client-entry.js";
import { isRecord, type OAuthClient, type TokenAuthMethod } from "./endpoint.js";

export interface ByoClientSource {
  service: string;
  instance: string;
  home: string;
  env: Readonly<Record<string, string | undefined>>;
  authMethod: TokenAuthMethod;
  /** The recipe's `client_secret`: whether a client id alone (a public client) can sign in. */
  secret: "required" | "optional";
}

/** `google_drive` -> `GOOGLE_DRIVE`: the service part of `ARCRUN_<SERVICE>_*`. */
export function envName(service: string): string {
  return service.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

async function readConfigClient(home: string, service: string): Promise<Record<string, unknown> | undefined> {
  const doc = await readConfigFile(home);
  const clients = isRecord(doc) ? doc.clients : undefined;
  const entry = isRecord(clients) ? clients[service] : undefined;
  return isRecord(entry) ? entry : undefined;
}

/**
 * The user's own client for a service, or undefined when none is configured.
 * A client id without a secret is a public client (RFC 8252 section 8.4), which authenticates with `none`,
 * unless the recipe says its provider always wants the secret (`client_secret: required`).
 */
export async function findByoClient(src: ByoClientSource): Promise<OAuthClient | undefined> {
  const prefix = `ARCRUN_${envName(src.service)}_`;
  let clientId = src.env[`${prefix}CLIENT_ID`];
  let clientSecret = src.env[`${prefix}CLIENT_SECRET`];
  let where = `${prefix}CLIENT_ID`;
  if (!clientId) {
    const entry = await readConfigClient(src.home, src.service);
    if (entry && typeof entry.client_id === "string" && entry.client_id !== "") {
      clientId = entry.client_id;
      clientSecret = typeof entry.client_secret === "string" ? entry.client_secret : clientSecret;
      where = `${join(src.home, "config.yaml")} clients > ${src.service}`;
    }
  }
  if (!clientId) return undefined;
  if (src.authMethod !== "none" && !clientSecret && src.secret === "required") {
    throw new ArcrunError(
      "ERR_NO_CLIENT",
      `${src.service}: a client_id is configured (${where}) but no client_secret, and the recipe authenticates with ${src.authMethod}; set ${prefix}CLIENT_SECRET or clients > ${src.service} > client_secret in config.yaml`,
      { service: src.service, instance: src.instance },
    );
  }
  return publicOrConfidential(clientId, clientSecret, src.authMethod);
}

export { OAUTH_CLIENT_ENTRY };

/** The client `arcrun setup` saved for a service, or undefined. */
export async function storedClient(
  store: { get(service: string, instance: string): Promise<{ values: Record<string, string> } | undefined> },
  service: string,
  authMethod: TokenAuthMethod,
): Promise<OAuthClient | undefined> {
  const entry = await store.get(OAUTH_CLIENT_ENTRY, service);
  const id = entry?.values.client_id;
  if (!id) return undefined;
  return publicOrConfidential(id, entry?.values.client_secret, authMethod);
}

/** The client as configured: without a secret (or with `none`) a public client that sends only its id. */
export function publicOrConfidential(
  clientId: string,
  clientSecret: string | undefined,
  authMethod: TokenAuthMethod,
): OAuthClient {
  if (authMethod === "none" || !clientSecret) return { clientId, authMethod: "none" };
  return { clientId, clientSecret, authMethod };
}

/** The error when a recipe needs the user's own client and none is configured. */
export function noClientError(service: string, instance: string, home: string): ArcrunError {
  const prefix = `ARCRUN_${envName(service)}_`;
  return new ArcrunError(
    "ERR_NO_CLIENT",
    `${service}: no OAuth client configured; create one at the provider, then run: arcrun setup ${service} (it shows what to register and asks for the client), or set ${prefix}CLIENT_ID and ${prefix}CLIENT_SECRET, or add clients: { ${service}: { client_id, client_secret } } to ${join(home, "config.yaml")}`,
    { service, instance },
  );
}

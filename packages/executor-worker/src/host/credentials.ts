import { hostAllowed, type Recipe, renderTemplate } from "@arcrun/recipes";
import { ExecutorError } from "../errors.js";
import { base64Decode, base64Encode } from "../internal/base64.js";

/** What `POST /credentials` stores under `v2/cred/{tenant}/{name}`: never a plaintext. */
export interface CredentialRecord {
  name: string;
  encrypted: string;
  iv: string;
  /** The recipe the credential belongs to: its `hosts` are where the credential may be sent. */
  recipe?: string;
  /** Extra hosts the tenant allows for this credential (a custom API); `*.example.com` for subdomains. */
  hosts?: string[];
  created_at: string;
}

export interface KvStore {
  get(key: string): Promise<string | null>;
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
}

export { credentialKey, tokenCacheKey } from "../keys.js";
export const CREDENTIAL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/** AES-256-GCM with the credential name as additional data: the same scheme as arcrun-auth's credential-crypto. */
export async function importEncryptionKey(base64Key: string | undefined): Promise<CryptoKey> {
  if (!base64Key) {
    throw new ExecutorError(
      "ERR_CONFIG",
      "ENCRYPTION_KEY is not set; run: wrangler secret put ENCRYPTION_KEY (locally: put it in .dev.vars)",
    );
  }
  const raw = base64Decode(base64Key.trim());
  if (raw.length !== 32) {
    throw new ExecutorError(
      "ERR_CONFIG",
      "ENCRYPTION_KEY must be 32 bytes, base64; generate one with arcrun init",
    );
  }
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["decrypt", "encrypt"]);
}

export async function decryptRecord(record: CredentialRecord, key: CryptoKey): Promise<string> {
  try {
    const plain = await crypto.subtle.decrypt(
      {
        name: "AES-GCM",
        iv: base64Decode(record.iv),
        additionalData: new TextEncoder().encode(`arcrun-credential:${record.name}`),
      },
      key,
      base64Decode(record.encrypted),
    );
    return new TextDecoder().decode(plain);
  } catch (cause) {
    throw new ExecutorError(
      "ERR_CREDENTIAL_INVALID",
      `credential "${record.name}" does not decrypt with this executor's ENCRYPTION_KEY; run: arcrun creds push ${record.name}`,
      { cause },
    );
  }
}

/** The secrets of a plaintext: a JSON object's string leaves, or the whole text. */
export function secretValues(plaintext: string): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(plaintext);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(parsed)) {
        if (typeof v === "string") out[k] = v;
        else if (typeof v === "number" || typeof v === "boolean") out[k] = String(v);
      }
      return out;
    }
  } catch {
    // not JSON: a single secret value
  }
  return { value: plaintext };
}

function hostOf(url: string | undefined): string[] {
  if (!url) return [];
  try {
    return [new URL(url).hostname];
  } catch {
    return [];
  }
}

/**
 * Where a credential may be sent: its recipe's `hosts` (rendered with its secrets), the recipe's token,
 * revoke and device endpoints, and the hosts the tenant added on push. Nothing when there is neither.
 */
export function allowedHosts(
  record: CredentialRecord,
  recipe: Recipe | undefined,
  secrets: Record<string, string>,
): string[] {
  const hosts = new Set<string>(record.hosts ?? []);
  if (recipe) {
    for (const pattern of recipe.hosts) {
      try {
        hosts.add(renderTemplate(pattern, { secret: secrets }));
      } catch {
        // a host that needs a secret this credential lacks allows nothing
      }
    }
    for (const url of [
      recipe.oauth2?.token_url,
      recipe.oauth2?.revoke_url,
      recipe.oauth2?.device_url,
      recipe.service_account?.token_url,
    ]) {
      for (const h of hostOf(url)) hosts.add(h);
    }
  }
  return [...hosts];
}

interface Tainted {
  value: string;
  credential: string;
  hosts: string[];
}

/**
 * Every secret value that entered this execution (decrypted credentials, tokens obtained or cached with
 * them), with the hosts it may go to. `http_request` refuses a request that carries one to another host.
 */
export class SecretRegistry {
  private readonly entries: Tainted[] = [];
  private readonly seen = new Set<string>();

  add(credential: string, value: string, hosts: string[]): void {
    // Very short values would match by accident (and are not worth stealing).
    if (value.length < 6) return;
    for (const form of [value, encodeURIComponent(value), base64Encode(value)]) {
      const id = `${credential}\u0000${form}`;
      if (this.seen.has(id)) continue;
      this.seen.add(id);
      this.entries.push({ value: form, credential, hosts });
    }
  }

  /** Registers each secret, and base64("a:b") of each pair (HTTP Basic). */
  addSecrets(credential: string, secrets: Record<string, string>, hosts: string[]): void {
    const values = Object.values(secrets);
    for (const v of values) this.add(credential, v, hosts);
    for (const a of values) for (const b of values) this.add(credential, base64Encode(`${a}:${b}`), hosts);
  }

  /** Registers the tokens of a token response or a token cache entry. */
  addTokens(credential: string, json: string, hosts: string[]): void {
    try {
      const parsed: unknown = JSON.parse(json);
      if (!parsed || typeof parsed !== "object") return;
      for (const key of ["access_token", "refresh_token", "id_token"]) {
        const v = (parsed as Record<string, unknown>)[key];
        if (typeof v === "string") this.add(credential, v, hosts);
      }
    } catch {
      // not a token document
    }
  }

  /** The credentials whose values occur in `text`. */
  find(text: string): Tainted[] {
    return this.entries.filter((e) => text.includes(e.value));
  }

  /** The first credential in `text` that may not go to `host`, if any. */
  violation(text: string, host: string): Tainted | undefined {
    return this.find(text).find((e) => !hostAllowed(host, e.hosts));
  }

  /** Replaces every secret value in `text` (for traces and error messages). */
  redact(text: string): string {
    let out = text;
    for (const e of this.entries) if (out.includes(e.value)) out = out.split(e.value).join("[redacted]");
    return out;
  }
}

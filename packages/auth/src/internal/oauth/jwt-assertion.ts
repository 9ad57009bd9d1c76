/**
 * JWT bearer assertions for service accounts (RFC 7523), signed RS256 (RSASSA-PKCS1-v1_5 with SHA-256) with
 * WebCrypto: a compact JWS (RFC 7515 section 7.1) needs no library.
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
import { ArcrunError } from "../../errors.js";
import { isRecord } from "./endpoint.js";

export const JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/** The fields of a Google service account JSON key that signing needs. */
export interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  private_key_id?: string;
  token_uri?: string;
}

/** Parses and checks a Google JSON key file; the message names the missing field, never a value. */
export function parseGoogleKey(text: string, service: string, secretKey: string): ServiceAccountKey {
  const bad = (what: string) =>
    new ArcrunError(
      "ERR_INVALID_SECRET",
      `${service}: the service account key (${secretKey}) ${what}; download a JSON key from the Google Cloud console (IAM > Service accounts > Keys) and run: arcrun setup ${service} --via service_account`,
      { service },
    );
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw bad("is not JSON");
  }
  if (!isRecord(doc)) throw bad("is not a JSON object");
  if (doc.type !== undefined && doc.type !== "service_account")
    throw bad(`has type ${String(doc.type)}, not service_account`);
  if (typeof doc.client_email !== "string" || doc.client_email === "") throw bad("has no client_email");
  if (typeof doc.private_key !== "string" || !doc.private_key.includes("PRIVATE KEY"))
    throw bad("has no PEM private_key");
  const key: ServiceAccountKey = { client_email: doc.client_email, private_key: doc.private_key };
  if (typeof doc.private_key_id === "string") key.private_key_id = doc.private_key_id;
  if (typeof doc.token_uri === "string") key.token_uri = doc.token_uri;
  return key;
}

export interface AssertionClaims {
  issuer: string;
  audience: string;
  /** Put in the JWT (Google's `scope` claim); RFC 7523 providers take scope as a request parameter. */
  scope?: string | undefined;
  subject?: string | undefined;
  /** Seconds of validity, at most 3600 (Google refuses more; RFC 7523 section 3 asks for a short one). */
  lifetimeSeconds?: number;
  nowMs: number;
}

/** base64url without padding (RFC 7515 section 2). */
function base64url(data: Uint8Array | string): string {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  return Buffer.from(bytes).toString("base64url");
}

/** The DER bytes of a PKCS#8 PEM ("BEGIN PRIVATE KEY"); undefined for anything else (PKCS#1, certificates). */
function pkcs8Der(pem: string): Uint8Array | undefined {
  const m = /-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\s]+)-----END PRIVATE KEY-----/.exec(pem);
  if (!m?.[1]) return undefined;
  const der = Buffer.from(m[1].replace(/\s+/g, ""), "base64");
  return der.length > 0 ? new Uint8Array(der) : undefined;
}

/**
 * Signs an RS256 assertion: `iss`, `aud` (the token URL unless the recipe says otherwise), `iat`, `exp`
 * (<= 1 h later), optional `scope` and `sub` (domain-wide delegation), a fresh `jti`.
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-3.3 (RS256)
 */
export async function signAssertion(
  pem: string,
  keyId: string | undefined,
  claims: AssertionClaims,
  service: string,
): Promise<string> {
  const der = pkcs8Der(pem.replace(/\\n/g, "\n"));
  let key: Awaited<ReturnType<typeof crypto.subtle.importKey>> | undefined;
  if (der) {
    key = await crypto.subtle
      .importKey("pkcs8", der, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"])
      .catch(() => undefined);
  }
  if (!key) {
    throw new ArcrunError(
      "ERR_INVALID_SECRET",
      `${service}: the service account private key is not a PKCS#8 RSA key; download a new JSON key and run: arcrun setup ${service} --via service_account`,
      { service },
    );
  }
  const iat = Math.floor(claims.nowMs / 1000);
  const lifetime = Math.min(3600, Math.max(60, claims.lifetimeSeconds ?? 3600));
  const header = { alg: "RS256", typ: "JWT", ...(keyId ? { kid: keyId } : {}) };
  const payload: Record<string, string | number> = {
    iss: claims.issuer,
    aud: claims.audience,
    iat,
    exp: iat + lifetime,
    jti: crypto.randomUUID(),
  };
  if (claims.scope) payload.scope = claims.scope;
  if (claims.subject) payload.sub = claims.subject;
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const signature = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, new TextEncoder().encode(input));
  return `${input}.${base64url(new Uint8Array(signature))}`;
}

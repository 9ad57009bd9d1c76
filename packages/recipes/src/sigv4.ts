/**
 * AWS Signature Version 4 for a recipe's `aws_sigv4` block, shared by arcrun-auth's `aws_sigv4` strategy
 * and the executor's host (which signs on a sealed handle, docs/executor.md "Sealed credentials"). Pure
 * WebCrypto: the signer is aws4fetch (small, dependency-free), loaded on the first signed request.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
import { renderTemplate, type TemplateValues } from "./template.js";
import type { AwsSigV4Spec } from "./types.js";

const KEY_ID = ["access_key_id", "aws_access_key_id"];
const SECRET = ["secret_access_key", "aws_secret_access_key"];
const SESSION = ["session_token", "aws_session_token"];

function pick(
  values: Readonly<Record<string, string | undefined>>,
  names: readonly string[],
): string | undefined {
  for (const n of names) {
    const v = values[n];
    if (v) return v;
  }
  return undefined;
}

/** The keys a signature needs, from a credential's secrets (AWS's own names accepted too). */
export interface SigV4Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The signing keys among `secrets`; undefined when the key id or the secret key is missing. */
export function sigV4Keys(secrets: Readonly<Record<string, string | undefined>>): SigV4Keys | undefined {
  const accessKeyId = pick(secrets, KEY_ID);
  const secretAccessKey = pick(secrets, SECRET);
  if (!accessKeyId || !secretAccessKey) return undefined;
  const sessionToken = pick(secrets, SESSION);
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

export interface SigV4Request {
  method: string;
  url: string;
  headers: Headers;
  /** The whole body: the signature covers its SHA-256. */
  body?: string | Uint8Array;
}

/**
 * Signs a request: method, path, query, host, `x-amz-date`, `x-amz-content-sha256` and the body hash, in the
 * `Authorization` header (plus `x-amz-security-token` for temporary keys). Region and service are the
 * recipe's, rendered with `values`.
 */
export async function signSigV4(
  request: SigV4Request,
  keys: SigV4Keys,
  spec: AwsSigV4Spec,
  values: TemplateValues,
): Promise<{ method: string; url: string; headers: Headers }> {
  const { AwsV4Signer } = await import("aws4fetch");
  const signer = new AwsV4Signer({
    method: request.method,
    url: request.url,
    headers: new Headers(request.headers),
    ...(request.body !== undefined ? { body: request.body } : {}),
    ...keys,
    service: renderTemplate(spec.service, values),
    region: renderTemplate(spec.region, values),
  });
  const signed = await signer.sign();
  return { method: signed.method, url: signed.url.toString(), headers: signed.headers };
}

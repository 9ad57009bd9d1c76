import { createHash, createHmac } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { type ApiServer, type SeenRequest, startApiServer } from "./api-server.js";

// A local stand-in for S3 that accepts a request only when its AWS Signature Version 4 verifies: it
// recomputes the signature from the request it received, written from AWS's description of the process
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html, "the SigV4
// page" below) and S3's header rules
// (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html, "the S3 page"),
// independent of any signer. Objects are kept in memory: PUT stores the body, GET returns it.

export interface S3Keys {
  secretAccessKey: string;
  sessionToken?: string;
}

export interface S3Server extends ApiServer {
  /** Why each request was refused, or "ok", in order. */
  verdicts: string[];
}

const hex = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();

/** UriEncode of the SigV4 page: every byte but A-Z a-z 0-9 - . _ ~ as %XY with upper-case hex. */
const uriEncode = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function header(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  return Array.isArray(v) ? v.join(",") : (v ?? "");
}

/** "ok", or why the request's signature does not verify. */
export function verifySigV4(
  req: SeenRequest,
  keys: ReadonlyMap<string, S3Keys>,
  now = Date.now(),
): { ok: true; accessKeyId: string; region: string; service: string } | { ok: false; why: string } {
  // SigV4 page, "Add the signature to the request": Authorization is the algorithm, Credential (key id and
  // scope date/region/service/aws4_request), SignedHeaders and the hex Signature.
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/.exec(
      header(req.headers, "authorization"),
    );
  if (!m) return { ok: false, why: "AuthorizationHeaderMalformed" };
  const [, akid = "", date = "", region = "", service = "", signedHeaders = "", signature = ""] = m;
  const key = keys.get(akid);
  if (!key) return { ok: false, why: "InvalidAccessKeyId" };
  const signed = signedHeaders.split(";");
  // SigV4 page, canonical headers: host and every x-amz-* header are signed. S3 page: x-amz-content-sha256
  // is required on every request.
  for (const required of ["host", "x-amz-date", "x-amz-content-sha256"]) {
    if (!signed.includes(required)) return { ok: false, why: `${required} is not signed` };
  }
  for (const name of Object.keys(req.headers)) {
    if (name.startsWith("x-amz-") && !signed.includes(name))
      return { ok: false, why: `${name} is not signed` };
  }
  // Temporary credentials carry their session token in x-amz-security-token (SigV4 page).
  if (key.sessionToken !== undefined && header(req.headers, "x-amz-security-token") !== key.sessionToken) {
    return { ok: false, why: "InvalidToken" };
  }
  // The request time (x-amz-date, ISO 8601 basic) matches the scope's date and is within 15 minutes
  // (S3 page: RequestTimeTooSkewed).
  const amzDate = header(req.headers, "x-amz-date");
  const t = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!t || !amzDate.startsWith(date)) return { ok: false, why: "x-amz-date does not match the scope" };
  const at = Date.UTC(+(t[1] ?? 0), +(t[2] ?? 1) - 1, +(t[3] ?? 0), +(t[4] ?? 0), +(t[5] ?? 0), +(t[6] ?? 0));
  if (Math.abs(now - at) > 15 * 60_000) return { ok: false, why: "RequestTimeTooSkewed" };
  // S3 page: x-amz-content-sha256 is the hex SHA-256 of the payload, or UNSIGNED-PAYLOAD.
  const payload = header(req.headers, "x-amz-content-sha256");
  if (payload !== "UNSIGNED-PAYLOAD" && payload !== hex(req.body)) {
    return { ok: false, why: "XAmzContentSHA256Mismatch" };
  }
  // SigV4 page, "Create a canonical request": method, canonical URI (S3: the path as sent, encoded once),
  // canonical query (names and values URI-encoded, sorted by name), canonical headers (lower-case names,
  // trimmed values, sequential spaces as one, each line ending in \n), signed headers, hashed payload.
  const url = new URL(req.path, "http://s3.invalid");
  const query = [...url.searchParams]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const canonicalHeaders = signed
    .map((n) => `${n}:${header(req.headers, n).trim().replace(/\s+/g, " ")}\n`)
    .join("");
  const canonicalRequest = [req.method, url.pathname, query, canonicalHeaders, signedHeaders, payload].join(
    "\n",
  );
  // SigV4 page, "Create a string to sign": algorithm, request time, scope, hex SHA-256 of the canonical request.
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, hex(canonicalRequest)].join("\n");
  // SigV4 page, "Derive a signing key": HMAC chain from "AWS4" + secret over date, region, service, aws4_request.
  const kDate = hmac(`AWS4${key.secretAccessKey}`, date);
  const kSigning = hmac(hmac(hmac(kDate, region), service), "aws4_request");
  const expected = createHmac("sha256", kSigning).update(stringToSign).digest("hex");
  if (expected !== signature) return { ok: false, why: "SignatureDoesNotMatch" };
  return { ok: true, accessKeyId: akid, region, service };
}

/** The stand-in: S3's error document on a refusal (403 with the error code), the object store otherwise. */
export async function startS3Server(keys: ReadonlyMap<string, S3Keys>, region: string): Promise<S3Server> {
  const objects = new Map<string, string>();
  const verdicts: string[] = [];
  const server = await startApiServer(async (req) => {
    const v = verifySigV4(req, keys);
    if (!v.ok || v.region !== region || v.service !== "s3") {
      const why = v.ok ? "AuthorizationHeaderMalformed" : v.why;
      verdicts.push(why);
      return { status: 403, text: `<Error><Code>${why}</Code></Error>` };
    }
    verdicts.push("ok");
    const path = new URL(req.path, "http://s3.invalid").pathname;
    if (req.method === "PUT") {
      objects.set(path, req.body);
      return { text: "" };
    }
    const object = objects.get(path);
    return object === undefined
      ? { status: 404, text: "<Error><Code>NoSuchKey</Code></Error>" }
      : { text: object };
  });
  return Object.assign(server, { verdicts });
}

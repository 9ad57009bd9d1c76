/**
 * S3 and S3-compatible stores: a verifier of AWS Signature Version 4 as Amazon S3 documents it, and the
 * catalogue's aws_sigv4 recipes as profiles whose test request (ListBuckets, GET /) passes only with a
 * signature the simulator recomputed from its own copy of the secret. Nothing here trusts the client: every
 * part of the signature (canonical request, string to sign, signing key, credential scope, signed headers,
 * payload hash, request time, session token) is computed or checked again.
 *
 * Signing rules: https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html and
 * the pages under it, "Using the Authorization Header"
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-auth-using-authorization-header.html) and "Transferring
 * Payload in a Single Chunk" (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html).
 * Error codes, statuses and the XML body: https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { Route, SigV4Profile, SimReply } from "../simulator.js";

const SIGV4_DOCS = "https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html";
const ERRORS_DOCS = "https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html";

/** A key pair the store knows; temporary credentials also have a session token. */
export interface S3Key {
  secret: string;
  sessionToken?: string;
}

export interface SigV4Rules {
  /** Access key id to its secret (and session token): the store's own records. */
  keys: ReadonlyMap<string, S3Key>;
  /** Regions the endpoint accepts in the credential scope (R2: auto, plus its aliases). */
  regions: readonly string[];
  /** The region named in the error for a wrong one. */
  region: string;
  /** The server's clock (ms); default Date.now(). */
  now?: () => number;
}

/** The request as the store received it: the host the client addressed, the raw path and query. */
export interface SignedRequest {
  method: string;
  host: string;
  path: string;
  /** The query string without "?", as sent. */
  query: string;
  headers: IncomingHttpHeaders;
  body: Buffer | string;
}

const xmlEscape = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * S3's REST error response: `<Error><Code/><Message/><Resource/><RequestId/></Error>` as application/xml
 * (ErrorResponses.html, "REST error responses").
 */
export function s3Error(status: number, code: string, message: string, resource: string): SimReply {
  const requestId = randomBytes(8).toString("hex").toUpperCase();
  return {
    status,
    headers: { "content-type": "application/xml", "x-amz-request-id": requestId },
    body:
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      `<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message>` +
      `<Resource>${xmlEscape(resource)}</Resource><RequestId>${requestId}</RequestId></Error>`,
  };
}

/** ListBuckets' answer (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html). */
export function listBucketsReply(owner: string, buckets: string[]): SimReply {
  const items = buckets
    .map((b) => `<Bucket><Name>${b}</Name><CreationDate>2026-01-02T03:04:05.000Z</CreationDate></Bucket>`)
    .join("");
  return {
    status: 200,
    headers: { "content-type": "application/xml" },
    body:
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      `<Owner><ID>${owner}</ID></Owner><Buckets>${items}</Buckets></ListAllMyBucketsResult>`,
  };
}

/** RFC 3986 unreserved characters stay, everything else is %XX in upper case (sig-v4-header-based-auth, UriEncode). */
function uriEncode(s: string, keepSlash: boolean): string {
  let out = "";
  for (const byte of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c) || (keepSlash && c === "/")) out += c;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** CanonicalURI: the path, each segment URI-encoded once (S3 does not normalize or double-encode). */
function canonicalUri(path: string): string {
  return uriEncode(decode(path || "/"), true);
}

/** CanonicalQueryString: each name and value URI-encoded, sorted by name (then value); `name=` when empty. */
function canonicalQuery(query: string): string {
  if (query === "") return "";
  return query
    .split("&")
    .filter((p) => p !== "")
    .map((p) => {
      const i = p.indexOf("=");
      const k = i < 0 ? p : p.slice(0, i);
      const v = i < 0 ? "" : p.slice(i + 1);
      return [uriEncode(decode(k), false), uriEncode(decode(v), false)] as const;
    })
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(",") : v;
}

/**
 * Checks a request's SigV4 Authorization header as S3 does; undefined when it is valid, else S3's error.
 * The `host` header is the host the client addressed (the test dispatcher sends it elsewhere).
 */
export function verifySigV4(req: SignedRequest, rules: SigV4Rules): SimReply | undefined {
  const resource = req.path || "/";
  const auth = header(req.headers, "authorization");
  // An unsigned request is anonymous; ListBuckets and private buckets refuse anonymous access with
  // AccessDenied, 403 (ErrorResponses.html).
  if (auth === undefined) return s3Error(403, "AccessDenied", "Access Denied", resource);

  // "Authorization: AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request,
  // SignedHeaders=<h1;h2>, Signature=<64 hex>" (sigv4-auth-using-authorization-header.html). Anything else is
  // AuthorizationHeaderMalformed, 400 (ErrorResponses.html).
  const m =
    /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]*)\/([^/,\s]+)\/([^/,\s]+)\s*,\s*SignedHeaders=([a-z0-9;-]+)\s*,\s*Signature=([0-9a-f]{64})$/.exec(
      auth.trim(),
    );
  if (!m) {
    return s3Error(400, "AuthorizationHeaderMalformed", "The authorization header is malformed.", resource);
  }
  const [
    ,
    keyId = "",
    date = "",
    region = "",
    service = "",
    terminator = "",
    signedList = "",
    signature = "",
  ] = m;

  // "The x-amz-content-sha256 header is required for all AWS Signature Version 4 requests": the payload's
  // SHA-256 in hex, or UNSIGNED-PAYLOAD (sig-v4-header-based-auth.html).
  const contentSha = header(req.headers, "x-amz-content-sha256");
  if (contentSha === undefined) {
    return s3Error(
      400,
      "InvalidRequest",
      "Missing required header for this request: x-amz-content-sha256",
      resource,
    );
  }
  if (contentSha !== "UNSIGNED-PAYLOAD") {
    // XAmzContentSHA256Mismatch, 400: "The provided 'x-amz-content-sha256' header does not match what was
    // computed." (ErrorResponses.html)
    if (!/^[0-9a-f]{64}$/.test(contentSha) || contentSha !== sha256(req.body)) {
      return s3Error(
        400,
        "XAmzContentSHA256Mismatch",
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
        resource,
      );
    }
  }

  // The request time: x-amz-date (or Date), ISO 8601 basic; it must be a signed header
  // (sig-v4-header-based-auth.html). More than 15 minutes from the server's clock is RequestTimeTooSkewed, 403
  // (ErrorResponses.html; sig-v4-authenticating-requests.html: "the request timestamp ... within 15 minutes").
  const amzDate = header(req.headers, "x-amz-date");
  if (amzDate === undefined || !/^\d{8}T\d{6}Z$/.test(amzDate)) {
    return s3Error(
      403,
      "AccessDenied",
      "AWS authentication requires a valid Date or x-amz-date header",
      resource,
    );
  }
  const at = Date.UTC(
    Number(amzDate.slice(0, 4)),
    Number(amzDate.slice(4, 6)) - 1,
    Number(amzDate.slice(6, 8)),
    Number(amzDate.slice(9, 11)),
    Number(amzDate.slice(11, 13)),
    Number(amzDate.slice(13, 15)),
  );
  if (Math.abs((rules.now ?? Date.now)() - at) > 15 * 60_000) {
    return s3Error(
      403,
      "RequestTimeTooSkewed",
      "The difference between the request time and the current time is too large.",
      resource,
    );
  }

  // The credential scope: the date of x-amz-date, the endpoint's region, s3, aws4_request
  // (sigv4-auth-using-authorization-header.html, "Credential"). A wrong region is AuthorizationHeaderMalformed.
  if (date !== amzDate.slice(0, 8) || service !== "s3" || terminator !== "aws4_request") {
    return s3Error(
      400,
      "AuthorizationHeaderMalformed",
      "The authorization header is malformed; the Credential is mal-formed.",
      resource,
    );
  }
  if (!rules.regions.includes(region)) {
    return s3Error(
      400,
      "AuthorizationHeaderMalformed",
      `The authorization header is malformed; the region '${region}' is wrong; expecting '${rules.region}'`,
      resource,
    );
  }

  // The access key: unknown is InvalidAccessKeyId, 403 (ErrorResponses.html).
  const key = rules.keys.get(keyId);
  if (!key) {
    return s3Error(
      403,
      "InvalidAccessKeyId",
      "The AWS Access Key Id you provided does not exist in our records.",
      resource,
    );
  }

  // SignedHeaders: host and x-amz-content-sha256 always, and every x-amz-* header the request has
  // (sig-v4-header-based-auth.html: "you must include the Host header ... x-amz-content-sha256 ... any
  // x-amz-* headers that you plan to add to the request").
  const signed = signedList.split(";");
  const sortedSigned = [...signed].sort();
  if (signed.join(";") !== sortedSigned.join(";")) {
    return s3Error(400, "AuthorizationHeaderMalformed", "SignedHeaders must be sorted.", resource);
  }
  const unsigned = Object.keys(req.headers).filter(
    (h) => (h.startsWith("x-amz-") || h === "host") && !signed.includes(h),
  );
  if (!signed.includes("host") || !signed.includes("x-amz-content-sha256") || unsigned.length > 0) {
    return s3Error(
      403,
      "AccessDenied",
      "There were headers present in the request which were not signed",
      resource,
    );
  }

  // Temporary credentials: the session token in x-amz-security-token (sig-v4-authenticating-requests.html:
  // "If you are using temporary security credentials, the signature calculations also require a security
  // token"). Without it the temporary key id is not one S3 knows; a wrong one is InvalidToken, 400.
  const securityToken = header(req.headers, "x-amz-security-token");
  if (key.sessionToken !== undefined) {
    if (securityToken === undefined) {
      return s3Error(
        403,
        "InvalidAccessKeyId",
        "The AWS Access Key Id you provided does not exist in our records.",
        resource,
      );
    }
    if (securityToken !== key.sessionToken) {
      return s3Error(400, "InvalidToken", "The provided token is malformed or otherwise invalid.", resource);
    }
  }

  // CanonicalRequest = method \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders \n SignedHeaders \n
  // HashedPayload; each canonical header is lowercase-name:trimmed-value\n (sig-v4-header-based-auth.html).
  const canonicalHeaders = signed
    .map((h) => {
      const value = h === "host" ? req.host : header(req.headers, h);
      return `${h}:${(value ?? "").trim().replace(/\s+/g, " ")}\n`;
    })
    .join("");
  const canonicalRequest = [
    req.method.toUpperCase(),
    canonicalUri(req.path),
    canonicalQuery(req.query),
    canonicalHeaders,
    signedList,
    contentSha,
  ].join("\n");
  // StringToSign = "AWS4-HMAC-SHA256" \n timestamp \n scope \n hex(SHA256(CanonicalRequest)).
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonicalRequest)].join("\n");
  // SigningKey = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${key.secret}`, date), region), service), "aws4_request");
  const expected = createHmac("sha256", signingKey).update(stringToSign).digest();
  const given = Buffer.from(signature, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    // SignatureDoesNotMatch, 403 (ErrorResponses.html).
    return s3Error(
      403,
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
      resource,
    );
  }
  return undefined;
}

const rnd = (n: number) => randomBytes(n).toString("hex");

interface StoreRule {
  recipe: string;
  /** The store's page the endpoint, region and key facts come from. */
  docs: string;
  /** The values setup is given besides the keys (region, account id). */
  extra: Record<string, string>;
  /** The endpoint host for those values (the recipe's base_url as the store documents it). */
  host: string;
  /** Regions accepted in the credential scope, the first one named in errors. */
  regions: string[];
  /** Key formats as the store issues them (generated per run). */
  keyId: string;
  secret: string;
  sessionToken?: string;
}

function sigv4Profile(rule: StoreRule): SigV4Profile {
  const keys = new Map<string, S3Key>([
    [rule.keyId, { secret: rule.secret, ...(rule.sessionToken ? { sessionToken: rule.sessionToken } : {}) }],
  ]);
  const listBuckets: Route = (req) => {
    const refused = verifySigV4(
      {
        method: req.method,
        host: req.url.host,
        path: req.url.pathname,
        query: req.url.search.slice(1),
        headers: req.headers,
        body: req.body,
      },
      { keys, regions: rule.regions, region: rule.regions[0] ?? "" },
    );
    return refused ?? listBucketsReply(rnd(8), ["backups", "photos"]);
  };
  const values: Record<string, string> = {
    ...rule.extra,
    access_key_id: rule.keyId,
    secret_access_key: rule.secret,
    ...(rule.sessionToken ? { session_token: rule.sessionToken } : {}),
  };
  // A wrong secret: the signature the client computes with it is not the one S3 computes.
  const wrong = randomBytes(30).toString("base64");
  return {
    kind: "aws_sigv4",
    recipe: rule.recipe,
    docs: [rule.docs, SIGV4_DOCS, ERRORS_DOCS],
    values,
    wrongValues: { ...values, secret_access_key: wrong },
    routes: { [`GET https://${rule.host}/`]: listBuckets },
  };
}

const awsKeyId = (prefix: "AKIA" | "ASIA") => `${prefix}${randomBytes(8).toString("hex").toUpperCase()}`;
const awsSecret = () => randomBytes(30).toString("base64").slice(0, 40);
const R2_ACCOUNT = rnd(16);

export const s3Profiles: Array<{ name: string; profile: SigV4Profile }> = [
  {
    name: "aws_s3 long-term access key (eu-west-1)",
    profile: sigv4Profile({
      recipe: "aws_s3",
      // s3.<region>.amazonaws.com, the Regional endpoint (https://docs.aws.amazon.com/general/latest/gr/s3.html).
      docs: "https://docs.aws.amazon.com/general/latest/gr/s3.html",
      extra: { region: "eu-west-1" },
      host: "s3.eu-west-1.amazonaws.com",
      regions: ["eu-west-1"],
      keyId: awsKeyId("AKIA"),
      secret: awsSecret(),
    }),
  },
  {
    name: "aws_s3 temporary credentials (session token)",
    profile: sigv4Profile({
      recipe: "aws_s3",
      docs: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_use-resources.html",
      extra: { region: "us-east-1" },
      host: "s3.us-east-1.amazonaws.com",
      regions: ["us-east-1"],
      keyId: awsKeyId("ASIA"),
      secret: awsSecret(),
      sessionToken: randomBytes(48).toString("base64"),
    }),
  },
  {
    name: "cloudflare_r2",
    profile: sigv4Profile({
      recipe: "cloudflare_r2",
      // "The API is available via the https://<ACCOUNT_ID>.r2.cloudflarestorage.com endpoint"; "the region for an
      // R2 bucket is auto ... an empty value and us-east-1 will alias to the auto region." The key pair comes
      // from an R2 API token (https://developers.cloudflare.com/r2/api/tokens/); the hex formats here are
      // only plausible values, nothing checks them.
      docs: "https://developers.cloudflare.com/r2/api/s3/api/",
      extra: { account_id: R2_ACCOUNT },
      host: `${R2_ACCOUNT}.r2.cloudflarestorage.com`,
      regions: ["auto", "us-east-1", ""],
      keyId: rnd(16),
      secret: rnd(32),
    }),
  },
  {
    name: "backblaze_b2",
    profile: sigv4Profile({
      recipe: "backblaze_b2",
      // Endpoint s3.<region>.backblazeb2.com, region such as us-west-004; an application key id and key (the
      // master key is refused) stand for the access key id and secret
      // (https://www.backblaze.com/docs/cloud-storage-s3-compatible-app-keys).
      docs: "https://www.backblaze.com/apidocs/introduction-to-the-s3-compatible-api",
      extra: { region: "us-west-004" },
      host: "s3.us-west-004.backblazeb2.com",
      regions: ["us-west-004"],
      keyId: `004${rnd(12)}0000000001`,
      secret: `K004${randomBytes(20).toString("base64url").slice(0, 27)}`,
    }),
  },
  {
    name: "digitalocean_spaces",
    profile: sigv4Profile({
      recipe: "digitalocean_spaces",
      // "Set the endpoint to ${REGION}.digitaloceanspaces.com"; "Credential: ${ACCESS_KEY}/${YYYYMMDD}/
      // ${REGION_SLUG}/s3/aws4_request".
      docs: "https://docs.digitalocean.com/reference/api/spaces/",
      extra: { region: "fra1" },
      host: "fra1.digitaloceanspaces.com",
      regions: ["fra1"],
      keyId: `DO${randomBytes(9).toString("hex").toUpperCase()}`,
      secret: randomBytes(32).toString("base64").slice(0, 43),
    }),
  },
  {
    name: "wasabi",
    profile: sigv4Profile({
      recipe: "wasabi",
      // Service URL s3.<region>.wasabisys.com for each storage region; "100% bit-compatible" with S3's API
      // (https://docs.wasabi.com/apidocs/wasabi-api).
      docs: "https://docs.wasabi.com/docs/service-urls-for-wasabis-storage-regions",
      extra: { region: "eu-central-2" },
      host: "s3.eu-central-2.wasabisys.com",
      regions: ["eu-central-2"],
      keyId: randomBytes(10).toString("hex").toUpperCase(),
      secret: randomBytes(30).toString("base64").slice(0, 40),
    }),
  },
];

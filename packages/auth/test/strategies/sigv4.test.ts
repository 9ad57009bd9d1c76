import { createHash, createHmac, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuth } from "../../src/index.js";
import { makeHome, type TestHome } from "../support/home.js";

/**
 * An S3-compatible check of AWS Signature Version 4, written from the specification
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html), independent of the signer.
 */
function verifySigV4(
  req: IncomingMessage,
  body: Buffer,
  keys: Map<string, string>,
): { ok: true; accessKeyId: string; region: string; service: string } | { ok: false; why: string } {
  const auth = req.headers.authorization ?? "";
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) return { ok: false, why: "malformed Authorization" };
  const [, akid = "", date = "", region = "", service = "", signedHeaders = "", signature = ""] = m;
  const secret = keys.get(akid);
  if (!secret) return { ok: false, why: "unknown access key" };
  const amzDate = String(req.headers["x-amz-date"] ?? "");
  if (!amzDate.startsWith(date)) return { ok: false, why: "date mismatch" };
  const t = Date.UTC(
    +amzDate.slice(0, 4),
    +amzDate.slice(4, 6) - 1,
    +amzDate.slice(6, 8),
    +amzDate.slice(9, 11),
    +amzDate.slice(11, 13),
    +amzDate.slice(13, 15),
  );
  if (Math.abs(Date.now() - t) > 15 * 60_000) return { ok: false, why: "request time too skewed" };
  const bodyHash = createHash("sha256").update(body).digest("hex");
  const declared = String(req.headers["x-amz-content-sha256"] ?? bodyHash);
  if (declared !== "UNSIGNED-PAYLOAD" && declared !== bodyHash)
    return { ok: false, why: "payload hash mismatch" };
  const url = new URL(req.url ?? "/", "http://x");
  const enc = (s: string) =>
    encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const query = [...url.searchParams.entries()]
    .map(([k, v]) => [enc(k), enc(v)] as const)
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const names = signedHeaders.split(";");
  const canonicalHeaders = names
    .map(
      (n) =>
        `${n}:${String(req.headers[n] ?? "")
          .trim()
          .replace(/\s+/g, " ")}\n`,
    )
    .join("");
  const canonicalRequest = [req.method, url.pathname, query, canonicalHeaders, signedHeaders, declared].join(
    "\n",
  );
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = [
    "AWS4-HMAC-SHA256",
    amzDate,
    scope,
    createHash("sha256").update(canonicalRequest).digest("hex"),
  ].join("\n");
  const hmac = (k: Buffer | string, d: string) => createHmac("sha256", k).update(d).digest();
  const kSigning = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), "aws4_request");
  const expected = createHmac("sha256", kSigning).update(toSign).digest("hex");
  if (expected !== signature) return { ok: false, why: "signature mismatch" };
  return { ok: true, accessKeyId: akid, region, service };
}

const AKID = "AKIDEXAMPLE";
const SECRET = randomBytes(30).toString("base64");
let home: TestHome;
let server: ReturnType<typeof createServer>;
let base: string;
const objects = new Map<string, Buffer>();

beforeAll(async () => {
  home = await makeHome();
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const v = verifySigV4(req, body, new Map([[AKID, SECRET]]));
      if (!v.ok) {
        res.writeHead(403, { "content-type": "application/xml" });
        res.end(`<Error><Code>SignatureDoesNotMatch</Code><Message>${v.why}</Message></Error>`);
        return;
      }
      const key = new URL(req.url ?? "/", "http://x").pathname;
      if (req.method === "PUT") {
        objects.set(key, body);
        res.writeHead(200, { etag: `"${createHash("md5").update(body).digest("hex")}"` });
        res.end();
        return;
      }
      const obj = objects.get(key);
      res.writeHead(obj ? 200 : 404, {
        "x-signed-by": `${v.accessKeyId}/${v.region}/${v.service}`,
        "x-session": String(req.headers["x-amz-security-token"] ?? ""),
      });
      res.end(obj ?? "");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await home.writeRecipe({
    id: "local_s3",
    display_name: "Local S3",
    docs_url: "https://example.com/docs",
    primitive: "aws_sigv4",
    base_url: base,
    hosts: ["127.0.0.1"],
    required_secrets: [
      { key: "access_key_id", label: "Access key ID", sensitive: false },
      { key: "secret_access_key", label: "Secret access key" },
      { key: "session_token", label: "Session token", optional: true },
      { key: "region", label: "Region", sensitive: false, default: "eu-west-3" },
    ],
    aws_sigv4: { service: "s3", region: "{{secret.region}}" },
  });
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await home?.cleanup();
});

describe("AWS SigV4 against a local S3-compatible signature check", () => {
  it("PUT then GET an object: both signatures verify, with region and service from the recipe", async () => {
    const env = {
      ...home.env,
      ARCRUN_LOCAL_S3_ACCESS_KEY_ID: AKID,
      ARCRUN_LOCAL_S3_SECRET_ACCESS_KEY: SECRET,
    };
    const auth = createAuth({ env, interactive: false });
    const s3 = auth.bind("local_s3");
    const put = await s3.put("/bucket/backup.txt?x-id=PutObject", { body: "hello sigv4" });
    expect(put.status).toBe(200);
    const got = await s3.get("/bucket/backup.txt");
    expect(got.status).toBe(200);
    expect(got.headers.get("x-signed-by")).toBe(`${AKID}/eu-west-3/s3`);
    expect(await got.text()).toBe("hello sigv4");
    await auth.close();
  });

  it("a session token is sent as x-amz-security-token and signed", async () => {
    const env = {
      ...home.env,
      ARCRUN_LOCAL_S3_ACCESS_KEY_ID: AKID,
      ARCRUN_LOCAL_S3_SECRET_ACCESS_KEY: SECRET,
      ARCRUN_LOCAL_S3_SESSION_TOKEN: "session-abc",
    };
    const auth = createAuth({ env, interactive: false });
    const got = await auth
      .bind("local_s3")
      .get("/bucket/backup.txt", { query: { "response-content-type": "text/plain" } });
    expect(got.status).toBe(200);
    expect(got.headers.get("x-session")).toBe("session-abc");
    await auth.close();
  });

  it("the dispatcher signs too: undici.request through it passes the signature check", async () => {
    const env = {
      ...home.env,
      ARCRUN_LOCAL_S3_ACCESS_KEY_ID: AKID,
      ARCRUN_LOCAL_S3_SECRET_ACCESS_KEY: SECRET,
    };
    const auth = createAuth({ env, interactive: false });
    const dispatcher = auth.bind("local_s3").dispatcher;
    const put = await request(`${base}/bucket/via-dispatcher.txt`, {
      dispatcher,
      method: "PUT",
      body: "signed by the dispatcher",
    });
    expect(put.statusCode).toBe(200);
    await put.body.text();
    const got = await request(`${base}/bucket/via-dispatcher.txt`, { dispatcher });
    expect(got.statusCode).toBe(200);
    expect(got.headers["x-signed-by"]).toBe(`${AKID}/eu-west-3/s3`);
    expect(await got.body.text()).toBe("signed by the dispatcher");
    await auth.close();
  });

  it("a wrong secret is refused by the server (403 SignatureDoesNotMatch), so the check can fail", async () => {
    const env = {
      ...home.env,
      ARCRUN_LOCAL_S3_ACCESS_KEY_ID: AKID,
      ARCRUN_LOCAL_S3_SECRET_ACCESS_KEY: "wrong",
    };
    const auth = createAuth({ env, interactive: false });
    const res = await auth.bind("local_s3").get("/bucket/backup.txt");
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("signature mismatch");
    await auth.close();
  });
});

import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type S3Key, verifySigV4 } from "../../../auth/test/providers/profiles/s3.js";
import { run, type Sandbox, sandbox, start } from "../helpers/cli.js";

const HOST_MAP = fileURLToPath(new URL("../support/host-map.mjs", import.meta.url));
const REGION = "eu-west-1";
const S3_HOST = `s3.${REGION}.amazonaws.com`;
const KEY_ID = `AKIA${randomBytes(8).toString("hex").toUpperCase()}`;
const SECRET = randomBytes(30).toString("base64").slice(0, 40);

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  status: number;
}

let s3: Server;
let origin: string;
let box: Sandbox;
const seen: Seen[] = [];

/**
 * An S3 stand-in on node:http that answers ListBuckets only to a request whose AWS Signature Version 4 it
 * recomputed with its own copy of the secret (the verifier and its cited rules: auth's profiles/s3.ts). The host
 * in the signature is the one the client addressed: the test preload's x-test-original-host for arcrun, the
 * Host header for a client that calls the stand-in directly.
 */
async function startS3(): Promise<void> {
  const keys = new Map<string, S3Key>([[KEY_ID, { secret: SECRET }]]);
  s3 = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = req.url ?? "/";
      const q = raw.indexOf("?");
      const original = req.headers["x-test-original-host"];
      const refused = verifySigV4(
        {
          method: req.method ?? "GET",
          host: typeof original === "string" ? original : (req.headers.host ?? ""),
          path: q < 0 ? raw : raw.slice(0, q),
          query: q < 0 ? "" : raw.slice(q + 1),
          headers: req.headers,
          body: Buffer.concat(chunks),
        },
        { keys, regions: [REGION], region: REGION },
      );
      const reply = refused ?? {
        status: 200,
        headers: { "content-type": "application/xml" },
        body:
          '<?xml version="1.0" encoding="UTF-8"?>\n<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
          "<Owner><ID>owner-1</ID></Owner><Buckets><Bucket><Name>backups</Name>" +
          "<CreationDate>2026-01-02T03:04:05.000Z</CreationDate></Bucket></Buckets></ListAllMyBucketsResult>",
      };
      seen.push({ method: req.method ?? "", url: raw, headers: req.headers, status: reply.status });
      res.writeHead(reply.status, reply.headers);
      res.end(reply.body);
    });
  });
  await new Promise<void>((r) => s3.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(s3.address() as AddressInfo).port}`;
}

function sh(script: string, env: Record<string, string>): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile("sh", ["-c", script], { env }, (err, stdout) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout }),
    );
  });
}

beforeAll(async () => {
  await startS3();
  box = await sandbox();
  box.env.ARCRUN_STORE = "encrypted-file";
  // The aws_s3 recipe as shipped: its real host goes to the stand-in through the test-only preload.
  box.env.ARCRUN_TEST_HOST_MAP = JSON.stringify({ [S3_HOST]: origin });
  box.env.NODE_OPTIONS = `${box.env.NODE_OPTIONS ?? ""} --import ${HOST_MAP}`.trim();
  // access key id, secret, session token (none), region; setup's test request is ListBuckets, verified.
  const setup = await run(["setup", "aws_s3"], box.env, `${KEY_ID}\n${SECRET}\n\n${REGION}\n`);
  expect(setup.code, setup.stderr).toBe(0);
  expect(seen.at(-1)?.status).toBe(200);
});

afterAll(async () => {
  s3?.closeAllConnections();
  await new Promise((r) => s3?.close(r));
  await box?.cleanup();
});

describe("arcrun proxy in front of a SigV4-verifying S3 stand-in", () => {
  it("curl and Node fetch, holding no AWS credential, list buckets; the proxy signed each request", async () => {
    const proxy = start(["proxy", "--service", "aws_s3"], box.env);
    try {
      const url = (await proxy.waitFor(/ARCRUN_PROXY_URL=(\S+)/))[1] ?? "";
      const token = (await proxy.waitFor(/ARCRUN_PROXY_TOKEN=(\S+)/))[1] ?? "";
      const before = seen.length;

      // curl with only the proxy token: no key, no signature of its own.
      const viaCurl = await sh(`curl -sS -H "X-Arcrun-Proxy-Token: ${token}" "${url}/aws_s3/"`, {
        PATH: box.env.PATH ?? "",
      });
      expect(viaCurl.code).toBe(0);
      expect(viaCurl.stdout).toContain("<Name>backups</Name>");

      // Node's fetch, the token as a Bearer.
      const res = await fetch(`${url}/aws_s3/`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain("<ListAllMyBucketsResult");

      // Without the token: the proxy's 401, and nothing reaches S3.
      const refused = await fetch(`${url}/aws_s3/`);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ error: { code: "ERR_PROXY_TOKEN" } });

      const signed = seen.slice(before);
      expect(signed.map((s) => s.status)).toEqual([200, 200]);
      for (const s of signed) {
        expect(s.headers.authorization).toMatch(
          new RegExp(`^AWS4-HMAC-SHA256 Credential=${KEY_ID}/\\d{8}/${REGION}/s3/aws4_request`),
        );
        expect(JSON.stringify(s.headers)).not.toContain(token);
      }
      expect(proxy.output()).not.toContain(SECRET);
    } finally {
      proxy.kill("SIGTERM");
      expect((await proxy.done).code).toBe(0);
    }
  });

  it("a client that signs with the proxy token as its key (curl --aws-sigv4) is re-signed with the real key", async () => {
    const before = seen.length;
    const r = await run(
      [
        "run",
        "--proxy",
        "--service",
        "aws_s3",
        "--",
        "sh",
        "-c",
        // curl signs with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, which hold the per-run proxy token.
        `curl -sS --aws-sigv4 "aws:amz:$AWS_REGION:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" "$ARCRUN_PROXY_URL/aws_s3/"; env`,
      ],
      box.env,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("<Name>backups</Name>");
    expect(r.stdout).toMatch(/^AWS_ACCESS_KEY_ID=arcrun_proxy_/m);
    expect(r.stdout).not.toContain(SECRET);
    const got = seen.slice(before);
    expect(got.map((s) => s.status)).toEqual([200]);
    expect(got[0]?.headers.authorization).toContain(`Credential=${KEY_ID}/`);
  });

  it("arcrun run --service aws_s3 (no proxy) gives the real keys, and curl's own signature verifies", async () => {
    const before = seen.length;
    const r = await run(
      [
        "run",
        "--service",
        "aws_s3",
        "--",
        "sh",
        "-c",
        // S3 requires x-amz-content-sha256, which curl 7.88 does not add by itself: the caller names it.
        `curl -sS --aws-sigv4 "aws:amz:$AWS_REGION:s3" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" "${origin}/"`,
      ],
      box.env,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("<Name>backups</Name>");
    expect(seen.slice(before).map((s) => s.status)).toEqual([200]);
    // A wrong secret is refused by the same stand-in with S3's error.
    const wrong = await sh(
      `curl -sS --aws-sigv4 "aws:amz:${REGION}:s3" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" --user "${KEY_ID}:wrong${SECRET.slice(5)}" "${origin}/"`,
      { PATH: box.env.PATH ?? "" },
    );
    expect(wrong.stdout).toContain("<Code>SignatureDoesNotMatch</Code>");
  });
});

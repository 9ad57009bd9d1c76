import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { deriveTenantKey, type RecipePushRequest, sealRecipePush } from "@arcrun/workflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateExecutorKey, sealFor } from "./helpers/credentials.js";
import { type LocalExecutor, pushAndQuery, startExecutor } from "./helpers/executor.js";

// What the executor does with the http_digest and session primitives, on workerd (docs/executor.md
// "Primitives"): the host answers an HTTP Digest challenge at egress (the key pair never enters the
// sandbox), and a session recipe is refused at push. The Digest server is a real node:http server that
// issues its own nonces and recomputes every answer with node:crypto (RFC 7616 section 3.4.1); a nonce
// takes NONCE_USES answers, then the server says it is stale (section 3.3), as a server with nonce lifetimes
// does. A run keeps the nonce it was given and counts nc (section 3.4), so its later requests are answered
// without a new challenge.
const API_KEY = "primitives-test-key";
const ENCRYPTION_KEY = generateExecutorKey();
const PUBLIC_KEY = randomBytes(4).toString("hex");
const PRIVATE_KEY = `${randomBytes(8).toString("hex")}-${randomBytes(6).toString("hex")}`;
const REALM = "local digest";
/** Answers a nonce takes before the stand-in calls it stale (section 3.3: "stale=true"). */
const NONCE_USES = 3;

interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  verdict: "challenge" | "ok" | "refused" | "replay" | "stale";
}

let server: Server;
let port: number;
const seen: Seen[] = [];
/** Nonce to the counts answered with it (RFC 7616 section 3.4.4: a count used twice is a replay). */
const nonces = new Map<string, Set<string>>();
let ex: LocalExecutor;

function params(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/([a-z0-9-]+)=(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/gi)) {
    out[(m[1] as string).toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : (m[3] ?? "");
  }
  return out;
}

/** Section 3.4.1: the response the client must have computed, with qop=auth. */
function verdict(method: string, path: string, header: string | undefined): Seen["verdict"] {
  if (!header?.startsWith("Digest ")) return "challenge";
  const p = params(header);
  const used = p.nonce !== undefined ? nonces.get(p.nonce) : undefined;
  if (!used || p.realm !== REALM || p.username !== PUBLIC_KEY || p.uri !== path || p.qop !== "auth") {
    return "refused";
  }
  const alg = (p.algorithm ?? "MD5").toUpperCase();
  // /md5/ offers only MD5 (as RFC 2617 servers do), so an answer with another algorithm is refused there.
  if (path.startsWith("/md5/") && alg !== "MD5") return "refused";
  const H = (t: string) =>
    createHash(alg === "MD5" ? "md5" : "sha256")
      .update(t)
      .digest("hex");
  const ha1 = H(`${PUBLIC_KEY}:${REALM}:${PRIVATE_KEY}`);
  const expected = H(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:auth:${H(`${method}:${path}`)}`);
  if (p.response !== expected) return "refused";
  if (used.has(p.nc ?? "")) return "replay";
  // Section 3.3: a right answer with an expired nonce gets a new challenge with stale=true.
  if (used.size >= NONCE_USES) return "stale";
  used.add(p.nc ?? "");
  return "ok";
}

const ncOf = (r: Seen): string | undefined =>
  r.headers.authorization?.startsWith("Digest ") ? params(r.headers.authorization).nc : undefined;

async function push(name: string, plaintext: string, recipe?: string) {
  const sealed = await sealFor(ENCRYPTION_KEY, "default", name, plaintext);
  return ex.request("/credentials", {
    method: "POST",
    apiKey: API_KEY,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...sealed, ...(recipe ? { recipe } : {}) }),
  });
}

async function run(yaml: string) {
  const res = await pushAndQuery(ex, API_KEY, yaml);
  const body = res.json as { execution_id: string; output?: unknown; error?: { message: string } };
  const stored = await ex.request(`/executions/${body.execution_id}`, { apiKey: API_KEY });
  return { text: `${res.text}\n${stored.text}`, body };
}

const secret = (key: string, sensitive = true) => ({
  key,
  label: key,
  sensitive,
  optional: false,
  format: "string",
});

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "/";
      const v = verdict(req.method ?? "GET", path, req.headers.authorization);
      seen.push({ method: req.method ?? "GET", path, headers: req.headers, verdict: v });
      if (v === "ok") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ ok: true, method: req.method, body: Buffer.concat(chunks).toString() }));
        return;
      }
      // Section 3.3: a challenge per algorithm, SHA-256 first; /md5/ offers only MD5 (as RFC 2617 servers).
      const nonce = randomBytes(16).toString("base64");
      nonces.set(nonce, new Set());
      const algs = path.startsWith("/md5/") ? ["MD5"] : ["SHA-256", "MD5"];
      const stale = v === "stale" ? ", stale=true" : "";
      const challenge = algs
        .map((a) => `Digest realm="${REALM}", qop="auth", algorithm=${a}, nonce="${nonce}"${stale}`)
        .join(", ");
      res.writeHead(401, { "www-authenticate": challenge, "content-type": "application/json" });
      res.end(JSON.stringify({ error: 401, reason: "Unauthorized" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  ex = await startExecutor({
    ENCRYPTION_KEY,
    ARCRUN_API_KEY: API_KEY,
    ARCRUN_RECIPES: JSON.stringify([
      {
        // mongodb_atlas's shape on a local server.
        id: "local_digest",
        display_name: "Local Digest API",
        docs_url: "http://127.0.0.1/docs",
        categories: [],
        hosts: [`127.0.0.1:${port}`],
        base_url: `http://127.0.0.1:${port}`,
        primitive: "http_digest",
        required_secrets: [secret("public_key", false), secret("private_key")],
        http_digest: {
          username: "{{secret.public_key}}",
          password: "{{secret.private_key}}",
          algorithms: ["SHA-256", "MD5"],
        },
      },
    ]),
  });
  const pair = (privateKey: string) => JSON.stringify({ public_key: PUBLIC_KEY, private_key: privateKey });
  expect((await push("atlas", pair(PRIVATE_KEY), "local_digest")).status).toBe(201);
  expect((await push("atlas_wrong", pair(`${PRIVATE_KEY}x`), "local_digest")).status).toBe(201);
});

afterAll(async () => {
  await ex?.dispose();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()) ?? resolve());
});

describe("HTTP Digest answered in the host", () => {
  it("GET and POST: the host answers the challenge (SHA-256, and MD5 where only MD5 is offered, answering that new challenge once); the workflow never holds the private key", async () => {
    const from = seen.length;
    const { body, text } = await run(`name: digest-get-post
flow:
  - input >> ON_SUCCESS >> auth
  - auth >> ON_SUCCESS >> get
  - get >> ON_SUCCESS >> md5
  - md5 >> ON_SUCCESS >> post
config:
  auth: { component: auth_static_key, credential: atlas }
  get: { component: http_request, url: "{{auth.data.base_url}}/api/atlas/v2/groups?pretty=true", headers: "{{auth.data.headers}}", fail_on_status: true }
  md5: { component: http_request, url: "{{auth.data.base_url}}/md5/orgs", headers: "{{auth.data.headers}}", fail_on_status: true }
  post: { component: http_request, method: POST, url: "{{auth.data.base_url}}/api/atlas/v2/groups", headers: "{{auth.data.headers}}", body: '{"name":"p"}', fail_on_status: true }
`);
    expect(body.error).toBeUndefined();
    expect(body.output).toMatchObject({ status: 200, data: { body: { ok: true, method: "POST" } } });
    const mine = seen.slice(from);
    expect(mine.map((r) => `${r.method} ${r.path} ${r.verdict}`)).toEqual([
      "GET /api/atlas/v2/groups?pretty=true challenge",
      "GET /api/atlas/v2/groups?pretty=true ok",
      // The kept SHA-256 nonce is refused where only MD5 is taken: the new challenge is answered once.
      "GET /md5/orgs refused",
      "GET /md5/orgs ok",
      // The kept MD5 nonce, count 2: no challenge.
      "POST /api/atlas/v2/groups ok",
    ]);
    expect(mine.map((r) => /algorithm=([\w-]+)/.exec(String(r.headers.authorization))?.[1])).toEqual([
      undefined,
      "SHA-256",
      "SHA-256",
      "MD5",
      "MD5",
    ]);
    expect(mine.map((r) => ncOf(r))).toEqual([undefined, "00000001", "00000002", "00000001", "00000002"]);
    // The first request carries no credential: the handle is dropped, never sent as text.
    expect(mine[0]?.headers.authorization).toBeUndefined();
    expect(text).not.toContain(PRIVATE_KEY);
  });

  it("a run keeps the server's nonce and counts nc: five calls take one challenge, and a stale nonce is answered once afresh", async () => {
    const from = seen.length;
    const calls = ["a", "b", "c", "d", "e"];
    const { body } = await run(`name: digest-kept
flow:
  - input >> ON_SUCCESS >> auth
  - auth >> ON_SUCCESS >> a
${calls
  .slice(1)
  .map((c, i) => `  - ${calls[i]} >> ON_SUCCESS >> ${c}`)
  .join("\n")}
config:
  auth: { component: auth_static_key, credential: atlas }
${calls.map((c) => `  ${c}: { component: http_request, url: "{{auth.data.base_url}}/api/atlas/v2/groups/${c}", headers: "{{auth.data.headers}}", fail_on_status: true }`).join("\n")}
`);
    expect(body.error).toBeUndefined();
    expect(body.output).toMatchObject({ status: 200 });
    const mine = seen.slice(from);
    // Answering each call afresh took 2 requests a call (10); keeping the nonce takes 7: one challenge, three
    // answers with it (nc 1 to 3), its stale refusal, and two answers with the new nonce.
    expect(mine.map((r) => `${r.path} ${r.verdict} ${ncOf(r) ?? "-"}`)).toEqual([
      "/api/atlas/v2/groups/a challenge -",
      "/api/atlas/v2/groups/a ok 00000001",
      "/api/atlas/v2/groups/b ok 00000002",
      "/api/atlas/v2/groups/c ok 00000003",
      "/api/atlas/v2/groups/d stale 00000004",
      "/api/atlas/v2/groups/d ok 00000001",
      "/api/atlas/v2/groups/e ok 00000002",
    ]);
    const nonceOf = (r: Seen | undefined) => params(String(r?.headers.authorization)).nonce;
    expect(nonceOf(mine[5])).not.toBe(nonceOf(mine[4]));
  });

  it("a nonce lives in its run only: the next run of the same workflow starts with a challenge", async () => {
    const yaml = `name: digest-once
flow:
  - input >> ON_SUCCESS >> auth
  - auth >> ON_SUCCESS >> get
config:
  auth: { component: auth_static_key, credential: atlas }
  get: { component: http_request, url: "{{auth.data.base_url}}/api/atlas/v2/groups", headers: "{{auth.data.headers}}", fail_on_status: true }
`;
    const from = seen.length;
    expect((await run(yaml)).body.output).toMatchObject({ status: 200 });
    const again = await ex.request("/webhooks/named/digest-once/query", {
      method: "POST",
      apiKey: API_KEY,
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(again.json).toMatchObject({ output: { status: 200 } });
    expect(seen.slice(from).map((r) => r.verdict)).toEqual(["challenge", "ok", "challenge", "ok"]);
  });

  it("a wrong private key: the 401 reaches the workflow after one answer, with no retry loop", async () => {
    const from = seen.length;
    const { body } = await run(`name: digest-wrong
flow:
  - input >> ON_SUCCESS >> auth
  - auth >> ON_SUCCESS >> get
config:
  auth: { component: auth_static_key, credential: atlas_wrong }
  get: { component: http_request, url: "{{auth.data.base_url}}/api/atlas/v2/groups", headers: "{{auth.data.headers}}" }
`);
    expect(body.output).toMatchObject({ status: 401 });
    expect(seen.slice(from).map((r) => r.verdict)).toEqual(["challenge", "refused"]);
  });

  it("the stand-in refuses a replayed answer (same nonce and count): a check of the stand-in itself", async () => {
    // An answer the executor's host made and the stand-in accepted, in this test (not left by another).
    const from = seen.length;
    await run(`name: digest-replay
flow:
  - input >> ON_SUCCESS >> auth
  - auth >> ON_SUCCESS >> get
config:
  auth: { component: auth_static_key, credential: atlas }
  get: { component: http_request, url: "{{auth.data.base_url}}/api/atlas/v2/groups", headers: "{{auth.data.headers}}" }
`);
    const ok = seen.slice(from).find((r) => r.verdict === "ok");
    expect(ok?.headers.authorization).toMatch(/^Digest /);
    const res = await fetch(`http://127.0.0.1:${port}${ok?.path}`, {
      method: ok?.method ?? "GET",
      headers: { authorization: String(ok?.headers.authorization) },
      ...(ok?.method === "POST" ? { body: '{"name":"p"}' } : {}),
    });
    expect(res.status).toBe(401);
    expect(seen.at(-1)?.verdict).toBe("replay");
  });

  it("the Digest handle sent to another host is refused before anything is sent", async () => {
    const from = seen.length;
    const { body } = await run(`name: digest-away
flow:
  - input >> ON_SUCCESS >> auth
  - auth >> ON_SUCCESS >> send
config:
  auth: { component: auth_static_key, credential: atlas }
  send: { component: http_request, url: "http://localhost:${port}/api/atlas/v2/groups", headers: "{{auth.data.headers}}" }
`);
    expect(body.error?.message).toContain(`refused to send it to localhost:${port}`);
    expect(seen.length).toBe(from);
  });
});

describe("session recipes are refused at push", () => {
  it("a credential for a session recipe (bluesky) is refused, saying why and what to use", async () => {
    const res = await push(
      "bsky",
      JSON.stringify({ identifier: "a.bsky.social", app_password: "x" }),
      "bluesky",
    );
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: "ERR_CREDENTIAL_INVALID" } });
    expect(res.text).toContain('recipe \\"bluesky\\" logs in for a session token');
    expect(res.text).toContain("arcrun-auth");
  });

  it("a workflow whose node names a session recipe is refused at push", async () => {
    const res = await ex.request("/webhooks/named", {
      method: "POST",
      apiKey: API_KEY,
      headers: { "content-type": "application/yaml" },
      body: `name: bsky-post
flow:
  - input >> ON_SUCCESS >> auth
config:
  auth: { component: auth_static_key, credential: atlas, recipe: bluesky }
`,
    });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: "ERR_WORKFLOW_INVALID" } });
    expect(res.text).toContain('node \\"auth\\": recipe \\"bluesky\\"');
    expect((await ex.request("/webhooks/named/bsky-post", { apiKey: API_KEY })).status).toBe(404);
  });
});

describe("recipe push of an http_digest recipe (the test request's challenge answered in the host)", () => {
  const digestRecipe = (id: string) =>
    [
      `id: ${id}`,
      "display_name: Pushed Digest API",
      "docs_url: https://digest.example.com/docs/auth",
      "primitive: http_digest",
      `base_url: http://127.0.0.1:${port}/api/atlas/v2`,
      "hosts: [127.0.0.1]",
      "required_secrets: [{ key: public_key, label: Public key, sensitive: false }, { key: private_key, label: Private key }]",
      'http_digest: { username: "{{secret.public_key}}", password: "{{secret.private_key}}", algorithms: [SHA-256, MD5] }',
      "test: { method: GET, path: /, expect_status: 200 }",
      "",
    ].join("\n");

  async function call(phase: "check" | "push", req: Omit<RecipePushRequest, "proof">) {
    const proof = await sealRecipePush(await deriveTenantKey(ENCRYPTION_KEY, "default"), phase, req);
    return ex.request(phase === "check" ? "/recipes/check" : "/recipes", {
      method: "POST",
      apiKey: API_KEY,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...req, proof }),
    });
  }
  const pair = (privateKey: string) => JSON.stringify({ public_key: PUBLIC_KEY, private_key: privateKey });
  const hosts = () => ["127.0.0.1", `127.0.0.1:${port}`].sort();

  it("a right key pair: the push answers the challenge once, stores the recipe, and a workflow uses it", async () => {
    expect((await push("pushed_digest", pair(PRIVATE_KEY))).status).toBe(201);
    const req = { id: "my_digest", source: digestRecipe("my_digest"), credential: "pushed_digest" };
    const check = await call("check", { ...req, confirm_hosts: [] });
    expect(check.json).toMatchObject({ id: "my_digest", hosts: hosts() });
    const from = seen.length;
    const res = await call("push", { ...req, confirm_hosts: hosts() });
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({ id: "my_digest", test_status: 200, bound: true });
    expect(seen.slice(from).map((r) => `${r.path} ${r.verdict}`)).toEqual([
      "/api/atlas/v2/ challenge",
      "/api/atlas/v2/ ok",
    ]);
    expect(res.text).not.toContain(PRIVATE_KEY);
    const { body } = await run(`name: pushed-digest
flow:
  - input >> ON_SUCCESS >> auth
  - auth >> ON_SUCCESS >> get
config:
  auth: { component: auth_static_key, credential: pushed_digest }
  get: { component: http_request, url: "{{auth.data.base_url}}/groups", headers: "{{auth.data.headers}}", fail_on_status: true }
`);
    expect(body.output).toMatchObject({ status: 200 });
  });

  it("a wrong private key: the answer is refused, the push fails with the status, and nothing is stored", async () => {
    expect((await push("pushed_digest_wrong", pair(`${PRIVATE_KEY}x`))).status).toBe(201);
    const from = seen.length;
    const res = await call("push", {
      id: "my_digest_wrong",
      source: digestRecipe("my_digest_wrong"),
      credential: "pushed_digest_wrong",
      confirm_hosts: hosts(),
    });
    expect(res.status, res.text).toBe(422);
    expect(res.json).toMatchObject({ error: { code: "ERR_RECIPE_TEST_FAILED" } });
    expect(res.text).toContain("answered 401, expected 200; nothing was stored");
    expect(seen.slice(from).map((r) => r.verdict)).toEqual(["challenge", "refused"]);
    const list = await ex.request("/recipes", { apiKey: API_KEY });
    expect(list.text).not.toContain("my_digest_wrong");
  });

  it("a session recipe is still refused at push, with the reason and what to use instead", async () => {
    const source = readFileSync(
      new URL("../../recipes/recipes/bluesky.yaml", import.meta.url),
      "utf8",
    ).replace(/^id: bluesky$/m, "id: my_bsky");
    const res = await call("push", { id: "my_bsky", source, credential: "atlas", confirm_hosts: [] });
    expect(res.status, res.text).toBe(400);
    expect(res.text).toContain('recipe \\"my_bsky\\" logs in for a session token');
    expect(res.text).toContain("arcrun-auth");
  });
});

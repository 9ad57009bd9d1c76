import { MissingTemplateValue, signSigV4, sigV4Keys } from "@arcrun/recipes";
import { HOST_STATUS } from "components/abi";
import { ExecutorError, type ExecutorErrorCode } from "../errors.js";
import { base64Decode, base64UrlEncode } from "../internal/base64.js";
import { executorRefusal } from "../primitives.js";
import { VERSION } from "../version.js";
import type { HostContext } from "./context.js";
import {
  type Grant,
  type InjectPrimitive,
  loadRecord,
  type OpenedCredential,
  openCredential,
  renderSealedBaseUrl,
  renderSealedEndpoints,
  renderSealedInject,
  sealedView,
  TOKEN_FIELDS,
  tokenCacheKey,
} from "./credentials.js";
import { chooseChallenge, type DigestNonce, digestAnswerFor, digestNonceKey } from "./digest.js";
import { describeGrants, substituteSealed } from "./egress.js";
import { cryptoDigest, cryptoHmac, cryptoOpen, cryptoSeal, sleep } from "./platform.js";
import type { HostCall, HostFunctions, HostReply } from "./runtime.js";

export type { HostContext, OpenedCredential };

/** The User-Agent of requests that set none: GitHub's REST API, for one, refuses requests without one. */
export const USER_AGENT = `arcrun/${VERSION}`;

const ok = (body: unknown): HostReply => ({ status: HOST_STATUS.ok, body: JSON.stringify(body) });
const notFound = (): HostReply => ({ status: HOST_STATUS.not_found, body: "{}" });
const refuse = (status: number, code: ExecutorErrorCode, error: string): HostReply => ({
  status,
  body: JSON.stringify({ code, error }),
});
const denied = (code: ExecutorErrorCode, error: string) => refuse(HOST_STATUS.denied, code, error);
const failed = (code: ExecutorErrorCode, error: string) => refuse(HOST_STATUS.failed, code, error);

/**
 * Replaces the token fields of a token response or cache entry by handles of `opened`, so that a token a
 * component obtained is as sealed as the credential it came from. Not a JSON object: unchanged.
 */
function sealTokens(ctx: HostContext, opened: OpenedCredential, json: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return json;
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return json;
  const doc = parsed as Record<string, unknown>;
  for (const key of TOKEN_FIELDS) {
    const v = doc[key];
    if (typeof v === "string" && v !== "") {
      doc[key] = ctx.secrets.seal(opened.record.name, v, opened.grants, opened.hosts);
    }
  }
  return JSON.stringify(doc);
}

function parseInput(input: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(input);
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
  return parsed as Record<string, unknown>;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function countCall(ctx: HostContext, name: string): void {
  ctx.budget.hostCalls++;
  if (ctx.budget.hostCalls > ctx.budget.maxHostCalls) {
    throw new ExecutorError(
      "ERR_LIMIT_HOST_CALLS",
      `the workflow made more than ${ctx.budget.maxHostCalls} host calls (limits.host_calls; the last was ${name}); raise the limit or make fewer requests`,
    );
  }
}

async function readCapped(res: Response, max: number): Promise<string | undefined> {
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > max) return undefined;
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.byteLength;
  }
  return new TextDecoder().decode(all);
}

function notAllowed(credential: string, allowed: string, url: URL, where: string): HostReply {
  return denied(
    "ERR_HOST_NOT_ALLOWED",
    `credential "${credential}" may only be sent to ${allowed || "no host (it has no recipe)"}; ` +
      `refused to send it to ${url.host} in ${where}. Fix the node's url or headers, or push the credential with --recipe or --host`,
  );
}

function basicInput(v: unknown): { user: string; password: string; form_encode?: boolean } | undefined {
  if (!v || typeof v !== "object") return undefined;
  const b = v as Record<string, unknown>;
  if (typeof b.user !== "string" || typeof b.password !== "string") return undefined;
  return { user: b.user, password: b.password, form_encode: b.form_encode === true };
}

/**
 * `u6u.http_request`: `{method, url, headers, body, basic?}` -> `{status, ok, headers, data: {body}}`. The
 * sealed credentials in the request are put back here, where their grants allow (host/egress.ts); a token
 * in the response to such a request is sealed in turn, and any echoed secret redacted.
 */
async function httpRequest(ctx: HostContext, input: Record<string, unknown>): Promise<HostReply> {
  const method = (str(input.method) ?? "GET").toUpperCase();
  let url: URL;
  try {
    url = new URL(str(input.url) ?? "");
  } catch {
    return failed("ERR_BAD_REQUEST", `not a URL: ${ctx.secrets.redact(String(input.url))}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return failed("ERR_BAD_REQUEST", `only http and https URLs are allowed, got ${url.protocol}`);
  }
  const headers = new Headers();
  const rawHeaders = input.headers && typeof input.headers === "object" ? input.headers : {};
  for (const [k, v] of Object.entries(rawHeaders)) {
    if (typeof v === "string") headers.set(k, v);
  }
  if (!headers.has("user-agent")) headers.set("user-agent", USER_AGENT);
  const body = str(input.body);
  const basic = basicInput(input.basic);
  const outgoing = `${url.href}\n${[...headers].map(([k, v]) => `${k}: ${v}`).join("\n")}\n${body ?? ""}\n${basic ? `${basic.user}\n${basic.password}` : ""}`;
  // A plaintext never reaches a component; this catches one a misbehaving API echoed past the redaction.
  const plaintexts = ctx.secrets.find(outgoing);
  const violation = ctx.secrets.violation(outgoing, url, plaintexts);
  if (violation) return notAllowed(violation.credential, violation.hosts.join(", "), url, "this request");
  const egress = substituteSealed(ctx.secrets, url, headers, body, basic);
  if (!("carried" in egress)) {
    return notAllowed(egress.credential, describeGrants(egress.grants), url, egress.where);
  }
  const carried = [...egress.carried];
  const sendBody = method === "GET" || method === "HEAD" ? undefined : egress.body;
  let target = { url: egress.url, headers: egress.headers };
  if (egress.sign?.kind === "aws_sigv4") {
    const signed = await signRequest(ctx, egress.sign.credential, method, target, sendBody);
    if ("status" in signed) return signed;
    target = signed;
  }
  const send = (headers: Headers) =>
    ctx.fetch(
      new Request(target.url, {
        method,
        headers,
        body: sendBody,
        // A redirect must not carry a credential to a host nobody checked.
        redirect: carried.length > 0 || plaintexts.length > 0 ? "manual" : "follow",
      }),
    );
  let res: Response;
  try {
    const sent =
      egress.sign?.kind === "http_digest"
        ? await sendDigest(ctx, egress.sign.credential, method, target, send)
        : await send(target.headers);
    if (!(sent instanceof Response)) return sent;
    res = sent;
  } catch (err) {
    return failed("ERR_COMPONENT_FAILED", fetchFailure(url.host, ctx.secrets.redact(String(err))));
  }
  let text = await readCapped(res, ctx.maxResponseBytes);
  if (text === undefined) {
    throw new ExecutorError(
      "ERR_LIMIT_OUTPUT",
      `the response from ${url.host} is larger than ${ctx.maxResponseBytes} bytes (limits.output_bytes); request less data`,
    );
  }
  let raw: string | undefined;
  if (text.length > 0 && /json/i.test(res.headers.get("content-type") ?? "")) {
    try {
      JSON.parse(text);
      for (const name of carried) {
        const opened = await openCredential(ctx, name);
        if (opened) text = sealTokens(ctx, opened, text);
      }
      raw = ctx.secrets.redact(text);
    } catch {
      // declared JSON but is not: keep it as a string
    }
  }
  raw ??= JSON.stringify(ctx.secrets.redact(text));
  const outHeaders: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    outHeaders[k] = ctx.secrets.redact(v);
  });
  return {
    status: HOST_STATUS.ok,
    body: `{"status":${res.status},"ok":${res.ok},"headers":${JSON.stringify(outHeaders)},"data":{"body":${raw}}}`,
  };
}

/**
 * Signs a request with a credential of an `aws_sigv4` recipe (the same `signSigV4` arcrun-auth uses), after
 * its handles were put back: the signature covers the URL, headers and body as sent. The keys stay here.
 */
async function signRequest(
  ctx: HostContext,
  name: string,
  method: string,
  target: { url: string; headers: Headers },
  body: string | undefined,
): Promise<{ url: string; headers: Headers } | HostReply> {
  const opened = await openCredential(ctx, name);
  const spec = opened?.recipe?.aws_sigv4;
  const keys = opened ? sigV4Keys(opened.secrets) : undefined;
  if (!opened || !spec || !keys) {
    return failed(
      "ERR_CREDENTIAL_INVALID",
      `credential "${name}" cannot sign: its recipe needs an aws_sigv4 block and the credential access_key_id and secret_access_key; push it again: arcrun creds push ${name} --recipe aws_s3`,
    );
  }
  // The signer sets these itself; a stale one from the workflow would be signed as given.
  for (const h of ["authorization", "x-amz-date", "x-amz-security-token"]) target.headers.delete(h);
  try {
    const signed = await signSigV4(
      { method, url: target.url, headers: target.headers, ...(body !== undefined ? { body } : {}) },
      keys,
      spec,
      { secret: opened.secrets },
    );
    return { url: signed.url, headers: signed.headers };
  } catch (err) {
    const why =
      err instanceof MissingTemplateValue ? `it has no value for {{${err.variable}}}` : "signing failed";
    return failed(
      "ERR_CREDENTIAL_INVALID",
      `credential "${name}" cannot sign: ${why}; push it again: arcrun creds push ${name}`,
    );
  }
}

/**
 * Sends a request that carries a Digest handle (docs/executor.md "HTTP Digest"), answering the server's
 * challenge with the credential of an `http_digest` recipe; the user name and password stay in the host.
 * The first request of a run to an origin is challenged (401) and answered with nonce count 1; once an answer
 * is accepted, the run keeps that nonce (host/digest.ts) and answers later requests at once with the count
 * one higher (RFC 7616 section 3.4). A 401 to a kept nonce drops it and its new challenge is answered once:
 * `stale=true` says the nonce expired and the answer was right (section 3.3), and a server may also refuse a
 * nonce kept per origin for another protection space (realm, algorithm) of that origin. A 401 to an answer
 * to a new challenge goes to the workflow (a wrong key: no retry loop), as does a 401 whose challenge the
 * recipe does not accept.
 */
async function sendDigest(
  ctx: HostContext,
  name: string,
  method: string,
  target: { url: string; headers: Headers },
  send: (headers: Headers) => Promise<Response>,
): Promise<Response | HostReply> {
  const opened = await openCredential(ctx, name);
  const spec = opened?.recipe?.http_digest;
  if (!opened || !spec) {
    return failed(
      "ERR_CREDENTIAL_INVALID",
      `credential "${name}" cannot answer a Digest challenge: its recipe needs an http_digest block; push it again: arcrun creds push ${name} --recipe mongodb_atlas`,
    );
  }
  const key = digestNonceKey(name, target.url);
  const answer = async (kept: DigestNonce): Promise<Response | HostReply> => {
    const headers = new Headers(target.headers);
    try {
      headers.set(
        "authorization",
        await digestAnswerFor(spec, opened.secrets, kept, method, target.url, kept.nc),
      );
    } catch (err) {
      const variable = err instanceof MissingTemplateValue ? err.variable : "a value";
      return failed(
        "ERR_CREDENTIAL_INVALID",
        `credential "${name}" has no value for {{${variable}}} (the recipe's http_digest block); push it again: arcrun creds push ${name}`,
      );
    }
    return send(headers);
  };
  /** Answers a new challenge with count 1, and keeps its nonce when the server takes the answer. */
  const answerNew = async (res: Response): Promise<Response | HostReply> => {
    const chosen = chooseChallenge(res, spec);
    if (!chosen) return res;
    await res.body?.cancel();
    const fresh: DigestNonce = { ...chosen, nc: 1 };
    const answered = await answer(fresh);
    if (answered instanceof Response && answered.status !== 401) ctx.digestNonces.set(key, fresh);
    return answered;
  };
  const kept = ctx.digestNonces.get(key);
  if (kept) {
    // The count goes up before the request leaves, so requests sent at once never share one (section 3.4.4).
    kept.nc += 1;
    const res = await answer(kept);
    if (!(res instanceof Response) || res.status !== 401) return res;
    if (ctx.digestNonces.get(key) === kept) ctx.digestNonces.delete(key);
    return answerNew(res);
  }
  const res = await send(target.headers);
  return res.status === 401 ? answerNew(res) : res;
}

const KEY = /^(cred|oauth2|recipe):([A-Za-z0-9_.-]{1,128})$/;

/**
 * `u6u.kv_get`: `{key}` where key is `cred:NAME`, `oauth2:NAME` or `recipe:ID`; always this tenant's. A
 * token cache comes back with its tokens sealed.
 */
async function kvGet(ctx: HostContext, input: Record<string, unknown>): Promise<HostReply> {
  const m = KEY.exec(str(input.key) ?? "");
  if (!m) {
    return denied(
      "ERR_HOST_DENIED",
      "kv_get reads only cred:NAME, oauth2:NAME or recipe:ID keys of this tenant",
    );
  }
  const [, space, name = ""] = m;
  if (space === "recipe") {
    const recipe = await ctx.recipe(name);
    return recipe ? ok(recipe) : notFound();
  }
  const record = await loadRecord(ctx, name);
  if (!record) return notFound();
  if (space === "cred") {
    const { encrypted: _e, iv: _i, ...meta } = record;
    return ok(meta);
  }
  const cached = await ctx.kv.get(tokenCacheKey(ctx.tenant, name));
  if (cached === null) return notFound();
  const opened = await openCredential(ctx, name);
  if (!opened) return notFound();
  return { status: HOST_STATUS.ok, body: sealTokens(ctx, opened, cached) };
}

/**
 * `u6u.kv_put`: `{key: "oauth2:NAME", value, ttl}`; a component writes nothing else. The value is a token
 * cache entry: a JSON object whose token fields are handles of that credential (stored as their secrets)
 * or plain text; a handle anywhere else is kept as the text it is.
 */
async function kvPut(ctx: HostContext, input: Record<string, unknown>): Promise<HostReply> {
  const m = KEY.exec(str(input.key) ?? "");
  if (m?.[1] !== "oauth2") {
    return denied("ERR_HOST_DENIED", "kv_put writes only oauth2:NAME keys (a token cache) of this tenant");
  }
  const name = m[2] ?? "";
  const value = str(input.value);
  if (value === undefined || value.length > 65536) {
    return failed("ERR_BAD_REQUEST", "kv_put needs a string value of at most 64 KiB");
  }
  const opened = await openCredential(ctx, name);
  if (!opened)
    return denied(
      "ERR_HOST_DENIED",
      `no credential "${name}" for this tenant; run: arcrun creds push ${name}`,
    );
  let doc: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(value);
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
    doc = parsed as Record<string, unknown>;
  } catch {
    return failed("ERR_BAD_REQUEST", "kv_put of a token cache needs a JSON object value");
  }
  for (const key of TOKEN_FIELDS) {
    const v = doc[key];
    if (typeof v !== "string") continue;
    const sealed = ctx.secrets.unseal(v);
    if (sealed && sealed.credential !== name) {
      return denied(
        "ERR_HOST_DENIED",
        `${key} is a value of credential "${sealed.credential}", not of "${name}"`,
      );
    }
    if (sealed) doc[key] = sealed.value;
  }
  const stored = JSON.stringify(doc);
  ctx.secrets.addTokens(name, stored, opened.hosts);
  const ttl = Math.max(60, Math.min(Number(input.ttl) || 3600, 60 * 60 * 24 * 30));
  await ctx.kv.put(tokenCacheKey(ctx.tenant, name), stored, { expirationTtl: ttl });
  return ok({});
}

const PRIMITIVES: readonly InjectPrimitive[] = ["static_key", "oauth2", "service_account"];

/**
 * `u6u.crypto_decrypt`: `{name, recipe?, inject?, runtime?}` -> `{secrets, public, endpoints}` (the oauth2
 * token and refresh URLs rendered), or with `inject` `{secrets, public, headers, query, base_url}`.
 * Despite its name it never returns a plaintext: `secrets` are handles, `public` the values that are not
 * secret; with `inject` (static_key, oauth2 or service_account) the host renders the recipe's inject
 * (with `runtime`: access_token, token_type) and returns its headers and query parameters sealed.
 */
async function cryptoDecrypt(ctx: HostContext, input: Record<string, unknown>): Promise<HostReply> {
  const name = str(input.name) ?? "";
  const opened = await openCredential(ctx, name);
  if (!opened) return notFound();
  const view = sealedView(ctx, opened);
  const inject = str(input.inject);
  if (inject === undefined) {
    const endpoints = renderSealedEndpoints(
      ctx,
      opened,
      opened.recipe ?? (await ctx.recipe(str(input.recipe) ?? "")),
    );
    return ok({ ...view, endpoints });
  }
  if (!(PRIMITIVES as readonly string[]).includes(inject)) {
    return failed("ERR_BAD_REQUEST", `inject is one of ${PRIMITIVES.join(", ")}, got "${inject}"`);
  }
  // The credential's own recipe decides where its secrets go; a workflow names one only for a credential
  // pushed without.
  const recipeId = opened.record.recipe ?? str(input.recipe) ?? "";
  const recipe = opened.recipe ?? (await ctx.recipe(recipeId));
  if (!recipe) return failed("ERR_BAD_REQUEST", `unknown recipe "${recipeId}"; run: arcrun list`);
  const refused = executorRefusal(recipe);
  if (refused) return failed("ERR_CREDENTIAL_INVALID", refused);
  const runtime: Record<string, string> = {};
  if (input.runtime && typeof input.runtime === "object") {
    for (const [k, v] of Object.entries(input.runtime)) if (typeof v === "string") runtime[k] = v;
  }
  const rendered = renderSealedInject(ctx, opened, recipe, inject as InjectPrimitive, runtime);
  const baseUrl = renderSealedBaseUrl(ctx, opened, recipe, inject as InjectPrimitive);
  return ok({ ...view, ...rendered, base_url: baseUrl });
}

function findPem(secrets: Record<string, string>, plaintext: string): string | undefined {
  const candidates = [secrets.private_key, ...Object.values(secrets), plaintext];
  for (const c of candidates) {
    if (!c) continue;
    if (c.includes("-----BEGIN")) return c;
    try {
      const nested: unknown = JSON.parse(c);
      if (
        nested &&
        typeof nested === "object" &&
        typeof (nested as { private_key?: unknown }).private_key === "string"
      ) {
        return (nested as { private_key: string }).private_key;
      }
    } catch {
      // not a JSON key file
    }
  }
  return undefined;
}

/**
 * `u6u.crypto_sign_rs256`: `{credential, data}` -> `{signature}`: a sealed handle of the base64url
 * RSASSA-PKCS1-v1_5 SHA-256 signature (RFC 7518 section 3.3). The private key stays in the host.
 */
async function cryptoSignRs256(ctx: HostContext, input: Record<string, unknown>): Promise<HostReply> {
  const name = str(input.credential) ?? "";
  const data = str(input.data);
  if (data === undefined) return failed("ERR_BAD_REQUEST", "crypto_sign_rs256 needs {credential, data}");
  const opened = await openCredential(ctx, name);
  if (!opened) return notFound();
  const pem = findPem(opened.secrets, opened.plaintext);
  if (!pem) return failed("ERR_CREDENTIAL_INVALID", `credential "${name}" holds no PEM private key`);
  if (pem.includes("BEGIN RSA PRIVATE KEY")) {
    return failed(
      "ERR_CREDENTIAL_INVALID",
      `credential "${name}" is a PKCS#1 key; convert it: openssl pkcs8 -topk8 -nocrypt -in key.pem, then push it again`,
    );
  }
  const der = base64Decode(pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, ""));
  try {
    const key = await crypto.subtle.importKey(
      "pkcs8",
      der,
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      false,
      ["sign"],
    );
    const sig = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, new TextEncoder().encode(data));
    // The signature makes the assertion a bearer credential: sealed, it goes only into the body of a
    // request to the recipe's token endpoint (RFC 7523 section 2.1), never anywhere a component chooses.
    const signature = base64UrlEncode(new Uint8Array(sig));
    const tokenHosts = opened.grants
      .filter((g) => g.position.in === "body" && g.position.field === undefined)
      .flatMap((g) => g.hosts);
    const grants: Grant[] = [{ position: { in: "body" }, hosts: tokenHosts }];
    return ok({ signature: ctx.secrets.seal(name, signature, grants, tokenHosts) });
  } catch {
    return failed(
      "ERR_CREDENTIAL_INVALID",
      `credential "${name}" holds a private key WebCrypto cannot use (RSA PKCS#8 expected)`,
    );
  }
}

const NO_DEADLINE: HostCall = { deadline: Number.POSITIVE_INFINITY, deadlineCode: "ERR_LIMIT_NODE_TIME" };

/** The `u6u` functions for one execution: every call counted, every input checked, errors as replies. */
export function createHostFunctions(ctx: HostContext): HostFunctions {
  const wrap =
    (
      name: string,
      fn: (ctx: HostContext, input: Record<string, unknown>, call: HostCall) => Promise<HostReply>,
    ) =>
    async (raw: string, call: HostCall = NO_DEADLINE): Promise<HostReply> => {
      countCall(ctx, name);
      let input: Record<string, unknown>;
      try {
        input = parseInput(raw);
      } catch {
        return failed("ERR_BAD_REQUEST", `${name} expects a JSON object`);
      }
      try {
        return await fn(ctx, input, call);
      } catch (err) {
        if (err instanceof ExecutorError && err.code.startsWith("ERR_LIMIT_")) throw err;
        if (err instanceof ExecutorError) return failed(err.code, err.message);
        return failed("ERR_COMPONENT_FAILED", `${name} failed: ${ctx.secrets.redact(String(err))}`);
      }
    };
  return {
    http_request: wrap("http_request", httpRequest),
    kv_get: wrap("kv_get", kvGet),
    kv_put: wrap("kv_put", kvPut),
    crypto_decrypt: wrap("crypto_decrypt", cryptoDecrypt),
    crypto_sign_rs256: wrap("crypto_sign_rs256", cryptoSignRs256),
    crypto_digest: wrap("crypto_digest", cryptoDigest),
    crypto_hmac: wrap("crypto_hmac", cryptoHmac),
    crypto_seal: wrap("crypto_seal", cryptoSeal),
    crypto_open: wrap("crypto_open", cryptoOpen),
    sleep: wrap("sleep", sleep),
  };
}

/**
 * The error text of a fetch that threw. workerd hides why a subrequest could not connect (DNS, refused,
 * unroutable) behind "internal error; reference = <id>": say what that means, keeping the reference.
 */
export function fetchFailure(host: string, error: string): string {
  const ref = /internal error; reference = ([A-Za-z0-9]+)/.exec(error)?.[1];
  if (ref !== undefined)
    return `could not reach ${host} (network or DNS): check the URL's host, and that it resolves and answers from where the executor runs (workerd reference ${ref})`;
  return `request to ${host} failed: ${error}`;
}

import { Readable } from "node:stream";
import type { InjectSpec } from "@arcrun/recipes";
import { describe, expect, it } from "vitest";
import { isArcrunError } from "../../src/index.js";
import { injectApplier } from "../../src/internal/apply.js";
import type { OutgoingRequest, ResolvedCredential } from "../../src/types.js";

// The one credential applier (docs/architecture.md): the recipe's inject rendered with a credential and
// set on a request. Keys are generated per run.
const rnd = () => Buffer.from(crypto.getRandomValues(new Uint8Array(12))).toString("hex");
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

function request(over: Partial<OutgoingRequest> = {}): OutgoingRequest {
  return {
    method: "POST",
    origin: "https://api.example.com",
    path: "/v2/thing",
    headers: { "user-agent": "arcrun/test" },
    body: null,
    ...over,
  };
}

const cred = (secret: Record<string, string>, extra: Partial<ResolvedCredential["values"]> = {}) =>
  ({ values: { secret, ...extra }, source: "option" }) as ResolvedCredential;

function apply(inject: InjectSpec, c: ResolvedCredential, req: OutgoingRequest = request()) {
  const out = injectApplier(inject, "acme", "default").apply(req, c);
  if (out instanceof Promise) throw new Error("the inject applier never waits");
  return out;
}

function refusal(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a refusal");
}

describe("HTTP Basic forms", () => {
  it('{{basic secret.key ""}} is base64 of "key:" (an empty password: ImageKit, EasyPost, Cronitor)', () => {
    const key = `private_${rnd()}`;
    const out = apply(
      { header: { Authorization: 'Basic {{basic secret.private_key ""}}' } },
      cred({ private_key: key }),
    );
    expect(out.headers.authorization).toBe(`Basic ${b64(`${key}:`)}`);
  });

  it("{{basic secret.key}} is base64 of the key alone (WakaTime: the key is the whole user-pass)", () => {
    const key = `waka_${rnd()}`;
    const out = apply(
      { header: { Authorization: "Basic {{basic secret.api_key}}" } },
      cred({ api_key: key }),
    );
    expect(out.headers.authorization).toBe(`Basic ${b64(key)}`);
    expect(Buffer.from(b64(key), "base64").toString()).not.toContain(":");
  });

  it('{{basic "" secret.key}} is base64 of ":key" (an empty user name: lemlist)', () => {
    const key = rnd();
    const out = apply(
      { header: { Authorization: 'Basic {{basic "" secret.api_key}}' } },
      cred({ api_key: key }),
    );
    expect(out.headers.authorization).toBe(`Basic ${b64(`:${key}`)}`);
  });

  it("{{basic secret.user secret.password}} is unchanged: base64 of user:password", () => {
    const out = apply(
      { header: { Authorization: "Basic {{basic secret.sid secret.token}}" } },
      cred({ sid: "AC1", token: "t0k" }),
    );
    expect(out.headers.authorization).toBe(`Basic ${b64("AC1:t0k")}`);
  });
});

describe("inject.body: the credential as body fields", () => {
  const form: InjectSpec = { body: { format: "form", fields: { api_key: "{{secret.api_key}}" } } };
  const json: InjectSpec = {
    body: { format: "json", fields: { client_id: "{{secret.client_id}}", secret: "{{secret.secret}}" } },
  };

  it("a form body gains the field, the caller's fields kept and one of the same name replaced", () => {
    const key = `u${rnd()}`;
    const out = apply(
      form,
      cred({ api_key: key }),
      request({
        headers: { "content-type": "application/x-www-form-urlencoded", "content-length": "27" },
        body: "format=json&api_key=caller",
      }),
    );
    expect(Object.fromEntries(new URLSearchParams(out.body as string))).toEqual({
      format: "json",
      api_key: key,
    });
    // The length changed: the stale one is dropped, never sent.
    expect(out.headers["content-length"]).toBeUndefined();
  });

  it("a POST without a body gets one of the declared kind, with its content type", () => {
    const key = `u${rnd()}`;
    const out = apply(form, cred({ api_key: key }));
    expect(out.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(out.body).toBe(`api_key=${key}`);
  });

  it("a JSON object body (string or bytes) gains client_id and secret beside the caller's fields", () => {
    const values = { client_id: rnd(), secret: rnd() };
    const text = JSON.stringify({ count: 1, offset: 0, country_codes: ["US"] });
    for (const body of [text, new TextEncoder().encode(text)]) {
      const out = apply(
        json,
        cred(values),
        request({ headers: { "content-type": "application/json" }, body }),
      );
      expect(JSON.parse(out.body as string)).toEqual({
        count: 1,
        offset: 0,
        country_codes: ["US"],
        ...values,
      });
    }
  });

  it("a GET has no body to carry the credential: refused, never sent without it", () => {
    const err = refusal(() => apply(form, cred({ api_key: rnd() }), request({ method: "GET" })));
    expect(isArcrunError(err, "ERR_INVALID_OPTION")).toBe(true);
    expect(err.message).toBe(
      "The acme recipe sends the credential in the request body, as a form (application/x-www-form-urlencoded); a GET request has no body. Send a POST with a form body (new URLSearchParams(...)).",
    );
  });

  it("a body of another kind is refused, naming both kinds", () => {
    const err = refusal(() =>
      apply(
        json,
        cred({ client_id: "c", secret: rnd() }),
        request({ headers: { "content-type": "text/plain" }, body: "hi" }),
      ),
    );
    expect(isArcrunError(err, "ERR_INVALID_OPTION")).toBe(true);
    expect(err.message).toBe(
      "The acme recipe sends the credential in the request body, as a JSON object; this request's body is text/plain. Send a POST with a JSON object body (json: {...}).",
    );
    const formInJson = refusal(() =>
      apply(
        form,
        cred({ api_key: rnd() }),
        request({ headers: { "content-type": "application/json" }, body: "{}" }),
      ),
    );
    expect(formInJson.message).toContain("this request's body is application/json");
  });

  it("a JSON array, invalid JSON or a stream cannot take fields: refused", () => {
    const c = cred({ client_id: "c", secret: rnd() });
    const headers = { "content-type": "application/json" };
    expect(refusal(() => apply(json, c, request({ headers, body: "[1]" }))).message).toContain(
      "this request's JSON body is not an object",
    );
    const bad = refusal(() => apply(json, c, request({ headers, body: "{nope" })));
    expect(isArcrunError(bad, "ERR_INVALID_OPTION")).toBe(true);
    expect(bad.message).toContain("body is not valid JSON");
    expect(
      refusal(() => apply(json, c, request({ headers, body: Readable.from(["{}"]) }))).message,
    ).toContain("a streamed body cannot take fields");
  });
});

describe("{{client.id}}: the OAuth client's id beside the token (Twitch Client-Id)", () => {
  const inject: InjectSpec = {
    header: { Authorization: "Bearer {{runtime.access_token}}", "Client-Id": "{{client.id}}" },
  };

  it("renders the client id of the credential", () => {
    const token = rnd();
    const out = apply(
      inject,
      cred({}, { runtime: { access_token: token, token_type: "bearer" }, client: { id: "cid-123" } }),
      request({ method: "GET" }),
    );
    expect(out.headers).toMatchObject({ authorization: `Bearer ${token}`, "client-id": "cid-123" });
  });

  it("a credential without one (a token from a broker) is the recipe's error, saying what to run", () => {
    const err = refusal(() =>
      apply(
        inject,
        cred({}, { runtime: { access_token: "t", token_type: "bearer" } }),
        request({ method: "GET" }),
      ),
    );
    expect(isArcrunError(err, "ERR_RECIPE_INVALID")).toBe(true);
    expect(err.message).toContain("no value for {{client.id}}");
    expect(err.message).toContain("Run: arcrun setup acme");
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, startApiServer } from "../helpers/api-server.js";
import { runNode } from "./support.js";

// Every string a component receives must come back out (in its output, or in a request it sends) as the
// same code units: quotes, backslashes, control characters and non-ASCII text escaped, never able to end
// a JSON string early (an injection), never split (a surrogate pair across json-as's 4-unit blocks).
const NASTY = [
  'say "hi"',
  "back\\slash \\u0041 \\",
  "\u0000\u0001\u001f\b\f\n\r\t\u007f",
  '","injected":true,"x":"',
  "%é€😀",
  "é€😀😀€é😀a😀",
  "\u2028\u2029 line separators",
  "中文 العربية עברית",
  "lone \ud800 high and \udc00 low",
];

let server: ApiServer;

beforeAll(async () => {
  server = await startApiServer(async (req) => ({
    json: { body: req.body, quoted: req.headers["x-quoted"] ?? null, path: req.path },
  }));
});

afterAll(async () => server?.close());

describe.each(NASTY.map((s) => [JSON.stringify(s), s] as const))("the string %s round-trips", (_label, s) => {
  it("through set (values, dotted keys, base)", async () => {
    const r = await runNode("set", { values: { plain: s, [`k${s}`]: [s, { deep: s }] }, base: { kept: s } });
    expect(r.output).toEqual({ success: true, data: { kept: s, plain: s, [`k${s}`]: [s, { deep: s }] } });
  });

  it("through merge (deep and concat)", async () => {
    const deep = await runNode("merge", {
      mode: "deep",
      inputs: [{ a: { b: s } }, { a: { c: [s] }, [s]: s }],
    });
    expect(deep.output).toEqual({ success: true, data: { a: { b: s, c: [s] }, [s]: s } });
    const concat = await runNode("merge", { mode: "concat", inputs: [[s], [{ s }]] });
    expect(concat.output).toEqual({ success: true, data: [s, { s }] });
  });

  it("through string_ops (join, template, split)", async () => {
    const join = await runNode("string_ops", { operation: "join", items: [s, 1, s], separator: s });
    expect(join.output).toEqual({ success: true, data: { result: `${s}${s}1${s}${s}` } });
    const template = await runNode("string_ops", {
      operation: "template",
      template: "<{a}|{b.c}>",
      values: { a: s, b: { c: s } },
    });
    expect(template.output).toEqual({ success: true, data: { result: `<${s}|${s}>` } });
    const split = await runNode("string_ops", { operation: "split", value: `${s}|${s}`, separator: "|" });
    expect(split.output).toMatchObject({ success: true, data: { result: `${s}|${s}`.split("|") } });
  });

  it("through http_request (JSON body, form body, header, query)", async () => {
    const json = await runNode(
      "http_request",
      { method: "POST", url: "https://api.example.test/j", body: { s, list: [s, { [s]: s }] } },
      { port: server.port },
    );
    const sent = (json.output as { data: { body: { body: string } } }).data.body.body;
    expect(JSON.parse(sent)).toEqual({ s, list: [s, { [s]: s }] });
    // Lone surrogates have no UTF-8 (and encodeURIComponent refuses them): forms and URLs take well-formed text.
    if (s !== s.replace(/[\ud800-\udfff]/g, "")) return;
    const form = await runNode(
      "http_request",
      {
        method: "POST",
        url: "https://api.example.test/f",
        query: { q: s },
        body_format: "form",
        body: { s },
      },
      { port: server.port },
    );
    const echoed = (form.output as { data: { body: { body: string; path: string } } }).data.body;
    expect(new URLSearchParams(echoed.body).get("s")).toBe(s);
    expect(new URL(echoed.path, "http://x").searchParams.get("q")).toBe(s);
  });

  it("through validate_json errors (paths and messages)", async () => {
    const r = await runNode("validate_json", {
      data: { [s]: s },
      schema: { type: "object", properties: { [s]: { enum: ["other"] } } },
      on_invalid: "branch",
    });
    const key = /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? `$.${s}` : `$[${JSON.stringify(s)}]`;
    expect(r.output).toMatchObject({ success: true, branch: "false", data: { valid: false } });
    const errors = (r.output as { data: { errors: { path: string; message: string }[] } }).data.errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path).toBe(key);
    expect(errors[0]?.message).toContain(JSON.stringify(s));
  });

  it("through hash (a JSON value is hashed as its compact JSON)", async () => {
    const { createHash } = await import("node:crypto");
    const r = await runNode("hash", { value: { s }, algorithm: "sha256" });
    const digest = createHash("sha256").update(JSON.stringify({ s })).digest("hex");
    expect(r.output).toMatchObject({ success: true, data: { digest } });
  });
});

describe("a header value with quotes and backslashes", () => {
  it("reaches the server as sent", async () => {
    const value = 'a "quoted" \\ value';
    const r = await runNode(
      "http_request",
      { url: "https://api.example.test/h", headers: { "x-quoted": value } },
      { port: server.port },
    );
    expect(r.output).toMatchObject({
      success: true,
      data: { body: { quoted: value } },
    });
  });
});

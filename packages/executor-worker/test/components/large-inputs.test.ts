import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, startApiServer } from "../helpers/api-server.js";
import { runNode } from "./support.js";

// The components run on AssemblyScript's stub runtime, which never frees: text built with `out += piece` in
// a loop costs memory quadratic in its length (and so does Array#join at the build's shrink level). These
// inputs are far past what that can hold in the default 64 MiB; built from parts, they fit easily.

let server: ApiServer;

beforeAll(async () => {
  server = await startApiServer(async (req) => ({
    json: {
      method: req.method,
      content_type: req.headers["content-type"] ?? null,
      path: req.path,
      body: req.body,
    },
  }));
});

afterAll(async () => server?.close());

/** Deterministic text of `n` characters with every kind of byte a form or base64 encoder treats apart. */
function text(n: number): string {
  const alphabet = 'abc XYZ 019 -_.~*+/=&?%é€😀\n"\\';
  let out = "";
  while (out.length < n) out += alphabet;
  return out.slice(0, n);
}

describe("large inputs within the default limits", () => {
  it("auth_static_key renders HTTP Basic (base64) of a 200 KB secret", async () => {
    const key = text(200_000).replace(/[\n"\\]/g, "k");
    const r = await runNode(
      "auth_static_key",
      { credential: "mail" },
      {
        credentials: { mail: { value: JSON.stringify({ api_key: key }), recipe: "mailgun" } },
      },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const out = r.output as { success: boolean; data: { headers: { Authorization: string } } };
    expect(out.success).toBe(true);
    // The component holds a handle; the host sends the header it stands for.
    expect(r.stdout).not.toContain(key.slice(0, 64));
    expect(r.secrets.unseal(out.data.headers.Authorization)?.value).toBe(
      `Basic ${Buffer.from(`api:${key}`).toString("base64")}`,
    );
  });

  it("http_request sends a 200 KB form body (body_format: form), every byte encoded", async () => {
    const big = text(200_000);
    const r = await runNode(
      "http_request",
      {
        method: "POST",
        url: "https://api.example.test/form",
        body_format: "form",
        body: { note: big, "a key&=": "x y", n: 5 },
      },
      { port: server.port },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const out = r.output as { success: boolean; data: { body: { content_type: string; body: string } } };
    expect(out.success).toBe(true);
    expect(out.data.body.content_type).toBe("application/x-www-form-urlencoded");
    const form = new URLSearchParams(out.data.body.body);
    expect(form.get("note")).toBe(big);
    expect(form.get("a key&=")).toBe("x y");
    expect(form.get("n")).toBe("5");
  });

  it("http_request sends 2,000 form fields (and 300 query parameters, what a URL can carry)", async () => {
    const fields: Record<string, string> = {};
    for (let i = 0; i < 2000; i++) fields[`field_${i}`] = `value ${i} & more`;
    const query = Object.fromEntries(Object.entries(fields).slice(1000, 1300));
    const r = await runNode(
      "http_request",
      { method: "POST", url: "https://api.example.test/many", query, body_format: "form", body: fields },
      { port: server.port },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const out = r.output as { data: { body: { path: string; body: string } } };
    const form = new URLSearchParams(out.data.body.body);
    const sent = new URL(out.data.body.path, "http://x").searchParams;
    expect([...form.keys()]).toHaveLength(2000);
    expect([...sent.keys()]).toHaveLength(300);
    expect(form.get("field_1999")).toBe("value 1999 & more");
    expect(sent.get("field_1234")).toBe("value 1234 & more");
  });

  it("http_request sends a 200 KB JSON body with 200 headers", async () => {
    const big = text(200_000);
    const headers: Record<string, string> = {};
    for (let i = 0; i < 200; i++) headers[`x-h-${i}`] = `v${i}`;
    const r = await runNode(
      "http_request",
      { method: "PUT", url: "https://api.example.test/json", headers, body: { big, list: [1, 2, 3] } },
      { port: server.port },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const out = r.output as { data: { body: { content_type: string; body: string } } };
    expect(out.data.body.content_type).toBe("application/json");
    expect(JSON.parse(out.data.body.body)).toEqual({ big, list: [1, 2, 3] });
  });

  it("number_ops sums, averages and finds the max of 2,000 values (plain and by field)", async () => {
    const values = Array.from({ length: 2000 }, (_, i) => (i % 2 === 0 ? i * 1.5 : String(i)));
    const sum = values.reduce<number>((a, v) => a + Number(v), 0);
    const plain = await runNode("number_ops", { operation: "sum", values });
    expect(plain.output).toEqual({ success: true, data: { result: sum, count: 2000 } });
    const objects = values.map((v) => ({ row: { amount: v } }));
    const avg = await runNode("number_ops", { operation: "avg", values: objects, field: "row.amount" });
    expect(avg.output).toEqual({ success: true, data: { result: sum / 2000, count: 2000 } });
    const max = await runNode("number_ops", { operation: "max", values });
    expect(max.output).toEqual({ success: true, data: { result: 2997, count: 2000 } });
  });

  it("number_ops formats with a 100 KB prefix and suffix", async () => {
    const prefix = "€".repeat(100_000);
    const r = await runNode("number_ops", {
      operation: "format",
      value: 1234567.891,
      digits: 2,
      thousands_separator: ",",
      prefix,
      suffix: " EUR",
    });
    expect(r.output).toEqual({ success: true, data: { result: `${prefix}1,234,567.89 EUR` } });
  });

  it("hash digests and HMACs a 1 MB string", async () => {
    const { createHash, createHmac } = await import("node:crypto");
    const value = text(1_000_000);
    const sha = await runNode("hash", { value, algorithm: "sha256" });
    expect(sha.output).toMatchObject({
      success: true,
      data: { digest: createHash("sha256").update(value).digest("hex") },
    });
    const mac = await runNode("hash", { value, algorithm: "hmac-sha512", key: 'k"\\ey', encoding: "base64" });
    expect(mac.output).toMatchObject({
      success: true,
      data: { digest: createHmac("sha512", 'k"\\ey').update(value).digest("base64") },
    });
  });

  it("date_ops formats a 110 KB pattern", async () => {
    const pattern = "YYYY-MM-DD [at] HH:mm; ".repeat(5000);
    const r = await runNode("date_ops", {
      operation: "format",
      value: "2024-05-01T13:45:00Z",
      format: pattern,
    });
    const out = r.output as { success: boolean; data: { result: string } };
    expect(out.success).toBe(true);
    expect(out.data.result).toBe("2024-05-01 at 13:45; ".repeat(5000));
  });

  it("validate_json reports 100 errors of a 2,000-item list", async () => {
    const data = Array.from({ length: 2000 }, (_, i) => ({ id: i, email: `user ${i}` }));
    const r = await runNode("validate_json", {
      data,
      schema: {
        type: "array",
        items: { type: "object", properties: { email: { type: "string", format: "email" } } },
      },
      max_errors: 100,
      on_invalid: "branch",
    });
    const out = r.output as { success: boolean; data: { valid: boolean; errors: { path: string }[] } };
    expect(out.success).toBe(true);
    expect(out.data.valid).toBe(false);
    expect(out.data.errors).toHaveLength(100);
    expect(out.data.errors[99]?.path).toBe("$[99].email");
  });
});

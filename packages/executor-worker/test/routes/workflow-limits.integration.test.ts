import { WORKFLOW_LIMITS } from "@arcrun/workflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalExecutor, startExecutor } from "../helpers/executor.js";

// Workflow pushes over a size limit or hostile in shape, on workerd through Miniflare, in multi-tenant
// mode: each is refused with a 400 or 413 naming the limit, and another tenant's run is not disturbed.
const KEY_A = "key-hostile-a";
const KEY_B = "key-calm-b";
let ex: LocalExecutor;

interface ErrorReply {
  error: {
    code: string;
    message: string;
    issues?: { limit?: string; node?: string; line?: number; message: string }[];
  };
}

/** input -> n0 -> ... -> n{count-1}, each node reading the one before it. */
function chainYaml(count: number): string {
  const flow = ["  - input >> ON_SUCCESS >> n0"];
  const config = ["  n0: { component: wait, ms: 0, value: '{{input.x}}' }"];
  for (let i = 1; i < count; i++) {
    flow.push(`  - n${i - 1} >> ON_SUCCESS >> n${i}`);
    config.push(`  n${i}: { component: wait, ms: 0, value: '{{n${i - 1}.data}}' }`);
  }
  return `name: chain\nflow:\n${flow.join("\n")}\nconfig:\n${config.join("\n")}\n`;
}

function push(apiKey: string, body: BodyInit, type = "application/yaml") {
  return ex.request("/webhooks/named", {
    method: "POST",
    apiKey,
    headers: { "content-type": type },
    body,
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit & { apiKey: string });
}

beforeAll(async () => {
  ex = await startExecutor({
    ARCRUN_TENANCY: "multi",
    ARCRUN_API_KEYS: JSON.stringify({ [KEY_A]: "hostile", [KEY_B]: "calm" }),
  });
}, 120_000);

afterAll(async () => ex?.dispose());

describe("POST /webhooks/named: size limits", () => {
  it("the 16k-node chain (1.3 MB) is refused with 413 while another tenant's run completes", async () => {
    const calm = await push(
      KEY_B,
      "name: calm\nflow:\n  - input >> ON_SUCCESS >> pause\nconfig:\n  pause: { component: wait, ms: 300, value: done }\n",
    );
    expect(calm.status, calm.text).toBe(201);
    const big = chainYaml(16_000);
    expect(big.length).toBeGreaterThan(1_300_000);
    const run = ex.request("/webhooks/named/calm/query", { method: "POST", apiKey: KEY_B });
    const [refused, done] = await Promise.all([push(KEY_A, big), run]);
    expect(refused.status).toBe(413);
    expect((refused.json as ErrorReply).error).toMatchObject({
      code: "ERR_WORKFLOW_TOO_LARGE",
      message: expect.stringContaining("(limit body_bytes)"),
    });
    expect(done.status, done.text).toBe(200);
    expect(done.json).toMatchObject({ status: "succeeded", output: { data: { value: "done" } } });
  });

  it("a body streamed without Content-Length is cut off at the limit too (413)", async () => {
    // Just over the limit, so the client has sent it all before the 413 comes back (a larger body gets
    // the 413 while still uploading, and the client sees the connection close mid-write instead).
    const bytes = new TextEncoder().encode(chainYaml(2_000)).slice(0, WORKFLOW_LIMITS.body_bytes + 1_024);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 16_384) controller.enqueue(bytes.slice(i, i + 16_384));
        controller.close();
      },
    });
    const res = await push(KEY_A, stream);
    expect(res.status).toBe(413);
    expect((res.json as ErrorReply).error.code).toBe("ERR_WORKFLOW_TOO_LARGE");
  });

  it("a flow with more nodes than the limit is refused with 400 naming nodes", async () => {
    const text = chainYaml(WORKFLOW_LIMITS.nodes + 1);
    expect(text.length).toBeLessThan(WORKFLOW_LIMITS.body_bytes);
    const res = await push(KEY_A, text);
    expect(res.status).toBe(400);
    expect((res.json as ErrorReply).error.issues?.[0]).toMatchObject({
      limit: "nodes",
      message: expect.stringContaining("(nodes)"),
    });
  });

  it("a flow with more edges than the limit is refused with 400 naming edges", async () => {
    const flow = Array.from(
      { length: WORKFLOW_LIMITS.edges + 1 },
      (_, i) => `x${i % 9} >> ON_SUCCESS >> y${i}`,
    );
    const res = await push(KEY_A, JSON.stringify({ name: "wide", flow, config: {} }), "application/json");
    expect(res.status).toBe(400);
    expect((res.json as ErrorReply).error.issues?.[0]).toMatchObject({ limit: "edges" });
  });
});

describe("POST /webhooks/named: hostile documents are a 400, never a 500", () => {
  it("deeply nested JSON", async () => {
    const deep = `{"name":"deep","flow":["input >> ON_SUCCESS >> a"],"config":{"a":{"component":"wait","v":${"[".repeat(10_000)}${"]".repeat(10_000)}}}}`;
    const res = await push(KEY_A, deep, "application/json");
    expect(res.status, res.text).toBe(400);
    expect((res.json as ErrorReply).error.issues?.[0]).toMatchObject({ limit: "depth" });
  });

  it("deeply nested YAML", async () => {
    const res = await push(
      KEY_A,
      `name: deep\nflow: []\nconfig: ${"{a: ".repeat(5_000)}1${"}".repeat(5_000)}\n`,
    );
    expect(res.status, res.text).toBe(400);
    expect((res.json as ErrorReply).error.issues?.[0]).toMatchObject({ limit: "depth" });
  });

  it("10k block indicators on one line (each a level of nesting), alone and after a syntax error", async () => {
    for (const text of [`${"- ".repeat(10_000)}x\n`, `]\n${"? ".repeat(10_000)}x\n`]) {
      const res = await push(KEY_A, text);
      expect(res.status, res.text).toBe(400);
      expect((res.json as ErrorReply).error.issues?.[0]).toMatchObject({ limit: "depth" });
    }
  });

  it("a YAML alias bomb", async () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) {
      const [prev, name] = [String.fromCharCode(96 + i), String.fromCharCode(97 + i)];
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(", ")}]`);
    }
    const res = await push(KEY_A, `${levels.join("\n")}\nname: bomb\nflow: []\n`);
    expect(res.status, res.text).toBe(400);
    expect((res.json as ErrorReply).error).toMatchObject({
      code: "ERR_WORKFLOW_INVALID",
      message: expect.stringContaining("aliases (*name) expand too much"),
    });
  });

  it("aliases of a long list that expand a 10 KB push to 500k values", async () => {
    const list = Array(5_000).fill("x").join(",");
    const res = await push(
      KEY_A,
      `name: wide\nflow: []\nconfig:\n  a:\n    component: wait\n    l: &l [${list}]\n    q: [${Array(99).fill("*l").join(", ")}]\n`,
    );
    expect(res.status, res.text).toBe(400);
    expect((res.json as ErrorReply).error.issues?.[0]?.message).toContain(
      "aliases (*name) expand too much (to more than 10000 values)",
    );
  });

  it("an alias with no anchor is a 400 naming its line", async () => {
    const res = await push(KEY_A, "name: orphan\nflow: []\nconfig:\n  a: *base\n");
    expect(res.status, res.text).toBe(400);
    expect((res.json as ErrorReply).error.issues?.[0]).toMatchObject({
      line: 4,
      message: expect.stringContaining("*base has no anchor"),
    });
  });

  it("nodes named constructor and __proto__", async () => {
    for (const name of ["constructor", "__proto__"]) {
      const res = await push(KEY_A, `name: proto\nflow:\n  - input >> ON_SUCCESS >> ${name}\nconfig: {}\n`);
      expect(res.status, res.text).toBe(400);
      expect((res.json as ErrorReply).error.issues).toContainEqual(
        expect.objectContaining({ node: name, message: `"${name}" is a reserved name; rename the node` }),
      );
    }
  });
});

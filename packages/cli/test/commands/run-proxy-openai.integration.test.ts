import { randomBytes } from "node:crypto";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run, type Sandbox, sandbox, start } from "../helpers/cli.js";

const HOST_MAP = fileURLToPath(new URL("../support/host-map.mjs", import.meta.url));
const SCRIPT = fileURLToPath(new URL("../fixtures/openai-stream.mjs", import.meta.url));
const KEY = `sk-test-${randomBytes(16).toString("hex")}`;

let server: Server;
let origin: string;
let box: Sandbox;
const seen: Array<{ url: string; authorization: string | undefined; body: string }> = [];
/** Resolved by the test once the client printed the first delta: only then does the stand-in send the rest. */
let release: () => void = () => {};

function chunk(res: ServerResponse, delta: Record<string, string>, finish: string | null = null): void {
  const data = {
    id: "chatcmpl-1",
    object: "chat.completion.chunk",
    created: 1_700_000_000,
    model: "gpt-4o-mini",
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
  res.write(`data: ${JSON.stringify(data)}\n\n`);
}

beforeAll(async () => {
  // A stand-in for POST /v1/chat/completions with stream: true.
  server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => {
      const body = Buffer.concat(parts).toString("utf8");
      seen.push({ url: req.url ?? "", authorization: req.headers.authorization, body });
      // "API keys should be provided via HTTP Bearer authentication"; a wrong key is 401 invalid_api_key
      // (platform.openai.com/docs/api-reference/authentication, platform.openai.com/docs/guides/error-codes).
      if (req.headers.authorization !== `Bearer ${KEY}`) {
        res.writeHead(401, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            error: {
              message: "Incorrect API key provided.",
              type: "invalid_request_error",
              code: "invalid_api_key",
            },
          }),
        );
        return;
      }
      if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: "Unknown request URL", type: "invalid_request_error" } }));
        return;
      }
      // stream: true answers with server-sent events, chat.completion.chunk objects, ended by `data: [DONE]`
      // (platform.openai.com/docs/api-reference/chat-streaming).
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      chunk(res, { role: "assistant", content: "Hel" });
      new Promise<void>((r) => {
        release = r;
      }).then(() => {
        chunk(res, { content: "lo" });
        chunk(res, {}, "stop");
        res.end("data: [DONE]\n\n");
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  box = await sandbox();
  box.env.ARCRUN_STORE = "encrypted-file";
  box.env.ARCRUN_TEST_HOST_MAP = JSON.stringify({ "api.openai.com": origin });
  box.env.NODE_OPTIONS = `${box.env.NODE_OPTIONS ?? ""} --import ${HOST_MAP}`.trim();
  const setup = await run(["setup", "openai", "--no-verify"], box.env, `${KEY}\n`);
  expect(setup.code, setup.stderr).toBe(0);
});

afterAll(async () => {
  release();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await box?.cleanup();
});

describe("the official openai client through arcrun run --proxy", () => {
  it("streams a chat completion: the first delta arrives before the stand-in sends the rest", async () => {
    const cli = start(["run", "--proxy", "--service", "openai", "--", process.execPath, SCRIPT], box.env);
    await cli.waitFor(/delta:Hel\n/);
    // The rest of the stream is sent only now: the proxy passed the first event through unbuffered.
    expect(cli.output()).not.toContain("delta:lo");
    release();
    const done = await cli.done;
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toContain("delta:Hel\ndelta:lo\n");
    expect(done.stdout).toMatch(/base:http:\/\/127\.0\.0\.1:\d+\/openai\/_\/v1/);
    expect(done.stdout + done.stderr).not.toContain(KEY);
    const call = seen.find((s) => s.url === "/v1/chat/completions");
    expect(call?.authorization).toBe(`Bearer ${KEY}`);
    expect(JSON.parse(call?.body ?? "{}")).toMatchObject({ model: "gpt-4o-mini", stream: true });
  });
});

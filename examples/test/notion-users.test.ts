import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const EXAMPLE = resolve(import.meta.dirname, "../notion-users.ts");
const TOKEN = "secret_example_notion_token";
let server: Server;
let home: string;
const seen: Array<{ url: string; auth: string | undefined; version: string | undefined }> = [];

beforeAll(async () => {
  // A stand-in for Notion's GET /v1/users: two pages, Bearer auth and Notion-Version checked.
  server = createServer((req, res) => {
    seen.push({
      url: req.url ?? "",
      auth: req.headers.authorization,
      version: req.headers["notion-version"] as string,
    });
    res.setHeader("content-type", "application/json");
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.statusCode = 401;
      res.end(JSON.stringify({ object: "error", code: "unauthorized" }));
      return;
    }
    const cursor = new URL(req.url ?? "/", "http://x").searchParams.get("start_cursor");
    res.end(
      JSON.stringify(
        cursor === "page2"
          ? { results: [{ id: "u2", name: "Integration", type: "bot" }], next_cursor: null }
          : { results: [{ id: "u1", name: "Ada Lovelace", type: "person" }], next_cursor: "page2" },
      ),
    );
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  home = mkdtempSync(join(tmpdir(), "arcrun-example-"));
  mkdirSync(join(home, "recipes"));
  // A user recipe overriding the built-in notion one: the same recipe, pointed at the stand-in.
  writeFileSync(
    join(home, "recipes", "notion.yaml"),
    [
      "id: notion",
      "display_name: Notion",
      "docs_url: https://developers.notion.com/reference/intro",
      "primitive: static_key",
      `base_url: http://127.0.0.1:${port}/v1`,
      "hosts: [127.0.0.1]",
      "required_secrets:",
      "  - { key: token, label: Internal Integration Token, env: NOTION_TOKEN }",
      "inject:",
      '  header: { Authorization: "Bearer {{secret.token}}", Notion-Version: "2022-06-28" }',
      "",
    ].join("\n"),
  );
});

afterAll(() => {
  server.close();
  rmSync(home, { recursive: true, force: true });
});

/** Runs the example in its own process (asynchronously: the stand-in server lives in this one). */
function run(
  env: Record<string, string>,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const p = spawn(process.execPath, ["--import", "tsx", EXAMPLE], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", ARCRUN_HOME: home, ARCRUN_STORE: "memory", ...env },
    });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => {
      stdout += d;
    });
    p.stderr.on("data", (d: Buffer) => {
      stderr += d;
    });
    p.on("close", (status) => done({ status, stdout, stderr }));
  });
}

it("examples/notion-users.ts lists every page of users with the token from the environment", async () => {
  const r = await run({ ARCRUN_NOTION_TOKEN: TOKEN });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  expect(r.stdout).toBe("person\tAda Lovelace\nbot\tIntegration\n");
  expect(seen.map((s) => s.url)).toEqual([
    "/v1/users?page_size=100",
    "/v1/users?page_size=100&start_cursor=page2",
  ]);
  expect(seen.every((s) => s.auth === `Bearer ${TOKEN}` && s.version === "2022-06-28")).toBe(true);
});

it("without a credential it fails with ERR_NEEDS_LOGIN and the next step, exit code 1", async () => {
  const r = await run({});
  expect(r.status).toBe(1);
  expect(r.stderr).toContain("ERR_NEEDS_LOGIN");
  expect(r.stderr).toContain("Set ARCRUN_NOTION_TOKEN, or run: arcrun setup notion");
});

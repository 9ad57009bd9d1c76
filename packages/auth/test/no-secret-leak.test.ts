import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuth, EncryptedFileStore, MemoryStore } from "../src/index.js";
import { keysFromEnv } from "../src/stores/encrypted-file.js";
import { localRecipe, tempHome } from "./helpers/home.js";
import { startServer, type TestServer } from "./helpers/server.js";

// Distinctive values: none of them may appear in any message, stack, inspect() or JSON of an error, or in
// anything written to stdout/stderr while the failure paths run.
const SECRETS = [
  "sk-LEAK-notion-7f3a9c",
  "LEAK-trello-key-51b2",
  "LEAK-trello-token-c0de",
  "LEAK-passphrase-9e9e",
  "4242:LEAK-telegram",
  "LEAK-wrong-token-aa11",
];

let api: TestServer;
let home: ReturnType<typeof tempHome>;
let out = "";
const restore: Array<() => void> = [];

beforeAll(async () => {
  api = await startServer((req, res) => {
    if (req.url.includes("/redirect")) {
      res.writeHead(302, { location: `http://localhost:${api.port}/elsewhere` });
      res.end();
      return;
    }
    res.statusCode = 401;
    res.end(JSON.stringify({ error: "unauthorized" }));
  });
  home = tempHome({
    notion_leak: localRecipe("notion_leak", "notion", api.url, "/v1"),
    trello_leak: localRecipe("trello_leak", "trello", api.url, "/1"),
    trello_down: localRecipe("trello_down", "trello", "http://127.0.0.1:9", "/1"),
    telegram_leak: localRecipe("telegram_leak", "telegram", api.url),
  });
  for (const stream of [process.stdout, process.stderr]) {
    const orig = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      out += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      return (orig as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    restore.push(() => {
      stream.write = orig as typeof stream.write;
    });
  }
});

afterAll(async () => {
  for (const r of restore) r();
  await api.close();
  home.cleanup();
});

function expectClean(label: string, err: unknown): void {
  expect(err, `${label} should fail`).toBeInstanceOf(Error);
  const e = err as Error;
  const views = [
    e.message,
    e.stack ?? "",
    inspect(e, { depth: 8, showHidden: false }),
    JSON.stringify(e),
    String(e),
  ];
  for (const view of views) for (const s of SECRETS) expect(view, `${label} leaks ${s}`).not.toContain(s);
}

describe("no secret in any output of the failure paths", () => {
  it("runs every failure path and finds no secret in errors, stdout or stderr", async () => {
    const logs: string[] = [];
    const auth = createAuth({
      home: home.home,
      store: new MemoryStore(),
      env: {},
      interactive: false,
      secretsDirs: [],
      logger: { warn: (m) => logs.push(m) },
      retries: 0,
    });
    await auth.setSecret("notion_leak", { token: "sk-LEAK-notion-7f3a9c" });
    await auth.setSecret("trello_leak", { api_key: "LEAK-trello-key-51b2", token: "LEAK-trello-token-c0de" });
    await auth.setSecret("trello_down", { api_key: "LEAK-trello-key-51b2", token: "LEAK-trello-token-c0de" });
    await auth.setSecret("telegram_leak", { token: "4242:LEAK-telegram" });
    const errors: Array<[string, unknown]> = [];
    const capture = async (label: string, p: Promise<unknown>) =>
      errors.push([
        label,
        await p.then(
          () => undefined,
          (e: unknown) => e,
        ),
      ]);

    await capture(
      "host not allowed (query secrets)",
      auth.bind("trello_leak").fetch("https://evil.example.com/x"),
    );
    await capture("redirect off the list (query secrets)", auth.bind("trello_leak").get("/redirect"));
    await capture("redirect off the list (path secret)", auth.bind("telegram_leak").get("/redirect"));
    await capture("network error with query secrets", auth.bind("trello_down").get("/members/me"));
    await capture("network error via dispatcher", auth.bind("trello_down").fetchFn("http://127.0.0.1:9/1/x"));
    await capture(
      "verify fails",
      auth.login("notion_leak", { values: { token: "LEAK-wrong-token-aa11" }, verify: true }),
    );
    await capture(
      "unknown key",
      auth.setSecret("notion_leak", { token: "LEAK-wrong-token-aa11", nope: "4242:LEAK-telegram" }),
    );
    await capture(
      "missing credential",
      createAuth({ home: home.home, store: new MemoryStore(), env: {}, interactive: false })
        .bind("notion_leak")
        .ready(),
    );

    const dir = mkdtempSync(join(tmpdir(), "arcrun-leak-"));
    try {
      const file = join(dir, "secrets.enc");
      const right = new EncryptedFileStore({
        path: file,
        keys: keysFromEnv({ ARCRUN_PASSPHRASE: "LEAK-passphrase-9e9e" }),
      });
      await right.set("x", "default", {
        v: 1,
        type: "static_key",
        values: { token: "sk-LEAK-notion-7f3a9c" },
        created_at: "",
        updated_at: "",
      });
      const wrong = new EncryptedFileStore({ path: file, keys: keysFromEnv({ ARCRUN_PASSPHRASE: "other" }) });
      await capture("wrong passphrase", wrong.get("x", "default"));
      writeFileSync(file, "{ truncated");
      await capture("corrupt file", right.get("x", "default"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    // The 401 test result is data, not an error: it must not echo the key either.
    const t = await auth.test("notion_leak");
    expect(t.ok).toBe(false);
    expect(JSON.stringify(t)).not.toContain("sk-LEAK");

    expect(errors.length).toBe(10);
    for (const [label, err] of errors) expectClean(label, err);
    expect(errors.map(([, e]) => (e as { code?: string }).code)).toEqual([
      "ERR_HOST_NOT_ALLOWED",
      "ERR_HOST_NOT_ALLOWED",
      "ERR_HOST_NOT_ALLOWED",
      "ERR_NETWORK",
      "ERR_NETWORK",
      "ERR_TEST_FAILED",
      "ERR_INVALID_OPTION",
      "ERR_NEEDS_LOGIN",
      "ERR_STORE_WRONG_KEY",
      "ERR_STORE_CORRUPT",
    ]);
    for (const s of SECRETS) {
      expect(logs.join("\n")).not.toContain(s);
      expect(out).not.toContain(s);
    }
    await auth.close();
  });
});

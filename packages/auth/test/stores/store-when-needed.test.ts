import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localRecipe } from "../helpers/home.js";
import { startServer, type TestServer } from "../helpers/server.js";

const PKG = resolve(import.meta.dirname, "../..");
const tsx = createRequire(import.meta.url).resolve("tsx");
const root = mkdtempSync(join(tmpdir(), "arcrun-lazy-store-"));
let api: TestServer;

beforeAll(async () => {
  api = await startServer((req, res) => {
    res.statusCode = req.headers.authorization === "Bearer from-outside" ? 200 : 401;
    res.end();
  });
});

afterAll(async () => {
  await api.close();
  rmSync(root, { recursive: true, force: true });
});

interface Outcome {
  status: number | string;
  warnings: string[];
  noticeFile: boolean;
}

/** A home with the local recipe; the store is "auto" and no keyring answers, as on a CI runner. */
async function run(name: string, extra: Record<string, string>): Promise<Outcome> {
  const home = join(root, name);
  mkdirSync(join(home, "recipes"), { recursive: true });
  writeFileSync(
    join(home, "recipes", "notion_env.yaml"),
    localRecipe("notion_env", "notion", api.url, "/v1"),
  );
  // Asynchronous: the child calls the server this process runs.
  const r = await promisify(execFile)(
    process.execPath,
    ["--import", tsx, "test/fixtures/env-credential-child.ts"],
    {
      cwd: PKG,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: root,
        DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent",
        ARCRUN_HOME: home,
        ARCRUN_MASTER_KEY: randomBytes(32).toString("base64"),
        ARCRUN_SECRETS_DIR: join(root, `${name}-secrets`),
        ...extra,
      },
      encoding: "utf8",
    },
  );
  return JSON.parse(r.stdout.trim()) as Outcome;
}

describe("the store is opened only when the credential is not found elsewhere", () => {
  it("a credential in the environment: no keyring probe, no fallback notice, no store-notice.json", async () => {
    const out = await run("env", { ARCRUN_NOTION_ENV_TOKEN: "from-outside" });
    expect(out).toEqual({ status: 200, warnings: [], noticeFile: false });
  });

  it("a credential in a secret file: the same", async () => {
    const dir = join(root, "file-secrets");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "notion_env_token"), "from-outside\n");
    const out = await run("file", {});
    expect(out).toEqual({ status: 200, warnings: [], noticeFile: false });
  });

  it("no credential outside the store: the store is opened, and its fallback announced", async () => {
    const out = await run("none", {});
    expect(out.status).toBe("ERR_NEEDS_LOGIN");
    expect(out.warnings).toHaveLength(1);
    expect(out.warnings[0]).toContain("no OS keyring answered");
    expect(out.noticeFile).toBe(true);
  });
});

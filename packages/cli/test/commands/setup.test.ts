import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { run, runInPty, type Sandbox, sandbox } from "../helpers/cli.js";
import { notionStandIn, type StandIn } from "../helpers/notion-standin.js";
import { localNotionRecipe } from "../helpers/recipes.js";

const RIGHT = `secret_${randomBytes(16).toString("hex")}`;
const WRONG = `secret_${randomBytes(16).toString("hex")}`;
let api: StandIn;
let box: Sandbox;
const seen: string[] = [];

function capture<T extends { output?: string; stdout?: string; stderr?: string }>(r: T): T {
  for (const v of [r.output, r.stdout, r.stderr]) if (v !== undefined) seen.push(v);
  return r;
}

beforeAll(async () => {
  api = await notionStandIn(RIGHT);
});
afterAll(async () => {
  await api.close();
  // Promise: no secret value in anything a command printed (except `arcrun secret`, asked for on purpose).
  const all = seen.join("\n");
  expect(all).not.toContain(WRONG);
  expect(all).not.toContain(box?.env.ARCRUN_MASTER_KEY ?? "unset");
});
beforeEach(async () => {
  box = await sandbox();
  await localNotionRecipe(box.home, api.origin);
  api.requests.length = 0;
});
afterEach(async () => {
  await box.cleanup();
});

const tokenPrompt = /Internal Integration Token[^\n]*: $/;

describe("arcrun setup notion (pseudo-terminal, local Notion stand-in)", () => {
  it("hides the typed secret, verifies it with the test request, and saves it", async () => {
    const r = capture(
      await runInPty(["setup", "notion"], box.env, [{ waitFor: tokenPrompt, send: `${RIGHT}\r` }]),
    );
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain("https://www.notion.so/my-integrations");
    expect(r.output).toContain("(input hidden)");
    expect(r.output).not.toContain(RIGHT);
    expect(r.output).toMatch(/HTTP 200/);
    expect(r.output).toMatch(/Saved Notion \(notion, instance default\) to the encrypted-file store/);
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]?.headers.authorization).toBe(`Bearer ${RIGHT}`);

    const list = capture(await run(["list", "--json"], box.env));
    expect(list.code).toBe(0);
    const notion = (JSON.parse(list.stdout) as { services: Array<Record<string, unknown>> }).services.find(
      (s) => s.id === "notion",
    );
    expect(notion).toMatchObject({
      connected: true,
      instances: [{ instance: "default", status: "connected", source: "store" }],
    });

    const secret = await run(["secret", "notion"], box.env);
    expect(secret).toMatchObject({ code: 0, stdout: `${RIGHT}\n` });
    const test = capture(await run(["test", "notion"], box.env));
    expect(test.code, test.stderr).toBe(0);

    const file = await readFile(join(box.home, "secrets.enc"), "utf8");
    expect(file).not.toContain(RIGHT);
  });

  it("a wrong secret fails the test step, exits 1 with the next step, and stores nothing", async () => {
    const r = capture(
      await runInPty(["setup", "notion"], box.env, [{ waitFor: tokenPrompt, send: `${WRONG}\r` }]),
    );
    expect(r.code).toBe(1);
    expect(r.output).not.toContain(WRONG);
    expect(r.output).toContain("GET /users/me answered 401, expected 200");
    expect(r.output).toContain("the credential was not saved");
    expect(r.output).toContain("Check it at https://www.notion.so/my-integrations");
    expect(r.output).toContain("run: arcrun setup notion");
    expect(api.requests).toHaveLength(1);

    const status = capture(await run(["status", "notion", "--json"], box.env));
    expect(status.code).toBe(1);
    expect(JSON.parse(status.stdout)).toMatchObject({
      services: [{ id: "notion", connected: false, instances: [] }],
    });
  });

  it("Ctrl-C at the prompt cancels: exit 1, nothing saved, no request sent", async () => {
    const r = capture(
      await runInPty(["setup", "notion"], box.env, [{ waitFor: tokenPrompt, send: "abc\u0003" }]),
    );
    expect(r.code).toBe(1);
    expect(r.output).toContain("cancelled; nothing was saved");
    expect(api.requests).toHaveLength(0);
  });
});

describe("arcrun setup without a terminal", () => {
  it("reads one value per line from stdin and saves to the named instance", async () => {
    const r = capture(await run(["setup", "notion", "--instance", "work"], box.env, `${RIGHT}\n`));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("instance work");
    const status = capture(await run(["status", "notion", "--json"], box.env));
    expect(JSON.parse(status.stdout)).toMatchObject({
      services: [{ id: "notion", connected: true, instances: [{ instance: "work", status: "connected" }] }],
    });
  });

  it("--no-verify saves without sending the test request", async () => {
    const r = capture(await run(["setup", "notion", "--no-verify"], box.env, `${WRONG}\n`));
    expect(r.code, r.stderr).toBe(0);
    expect(api.requests).toHaveLength(0);
  });

  it("the network unreachable: not saved, and --no-verify is named", async () => {
    const { createServer } = await import("node:net");
    const { writeFile } = await import("node:fs/promises");
    // A port nothing listens on: take one, then close it.
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const { port } = srv.address() as { port: number };
    await new Promise((r) => srv.close(r));
    await writeFile(
      join(box.home, "recipes", "notion.yaml"),
      `id: notion\nextends: notion\nbase_url: http://127.0.0.1:${port}/v1\nhosts: [127.0.0.1]\n`,
    );
    const r = capture(await run(["setup", "notion"], box.env, `${RIGHT}\n`));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Could not complete the request to 127.0.0.1:${port} (ECONNREFUSED)`);
    expect(r.stderr).toContain("the credential was not saved");
    expect(r.stderr).toContain("arcrun setup notion --no-verify");
    const status = capture(await run(["status", "notion"], box.env));
    expect(status.code).toBe(1);
  });

  it("--no-browser with stdin at its end fails at once: nobody can paste the redirected URL", async () => {
    const env = {
      ...box.env,
      ARCRUN_GOOGLE_DRIVE_CLIENT_ID: "client-for-test",
      ARCRUN_GOOGLE_DRIVE_CLIENT_SECRET: "secret-for-test",
    };
    // Before, it waited for the login timeout (minutes): the test's own timeout would end it.
    const r = capture(await run(["setup", "google_drive", "--no-browser"], env, ""));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Paste the redirected URL");
    expect(r.stderr).toContain("no input: paste the redirected URL, or run at a terminal");
    const json = capture(await run(["status", "google_drive", "--json"], env));
    expect(json.code).toBe(1);
  }, 8000);

  it("stdin that ends early fails with exit 1 and the way forward", async () => {
    const r = capture(await run(["setup", "notion"], box.env, ""));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/stdin ended/);
    expect(api.requests).toHaveLength(0);
  });

  it("OAuth-only flags on a static-key setup are a usage error (exit 2)", async () => {
    const r = capture(await run(["setup", "notion", "--device"], box.env, `${RIGHT}\n`));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("run: arcrun setup --help");
  });

  it("a piped value of the wrong form: refused (ERR_INVALID_SECRET) naming the key and the form, nothing saved", async () => {
    const r = capture(
      await run(["setup", "shopify", "--no-verify"], box.env, "my shop!\nshpat_x\n2026-07\n"),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('The value given for shopify "shop"');
    expect(r.stderr).toContain("does not have the expected form ([A-Za-z0-9][A-Za-z0-9-]*)");
    expect(r.stderr).not.toContain("my shop!");
    const status = capture(await run(["status", "shopify"], box.env));
    expect(status.code).toBe(1);
  });

  it("an unknown service exits 1 with a suggestion", async () => {
    const r = capture(await run(["setup", "notoin"], box.env));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('service "notoin" (did you mean: notion');
    expect(r.stderr).toContain("run: arcrun list");
  });
});

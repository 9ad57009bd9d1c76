// `arcrun recipe new` through the built CLI: flags for scripts, questions at a real pseudo-terminal, and the
// scaffolded recipe used as written by `arcrun setup` against a node:http API on 127.0.0.1.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run, runInPty, type Sandbox, sandbox } from "../helpers/cli.js";

const KEY = `ak_${randomBytes(16).toString("hex")}`;
let box: Sandbox;
let server: Server;
let origin = "";
const seen: IncomingHttpHeaders[] = [];

const cli = (args: string[], input = "") => run(args, box.env, input);
const fileOf = (id: string) => join(box.home, "recipes", `${id}.yaml`);

beforeAll(async () => {
  box = await sandbox();
  // An API that takes its key in X-API-Key, and answers /me with 200 only for the right one.
  server = createServer((req, res) => {
    seen.push(req.headers);
    const ok = req.url === "/v1/me" && req.headers["x-api-key"] === KEY;
    res.writeHead(ok ? 200 : 401, { "content-type": "application/json" });
    res.end(JSON.stringify(ok ? { id: "u_1" } : { error: "unauthorized" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await box.cleanup();
});

describe("arcrun recipe new", () => {
  it("with flags: writes $ARCRUN_HOME/recipes/<id>.yaml with the schema comment, valid, and setup uses it", async () => {
    const r = await cli([
      "recipe",
      "new",
      "acme_api",
      "--base-url",
      `${origin}/v1`,
      "--auth",
      "header",
      "--header",
      "X-API-Key",
      "--docs-url",
      "https://docs.acme.example/auth",
      "--test-path",
      "/me",
      "--category",
      "crm",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Wrote ${fileOf("acme_api")}: recipe "acme_api" (static_key) is valid`);
    expect(r.stderr).toContain("next: arcrun setup acme_api");
    const text = await readFile(fileOf("acme_api"), "utf8");
    const schema = /^# yaml-language-server: \$schema=(.+)$/m.exec(text)?.[1] ?? "";
    expect(schema).toMatch(/recipe\.schema\.json$/);
    expect(existsSync(schema)).toBe(true);
    const v = await cli(["recipe", "validate", fileOf("acme_api"), "--json"]);
    expect(JSON.parse(v.stdout)).toMatchObject({ valid: true, id: "acme_api", primitive: "static_key" });
    const listed = await cli(["list", "--category", "crm", "--json"]);
    expect((JSON.parse(listed.stdout) as { services: { id: string }[] }).services.map((s) => s.id)).toContain(
      "acme_api",
    );
    // The next step it printed works with the file as written: the key goes in the header it named.
    const setup = await cli(["setup", "acme_api"], `${KEY}\n`);
    expect(setup.code, setup.stderr).toBe(0);
    expect(seen.at(-1)?.["x-api-key"]).toBe(KEY);
  });

  it("at a terminal it asks for what the flags do not give", async () => {
    const r = await runInPty(["recipe", "new"], box.env, [
      { waitFor: /Recipe id[^:]*: /, send: "acme_basic\r" },
      { waitFor: /Display name \[Acme Basic\]: /, send: "\r" },
      { waitFor: /API base URL \(https:\/\/api\.example\.com\/v1\): /, send: `${origin}/v1\r` },
      { waitFor: /authentication \(URL\): /, send: "https://docs.acme.example/basic\r" },
      { waitFor: /Auth kind[^\n]*\[bearer\]: /, send: "basic\r" },
      { waitFor: /proves the credential works[^:]*: /, send: "/me\r" },
    ]);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain('recipe "acme_basic" (static_key) is valid');
    const text = await readFile(fileOf("acme_basic"), "utf8");
    expect(text).toContain('display_name: "Acme Basic"');
    expect(text).toContain("{{basic secret.user secret.password}}");
  });

  it("query, basic_key and oauth2 kinds validate too", async () => {
    const q = await cli([
      "recipe",
      "new",
      "acme_query",
      "--base-url",
      "https://api.acme.example",
      "--auth",
      "query",
      "--query",
      "api_key",
      "--docs-url",
      "https://docs.acme.example/q",
      "--json",
    ]);
    expect(q.code, q.stderr).toBe(0);
    expect(JSON.parse(q.stdout)).toMatchObject({ id: "acme_query", primitive: "static_key", valid: true });
    const b = await cli([
      "recipe",
      "new",
      "acme_basic_key",
      "--base-url",
      "https://api.acme.example",
      "--auth",
      "basic_key",
      "--docs-url",
      "https://docs.acme.example/basic",
      "--json",
    ]);
    expect(b.code, b.stderr).toBe(0);
    expect(JSON.parse(b.stdout)).toMatchObject({
      id: "acme_basic_key",
      primitive: "static_key",
      valid: true,
    });
    expect(await readFile(fileOf("acme_basic_key"), "utf8")).toContain(`'Basic {{basic secret.token ""}}'`);
    const o = await cli([
      "recipe",
      "new",
      "acme_oauth",
      "--base-url",
      "https://api.acme.example",
      "--auth",
      "oauth2",
      "--authorize-url",
      "https://auth.acme.example/authorize",
      "--token-url",
      "https://auth.acme.example/token",
      "--scope",
      "read",
      "--docs-url",
      "https://docs.acme.example/oauth",
      "--json",
    ]);
    expect(o.code, o.stderr).toBe(0);
    expect(JSON.parse(o.stdout)).toMatchObject({ id: "acme_oauth", primitive: "oauth2", valid: true });
    expect(JSON.parse(o.stdout).next).toContain("ARCRUN_ACME_OAUTH_CLIENT_ID");
  });

  it("in a script, missing flags are a usage error naming them (exit 2), and nothing is written", async () => {
    const r = await cli(["recipe", "new", "acme_missing", "--auth", "header"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("without a terminal, give --base-url, --docs-url, --header");
    expect(existsSync(fileOf("acme_missing"))).toBe(false);
  });

  it("refuses a built-in id and an existing file (without --force)", async () => {
    const builtin = await cli(["recipe", "new", "github", "--json"]);
    expect(builtin.code).toBe(1);
    expect(JSON.parse(builtin.stderr.trim())).toMatchObject({ error: { code: "ERR_RECIPE_EXISTS" } });
    const args = [
      "recipe",
      "new",
      "acme_api",
      "--base-url",
      "https://api.acme.example",
      "--auth",
      "bearer",
      "--docs-url",
      "https://docs.acme.example/auth",
    ];
    const again = await cli(args);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`${fileOf("acme_api")} exists`);
    const forced = await cli([...args, "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(await readFile(fileOf("acme_api"), "utf8")).toContain('Authorization: "Bearer {{secret.token}}"');
  });
});

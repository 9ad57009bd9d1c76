// The README's code is run, not just shown: the quick start against a local stand-in for the Notion API,
// every TypeScript block through tsc, and the recipe example through `arcrun recipe validate`.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = join(__dirname, "..", "..");
const docBlocks = (file: string, lang: string) =>
  Array.from(
    readFileSync(join(root, file), "utf8").matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, "g")),
    (m) => m[1] ?? "",
  );
const blocks = (lang: string) => docBlocks("README.md", lang);

const TOKEN = "secret_readme_quickstart_token";
let server: Server;
let port = 0;
let home = "";
let scratch = "";

beforeAll(async () => {
  server = createServer((req, res) => {
    const ok =
      req.headers.authorization === `Bearer ${TOKEN}` && req.headers["notion-version"] === "2022-06-28";
    res.writeHead(ok ? 200 : 401, { "content-type": "application/json" });
    res.end(
      JSON.stringify(
        ok && req.url === "/v1/users/me" ? { object: "user", name: "Readme Bot" } : { object: "error" },
      ),
    );
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
  home = mkdtempSync(join(tmpdir(), "arcrun-readme-"));
  mkdirSync(join(home, "recipes"));
  writeFileSync(
    join(home, "recipes", "notion.yaml"),
    `id: notion\nextends: notion\nbase_url: http://127.0.0.1:${port}/v1\nhosts: [127.0.0.1]\n`,
  );
  // Inside examples/ so that `arcrun-auth` resolves to the workspace package.
  scratch = mkdtempSync(join(root, "examples", ".readme-"));
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(home, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

describe("README", () => {
  it("the quick start runs and calls the API with the credential from the environment", async () => {
    const quickStart = blocks("ts")[0] ?? "";
    expect(quickStart).toContain('auth.bind("notion")');
    const file = join(scratch, "quick-start.mjs");
    writeFileSync(file, quickStart);
    const { stdout, stderr } = await run(process.execPath, [file], {
      env: { ...process.env, ARCRUN_HOME: home, ARCRUN_NOTION_TOKEN: TOKEN, ARCRUN_MASTER_KEY: "" },
    });
    expect(stdout).toContain("200");
    expect(stdout).toContain("Readme Bot");
    expect(stdout + stderr).not.toContain(TOKEN);
  });

  it("every TypeScript block of README.md and AGENTS.md type-checks against the built packages", async () => {
    const ts = [...blocks("ts"), ...docBlocks("AGENTS.md", "ts")];
    expect(ts.length).toBeGreaterThanOrEqual(4);
    ts.forEach((code, i) => {
      writeFileSync(join(scratch, `block-${i}.ts`), `${code}\nexport {};\n`);
    });
    writeFileSync(
      join(scratch, "tsconfig.json"),
      JSON.stringify({
        extends: "../../tsconfig.base.json",
        compilerOptions: { noEmit: true },
        include: ["*.ts"],
      }),
    );
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    await expect(run(process.execPath, [tsc, "-p", scratch])).resolves.toBeTruthy();
  });

  it("the recipe example is valid", async () => {
    const yaml = blocks("yaml").find((b) => b.includes("id: acme")) ?? "";
    const file = join(scratch, "acme.yaml");
    writeFileSync(file, yaml);
    const { stdout } = await run(
      process.execPath,
      [join(root, "packages/cli/dist/bin.js"), "recipe", "validate", file, "--json"],
      {
        env: { ...process.env, ARCRUN_HOME: home },
      },
    );
    expect(JSON.parse(stdout)).toMatchObject({ valid: true });
  });
});

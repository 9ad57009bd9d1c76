// AGENTS.md and docs/agents.md are a contract, so every code block is checked here (README.md's shell lines
// too; the TypeScript blocks are type-checked by examples/test/readme.test.ts): shell lines name real
// commands and options, env files real keys, the Python blocks run through `arcrun run --proxy` against a
// Notion stand-in, JSON parses, config.yaml is read by the code that reads it, and the catalogue table is
// the one the recipes make.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { loadCatalog } from "@arcrun/recipes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without types
import { catalogueTable, END, START } from "../../../scripts/agents-catalogue.mjs";
import { parseEnvFile, parseReference } from "../src/internal/env-file.js";
import { allowedMethods } from "../src/internal/mcp-tools.js";
import { notionStandIn, type StandIn } from "./helpers/notion-standin.js";

const exec = promisify(execFile);
const root = join(__dirname, "..", "..", "..");
const BIN = join(root, "packages", "cli", "dist", "bin.js");
const HOST_MAP = join(root, "packages", "cli", "test", "support", "host-map.mjs");
const PYTHON = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

function blocksOf(file: string, lang: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  return Array.from(text.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, "g")), (m) => m[1] ?? "");
}

const DOCS = ["AGENTS.md", "docs/agents.md"];
const helpCache = new Map<string, Promise<{ code: number; text: string }>>();

function help(command: string): Promise<{ code: number; text: string }> {
  let h = helpCache.get(command);
  if (!h) {
    h = exec(process.execPath, [BIN, ...command.split(" "), "--help"]).then(
      (r) => ({ code: 0, text: r.stdout }),
      (e: { code?: number; stdout?: string }) => ({ code: e.code ?? 1, text: e.stdout ?? "" }),
    );
    helpCache.set(command, h);
  }
  return h;
}

let top = "";
let home = "";
let notion: StandIn;
const TOKEN = `secret_${Math.random().toString(36).slice(2)}${Date.now()}`;

beforeAll(async () => {
  top = (await exec(process.execPath, [BIN, "--help"])).stdout;
  home = mkdtempSync(join(tmpdir(), "arcrun-agents-"));
  notion = await notionStandIn(TOKEN);
});

afterAll(async () => {
  await notion?.close();
  rmSync(home, { recursive: true, force: true });
});

/** Every `arcrun <command> ...` in a shell block: the command exists and each option is in its --help. */
async function checkShell(block: string, where: string): Promise<number> {
  let checked = 0;
  const commands = new Set(
    Array.from(top.matchAll(/^ {2}([a-z-]+(?: [a-z]+)?)\s{2,}/gm), (m) => m[1] ?? "").filter(Boolean),
  );
  for (const m of block.matchAll(/\barcrun ((?:[a-z][a-z-]*)(?: [a-z][a-z-]*)?)([^\n'"|)#]*)/g)) {
    const words = (m[1] ?? "").split(" ");
    const command = commands.has(words.join(" ")) ? words.join(" ") : (words[0] ?? "");
    expect(commands.has(command), `${where}: arcrun ${m[1]} is not a command`).toBe(true);
    const h = await help(command);
    expect(h.code, `${where}: arcrun ${command} --help`).toBe(0);
    const own = `${m[1]}${m[2]}`.split(" -- ")[0] ?? "";
    for (const flag of own.match(/--[a-z][a-z-]*/g) ?? []) {
      expect(h.text, `${where}: arcrun ${command} has no ${flag}`).toContain(flag);
    }
    checked++;
  }
  return checked;
}

describe("AGENTS.md and docs/agents.md code blocks", () => {
  it("every arcrun command line names a real command and real options", async () => {
    let total = 0;
    for (const file of [...DOCS, "README.md"]) {
      for (const lang of ["sh", "ini"]) {
        for (const [i, block] of blocksOf(file, lang).entries())
          total += await checkShell(block, `${file} ${lang}#${i}`);
      }
    }
    expect(total).toBeGreaterThanOrEqual(20);
  });

  it("the shell check fails on a command or an option that does not exist", async () => {
    await expect(checkShell("arcrun run --bogus -- true", "x")).rejects.toThrow(/has no --bogus/);
    await expect(checkShell("npx arcrun nosuch thing", "x")).rejects.toThrow(/is not a command/);
    await expect(checkShell("arcrun run --proxy -- curl --silent x", "x")).resolves.toBe(1);
  });

  it("env-file blocks hold references to real services and keys", async () => {
    const ids = new Map(loadCatalog().map((r) => [r.id, r]));
    let refs = 0;
    for (const file of DOCS) {
      for (const block of blocksOf(file, "sh").filter((b) => b.startsWith("# .env"))) {
        for (const v of parseEnvFile(block, file)) {
          const ref = parseReference(v.value, file);
          if (!ref) continue;
          const recipe = ids.get(ref.service);
          expect(recipe, `${file}: ${v.value}`).toBeDefined();
          const keys = [...(recipe?.required_secrets.map((s) => s.key) ?? []), "access_token"];
          expect(keys, `${file}: ${v.value}`).toContain(ref.key);
          refs++;
        }
      }
    }
    expect(refs).toBeGreaterThanOrEqual(2);
  });

  it.each(DOCS)(
    "the Python block of %s runs under arcrun run --proxy against the shipped notion recipe",
    async (file) => {
      const [py] = blocksOf(file, "python");
      expect(py).toContain("ARCRUN_PROXY_URL");
      const script = join(home, "agents.py");
      writeFileSync(script, py ?? "");
      const env = {
        PATH: process.env.PATH ?? "",
        HOME: home,
        ARCRUN_HOME: join(home, "arcrun"),
        ARCRUN_STORE: "memory",
        NOTION_TOKEN: TOKEN,
        ARCRUN_TEST_HOST_MAP: JSON.stringify({ "api.notion.com": notion.origin }),
        NODE_OPTIONS: `--import ${HOST_MAP}`,
      };
      const r = await exec(
        process.execPath,
        [BIN, "run", "--proxy", "--service", "notion", "--", PYTHON, script],
        {
          env,
        },
      );
      expect(r.stdout).toMatch(/'object': 'user'|^list$/m);
      expect(r.stdout + r.stderr).not.toContain(TOKEN);
    },
  );

  it("JSON blocks parse; the MCP client entry runs arcrun mcp", () => {
    const blocks = DOCS.flatMap((f) => blocksOf(f, "json"));
    expect(blocks.length).toBeGreaterThan(0);
    for (const b of blocks) JSON.parse(b);
    expect(JSON.parse(blocks[0] ?? "{}")).toMatchObject({
      mcpServers: { arcrun: { args: ["arcrun", "mcp"] } },
    });
  });

  it("config.yaml blocks are what arcrun mcp reads", async () => {
    const blocks = DOCS.flatMap((f) => blocksOf(f, "yaml")).filter((b) => b.includes("config.yaml"));
    expect(blocks.length).toBeGreaterThan(0);
    for (const b of blocks) {
      writeFileSync(join(home, "config.yaml"), b);
      const allow = await allowedMethods(home);
      expect(allow.get("github")).toEqual(new Set(["GET", "POST"]));
    }
  });

  it("the catalogue table is the one scripts/agents-catalogue.mjs makes from the recipes", async () => {
    const text = readFileSync(join(root, "AGENTS.md"), "utf8");
    const table = text.slice(text.indexOf(START) + START.length, text.indexOf(END)).trim();
    expect(table, "run: node scripts/agents-catalogue.mjs --write").toBe(await catalogueTable());
    expect(table.split("\n").length - 2).toBe(loadCatalog().length);
  });
});

// The pure parts of `init`: reading wrangler's namespace id, and writing a deploy config from wrangler.toml.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deployConfig, namespaceId, wranglerEnv } from "../src/commands/executor/init.js";

const EXECUTOR = join(__dirname, "..", "..", "executor-worker");

describe("init helpers", () => {
  it("finds the id in wrangler's TOML and JSON snippets, and nothing in other text", () => {
    const id = "0f2ac74b498b48028cb68387c421e279";
    expect(namespaceId(`[[kv_namespaces]]\nbinding = "ARCRUN_KV"\nid = "${id}"\n`)).toBe(id);
    expect(namespaceId(`{ "binding": "ARCRUN_KV", "id": "${id}" }`)).toBe(id);
    expect(namespaceId("Creating namespace with title ARCRUN_KV\nSuccess!")).toBeUndefined();
  });

  it("sets the namespace id of the binding and makes main absolute", () => {
    const toml = readFileSync(join(EXECUTOR, "wrangler.toml"), "utf8");
    const out = deployConfig(
      toml,
      { id: "executor", dir: EXECUTOR, binding: "ARCRUN_KV", secrets: [] },
      "abc123",
    );
    expect(out).toContain(`main = ${JSON.stringify(join(EXECUTOR, "src/index.ts"))}`);
    expect(out).toMatch(/binding = "ARCRUN_KV"\nid = "abc123"/);
    expect(out).not.toContain("arcrun-executor-local");
    expect(() =>
      deployConfig(toml, { id: "executor", dir: EXECUTOR, binding: "OTHER_KV", secrets: [] }, "x"),
    ).toThrow(/no \[\[kv_namespaces\]\] binding OTHER_KV/);
  });

  it("wrangler logs to the package's .wrangler/logs; a real deploy keeps XDG_CONFIG_HOME (wrangler login)", () => {
    const user = { XDG_CONFIG_HOME: "/home/u/.config", PATH: "/bin" };
    expect(wranglerEnv(user, EXECUTOR, false)).toEqual({
      ...user,
      WRANGLER_LOG_PATH: join(EXECUTOR, ".wrangler", "logs"),
    });
    expect(wranglerEnv(user, EXECUTOR, true)).toEqual({
      PATH: "/bin",
      XDG_CONFIG_HOME: join(EXECUTOR, ".wrangler", "config"),
      WRANGLER_LOG_PATH: join(EXECUTOR, ".wrangler", "logs"),
    });
    expect(wranglerEnv({ ...user, WRANGLER_LOG_PATH: "/var/log/w" }, EXECUTOR, false).WRANGLER_LOG_PATH).toBe(
      "/var/log/w",
    );
  });
});

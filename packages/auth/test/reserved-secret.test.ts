// arcrun's own secrets (the executor's keys) in the credential store under reserved names.
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAuth, MemoryStore } from "../src/index.js";
import { tempHome } from "./helpers/home.js";

let home: ReturnType<typeof tempHome>;
let env: Record<string, string>;

beforeEach(() => {
  home = tempHome();
  env = {
    ARCRUN_STORE: "encrypted-file",
    ARCRUN_MASTER_KEY: randomBytes(32).toString("base64"),
    // No D-Bus session: the keyring cannot answer, so only ARCRUN_MASTER_KEY protects the file.
    DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent",
  };
});
afterEach(() => home.cleanup());

function make() {
  return createAuth({ home: home.home, env, interactive: false, logger: { warn: () => undefined } });
}

describe("reserved secrets", () => {
  it("round-trips through the encrypted file, which never holds the values in plaintext", async () => {
    const key = randomBytes(32).toString("base64");
    const apiKey = randomBytes(32).toString("base64url");
    await make().setReservedSecret(
      "arcrun_executor",
      { ENCRYPTION_KEY: key, ARCRUN_API_KEY: apiKey },
      { instance: "arcrun-executor.me.workers.dev" },
    );
    // A fresh Auth (another process, as the CLI is) reads it back.
    const auth = make();
    expect(
      await auth.getReservedSecret("arcrun_executor", { instance: "arcrun-executor.me.workers.dev" }),
    ).toEqual({ ENCRYPTION_KEY: key, ARCRUN_API_KEY: apiKey });
    expect(await auth.getReservedSecret("arcrun_executor")).toBeUndefined();
    expect(await auth.listReservedSecret("arcrun_executor")).toEqual(["arcrun-executor.me.workers.dev"]);
    for (const f of readdirSync(home.home, { recursive: true, withFileTypes: true })) {
      if (!f.isFile()) continue;
      const text = readFileSync(join(f.parentPath, f.name), "latin1");
      expect(text).not.toContain(key);
      expect(text).not.toContain(apiKey);
      expect(text).not.toContain(Buffer.from(key, "base64").toString("latin1"));
    }
    expect(
      await auth.deleteReservedSecret("arcrun_executor", { instance: "arcrun-executor.me.workers.dev" }),
    ).toBe(true);
    expect(
      await auth.deleteReservedSecret("arcrun_executor", { instance: "arcrun-executor.me.workers.dev" }),
    ).toBe(false);
    expect(await make().listReservedSecret("arcrun_executor")).toEqual([]);
  });

  it("is not listed as a service, and replacing keeps the first creation time", async () => {
    const store = new MemoryStore();
    const auth = createAuth({ home: home.home, env: {}, store, interactive: false });
    await auth.setReservedSecret("arcrun_executor", { ENCRYPTION_KEY: "a" });
    const first = await store.get("arcrun_executor", "default");
    await auth.setReservedSecret("arcrun_executor", { ENCRYPTION_KEY: "b" });
    const second = await store.get("arcrun_executor", "default");
    expect(second?.values).toEqual({ ENCRYPTION_KEY: "b" });
    expect(second?.created_at).toBe(first?.created_at);
    expect((await auth.listServices()).some((s) => s.id === "arcrun_executor")).toBe(false);
  });

  it("refuses a name outside the reserved prefix, a bad instance, and empty or odd values", async () => {
    const auth = createAuth({ home: home.home, env: {}, store: new MemoryStore(), interactive: false });
    await expect(auth.setReservedSecret("notion", { token: "x" })).rejects.toMatchObject({
      code: "ERR_INVALID_OPTION",
      message: expect.stringMatching(/"notion" is not a reserved name: .*Use setSecret/),
    });
    await expect(auth.getReservedSecret("arcrun_x", { instance: "https://a/b" })).rejects.toMatchObject({
      code: "ERR_INVALID_OPTION",
      message: expect.stringContaining("Instance names are letters"),
    });
    await expect(auth.setReservedSecret("arcrun_x", {})).rejects.toMatchObject({
      code: "ERR_INVALID_OPTION",
      message: expect.stringContaining("non-empty object of string values"),
    });
    await expect(auth.setReservedSecret("arcrun_x", { "a-b": "1" })).rejects.toMatchObject({
      code: "ERR_INVALID_OPTION",
    });
  });
});

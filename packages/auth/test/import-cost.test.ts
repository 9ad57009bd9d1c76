import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const PKG = resolve(import.meta.dirname, "..");
const DIST = resolve(PKG, "dist/index.js");

describe("import cost", () => {
  it("import + bind load no keyring, yaml, zod, undici, prompt, jose or open (built package)", () => {
    expect(existsSync(DIST), "build first: pnpm --filter arcrun-auth build").toBe(true);
    const r = spawnSync(
      process.execPath,
      ["--import", "./test/fixtures/trace-loads.mjs", "test/fixtures/import-cost-child.mjs", DIST],
      { cwd: PKG, encoding: "utf8" },
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      atImport: { heavy: string[]; ownFiles: string[]; internalUndici: boolean };
      afterRequest: string[];
    };
    expect(out.atImport).toEqual({ heavy: [], ownFiles: ["index.js"], internalUndici: false });
    // The tracing does see modules load: asking for the dispatcher brings in undici.
    expect(out.afterRequest.some((u) => u.includes("undici"))).toBe(true);
  });

  describe("the cold path (import, bind a built-in recipe, first get)", () => {
    let server: Server;
    let origin: string;
    const seen: string[] = [];
    beforeAll(async () => {
      server = createServer((req, res) => {
        seen.push(`${req.method} ${req.url} ${req.headers.authorization}`);
        res.setHeader("content-type", "application/json");
        res.end('{"object":"user"}');
      });
      await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((done) => server.close(() => done())));

    it("reads the entry alone (static_key is part of it): no catalogue update, login, status or test-request code", async () => {
      expect(existsSync(DIST), "build first: pnpm --filter arcrun-auth build").toBe(true);
      const child = spawn(
        process.execPath,
        ["--import", "./test/fixtures/trace-loads.mjs", "test/fixtures/cold-path-child.mjs", DIST],
        { cwd: PKG, env: { PATH: process.env.PATH ?? "", ORIGIN: origin } },
      );
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => {
        stdout += d.toString();
      });
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
      });
      const code = await new Promise<number | null>((done) => child.on("close", done));
      expect(code, stderr).toBe(0);
      const out = JSON.parse(stdout) as {
        status: number;
        body: string;
        afterGet: string[];
        afterOthers: string[];
      };
      expect(out.status).toBe(200);
      expect(out.body).toBe('{"object":"user"}');
      expect(seen[0]).toBe("GET /v1/users/me Bearer t");
      const lazy = /^(update|logins|status|test-request)-[A-Z0-9]+\.js$/;
      expect(out.afterGet).toEqual(["index.js"]);
      // Asked for, each loads: the names above are the files that hold them.
      const later = out.afterOthers.filter((f) => lazy.test(f)).map((f) => f.replace(/-[A-Z0-9]+\.js$/, ""));
      expect(later.sort()).toEqual(["status", "test-request", "update"]);
    });
  });
});

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect, it } from "vitest";

const PKG = resolve(import.meta.dirname, "../..");

it("importing arcrun-auth loads no D-Bus code and opens no socket; the first keyring use loads it", () => {
  const dir = mkdtempSync(join(tmpdir(), "arcrun-lazy-"));
  try {
    const r = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "--import",
        "./test/fixtures/trace-loads.mjs",
        "test/fixtures/keyring-child.ts",
        "lazy",
      ],
      {
        cwd: PKG,
        encoding: "utf8",
        timeout: 30_000,
        // A bus that is not there: the use fails fast, after loading the client.
        env: {
          PATH: process.env.PATH ?? "",
          HOME: dir,
          ARCRUN_HOME: dir,
          DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(dir, "no-bus")}`,
        },
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      before: { dbus: false, net: false, sockets: 0 },
      after: {
        dbus: process.platform === "linux",
        net: process.platform === "linux",
        got: "ERR_STORE_UNAVAILABLE",
      },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

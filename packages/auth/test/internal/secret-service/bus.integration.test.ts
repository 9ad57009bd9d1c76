import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BusConnection,
  DBusError,
  parseBusAddress,
  parseBusAddresses,
} from "../../../src/internal/secret-service/bus.js";
import type { Message } from "../../../src/internal/secret-service/wire.js";

const hasDaemon = spawnSync("sh", ["-c", "command -v dbus-daemon && command -v dbus-send"]).status === 0;

const BUS = {
  destination: "org.freedesktop.DBus",
  path: "/org/freedesktop/DBus",
  interface: "org.freedesktop.DBus",
};

async function rejection(p: Promise<unknown>): Promise<DBusError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(DBusError);
    return err as DBusError;
  }
  throw new Error("expected a rejection");
}

/** Starts a private dbus-daemon listening on `listen`; resolves with it and the address it printed. */
async function startDaemon(listen: string): Promise<{ daemon: ChildProcess; address: string }> {
  const daemon = spawn("dbus-daemon", ["--session", "--nofork", "--print-address=1", `--address=${listen}`], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  const address = await new Promise<string>((resolve, reject) => {
    let out = "";
    daemon.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes("\n")) resolve(out.split("\n")[0] as string);
    });
    daemon.on("exit", (code) => reject(new Error(`dbus-daemon exited with ${code}`)));
  });
  return { daemon, address };
}

describe.skipIf(!hasDaemon)("BusConnection against a real dbus-daemon", () => {
  let daemon: ChildProcess;
  let address: string;
  let dir: string;
  const open: BusConnection[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "arcrun-bus-"));
    ({ daemon, address } = await startDaemon(`unix:path=${join(dir, "bus")}`));
  });

  afterAll(() => {
    for (const c of open) c.close();
    daemon.kill("SIGCONT");
    daemon.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  const connect = async (opts?: { connectTimeoutMs?: number; callTimeoutMs?: number }) => {
    const c = await BusConnection.connect(parseBusAddress(address), opts);
    open.push(c);
    return c;
  };

  it("authenticates (SASL EXTERNAL), says Hello, and calls methods", async () => {
    expect(address).toMatch(/^unix:path=.*\/bus,guid=[0-9a-f]{32}$/);
    const c = await connect();
    expect(c.uniqueName).toMatch(/^:1\.\d+$/);
    const [id] = await c.call({ ...BUS, member: "GetId" });
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    const [names] = await c.call({ ...BUS, member: "ListNames" });
    expect(names).toContain(c.uniqueName);
    expect(names).toContain("org.freedesktop.DBus");
    // Concurrent calls are matched to their replies by serial.
    const owners = await Promise.all(
      [c.uniqueName, "org.freedesktop.DBus"].map((n) =>
        c.call({ ...BUS, member: "NameHasOwner", signature: "s", body: [n] }),
      ),
    );
    expect(owners).toEqual([[true], [true]]);
  });

  it("an error reply rejects with the D-Bus error name", async () => {
    const c = await connect();
    const unknown = await rejection(c.call({ ...BUS, member: "NoSuchMethod" }));
    expect(unknown.errorName).toBe("org.freedesktop.DBus.Error.UnknownMethod");
    expect(unknown.message).toMatch(/^org\.freedesktop\.DBus\.Error\.UnknownMethod: .*NoSuchMethod/);
    const service = await rejection(
      c.call({ destination: "org.arcrun.Nobody", path: "/", interface: "org.arcrun.X", member: "Y" }),
    );
    expect(service.errorName).toBe("org.freedesktop.DBus.Error.ServiceUnknown");
  });

  it("receives the signals it asked for", async () => {
    const c = await connect();
    await c.addMatch("type='signal',interface='org.arcrun.Test',member='Ping'");
    const got = new Promise<Message>((resolve) => c.onSignal((m) => m.member === "Ping" && resolve(m)));
    // dbus-send --address skips Hello (the bus drops what it sends): point --session at the address instead.
    execFile(
      "dbus-send",
      ["--session", "--type=signal", "/org/arcrun/Test", "org.arcrun.Test.Ping", "string:hé"],
      {
        env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: address },
      },
    );
    const m = await got;
    expect(m).toMatchObject({ path: "/org/arcrun/Test", interface: "org.arcrun.Test", body: ["hé"] });
  });

  it("answers a method call addressed to it with UnknownMethod (the caller does not wait for a timeout)", async () => {
    const c = await connect();
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const p = execFile(
        "dbus-send",
        [
          "--session",
          "--print-reply",
          "--reply-timeout=10000",
          `--dest=${c.uniqueName}`,
          "/x",
          "org.arcrun.X.Y",
        ],
        { env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: address }, timeout: 20_000 },
        (_err, _stdout, stderr) => resolve({ code: p.exitCode, stderr }),
      );
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Error org.freedesktop.DBus.Error.UnknownMethod");
  });

  it("a bus that stops answering (SIGSTOP) fails calls and connects by their timeouts, not a hang", async () => {
    const c = await connect({ callTimeoutMs: 300 });
    daemon.kill("SIGSTOP");
    try {
      const call = await rejection(c.call({ ...BUS, member: "GetId" }));
      expect(call.errorName).toBe("org.freedesktop.DBus.Error.NoReply");
      expect(call.message).toBe("org.freedesktop.DBus.GetId got no reply within 300 ms");
      const conn = await rejection(
        BusConnection.connect(parseBusAddress(address), { connectTimeoutMs: 300 }),
      );
      expect(conn.errorName).toBe("org.freedesktop.DBus.Error.Timeout");
      expect(conn.message).toBe(`the D-Bus session bus at ${join(dir, "bus")} did not answer within 300 ms`);
    } finally {
      daemon.kill("SIGCONT");
    }
    // The connection still works once the bus answers again.
    const [id] = await c.call({ ...BUS, member: "GetId" });
    expect(id).toMatch(/^[0-9a-f]{32}$/);
  });

  it("a bus that goes away rejects what is pending and marks the connection closed", async () => {
    const c = await connect({ callTimeoutMs: 10_000 });
    daemon.kill("SIGSTOP");
    const pending = c.call({ ...BUS, member: "GetId" });
    daemon.kill("SIGKILL");
    const err = await rejection(pending);
    expect(err.errorName).toBe("org.freedesktop.DBus.Error.Disconnected");
    expect(c.closed).toBe(true);
    expect(await c.whenClosed).toBe(err);
    expect((await rejection(c.call({ ...BUS, member: "GetId" }))).errorName).toBe(
      "org.freedesktop.DBus.Error.Disconnected",
    );
  });
});

/**
 * Whether a plain node:net client of this Node reaches the abstract socket `name`: Node 20 pads the name to
 * the whole sun_path, which is another socket than dbus-daemon's; Node 22 and later send it as it is.
 */
function reachesAbstract(name: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ path: `\0${name}` });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe.skipIf(!hasDaemon)("unix:abstract addresses", () => {
  it("a dbus-daemon abstract socket is used where this Node reaches it (not Node 20: padded name), else the next address", async () => {
    const dir = mkdtempSync(join(tmpdir(), "arcrun-bus-"));
    const abstract = await startDaemon(`unix:abstract=arcrun-test-${randomBytes(6).toString("hex")}`);
    const byPath = await startDaemon(`unix:path=${join(dir, "bus")}`);
    try {
      const list = parseBusAddresses(`${abstract.address};${byPath.address}`);
      expect(list[0]).toEqual({ abstract: expect.stringMatching(/^arcrun-test-/) });
      const first = list[0] as { abstract: string };
      const reachable = await reachesAbstract(first.abstract);
      const c = await BusConnection.connectFirst(list);
      // Each daemon has its own bus id: the connection's is the second daemon's only when it went there.
      const direct = await BusConnection.connect(list[1] as { path: string });
      const [[id], [secondId]] = await Promise.all([
        c.call({ ...BUS, member: "GetId" }),
        direct.call({ ...BUS, member: "GetId" }),
      ]);
      expect(id === secondId).toBe(!reachable);
      direct.close();
      c.close();
      if (reachable) {
        // Alone, the abstract address is a working bus.
        const alone = await BusConnection.connectFirst([first]);
        const [aloneId] = await alone.call({ ...BUS, member: "GetId" });
        expect(aloneId).toBe(id);
        alone.close();
      } else {
        // Alone, the abstract address fails with a reason, not a hang.
        const err = await rejection(BusConnection.connectFirst([first]));
        expect(err.errorName).toBe("org.freedesktop.DBus.Error.NoServer");
        expect(err.message).toMatch(
          /^cannot connect to the D-Bus session bus at @arcrun-test-[0-9a-f]+ \(ECONNREFUSED\)$/,
        );
      }
    } finally {
      abstract.daemon.kill();
      byPath.daemon.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("BusConnection against a misbehaving peer (mock peer: a node:net server speaking the SASL lines)", () => {
  let server: Server;
  let path: string;
  let reply: (line: string, write: (b: Buffer | string) => void) => void = () => {};

  beforeAll(async () => {
    path = `\0arcrun-mock-bus-${randomBytes(6).toString("hex")}`;
    server = createServer((s) => {
      s.on("data", (c: Buffer) => {
        const line = c.toString("latin1");
        if (line.includes("AUTH")) reply(line, (b) => s.write(b));
      });
    });
    await new Promise<void>((ok) => server.listen(path, ok));
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  const address = () => ({ abstract: path.slice(1) });

  it("sends AUTH EXTERNAL with the hex of the uid; a REJECTED reply is AuthFailed", async () => {
    let sent = "";
    reply = (line, write) => {
      sent = line;
      write("REJECTED DBUS_COOKIE_SHA1\r\n");
    };
    const err = await rejection(BusConnection.connect(address(), { connectTimeoutMs: 2000 }));
    expect(sent).toBe(`\0AUTH EXTERNAL ${Buffer.from(String(process.getuid?.() ?? 0)).toString("hex")}\r\n`);
    expect(err.errorName).toBe("org.freedesktop.DBus.Error.AuthFailed");
    expect(err.message).toContain("refused authentication (REJECTED DBUS_COOKIE_SHA1)");
  });

  it("garbage after OK is a malformed-message error, not a hang or a crash", async () => {
    reply = (_line, write) =>
      write(Buffer.concat([Buffer.from("OK 0123456789abcdef\r\n"), Buffer.alloc(24, 0x78)]));
    const err = await rejection(BusConnection.connect(address(), { connectTimeoutMs: 2000 }));
    expect(err.errorName).toBe("org.freedesktop.DBus.Error.InvalidArgs");
    expect(err.message).toBe("the D-Bus peer sent a malformed message (bad endianness byte)");
  });
});

import { describe, expect, it } from "vitest";
import {
  DBusError,
  parseBusAddress,
  parseBusAddresses,
  sessionBusAddresses,
} from "../../../src/internal/secret-service/bus.js";

describe("D-Bus server addresses", () => {
  it("unix:path, with its guid and %-escapes", () => {
    expect(parseBusAddress("unix:path=/run/user/1000/bus")).toEqual({ path: "/run/user/1000/bus" });
    expect(parseBusAddress("unix:path=/tmp/dbus-ab%2Ccd,guid=0123456789abcdef")).toEqual({
      path: "/tmp/dbus-ab,cd",
    });
  });

  it("unix:abstract (reached through a leading NUL)", () => {
    expect(parseBusAddress("unix:abstract=/tmp/dbus-XyZ,guid=1")).toEqual({ abstract: "/tmp/dbus-XyZ" });
  });

  it("takes the first usable address of a ;-separated list", () => {
    expect(parseBusAddress("tcp:host=localhost,port=1;unix:abstract=a;unix:path=/b")).toEqual({
      abstract: "a",
    });
    expect(parseBusAddress(";;unixexec:path=/x;unix:path=/b")).toEqual({ path: "/b" });
  });

  it.each([
    ["", "no D-Bus session bus address (DBUS_SESSION_BUS_ADDRESS is empty)"],
    [
      "tcp:host=localhost,port=1",
      "no usable D-Bus session bus address (only tcp; unix:path or unix:abstract needed)",
    ],
    [
      "unix:tmpdir=/tmp",
      "no usable D-Bus session bus address (only unix; unix:path or unix:abstract needed)",
    ],
    ["unix:path=%zz", "no usable D-Bus session bus address (only unix; unix:path or unix:abstract needed)"],
  ])("%j is refused with a reason", (address, message) => {
    let err: unknown;
    try {
      parseBusAddress(address);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DBusError);
    expect((err as DBusError).errorName).toBe("org.freedesktop.DBus.Error.BadAddress");
    expect((err as DBusError).message).toBe(message);
  });

  it("lists every usable address in order", () => {
    expect(parseBusAddresses("unix:abstract=a,guid=1;tcp:port=1;unix:path=/b")).toEqual([
      { abstract: "a" },
      { path: "/b" },
    ]);
  });

  it("the session bus: DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus, else a reason", () => {
    expect(sessionBusAddresses({ DBUS_SESSION_BUS_ADDRESS: "unix:path=/x", XDG_RUNTIME_DIR: "/r" })).toEqual([
      { path: "/x" },
    ]);
    expect(sessionBusAddresses({ XDG_RUNTIME_DIR: "/run/user/7" })).toEqual([{ path: "/run/user/7/bus" }]);
    expect(() => sessionBusAddresses({})).toThrow("DBUS_SESSION_BUS_ADDRESS and XDG_RUNTIME_DIR are unset");
  });

  it("after an abstract address, $XDG_RUNTIME_DIR/bus is tried too (Node 20 cannot reach dbus-daemon's abstract sockets)", () => {
    expect(
      sessionBusAddresses({ DBUS_SESSION_BUS_ADDRESS: "unix:abstract=/tmp/d", XDG_RUNTIME_DIR: "/r" }),
    ).toEqual([{ abstract: "/tmp/d" }, { path: "/r/bus" }]);
    expect(
      sessionBusAddresses({
        DBUS_SESSION_BUS_ADDRESS: "unix:abstract=/tmp/d;unix:path=/r/bus",
        XDG_RUNTIME_DIR: "/r",
      }),
    ).toEqual([{ abstract: "/tmp/d" }, { path: "/r/bus" }]);
  });
});

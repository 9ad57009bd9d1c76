import { describe, expect, it } from "vitest";
import {
  type DBusValue,
  decodeMessage,
  encodeMessage,
  type Message,
  MessageType,
  marshal,
  messageLength,
  splitSignature,
  unmarshal,
  Variant,
  WireError,
} from "../../../src/internal/secret-service/wire.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("signatures", () => {
  it("splits into complete types", () => {
    expect(splitSignature("sa{sv}(oayays)bao")).toEqual(["s", "a{sv}", "(oayays)", "b", "ao"]);
    expect(splitSignature("a{oa(yv)}")).toEqual(["a{oa(yv)}"]);
    expect(splitSignature("")).toEqual([]);
  });

  it.each(["a", "(s", "()", "{ss}", "a{vs}", "a{sss}", "z", "s)"])("rejects %j", (sig) => {
    expect(() => splitSignature(sig)).toThrow(WireError);
  });
});

describe("round trip of every signature the Secret Service client uses", () => {
  const secret: DBusValue = [
    "/org/freedesktop/secrets/session/s1",
    new Uint8Array(16).fill(7),
    new Uint8Array([1, 2, 3, 250]),
    "text/plain; charset=utf8",
  ];
  const cases: Array<[string, DBusValue[]]> = [
    ["s", ["org.freedesktop.DBus"]],
    ["s", ["ünïcødé ✓ 🔑"]],
    ["sv", ["dh-ietf1024-sha256-aes128-cbc-pkcs7", new Variant("ay", new Uint8Array(128).fill(0xab))]],
    ["sv", ["plain", new Variant("s", "")]],
    ["vo", [new Variant("ay", new Uint8Array([9])), "/org/freedesktop/secrets/session/s1"]],
    [
      "a{ss}",
      [
        [
          ["service", "arcrun"],
          ["username", "notion/default"],
        ],
      ],
    ],
    ["a{ss}", [[]]],
    ["aoao", [["/a/b", "/c"], []]],
    ["ao", [["/"]]],
    ["aoo", [["/org/freedesktop/secrets/collection/login/1"], "/org/freedesktop/secrets/session/s2"]],
    ["a{o(oayays)}", [[["/org/x/1", secret]]]],
    ["(oayays)", [secret]],
    [
      "a{sv}(oayays)b",
      [
        [
          ["org.freedesktop.Secret.Item.Label", new Variant("s", "arcrun: notion/default")],
          [
            "org.freedesktop.Secret.Item.Attributes",
            new Variant("a{ss}", [
              ["service", "arcrun"],
              ["username", "notion/default"],
            ]),
          ],
        ],
        secret,
        true,
      ],
    ],
    ["oo", ["/org/x/1", "/"]],
    ["bv", [false, new Variant("ao", ["/org/x/1"])]],
    ["bv", [true, new Variant("s", "")]],
    ["ss", ["org.freedesktop.Secret.Item", "Attributes"]],
    ["v", [new Variant("a{ss}", [["k", "v"]])]],
    ["v", [new Variant("v", new Variant("u", 7))]],
    ["yyyyuua(yv)", [0x6c, 1, 0, 1, 0, 1, [[1, new Variant("o", "/")]]]],
    ["ybnqiuxtdg", [255, true, -2, 65535, -5, 4294967295, -(2n ** 63n), 2n ** 64n - 1n, 1.5, "a{sv}"]],
    ["aat", [[[1n, 2n], [], [3n]]]],
  ];

  it.each(cases)("%s", (sig, values) => {
    const bytes = marshal(sig, values);
    expect(unmarshal(sig, bytes)).toEqual(values);
  });

  it("a 64 KB value survives", () => {
    const big = new Uint8Array(65536).map((_, i) => i % 251);
    expect(unmarshal("ay", marshal("ay", [big]))).toEqual([big]);
  });
});

describe("alignment (D-Bus specification, Marshaling)", () => {
  it("pads a uint32 after a byte to 4 and a uint64 to 8", () => {
    expect(hex(marshal("yu", [1, 2]))).toBe("0100000002000000");
    expect(hex(marshal("yt", [1, 2n]))).toBe("01000000000000000200000000000000");
  });

  it("an array's length excludes the padding to its first element, which is there even when empty", () => {
    expect(hex(marshal("at", [[1n]]))).toBe("08000000" + "00000000" + "0100000000000000");
    expect(hex(marshal("at", [[]]))).toBe("00000000" + "00000000");
    expect(hex(marshal("ay", [new Uint8Array([0xaa, 0xbb])]))).toBe("02000000aabb");
  });

  it("strings carry a uint32 length and a NUL; signatures a byte length and a NUL", () => {
    expect(hex(marshal("s", ["ab"]))).toBe("020000006162" + "00");
    expect(hex(marshal("g", ["as"]))).toBe("02" + "6173" + "00");
  });

  it("structs and dict entries start on 8", () => {
    expect(hex(marshal("y(y)", [1, [2]]))).toBe("0100000000000000" + "02");
    expect(hex(marshal("a{yy}", [[[1, 2]]]))).toBe("02000000" + "00000000" + "0102");
  });

  it("a variant's value aligns after its signature", () => {
    expect(hex(marshal("v", [new Variant("u", 1)]))).toBe("01" + "75" + "00" + "00" + "01000000");
  });

  it("reads big-endian too", () => {
    expect(unmarshal("yu", Buffer.from("0100000000000002", "hex"), false)).toEqual([1, 2]);
  });
});

describe("values that do not fit their signature are refused when marshalling", () => {
  it.each<[string, DBusValue[]]>([
    ["s", [1]],
    ["s", ["a\0b"]],
    ["o", ["not/a/path"]],
    ["o", ["/trailing/"]],
    ["y", [256]],
    ["b", [1]],
    ["ay", [[1, 2]]],
    ["v", ["x"]],
    ["(ss)", [["only one"]]],
    ["ss", ["one value only"]],
  ])("%s %j", (sig, values) => {
    expect(() => marshal(sig, values)).toThrow(WireError);
  });
});

describe("messages", () => {
  const call: Message = {
    type: MessageType.METHOD_CALL,
    serial: 3,
    path: "/org/freedesktop/secrets",
    interface: "org.freedesktop.Secret.Service",
    member: "SearchItems",
    destination: "org.freedesktop.secrets",
    signature: "a{ss}",
    body: [[["service", "arcrun"]]],
  };

  it("round-trips a method call with every header field we send", () => {
    const bytes = encodeMessage(call);
    expect(bytes[0]).toBe(0x6c);
    expect(messageLength(bytes)).toBe(bytes.length);
    expect(decodeMessage(bytes)).toEqual({ ...call, flags: 0 });
  });

  it("round-trips a reply and an error with REPLY_SERIAL, SENDER, ERROR_NAME", () => {
    const reply: Message = {
      type: MessageType.ERROR,
      serial: 9,
      replySerial: 3,
      sender: ":1.0",
      destination: ":1.5",
      errorName: "org.freedesktop.Secret.Error.IsLocked",
      signature: "s",
      body: ["Cannot create an item in a locked collection"],
      flags: 1,
    };
    expect(decodeMessage(encodeMessage(reply))).toEqual(reply);
  });

  it("the body starts on 8 after the header fields", () => {
    const bytes = encodeMessage({
      type: MessageType.METHOD_RETURN,
      serial: 1,
      replySerial: 1,
      signature: "t",
      body: [5n],
    });
    const fieldsLen = bytes.readUInt32LE(12);
    const bodyStart = 16 + fieldsLen + ((8 - (fieldsLen % 8)) % 8);
    expect(bodyStart % 8).toBe(0);
    expect(bytes.length - bodyStart).toBe(8);
    expect(bytes.readBigUInt64LE(bodyStart)).toBe(5n);
  });

  it("measures a message only once its fixed header is there", () => {
    const bytes = encodeMessage(call);
    expect(messageLength(bytes.subarray(0, 15))).toBeUndefined();
    expect(messageLength(bytes.subarray(0, 16))).toBe(bytes.length);
  });

  it("every truncation of a message is a WireError, never a crash or a partial message", () => {
    const bytes = encodeMessage(call);
    for (let n = 0; n < bytes.length; n++) {
      expect(() => decodeMessage(bytes.subarray(0, n)), `length ${n}`).toThrow(WireError);
    }
  });

  it("garbage is a WireError", () => {
    const bytes = Buffer.from(encodeMessage(call));
    const bad = (mutate: (b: Buffer) => void) => {
      const b = Buffer.from(bytes);
      mutate(b);
      return () => decodeMessage(b);
    };
    expect(bad((b) => (b[0] = 0x78))).toThrow(/endianness/);
    expect(bad((b) => (b[3] = 2))).toThrow(/version/);
    expect(bad((b) => (b[1] = 9))).toThrow(/message type/);
    expect(bad((b) => b.writeUInt32LE(0, 8))).toThrow(/serial/);
    expect(bad((b) => b.writeUInt32LE(0xfffffff0, 4))).toThrow(/128 MiB/);
    // An array length pointing past the end of the message.
    const arrayAt = bytes.length - 4 - 32;
    expect(bad((b) => b.writeUInt32LE(0x00ffffff, arrayAt))).toThrow(WireError);
    // A string length that runs over its array.
    const withBadString = Buffer.from(marshal("as", [["abc"]]));
    withBadString.writeUInt32LE(50, 4);
    expect(() => unmarshal("as", withBadString)).toThrow(WireError);
    expect(() => unmarshal("s", Buffer.from("0200000061620100", "hex"))).toThrow(/NUL-terminated|trailing/);
    expect(() => unmarshal("s", Buffer.from("02000000ff6200", "hex"))).toThrow(/UTF-8/);
    expect(() => unmarshal("b", Buffer.from("02000000", "hex"))).toThrow(/boolean/);
    expect(() => unmarshal("yu", Buffer.from("0101000002000000", "hex"))).toThrow(/padding/);
    expect(() => unmarshal("u", Buffer.from("0100000000", "hex"))).toThrow(/trailing/);
    expect(() => unmarshal("v", Buffer.from("02737300", "hex"))).toThrow(WireError);
  });

  it("random bytes never throw anything but WireError", () => {
    const bytes = encodeMessage(call);
    let seed = 42;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let i = 0; i < 2000; i++) {
      const b = Buffer.from(bytes);
      for (let k = 0; k < 3; k++) b[16 + (rnd() % (b.length - 16))] = rnd() & 0xff;
      try {
        decodeMessage(b);
      } catch (err) {
        expect(err).toBeInstanceOf(WireError);
      }
    }
  });
});

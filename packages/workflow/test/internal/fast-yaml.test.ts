import { describe, expect, it } from "vitest";
import { readYamlEvents } from "../../src/internal/fast-yaml.js";

const DEPTH = 32;
const read = (text: string) => readYamlEvents(text, { depth: DEPTH, expansions: 100, values: 10_000 });

/** `v:` holding `levels` lists nested in flow style: the document nests 1 + levels deep. */
const nested = (levels: number) => `v: ${"[".repeat(levels)}1${"]".repeat(levels)}\n`;

describe("readYamlEvents: the value and its lines", () => {
  it("reads the value and names the line of root keys, config entries and flow items", () => {
    const text =
      "name: x\nflow:\n  - input >> ON_SUCCESS >> a\n  - a >> ON_SUCCESS >> b\nconfig:\n  a: { component: set }\n  b:\n    component: set\n    deep: { k: v }\n";
    const r = read(text);
    expect(r.kind).toBe("value");
    if (r.kind !== "value") return;
    expect(r.value).toEqual({
      name: "x",
      flow: ["input >> ON_SUCCESS >> a", "a >> ON_SUCCESS >> b"],
      config: { a: { component: "set" }, b: { component: "set", deep: { k: "v" } } },
    });
    expect(r.lineOf(["name"])).toBe(1);
    expect(r.lineOf(["flow"])).toBe(2);
    expect(r.lineOf(["flow", 1])).toBe(4);
    expect(r.lineOf(["config", "a"])).toBe(6);
    expect(r.lineOf(["config", "b"])).toBe(7);
    // Deeper than two steps: the nearest line above.
    expect(r.lineOf(["config", "b", "deep", "k"])).toBe(7);
    expect(r.lineOf(["nope"])).toBeUndefined();
  });

  it("keeps a __proto__ key as an own property; Object.prototype is untouched", () => {
    const r = read("config:\n  a: { component: set, __proto__: { polluted: 1 } }\n");
    expect(r.kind).toBe("value");
    if (r.kind !== "value") return;
    const a = (r.value as { config: { a: Record<string, unknown> } }).config.a;
    expect(Object.hasOwn(a, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(a)).toBe(Object.prototype);
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("reads the YAML 1.2 core schema, as the yaml package does without directives", () => {
    const r = read("a: yes\nb: on\nc: 0o17\nd: 1_000\ne: ~\nf: True\n");
    expect(r.kind === "value" && r.value).toEqual({ a: "yes", b: "on", c: 15, d: "1_000", e: null, f: true });
  });
});

describe("readYamlEvents: nesting", () => {
  it("accepts nesting up to the limit and refuses one level more", () => {
    expect(read(nested(DEPTH - 1)).kind).toBe("value");
    expect(read(nested(DEPTH)).kind).toBe("too-deep");
  });

  it("counts an alias as the collection it stands for", () => {
    // &t nests 10 levels; used where 22 levels are open it makes 33 (the document being 1).
    const ten = `${"[".repeat(10)}1${"]".repeat(10)}`;
    const at = (open: number) => `t: &t ${ten}\nv: ${"[".repeat(open)}*t${"]".repeat(open)}\n`;
    expect(read(at(21)).kind).toBe("value");
    expect(read(at(22)).kind).toBe("too-deep");
  });

  it("refuses 10k block indicators on one line as too deep, not as unreadable", () => {
    expect(read(`${"- ".repeat(10_000)}x\n`).kind).toBe("too-deep");
    expect(read(`${"? ".repeat(10_000)}x\n`).kind).toBe("too-deep");
    expect(read(`v: ${"[".repeat(20_000)}`).kind).toBe("too-deep");
  });
});

describe("readYamlEvents: alias expansions", () => {
  // &p holds two aliases: each *p expands to 1 + 2.
  const uses = (n: number) => `s: &s x\np: &p [*s, *s]\nq: [${Array(n).fill("*p").join(", ")}]\n`;

  it("counts every alias inside an anchor each time the anchor is expanded", () => {
    expect(read(uses(32)).kind).toBe("value"); // 2 + 3 * 32 = 98
    expect(read(uses(33))).toEqual({ kind: "aliases", over: "expansions" }); // 101
  });

  it("refuses a billion laughs without expanding it", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) {
      const [prev, name] = [String.fromCharCode(96 + i), String.fromCharCode(97 + i)];
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(", ")}]`);
    }
    expect(read(levels.join("\n")).kind).toBe("aliases");
  });

  it("counts the values an alias adds: a few aliases of a long list are refused", () => {
    // The text holds 4,005 values (the root, two keys, two lists, 4,000 items); each *l adds 4,001.
    const wide = (copies: number) =>
      `l: &l [${Array(4_000).fill("x").join(",")}]\nq: [${Array(copies).fill("*l").join(", ")}]\n`;
    expect(read(wide(1)).kind).toBe("value"); // 8,006
    expect(read(wide(2))).toEqual({ kind: "aliases", over: "values" }); // 12,007
  });

  it("never refuses a document without aliases for its values, however many", () => {
    const r = read(`l: [${Array(12_000).fill("x").join(",")}]\n`);
    expect(r.kind === "value" && (r.value as { l: unknown[] }).l).toHaveLength(12_000);
  });

  it("names an alias with no anchor before it and its line", () => {
    expect(read("a: 1\nb:\n  c: *nope\n&nope d: 2\n")).toEqual({
      kind: "unknown-alias",
      name: "nope",
      line: 3,
    });
  });
});

describe("readYamlEvents: what it leaves to the yaml package", () => {
  it.each([
    ["a syntax error", "a: [\n"],
    ["a duplicate key", "a: 1\na: 2\n"],
    ["an unknown tag", "a: !custom x\n"],
    ["two documents", "a: 1\n---\nb: 2\n"],
    ["no document", ""],
    ["a %YAML directive (1.1 reads yes as true)", "%YAML 1.1\n---\na: yes\n"],
    ["a value that contains itself", "a: &x [1, *x]\n"],
  ])("%s", (_, text) => {
    expect(read(text).kind).toBe("unreadable");
  });
});

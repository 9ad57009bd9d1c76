import { describe, expect, it } from "vitest";
import { WorkflowError, type WorkflowIssue } from "../src/errors.js";
import { compileWorkflow } from "../src/graph.js";
import { WORKFLOW_LIMITS } from "../src/limits.js";
import { parseWorkflowObject, parseWorkflowYaml, utf8Length } from "../src/parse.js";

function refused(fn: () => unknown): WorkflowIssue[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WorkflowError);
    expect((err as WorkflowError).code).toBe("ERR_WORKFLOW_INVALID");
    return (err as WorkflowError).issues;
  }
  throw new Error("expected a WorkflowError");
}

/** A chain input -> n0 -> n1 -> ... where each node reads the one before it and the first one. */
function chainYaml(count: number): string {
  const flow = ["  - input >> ON_SUCCESS >> n0"];
  const config = ["  n0: { component: set, v: '{{input.x}}' }"];
  for (let i = 1; i < count; i++) {
    flow.push(`  - n${i - 1} >> ON_SUCCESS >> n${i}`);
    config.push(`  n${i}: { component: set, v: '{{n${i - 1}.data}} {{n0.data}}' }`);
  }
  return `name: chain\nflow:\n${flow.join("\n")}\nconfig:\n${config.join("\n")}\n`;
}

describe("workflow size limits", () => {
  it("the 16k-node chain (1.3 MB) is refused by its size, naming body_bytes", () => {
    const text = chainYaml(16_000);
    expect(text.length).toBeGreaterThan(1_000_000);
    const [issue] = refused(() => parseWorkflowYaml(text));
    expect(issue).toMatchObject({ limit: "body_bytes", message: expect.stringContaining("(body_bytes)") });
  });

  it("more flow lines than the limit are refused before they are read, naming edges", () => {
    const flow = Array.from({ length: WORKFLOW_LIMITS.edges + 1 }, (_, i) => `a${i} >> ON_SUCCESS >> b${i}`);
    const [issue] = refused(() => parseWorkflowObject({ name: "big", flow, config: {} }));
    expect(issue).toMatchObject({
      limit: "edges",
      message: expect.stringContaining(`limit is ${WORKFLOW_LIMITS.edges} edges`),
    });
  });

  it("more configured nodes than the limit are refused, naming nodes", () => {
    const config = Object.fromEntries(
      Array.from({ length: WORKFLOW_LIMITS.nodes + 1 }, (_, i) => [`n${i}`, { component: "set" }]),
    );
    const [issue] = refused(() => parseWorkflowObject({ name: "big", flow: [], config }));
    expect(issue).toMatchObject({ limit: "nodes", message: expect.stringContaining("(nodes)") });
  });

  it("a flow naming more nodes than the limit is refused by compileWorkflow, naming nodes", () => {
    const doc = parseWorkflowYaml(chainYaml(100));
    const [issue] = refused(() => compileWorkflow(doc, { limits: { ...WORKFLOW_LIMITS, nodes: 50 } }));
    expect(issue).toMatchObject({
      limit: "nodes",
      message: expect.stringContaining("the flow has 101 nodes"),
    });
  });

  it("the largest chain the limits allow compiles, each node reading the first and the one before", () => {
    let count = WORKFLOW_LIMITS.nodes - 1;
    while (utf8Length(chainYaml(count)) > WORKFLOW_LIMITS.body_bytes) count--;
    const graph = compileWorkflow(parseWorkflowYaml(chainYaml(count)));
    expect(graph.order).toHaveLength(count);
    expect(graph.order.at(-1)).toBe(`n${count - 1}`);
  });

  it("the graph check scales past the limits: a 16k-node chain compiles when the limits allow it", () => {
    // Per-node ancestor sets made this 128M set entries (workerd ran out of heap); now it is linear.
    const big = { body_bytes: 10_000_000, nodes: 20_000, edges: 20_000, depth: 32 };
    const flow = ["input >> ON_SUCCESS >> n0"];
    const config: Record<string, unknown> = { n0: { component: "set", v: "{{input.x}}" } };
    for (let i = 1; i < 16_000; i++) {
      flow.push(`n${i - 1} >> ON_SUCCESS >> n${i}`);
      config[`n${i}`] = { component: "set", v: `{{n${i - 1}.data}} {{n0.data}}` };
    }
    const graph = compileWorkflow(parseWorkflowObject({ name: "chain", flow, config }, { limits: big }), {
      limits: big,
    });
    expect(graph.order).toHaveLength(16_000);
  }, 60_000);
});

describe("hostile YAML and JSON", () => {
  it("an alias bomb (a billion laughs) is a WorkflowError, not a crash", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(", ")}]`);
    }
    const [issue] = refused(() => parseWorkflowYaml(`${levels.join("\n")}\nname: bomb\nflow: []\n`));
    expect(issue?.message).toContain("aliases (*name) expand too much");
  });

  it("deep flow nesting is refused unparsed, naming depth", () => {
    const deep = `name: deep\nflow: []\nconfig: { a: { component: set, v: ${"[".repeat(15_000)}${"]".repeat(15_000)} } }\n`;
    const [issue] = refused(() => parseWorkflowYaml(deep));
    expect(issue).toMatchObject({ limit: "depth", message: expect.stringContaining("32 levels") });
  });

  it("deep block nesting is refused, naming depth", () => {
    const lines = Array.from({ length: 40 }, (_, i) => `${"  ".repeat(i + 2)}k${i}:`);
    const deep = `name: deep\nflow: []\nconfig:\n  a:\n${lines.join("\n")} 1\n`;
    expect(refused(() => parseWorkflowYaml(deep))[0]).toMatchObject({ limit: "depth" });
  });

  it("nesting made by aliases counts once they are resolved", () => {
    // Each line nests 10 levels (under the limit alone); the aliases stack them to 41.
    const ten = (inner: string) => `${"[".repeat(10)}${inner}${"]".repeat(10)}`;
    let yaml = `x0: &x0 ${ten("1")}\n`;
    for (let i = 1; i < 4; i++) yaml += `x${i}: &x${i} ${ten(`*x${i - 1}`)}\n`;
    expect(refused(() => parseWorkflowYaml(`${yaml}name: deep\nflow: []\n`))[0]).toMatchObject({
      limit: "depth",
    });
  });

  it("10k block indicators on one line are refused naming depth, by either parser", () => {
    for (const line of [`${"- ".repeat(10_000)}x`, `${"? ".repeat(10_000)}x`]) {
      expect(refused(() => parseWorkflowYaml(`${line}\n`))[0]).toMatchObject({ limit: "depth" });
      // After a syntax error js-yaml gives up and the yaml package reads the text (for the error's line):
      // the depth guard stops it first, as its parser recurses once per indicator.
      expect(refused(() => parseWorkflowYaml(`]\n${line}\n`))[0]).toMatchObject({ limit: "depth" });
    }
  });

  it("aliases inside an anchor count each time the anchor is expanded", () => {
    const doc = (uses: number) =>
      `name: a\nflow: ["input >> ON_SUCCESS >> a"]\nconfig:\n  a:\n    component: set\n    s: &s x\n    p: &p [*s, *s]\n    q: [${Array(uses).fill("*p").join(", ")}]\n`;
    expect(parseWorkflowYaml(doc(32)).config.a?.params.q).toHaveLength(32); // 2 + 3 * 32 = 98 expansions
    expect(refused(() => parseWorkflowYaml(doc(33)))[0]?.message).toContain(
      "aliases (*name) expand too much",
    );
  });

  it("aliases that expand the value past 10,000 values are refused, by either parser", () => {
    // 99 aliases of a 5,000-item list: 10 KB of text, 500k values for every later walk.
    const list = Array(5_000).fill("x").join(",");
    const doc = `name: w\nflow: ["input >> ON_SUCCESS >> a"]\nconfig:\n  a:\n    component: set\n    l: &l [${list}]\n    q: [${Array(99).fill("*l").join(", ")}]\n`;
    expect(doc.length).toBeLessThan(WORKFLOW_LIMITS.body_bytes);
    for (const text of [doc, `%YAML 1.2\n---\n${doc}`]) {
      expect(refused(() => parseWorkflowYaml(text))[0]?.message).toContain(
        "aliases (*name) expand too much (to more than 10000 values)",
      );
    }
  });

  it("a document exactly at the depth limit is accepted, one level more is refused", () => {
    // The document 1, config 2, a 3, v 4, then the lists.
    const doc = (lists: number) =>
      `name: d\nflow: ["input >> ON_SUCCESS >> a"]\nconfig:\n  a:\n    component: set\n    v: ${"[".repeat(lists)}1${"]".repeat(lists)}\n`;
    expect(parseWorkflowYaml(doc(WORKFLOW_LIMITS.depth - 3)).config.a?.component).toBe("set");
    expect(refused(() => parseWorkflowYaml(doc(WORKFLOW_LIMITS.depth - 2)))[0]).toMatchObject({
      limit: "depth",
    });
  });

  it("deep JSON is refused before anything walks it, naming depth", () => {
    let value: unknown = "leaf";
    for (let i = 0; i < 100_000; i++) value = { v: value };
    const doc = {
      name: "deep",
      flow: ["input >> ON_SUCCESS >> a"],
      config: { a: { component: "set", v: value } },
    };
    expect(refused(() => parseWorkflowObject(doc))[0]).toMatchObject({ limit: "depth" });
  });

  it("nesting up to the limit is accepted", () => {
    let value: unknown = 1;
    for (let i = 0; i < WORKFLOW_LIMITS.depth - 3; i++) value = [value];
    const doc = {
      name: "ok",
      flow: ["input >> ON_SUCCESS >> a"],
      config: { a: { component: "set", v: value } },
    };
    expect(parseWorkflowObject(doc).config.a?.component).toBe("set");
  });
});

describe("reserved node names", () => {
  for (const name of ["constructor", "__proto__", "prototype", "toString", "hasOwnProperty"]) {
    it(`rule: a node named ${name} is refused (in the flow)`, () => {
      const doc = parseWorkflowObject({ name: "r", flow: [`input >> ON_SUCCESS >> ${name}`], config: {} });
      expect(refused(() => compileWorkflow(doc))).toContainEqual(
        expect.objectContaining({ node: name, message: `"${name}" is a reserved name; rename the node` }),
      );
    });
  }

  it("rule: a node named constructor or __proto__ is refused under config (YAML and JSON)", () => {
    const yaml =
      "name: r\nflow: []\nconfig:\n  constructor: { component: set }\n  __proto__: { component: set }\n";
    expect(refused(() => parseWorkflowYaml(yaml)).map((i) => i.node)).toEqual(["constructor", "__proto__"]);
    const json = JSON.parse('{"name":"r","flow":[],"config":{"__proto__":{"component":"set"}}}') as unknown;
    expect(refused(() => parseWorkflowObject(json))[0]).toMatchObject({
      node: "__proto__",
      message: '"__proto__" is a reserved name; rename the node',
    });
  });
});

import { describe, expect, it } from "vitest";
import { type FlowEdge, formatFlowLine, NAME, NODE_ID, parseFlowLine } from "../src/flow.js";

describe("parseFlowLine", () => {
  it("reads every edge kind, with spaces around the parts", () => {
    expect(parseFlowLine("input >> ON_SUCCESS >> fetch")).toEqual({
      from: "input",
      to: "fetch",
      kind: { type: "ON_SUCCESS" },
    });
    expect(parseFlowLine("  a>>ON_TRUE>>b  ")?.kind).toEqual({ type: "ON_TRUE" });
    expect(parseFlowLine("a >> ON_FALSE >> b")?.kind).toEqual({ type: "ON_FALSE" });
    expect(parseFlowLine("a >> ON_BRANCH( bug-1 ) >> b")?.kind).toEqual({
      type: "ON_BRANCH",
      label: "bug-1",
    });
    expect(parseFlowLine("a >> FOREACH(row) >> b")?.kind).toEqual({ type: "FOREACH", variable: "row" });
  });

  it("refuses what is not a triplet", () => {
    for (const text of [
      "a >> ON_MAYBE >> b",
      "a >> b",
      "a >> ON_SUCCESS >> b >> ON_SUCCESS >> c",
      "1a >> ON_SUCCESS >> b",
      "a >> ON_BRANCH() >> b",
      "a >> FOREACH(1x) >> b",
      "a > ON_SUCCESS > b",
    ]) {
      expect(parseFlowLine(text), text).toBeUndefined();
    }
  });

  it("reads back what formatFlowLine writes", () => {
    const edges: Omit<FlowEdge, "line">[] = [
      { from: "a", to: "b", kind: { type: "ON_SUCCESS" } },
      { from: "a", to: "b", kind: { type: "ON_BRANCH", label: "catch" } },
      { from: "each", to: "x", kind: { type: "FOREACH", variable: "item_1" } },
    ];
    for (const e of edges) expect(parseFlowLine(formatFlowLine(e))).toEqual(e);
    expect(formatFlowLine(edges[1] as FlowEdge)).toBe("a >> ON_BRANCH(catch) >> b");
  });
});

describe("names", () => {
  it("workflow names are lower case, digits, _ and -, at most 64", () => {
    expect(NAME.test("issues-to-slack_2")).toBe(true);
    expect(NAME.test("Bad")).toBe(false);
    expect(NAME.test("-x")).toBe(false);
    expect(NAME.test("a".repeat(64))).toBe(true);
    expect(NAME.test("a".repeat(65))).toBe(false);
  });

  it("node names are identifiers", () => {
    expect(NODE_ID.test("_fetch2")).toBe(true);
    expect(NODE_ID.test("2fetch")).toBe(false);
    expect(NODE_ID.test("a-b")).toBe(false);
  });
});

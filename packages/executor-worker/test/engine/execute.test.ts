import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { getRecipe } from "@arcrun/recipes";
import { compileWorkflow, parseWorkflowYaml } from "@arcrun/workflow";
import { beforeAll, describe, expect, it } from "vitest";
import { type Execution, executeWorkflow } from "../../src/engine/execute.js";
import { DEFAULT_LIMITS, type Limits } from "../../src/engine/limits.js";
import { checkExecutorKey, type KvStore } from "../../src/host/credentials.js";
import { generateExecutorKey } from "../helpers/credentials.js";

// The engine with the real built components (Node 20: the asyncify path; workerd runs JSPI in the
// integration tests): switch, try_catch, foreach_control and friends, and the trap fixture.
const distDir = dirname(createRequire(import.meta.url).resolve("components/manifest.json"));
const NodeModule = WebAssembly.Module as unknown as new (bytes: Uint8Array) => WebAssembly.Module;
const modules: Record<string, WebAssembly.Module> = {};

beforeAll(async () => {
  for (const [dir, prefix] of [
    [distDir, ""],
    [join(distDir, "fixtures"), "fixture_"],
  ] as const) {
    for (const f of await readdir(dir)) {
      if (f.endsWith(".wasm"))
        modules[`${prefix}${f.slice(0, -5)}`] = new NodeModule(await readFile(join(dir, f)));
    }
  }
});

const kv: KvStore = { get: async () => null, put: async () => {}, delete: async () => {} };
const keyText = generateExecutorKey();

async function run(yaml: string, input: unknown = {}, limits: Partial<Limits> = {}): Promise<Execution> {
  const graph = compileWorkflow(parseWorkflowYaml(yaml), { components: new Set(Object.keys(modules)) });
  return executeWorkflow(
    graph,
    input,
    {
      tenant: "t",
      kv,
      encryptionKey: () => checkExecutorKey(keyText),
      fetch: () => Promise.reject(new Error("no network in this test")),
      recipe: getRecipe,
      modules,
    },
    { ...DEFAULT_LIMITS, ...limits },
    "exec-1",
  );
}

const ran = (e: Execution) =>
  e.trace.map((t) => (t.iteration === undefined ? t.node : `${t.node}#${t.iteration}`));

describe("switch", () => {
  const SWITCH = `
name: route
flow:
  - input >> ON_SUCCESS >> route
  - route >> ON_BRANCH(bug) >> bug
  - route >> ON_BRANCH(feature) >> feature
  - route >> ON_BRANCH(other) >> other
config:
  route: { component: switch, value: "{{input.label}}", cases: { bug: bug, feature: [enhancement, feature] }, default: other }
  bug: { component: set, values: { queue: triage } }
  feature: { component: set, values: { queue: roadmap } }
  other: { component: set, values: { queue: none, label: "{{route.data.value}}" } }
`;
  it("runs the ON_BRANCH of the matching case", async () => {
    const e = await run(SWITCH, { label: "enhancement" });
    expect(e.status).toBe("succeeded");
    expect(ran(e)).toEqual(["route", "feature"]);
    expect(e.output).toMatchObject({ data: { queue: "roadmap" } });
  });

  it("runs the default branch when no case matches", async () => {
    const e = await run(SWITCH, { label: "question" });
    expect(ran(e)).toEqual(["route", "other"]);
    expect(e.output).toMatchObject({ data: { queue: "none", label: "question" } });
  });
});

describe("try_catch", () => {
  const GUARDED = `
name: guarded
flow:
  - input >> ON_SUCCESS >> guard
  - guard >> ON_BRANCH(try) >> shape
  - shape >> ON_SUCCESS >> risky
  - risky >> ON_SUCCESS >> after_risky
  - guard >> ON_BRANCH(catch) >> recover
config:
  guard: { component: try_catch }
  shape: { component: set, values: { op: "{{input.op}}" } }
  risky: { component: string_ops, operation: "{{shape.data.op}}", value: hello }
  after_risky: { component: set, values: { done: "{{risky.data.result}}" } }
  recover:
    component: set
    values: { failed: "{{guard.error.node}}", code: "{{guard.error.code}}", why: "{{guard.error.message}}" }
`;
  it("runs the try branch to the end when nothing fails, and not the catch branch", async () => {
    const e = await run(GUARDED, { op: "upper" });
    expect(e.status).toBe("succeeded");
    expect(ran(e)).toEqual(["guard", "shape", "risky", "after_risky"]);
    expect(e.output).toMatchObject({ data: { done: "HELLO" } });
  });

  it("routes a failure in the try branch to the catch branch, with the error in templates", async () => {
    const e = await run(GUARDED, { op: "explode" });
    expect(e.status).toBe("succeeded");
    expect(e.error).toBeUndefined();
    expect(ran(e)).toEqual(["guard", "shape", "risky", "recover"]);
    const risky = e.trace.find((t) => t.node === "risky");
    expect(risky).toMatchObject({
      status: "failed",
      caught_by: "guard",
      error: {
        code: "ERR_COMPONENT_FAILED",
        message: expect.stringContaining('unknown operation "explode"'),
      },
    });
    expect(e.output).toMatchObject({
      data: {
        failed: "risky",
        code: "ERR_COMPONENT_FAILED",
        why: expect.stringContaining('unknown operation "explode"'),
      },
    });
  });

  it("catches a template with a missing path (ERR_TEMPLATE)", async () => {
    const e = await run(GUARDED.replace("{{shape.data.op}}", "{{shape.data.nothing_here}}"), { op: "upper" });
    expect(e.status).toBe("succeeded");
    expect(e.output).toMatchObject({ data: { failed: "risky", code: "ERR_TEMPLATE" } });
  });

  it("catches a trapping component", async () => {
    const e = await run(GUARDED.replace("component: string_ops,", "component: fixture_trap,"), {
      op: "upper",
    });
    expect(e.status).toBe("succeeded");
    expect(e.output).toMatchObject({ data: { failed: "risky", code: "ERR_COMPONENT_TRAPPED" } });
  });

  it("without a catch branch, the failure is swallowed and the try_catch's output says what failed", async () => {
    const e = await run(
      GUARDED.replace("  - guard >> ON_BRANCH(catch) >> recover\n", "").replace(/ {2}recover:[\s\S]*$/, ""),
      { op: "explode" },
    );
    expect(e.status).toBe("succeeded");
    expect(e.output).toMatchObject({
      branch: "catch",
      error: { node: "risky", code: "ERR_COMPONENT_FAILED" },
    });
  });

  it("does not catch run-wide limits (limits.nodes)", async () => {
    const e = await run(GUARDED, { op: "upper" }, { nodes: 2 });
    expect(e.status).toBe("failed");
    expect(e.error).toMatchObject({ code: "ERR_LIMIT_NODES", node: "risky" });
  });

  it("a failure outside any try branch still fails the run, naming the node", async () => {
    const e = await run(
      `
name: plain
flow:
  - input >> ON_SUCCESS >> bad
config:
  bad: { component: array_ops, operation: length, items: "{{input.text}}" }
`,
      { text: "not a list" },
    );
    expect(e.status).toBe("failed");
    expect(e.error).toMatchObject({
      code: "ERR_COMPONENT_FAILED",
      node: "bad",
      message: expect.stringContaining("config.items must be a list, got a string"),
    });
  });

  it("nested: the inner try_catch catches first; a failure in its catch branch goes to the outer one", async () => {
    const NESTED = `
name: nested
flow:
  - input >> ON_SUCCESS >> outer
  - outer >> ON_BRANCH(try) >> inner
  - inner >> ON_BRANCH(try) >> first
  - inner >> ON_BRANCH(catch) >> inner_recover
  - outer >> ON_BRANCH(catch) >> outer_recover
config:
  outer: { component: try_catch }
  inner: { component: try_catch }
  first: { component: string_ops, operation: "{{input.first}}", value: x }
  inner_recover: { component: string_ops, operation: "{{input.second}}", value: "{{inner.error.node}}" }
  outer_recover: { component: set, values: { outer_caught: "{{outer.error.node}}" } }
`;
    const innerOnly = await run(NESTED, { first: "bad", second: "upper" });
    expect(ran(innerOnly)).toEqual(["outer", "inner", "first", "inner_recover"]);
    expect(innerOnly.output).toMatchObject({ data: { result: "FIRST" } });
    const both = await run(NESTED, { first: "bad", second: "worse" });
    expect(both.status).toBe("succeeded");
    expect(ran(both)).toEqual(["outer", "inner", "first", "inner_recover", "outer_recover"]);
    expect(both.trace.filter((t) => t.caught_by).map((t) => [t.node, t.caught_by])).toEqual([
      ["first", "inner"],
      ["inner_recover", "outer"],
    ]);
    expect(both.output).toMatchObject({ data: { outer_caught: "inner_recover" } });
  });
});

describe("foreach_control", () => {
  const LOOP = `
name: loop
flow:
  - input >> ON_SUCCESS >> each
  - each >> FOREACH(user) >> name
  - name >> ON_SUCCESS >> slug
  - each >> ON_SUCCESS >> summary
  - each >> ON_BRANCH(empty) >> nobody
config:
  each: { component: foreach_control, items: "{{input.users}}" }
  name: { component: string_ops, operation: template, template: "{first} {last}", values: "{{user}}" }
  slug: { component: string_ops, operation: slugify, value: "{{name.data.result}}" }
  summary: { component: set, values: { slugs: "{{each.data.results}}", names: "{{name.data}}", count: "{{each.data.count}}" } }
  nobody: { component: set, values: { empty: true } }
`;
  it("runs the whole sub-graph after FOREACH once per item, then what follows the loop with the results", async () => {
    const e = await run(LOOP, {
      users: [
        { first: "Ada", last: "Lovelace" },
        { first: "Grace", last: "Hopper" },
      ],
    });
    expect(e.status).toBe("succeeded");
    expect(ran(e)).toEqual(["each", "name#0", "slug#0", "name#1", "slug#1", "summary"]);
    expect(e.output).toMatchObject({
      data: {
        slugs: [{ result: "ada-lovelace" }, { result: "grace-hopper" }],
        names: [{ result: "Ada Lovelace" }, { result: "Grace Hopper" }],
        count: 2,
      },
    });
  });

  it("an empty list runs the loop zero times; the nodes after it still run, and the empty branch", async () => {
    const e = await run(LOOP, { users: [] });
    expect(e.status).toBe("succeeded");
    expect(ran(e)).toEqual(["each", "summary", "nobody"]);
    const summary = e.trace.find((t) => t.node === "summary");
    expect(summary?.status).toBe("succeeded");
  });

  it("a failure inside the loop fails the run, naming the node", async () => {
    const e = await run(LOOP, { users: [{ first: "Ada", last: "L" }, { first: "NoLast" }] });
    expect(e.status).toBe("failed");
    expect(e.error).toMatchObject({ node: "name", message: expect.stringContaining("{last}") });
    expect(ran(e)).toEqual(["each", "name#0", "slug#0", "name#1"]);
  });

  it("a try_catch inside the loop catches per item, and the loop goes on", async () => {
    const e = await run(
      `
name: loop-catch
flow:
  - input >> ON_SUCCESS >> each
  - each >> FOREACH(item) >> guard
  - guard >> ON_BRANCH(try) >> upper
  - guard >> ON_BRANCH(catch) >> fallback
  - each >> ON_SUCCESS >> out
config:
  each: { component: foreach_control, items: "{{input.items}}" }
  guard: { component: try_catch }
  upper: { component: string_ops, operation: upper, value: "{{item}}" }
  fallback: { component: set, values: { skipped: "{{item}}" } }
  out: { component: set, values: { results: "{{each.data.results}}" } }
`,
      { items: ["a", ["not", "text"], "c"] },
    );
    expect(e.status).toBe("succeeded");
    expect(ran(e)).toEqual([
      "each",
      "guard#0",
      "upper#0",
      "guard#1",
      "upper#1",
      "fallback#1",
      "guard#2",
      "upper#2",
      "out",
    ]);
    expect(e.output).toMatchObject({
      data: { results: [{ result: "A" }, { skipped: ["not", "text"] }, { result: "C" }] },
    });
  });

  it("a loop inside a try branch: a failure in an iteration ends the loop and runs the catch branch", async () => {
    const e = await run(
      `
name: try-loop
flow:
  - input >> ON_SUCCESS >> guard
  - guard >> ON_BRANCH(try) >> each
  - each >> FOREACH(item) >> upper
  - each >> ON_SUCCESS >> done
  - guard >> ON_BRANCH(catch) >> recover
config:
  guard: { component: try_catch }
  each: { component: foreach_control, items: "{{input.items}}" }
  upper: { component: string_ops, operation: upper, value: "{{item}}" }
  done: { component: set, values: { all: "{{upper.data}}" } }
  recover: { component: set, values: { failed: "{{guard.error.node}}" } }
`,
      { items: ["a", {}, "c"] },
    );
    expect(e.status).toBe("succeeded");
    expect(ran(e)).toEqual(["guard", "each", "upper#0", "upper#1", "recover"]);
    expect(e.output).toMatchObject({ data: { failed: "upper" } });
  });

  it("nested loops", async () => {
    const e = await run(
      `
name: nested-loops
flow:
  - input >> ON_SUCCESS >> rows
  - rows >> FOREACH(row) >> cells
  - cells >> FOREACH(cell) >> double
  - cells >> ON_SUCCESS >> row_total
  - rows >> ON_SUCCESS >> table
config:
  rows: { component: foreach_control, items: "{{input.rows}}" }
  cells: { component: foreach_control, items: "{{row}}" }
  double: { component: string_ops, operation: template, template: "{v}{v}", values: { v: "{{cell}}" } }
  row_total: { component: array_ops, operation: length, items: "{{cells.data.results}}" }
  table: { component: set, values: { lengths: "{{each_len.data}}" } }
`.replace("{{each_len.data}}", "{{row_total.data}}"),
      { rows: [[1, 2], [], [3]] },
    );
    expect(e.status).toBe("succeeded");
    expect(ran(e)).toEqual([
      "rows",
      "cells#0",
      "double#0",
      "double#1",
      "row_total#0",
      "cells#1",
      "row_total#1",
      "cells#2",
      "double#0",
      "row_total#2",
      "table",
    ]);
    expect(e.output).toMatchObject({ data: { lengths: [{ result: 2 }, { result: 0 }, { result: 1 }] } });
  });

  it("FOREACH from any other node still runs only its target per item (lists at data.result too)", async () => {
    const e = await run(
      `
name: single
flow:
  - input >> ON_SUCCESS >> sorted
  - sorted >> FOREACH(n) >> label
  - label >> ON_SUCCESS >> joined
config:
  sorted: { component: array_ops, operation: sort, items: "{{input.ns}}" }
  label: { component: string_ops, operation: pad, value: "{{n}}", length: 3, fill: "0" }
  joined: { component: string_ops, operation: join, items: "{{label.data}}", separator: "," }
`,
      { ns: [30, 4, 200] },
    );
    expect(ran(e)).toEqual(["sorted", "label#0", "label#1", "label#2", "joined"]);
    expect(e.output).toMatchObject({
      data: { result: '{"result":"004"},{"result":"030"},{"result":"200"}' },
    });
  });
});

describe("filter and merge in a flow", () => {
  it("filters a list and merges it with defaults", async () => {
    const e = await run(
      `
name: shape
flow:
  - input >> ON_SUCCESS >> open
  - open >> ON_BRANCH(matched) >> titles
  - open >> ON_BRANCH(empty) >> none
  - titles >> ON_SUCCESS >> report
config:
  open: { component: filter, items: "{{input.issues}}", path: state, value: open }
  titles: { component: array_ops, operation: pluck, items: "{{open.data.items}}", path: title }
  none: { component: set, values: { titles: [] } }
  report: { component: merge, inputs: [{ source: github, titles: [] }, { titles: "{{titles.data.result}}" }] }
`,
      {
        issues: [
          { title: "a", state: "open" },
          { title: "b", state: "closed" },
          { title: "c", state: "open" },
        ],
      },
    );
    expect(e.status).toBe("succeeded");
    expect(e.output).toMatchObject({ data: { source: "github", titles: ["a", "c"] } });
    const none = await run(
      `
name: shape
flow:
  - input >> ON_SUCCESS >> open
  - open >> ON_BRANCH(matched) >> titles
  - open >> ON_BRANCH(empty) >> none
config:
  open: { component: filter, items: "{{input.issues}}", path: state, value: open }
  titles: { component: array_ops, operation: pluck, items: "{{open.data.items}}", path: title }
  none: { component: set, values: { titles: [] } }
`,
      { issues: [] },
    );
    expect(ran(none)).toEqual(["open", "none"]);
  });
});

describe("large lists within the default limits (memory is linear in the list)", () => {
  it("filters, sorts, joins by key and pages 3,000 items", async () => {
    const users = Array.from({ length: 3000 }, (_, i) => ({
      id: i,
      score: (i * 7919) % 1000,
      name: `user "${i}"`,
      tags: ["a", "b"],
    }));
    const e = await run(
      `
name: big
flow:
  - input >> ON_SUCCESS >> high
  - high >> ON_SUCCESS >> sorted
  - sorted >> ON_SUCCESS >> joined
  - joined >> ON_SUCCESS >> page
  - page >> ON_SUCCESS >> names
config:
  high: { component: filter, items: "{{input.users}}", path: score, operator: gte, value: 500 }
  sorted: { component: array_ops, operation: sort, items: "{{high.data.items}}", path: score, order: desc }
  joined: { component: merge, mode: by_key, key: id, inputs: ["{{sorted.data.result}}", "{{input.users}}"] }
  page: { component: foreach_control, items: "{{joined.data}}", offset: 10, limit: 3 }
  names: { component: array_ops, operation: pluck, items: "{{page.data.items}}", path: name }
`,
      { users },
    );
    expect(e.status, JSON.stringify(e.error)).toBe("succeeded");
    expect(e.trace.find((t) => t.node === "joined")?.output_bytes).toBeGreaterThan(150_000);
    const expected = users
      .filter((u) => u.score >= 500)
      .sort((a, b) => b.score - a.score)
      .slice(10, 13)
      .map((u) => u.name);
    expect(e.output).toMatchObject({ data: { result: expected, count: 3 } });
  });
});

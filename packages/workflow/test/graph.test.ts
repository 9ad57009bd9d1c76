import { describe, expect, it } from "vitest";
import { WorkflowError } from "../src/errors.js";
import { compileWorkflow } from "../src/graph.js";
import { parseWorkflowYaml } from "../src/parse.js";

const components = new Set(["http_request", "if_control", "switch", "try_catch", "foreach_control", "set"]);

function compile(yaml: string) {
  return compileWorkflow(parseWorkflowYaml(yaml), { components });
}

function issues(yaml: string) {
  try {
    compile(yaml);
  } catch (err) {
    expect(err).toBeInstanceOf(WorkflowError);
    return (err as WorkflowError).issues;
  }
  throw new Error("expected a WorkflowError");
}

const wf = (flow: string[], config: Record<string, string>) =>
  `name: g\nflow:\n${flow.map((f) => `  - ${f}`).join("\n")}\nconfig:\n${Object.entries(config)
    .map(([k, v]) => `  ${k}: ${v}`)
    .join("\n")}\n`;

const IF = "{ component: if_control }";

describe("compileWorkflow", () => {
  it("compiles to nodes in topological order and edges", () => {
    const g = compile(
      wf(
        [
          "input >> ON_SUCCESS >> a",
          "a >> ON_TRUE >> b",
          "a >> ON_FALSE >> c",
          "b >> ON_SUCCESS >> d",
          "c >> ON_SUCCESS >> d",
        ],
        {
          a: IF,
          b: IF,
          c: IF,
          d: "{ component: http_request, url: '{{b.data.result}}' }",
        },
      ),
    );
    expect(g.order).toEqual(["a", "b", "c", "d"]);
    expect(g.edges).toHaveLength(5);
    expect(Object.keys(g.nodes)).toEqual(["a", "b", "c", "d"]);
  });

  it("rule: the flow starts at input", () => {
    expect(issues(wf(["a >> ON_SUCCESS >> b"], { a: IF, b: IF }))[0]?.message).toContain(
      'must start at "input"',
    );
  });

  it("rule: nothing leads back to input", () => {
    expect(
      issues(wf(["input >> ON_SUCCESS >> a", "a >> ON_SUCCESS >> input"], { a: IF })).map((i) => i.message),
    ).toContain("input is where the flow starts; no edge may lead to it");
  });

  it("rule: unknown node (in the flow, not configured), with its line", () => {
    expect(issues(wf(["input >> ON_SUCCESS >> a", "a >> ON_SUCCESS >> ghost"], { a: IF }))).toEqual([
      { line: 4, node: "ghost", message: 'unknown node "ghost": it has no entry under config' },
    ]);
  });

  it("rule: unknown component, with its line", () => {
    expect(issues(wf(["input >> ON_SUCCESS >> a"], { a: "{ component: http_requst }" }))).toEqual([
      { line: 5, node: "a", message: 'unknown component "http_requst"; run: arcrun components' },
    ]);
  });

  it("checks component names only against a given set (offline: not at all, every other rule still)", () => {
    const doc = parseWorkflowYaml(wf(["input >> ON_SUCCESS >> a"], { a: "{ component: http_requst }" }));
    expect(compileWorkflow(doc).order).toEqual(["a"]);
    expect(() => compileWorkflow(doc, { components: new Set() })).toThrow(WorkflowError);
    const cyclic = parseWorkflowYaml(
      wf(["input >> ON_SUCCESS >> a", "a >> ON_SUCCESS >> b", "b >> ON_SUCCESS >> a"], {
        a: "{ component: anything }",
        b: "{ component: anything }",
      }),
    );
    expect(() => compileWorkflow(cyclic)).toThrow(/the flow has a cycle through a, b/);
  });

  it("rule: a configured node must be in the flow", () => {
    expect(issues(wf(["input >> ON_SUCCESS >> a"], { a: IF, stray: IF }))[0]).toMatchObject({
      node: "stray",
      message: 'node "stray" is configured but not in the flow',
    });
  });

  it("rule: no cycles", () => {
    const found = issues(
      wf(
        ["input >> ON_SUCCESS >> a", "a >> ON_SUCCESS >> b", "b >> ON_SUCCESS >> c", "c >> ON_SUCCESS >> a"],
        { a: IF, b: IF, c: IF },
      ),
    );
    expect(found.some((i) => i.message.includes("cycle through a, b, c"))).toBe(true);
  });

  it("rule: no self loop", () => {
    expect(
      issues(wf(["input >> ON_SUCCESS >> a", "a >> ON_SUCCESS >> a"], { a: IF })).map((i) => i.message),
    ).toContain("a node cannot lead to itself (a cycle)");
  });

  it("rule: every node is reachable from input", () => {
    expect(issues(wf(["input >> ON_SUCCESS >> a", "x >> ON_SUCCESS >> y"], { a: IF, x: IF, y: IF }))).toEqual(
      [
        { line: 4, node: "x", message: 'node "x" is unreachable from input' },
        { line: 4, node: "y", message: 'node "y" is unreachable from input' },
      ],
    );
  });

  it("rule: no duplicate edges", () => {
    expect(issues(wf(["input >> ON_SUCCESS >> a", "input >> ON_SUCCESS >> a"], { a: IF }))[0]?.message).toBe(
      "duplicate edge input >> ON_SUCCESS >> a",
    );
  });

  it("rule: reserved names (credential, item) are not nodes", () => {
    expect(issues(wf(["input >> ON_SUCCESS >> credential"], { credential: IF }))[0]?.message).toContain(
      "reserved name",
    );
  });

  it("rule: a template refers to a node that runs before it", () => {
    const found = issues(
      wf(["input >> ON_SUCCESS >> a", "input >> ON_SUCCESS >> b"], {
        a: "{ component: if_control, left: '{{b.data.result}}' }",
        b: IF,
      }),
    );
    expect(found[0]).toMatchObject({
      node: "a",
      message: expect.stringContaining('"b" does not run before "a"'),
    });
    expect(
      issues(wf(["input >> ON_SUCCESS >> a"], { a: "{ component: if_control, left: '{{nobody.x}}' }" }))[0]
        ?.message,
    ).toContain('there is no node "nobody"');
  });

  it("allows input, credential and FOREACH variables in templates", () => {
    const g = compile(
      wf(["input >> ON_SUCCESS >> a", "a >> FOREACH(row) >> b"], {
        a: "{ component: http_request, url: '{{input.url}}', headers: { k: '{{credential.gh}}' } }",
        b: "{ component: if_control, left: '{{row.n}}' }",
      }),
    );
    expect(g.order).toEqual(["a", "b"]);
  });
});

const SET = "{ component: set, values: {} }";

describe("control-flow components", () => {
  it("foreach_control: its FOREACH body is every node after the target; other edges run after the loop", () => {
    const g = compile(
      wf(
        [
          "input >> ON_SUCCESS >> each",
          "each >> ON_SUCCESS >> after",
          "each >> FOREACH(row) >> a",
          "a >> ON_SUCCESS >> b",
          "a >> ON_SUCCESS >> c",
        ],
        {
          each: "{ component: foreach_control, items: '{{input.rows}}' }",
          a: "{ component: set, values: { x: '{{row.x}}' } }",
          b: "{ component: set, values: { x: '{{row.x}}', a: '{{a.data}}' } }",
          c: SET,
          after: "{ component: set, values: { all: '{{b.data}}', results: '{{each.data.results}}' } }",
        },
      ),
    );
    expect(g.loops).toEqual({ each: { body: ["a", "b", "c"] } });
    expect(g.order.indexOf("after")).toBeGreaterThan(g.order.indexOf("c"));
    expect(g.order.indexOf("after")).toBeGreaterThan(g.order.indexOf("b"));
  });

  it("rule: a loop body is reached only from inside the loop", () => {
    const found = issues(
      wf(["input >> ON_SUCCESS >> each", "each >> FOREACH(row) >> a", "input >> ON_SUCCESS >> a"], {
        each: "{ component: foreach_control, items: [] }",
        a: SET,
      }),
    );
    expect(found).toEqual([
      {
        line: 5,
        node: "a",
        message: expect.stringContaining('"a" runs once per item of the foreach_control "each"'),
      },
    ]);
  });

  it("rule: a node is not both inside a loop and after it", () => {
    const found = issues(
      wf(["input >> ON_SUCCESS >> each", "each >> FOREACH(row) >> a", "each >> ON_SUCCESS >> a"], {
        each: "{ component: foreach_control, items: [] }",
        a: SET,
      }),
    );
    expect(found.map((i) => i.message)).toContain(
      '"a" is both inside the loop of "each" (after FOREACH) and after it (each >> ON_SUCCESS >> a); keep one',
    );
  });

  it("rule: a FOREACH variable is in scope only in the loop (not after a one-node FOREACH)", () => {
    const found = issues(
      wf(["input >> ON_SUCCESS >> a", "a >> FOREACH(row) >> b", "b >> ON_SUCCESS >> c"], {
        a: "{ component: http_request, url: 'http://x' }",
        b: "{ component: if_control, left: '{{row.n}}' }",
        c: "{ component: if_control, left: '{{row.n}}' }",
      }),
    );
    expect(found).toEqual([
      {
        line: 9,
        node: "c",
        message: expect.stringContaining('the FOREACH variable "row" is not in scope here'),
      },
    ]);
    const after = issues(
      wf(["input >> ON_SUCCESS >> each", "each >> FOREACH(row) >> a", "each >> ON_SUCCESS >> z"], {
        each: "{ component: foreach_control, items: [] }",
        a: SET,
        z: "{ component: set, values: { r: '{{row}}' } }",
      }),
    );
    expect(after[0]?.message).toContain('the FOREACH variable "row" is not in scope here');
  });

  it("try_catch: protects what follows ON_BRANCH(try) and orders it before the catch branch", () => {
    const g = compile(
      wf(
        [
          "input >> ON_SUCCESS >> guard",
          "guard >> ON_BRANCH(catch) >> recover",
          "guard >> ON_BRANCH(try) >> a",
          "a >> ON_SUCCESS >> b",
          "b >> ON_SUCCESS >> join",
          "recover >> ON_SUCCESS >> join",
        ],
        {
          guard: "{ component: try_catch }",
          recover: "{ component: set, values: { why: '{{guard.error.message}}' } }",
          a: SET,
          b: SET,
          join: SET,
        },
      ),
    );
    expect(g.guards).toEqual({ guard: { protects: ["a", "b"] } });
    expect(g.order).toEqual(["guard", "a", "b", "recover", "join"]);
  });

  it("rule: a try_catch leads on with ON_BRANCH(try) and ON_BRANCH(catch) only, and protects something", () => {
    const found = issues(
      wf(["input >> ON_SUCCESS >> guard", "guard >> ON_SUCCESS >> a", "guard >> ON_BRANCH(catch) >> b"], {
        guard: "{ component: try_catch }",
        a: SET,
        b: SET,
      }),
    );
    expect(found.map((i) => i.message)).toEqual([
      "a try_catch leads on with ON_BRANCH(try) and ON_BRANCH(catch), not guard >> ON_SUCCESS >> a",
      'try_catch "guard" protects nothing: add "guard >> ON_BRANCH(try) >> <first protected node>"',
    ]);
  });

  it("rule: a catch branch cannot read the try branch's nodes (they may not have run)", () => {
    const found = issues(
      wf(["input >> ON_SUCCESS >> guard", "guard >> ON_BRANCH(try) >> a", "guard >> ON_BRANCH(catch) >> b"], {
        guard: "{ component: try_catch }",
        a: SET,
        b: "{ component: set, values: { x: '{{a.data}}' } }",
      }),
    );
    expect(found[0]).toMatchObject({
      node: "b",
      message: expect.stringContaining('"a" does not run before "b"'),
    });
  });

  it("rule: a switch's ON_BRANCH labels are among its cases (and default); no ON_TRUE/ON_FALSE", () => {
    const found = issues(
      wf(
        [
          "input >> ON_SUCCESS >> route",
          "route >> ON_BRANCH(bug) >> a",
          "route >> ON_BRANCH(bugs) >> b",
          "route >> ON_BRANCH(default) >> c",
          "route >> ON_TRUE >> d",
        ],
        {
          route: "{ component: switch, value: x, cases: { bug: 1, feature: 2 } }",
          a: SET,
          b: SET,
          c: SET,
          d: SET,
        },
      ),
    );
    expect(found.map((i) => i.message)).toEqual([
      "route >> ON_BRANCH(bugs) >> b never runs: the switch's branches are bug, feature, default",
      "a switch leads on with ON_BRANCH(<case label>), not ON_TRUE",
    ]);
    // Cases given by a template are only known at run time.
    expect(
      compile(
        wf(["input >> ON_SUCCESS >> route", "route >> ON_BRANCH(anything) >> a"], {
          route: "{ component: switch, value: x, cases: '{{input.cases}}' }",
          a: SET,
        }),
      ).order,
    ).toEqual(["route", "a"]);
  });
});

describe("ancestry across diamonds (the references a depth-first tree does not answer)", () => {
  const diamond = (dRef: string, cRef: string) =>
    wf(
      [
        "input >> ON_SUCCESS >> a",
        "a >> ON_SUCCESS >> b",
        "a >> ON_SUCCESS >> c",
        "b >> ON_SUCCESS >> d",
        "c >> ON_SUCCESS >> d",
        "d >> ON_SUCCESS >> e",
      ],
      {
        a: SET,
        b: SET,
        c: `{ component: set, values: { x: '{{${cRef}.data}}' } }`,
        d: SET,
        e: `{ component: set, values: { x: '{{${dRef}.data}}' } }`,
      },
    );

  it("a node reads every node on each path before it, whichever branch the walk took first", () => {
    expect(compile(diamond("b", "a")).order).toHaveLength(5);
    expect(compile(diamond("c", "a")).order).toHaveLength(5);
  });

  it("rule: a node cannot read a node on a parallel branch", () => {
    expect(issues(diamond("b", "b"))[0]).toMatchObject({
      node: "c",
      message: expect.stringContaining('"b" does not run before "c"'),
    });
  });
});

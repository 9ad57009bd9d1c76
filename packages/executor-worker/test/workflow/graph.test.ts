import { describe, expect, it } from "vitest";
import { compileWorkflow } from "../../src/workflow/graph.js";
import { parseWorkflowYaml, WorkflowError } from "../../src/workflow/parse.js";

const known = (id: string) => ["http_request", "if_control"].includes(id);

function compile(yaml: string) {
  return compileWorkflow(parseWorkflowYaml(yaml), known);
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

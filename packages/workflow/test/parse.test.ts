import { describe, expect, it } from "vitest";
import { WorkflowError } from "../src/errors.js";
import { parseWorkflowObject, parseWorkflowYaml } from "../src/parse.js";

function issuesOf(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WorkflowError);
    const e = err as WorkflowError;
    expect(e.code).toBe("ERR_WORKFLOW_INVALID");
    expect(e.message).toContain("arcrun workflow validate");
    return e.issues;
  }
  throw new Error("expected a WorkflowError");
}

const VALID = `name: demo
flow:
  - input >> ON_SUCCESS >> fetch
  - fetch >> ON_SUCCESS >> check
  - check >> ON_TRUE >> yes
  - check >> ON_FALSE >> no
  - check >> ON_BRANCH(maybe) >> other
  - fetch >> FOREACH(row) >> each
config:
  fetch: { component: http_request, url: "https://api.example.com" }
  check: { component: if_control, left: "{{fetch.status}}", right: 200 }
  yes: { component: if_control, condition: true }
  no: { component: if_control, condition: false }
  other: { component: if_control, condition: true }
  each: { component: if_control, left: "{{row.n}}" }
`;

describe("parseWorkflowYaml", () => {
  it("reads name, every edge kind, config and limits", () => {
    const doc = parseWorkflowYaml(`${VALID}limits: { run_ms: 5000, host_calls: 3 }\n`);
    expect(doc.name).toBe("demo");
    expect(doc.flow.map((e) => e.kind)).toEqual([
      { type: "ON_SUCCESS" },
      { type: "ON_SUCCESS" },
      { type: "ON_TRUE" },
      { type: "ON_FALSE" },
      { type: "ON_BRANCH", label: "maybe" },
      { type: "FOREACH", variable: "row" },
    ]);
    expect(doc.flow[0]).toMatchObject({ from: "input", to: "fetch", line: 3 });
    expect(doc.config.fetch).toEqual({
      component: "http_request",
      params: { url: "https://api.example.com" },
      line: 10,
    });
    expect(doc.limits).toEqual({ run_ms: 5000, host_calls: 3 });
  });

  it("accepts flow as one block of lines and names each line", () => {
    const doc = parseWorkflowYaml(
      "name: b\nflow: |\n  input >> ON_SUCCESS >> a\n  a >> ON_TRUE >> b\nconfig: {}\n",
    );
    expect(doc.flow.map((e) => e.line)).toEqual([3, 4]);
  });

  it("rule: YAML syntax errors name the line", () => {
    expect(issuesOf(() => parseWorkflowYaml("name: x\nflow: [\n"))[0]?.message).toMatch(/^YAML: /);
  });

  it("rule: name is required and lower case", () => {
    expect(issuesOf(() => parseWorkflowYaml("name: Bad Name\nflow: []\n"))).toEqual([
      expect.objectContaining({ line: 1, message: expect.stringContaining("name is required") }),
    ]);
  });

  it("rule: flow is required", () => {
    expect(issuesOf(() => parseWorkflowYaml("name: x\n"))[0]?.message).toContain("flow is required");
  });

  it("rule: a flow line is a triplet with a known edge (line named)", () => {
    const issues = issuesOf(() =>
      parseWorkflowYaml("name: x\nflow:\n  - input >> ON_SUCCESS >> a\n  - a >> ON_MAYBE >> b\n"),
    );
    expect(issues).toEqual([
      expect.objectContaining({ line: 4, message: expect.stringContaining("not a flow triplet") }),
    ]);
  });

  it("rule: each node config has a component (node and line named)", () => {
    const issues = issuesOf(() =>
      parseWorkflowYaml("name: x\nflow:\n  - input >> ON_SUCCESS >> a\nconfig:\n  a: { url: x }\n"),
    );
    expect(issues).toEqual([
      { line: 5, node: "a", message: expect.stringContaining("component is required") },
    ]);
  });

  it("rule: unknown top-level keys are refused", () => {
    expect(issuesOf(() => parseWorkflowYaml("name: x\nflow: []\nsteps: []\n"))[0]).toMatchObject({
      line: 3,
      message: expect.stringContaining('unknown key "steps"'),
    });
  });

  it("rule: limits are known positive integers", () => {
    const issues = issuesOf(() => parseWorkflowYaml("name: x\nflow: []\nlimits: { run_ms: -1, cpu: 3 }\n"));
    expect(issues.map((i) => i.message)).toEqual([
      "limits.run_ms must be a positive integer",
      expect.stringContaining('unknown limit "cpu"'),
    ]);
  });

  it("rule: a YAML syntax error names its line", () => {
    expect(issuesOf(() => parseWorkflowYaml("name: x\nflow: []\nconfig:\n\ta: 1\n"))).toEqual([
      { line: 4, message: expect.stringMatching(/^YAML: .*[Tt]ab/) },
    ]);
  });

  it("rule: a duplicate key names the line that repeats it", () => {
    const text = "name: x\nflow: []\nconfig:\n  a: { component: set }\n  a: { component: set }\n";
    expect(issuesOf(() => parseWorkflowYaml(text))).toEqual([
      { line: 5, message: expect.stringContaining('"a" is repeated') },
    ]);
  });

  it("rule: an alias with no anchor before it is named with its line", () => {
    expect(issuesOf(() => parseWorkflowYaml("name: x\nflow: []\nconfig:\n  a: *base\n"))).toEqual([
      { line: 4, message: expect.stringContaining("*base has no anchor &base") },
    ]);
  });

  it("names lines in a document that uses anchors and aliases", () => {
    const text =
      "base: &base { component: set }\nname: x\nflow:\n  - input >> ON_SUCCESS >> a\nconfig:\n  a: *base\n  b: { url: 1 }\n";
    expect(issuesOf(() => parseWorkflowYaml(text))).toEqual([
      { line: 1, message: expect.stringContaining('unknown key "base"') },
      { line: 7, node: "b", message: expect.stringContaining("component is required") },
    ]);
  });

  it("reads a document with a %YAML 1.1 directive by that version's rules, as before", () => {
    const body = 'name: x\nflow: ["input >> ON_SUCCESS >> a"]\nconfig:\n  a: { component: set, flag: yes }\n';
    expect(parseWorkflowYaml(body).config.a?.params.flag).toBe("yes");
    expect(parseWorkflowYaml(`%YAML 1.1\n---\n${body}`).config.a).toMatchObject({
      params: { flag: true },
      line: 6,
    });
  });

  it("rule: duplicate keys are a YAML error", () => {
    expect(issuesOf(() => parseWorkflowYaml("name: x\nname: y\nflow: []\n"))[0]?.message).toMatch(
      /YAML: .*[Uu]nique|YAML: .*duplicate/,
    );
  });
});

describe("parseWorkflowObject (JSON)", () => {
  it("reads the same structure and names the node on errors", () => {
    const doc = parseWorkflowObject({
      name: "j",
      flow: ["input >> ON_SUCCESS >> a"],
      config: { a: { component: "if_control" } },
    });
    expect(doc.config.a?.component).toBe("if_control");
    expect(issuesOf(() => parseWorkflowObject({ name: "j", flow: [], config: { a: {} } }))).toEqual([
      { node: "a", line: undefined, message: expect.stringContaining("component is required") },
    ]);
  });

  it("refuses something that is not a mapping", () => {
    expect(issuesOf(() => parseWorkflowObject([1, 2]))[0]?.message).toContain("expected a mapping");
  });
});

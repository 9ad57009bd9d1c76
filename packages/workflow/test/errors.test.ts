import { describe, expect, it } from "vitest";
import { issueText, WorkflowError } from "../src/errors.js";

describe("WorkflowError", () => {
  it("has the stable code, every issue with its place, and the next step", () => {
    const err = new WorkflowError([
      { line: 4, node: "a", message: "first" },
      { node: "b", message: "second" },
      { message: "third" },
    ]);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("WorkflowError");
    expect(err.code).toBe("ERR_WORKFLOW_INVALID");
    expect(err.issues).toHaveLength(3);
    expect(err.message).toBe(
      'the workflow is not valid:\n  line 4, node "a": first\n  node "b": second\n  third\nFix it, then run: arcrun workflow validate <file>',
    );
  });

  it("issueText names what the issue has", () => {
    expect(issueText({ line: 2, message: "m" })).toBe("line 2: m");
    expect(issueText({ message: "m" })).toBe("m");
  });
});

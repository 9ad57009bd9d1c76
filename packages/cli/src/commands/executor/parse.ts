/**
 * The workflow checks of `workflow validate`: @arcrun/workflow's parser and graph rules, the very ones the
 * executor runs on push, so the answer offline is the executor's, with the same line numbers.
 */
import {
  compileWorkflow,
  parseWorkflowObject,
  parseWorkflowYaml,
  type WorkflowDoc,
  WorkflowError,
  type WorkflowGraph,
  type WorkflowIssue,
} from "@arcrun/workflow";
import { CliError } from "../../internal/errors.js";
import type { WorkflowFile } from "./shared.js";

export type { WorkflowGraph };

export type CheckResult = { valid: true; graph: WorkflowGraph } | { valid: false; issues: WorkflowIssue[] };

/**
 * Parses and checks a workflow. `componentExists` answers from the ids the executor's `GET /components`
 * listed when it answered, and accepts every id offline (every other rule is still checked).
 */
export function checkWorkflow(file: WorkflowFile, componentExists: (id: string) => boolean): CheckResult {
  try {
    let doc: WorkflowDoc;
    if (file.format === "json") {
      let value: unknown;
      try {
        value = JSON.parse(file.text);
      } catch (cause) {
        return {
          valid: false,
          issues: [{ message: `JSON: ${cause instanceof Error ? cause.message : String(cause)}` }],
        };
      }
      doc = parseWorkflowObject(value);
    } else {
      doc = parseWorkflowYaml(file.text);
    }
    return { valid: true, graph: compileWorkflow(doc, { components: { has: componentExists } }) };
  } catch (err) {
    if (err instanceof WorkflowError) return { valid: false, issues: err.issues };
    throw new CliError(
      "ERR_UNEXPECTED",
      `could not check ${file.path}: ${err instanceof Error ? err.message : String(err)}`,
      "push it to see the executor's answer: arcrun workflow push <file>",
    );
  }
}

/**
 * The executor's own workflow parser and graph checks, bundled into the CLI so `workflow validate` works
 * offline with the same rules and the same line numbers. These modules are pure (the `yaml` package and
 * plain TypeScript, no Worker API): only they are bundled, never the Worker.
 */
import { compileWorkflow, type WorkflowGraph } from "../../../../executor-worker/src/workflow/graph.js";
import {
  parseWorkflowObject,
  parseWorkflowYaml,
  type WorkflowIssue,
} from "../../../../executor-worker/src/workflow/parse.js";
import { CliError } from "../../internal/errors.js";
import type { WorkflowFile } from "./shared.js";

export type { WorkflowGraph };

export type CheckResult = { valid: true; graph: WorkflowGraph } | { valid: false; issues: WorkflowIssue[] };

function issuesOf(err: unknown): WorkflowIssue[] | undefined {
  if (err instanceof Error && (err as { code?: unknown }).code === "ERR_WORKFLOW_INVALID") {
    const issues = (err as { issues?: unknown }).issues;
    if (Array.isArray(issues)) return issues as WorkflowIssue[];
  }
  return undefined;
}

/** Parses and checks a workflow; `componentExists` is the executor's component list when it answered. */
export function checkWorkflow(file: WorkflowFile, componentExists: (id: string) => boolean): CheckResult {
  try {
    let doc: ReturnType<typeof parseWorkflowObject>;
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
    return { valid: true, graph: compileWorkflow(doc, componentExists) };
  } catch (err) {
    const issues = issuesOf(err);
    if (issues) return { valid: false, issues };
    throw new CliError(
      "ERR_UNEXPECTED",
      `could not check ${file.path}: ${err instanceof Error ? err.message : String(err)}`,
      "push it to see the executor's answer: arcrun workflow push <file>",
    );
  }
}

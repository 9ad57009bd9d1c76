import type { WorkflowSizeLimit } from "./limits.js";

/** One problem in a workflow document, with the line (YAML only) and the node it is about. */
export interface WorkflowIssue {
  message: string;
  line?: number;
  node?: string;
  /** The size limit the document is over (see WORKFLOW_LIMITS), when that is the problem. */
  limit?: WorkflowSizeLimit;
}

/** The stable code of every {@link WorkflowError} (API: the executor answers it as `error.code`). */
export type WorkflowErrorCode = "ERR_WORKFLOW_INVALID";

/** A workflow that cannot run; `issues` lists every problem with its line and node. */
export class WorkflowError extends Error {
  override name = "WorkflowError";
  readonly code: WorkflowErrorCode = "ERR_WORKFLOW_INVALID";
  readonly issues: WorkflowIssue[];
  constructor(issues: WorkflowIssue[]) {
    super(
      `the workflow is not valid:\n  ${issues.map(issueText).join("\n  ")}\nFix it, then run: arcrun workflow validate <file>`,
    );
    this.issues = issues;
  }
}

/** `line 4, node "a": message`, or the message alone when the issue has neither. */
export function issueText(issue: WorkflowIssue): string {
  const where = [
    issue.line !== undefined ? `line ${issue.line}` : "",
    issue.node ? `node "${issue.node}"` : "",
  ]
    .filter(Boolean)
    .join(", ");
  return where ? `${where}: ${issue.message}` : issue.message;
}

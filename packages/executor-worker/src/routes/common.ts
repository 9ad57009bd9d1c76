import { WorkflowError } from "@arcrun/workflow";
import type { ComponentManifest } from "components/abi";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Env } from "../env.js";
import { ExecutorError } from "../errors.js";

export interface ComponentRegistry {
  modules: Readonly<Record<string, WebAssembly.Module>>;
  manifest: ComponentManifest;
}

export type AppEnv = { Bindings: Env; Variables: { tenant: string; registry: ComponentRegistry } };
export type AppContext = Context<AppEnv>;

const STATUS: Partial<Record<ExecutorError["code"], ContentfulStatusCode>> = {
  ERR_WORKFLOW_INVALID: 400,
  ERR_BAD_REQUEST: 400,
  ERR_CREDENTIAL_INVALID: 400,
  ERR_UNAUTHORIZED: 401,
  ERR_WORKFLOW_NOT_FOUND: 404,
  ERR_EXECUTION_NOT_FOUND: 404,
  ERR_CREDENTIAL_NOT_FOUND: 404,
  ERR_WORKFLOW_TOO_LARGE: 413,
  ERR_RATE_LIMITED: 429,
  ERR_CONFIG: 500,
  ERR_RECIPE_INVALID: 400,
  ERR_RECIPE_NOT_FOUND: 404,
  ERR_RECIPE_EXISTS: 409,
  ERR_HOSTS_UNCONFIRMED: 409,
  ERR_RECIPE_TEST_FAILED: 422,
};

/** `{ error: { code, message, issues? } }` with the status the code implies. */
export function errorResponse(c: AppContext, err: unknown): Response {
  if (err instanceof WorkflowError) {
    return c.json(
      { error: { code: err.code, message: err.message, issues: err.issues } },
      // A document over its size limit is a 413; every other limit (nodes, edges, depth) a 400.
      err.issues.some((i) => i.limit === "body_bytes") ? 413 : (STATUS[err.code] ?? 400),
    );
  }
  if (err instanceof ExecutorError) {
    return c.json({ error: { code: err.code, message: err.message } }, STATUS[err.code] ?? 422);
  }
  console.error("executor: unexpected error", err instanceof Error ? err.name : typeof err);
  return c.json({ error: { code: "ERR_INTERNAL", message: "internal error; see the Worker's logs" } }, 500);
}

export function badRequest(message: string): ExecutorError {
  return new ExecutorError("ERR_BAD_REQUEST", message);
}

import type { Recipe } from "@arcrun/recipes";
import type { TestResult } from "../../auth-options.js";
import { type BoundClient, renderWithCredential } from "../../client.js";
import { jsonMismatch } from "../expect-json.js";

/**
 * Sends the recipe's `test` request with the client's credential; `ok` when the status is an expected one and
 * the body matches `expect_json` where the recipe has one (Slack answers a bad token with 200 `ok: false`).
 */
export async function runTestRequest(
  client: BoundClient,
  spec: NonNullable<Recipe["test"]>,
): Promise<TestResult> {
  const expected = Array.isArray(spec.expect_status) ? spec.expect_status : [spec.expect_status];
  const init: { method: string; headers?: Record<string, string>; body?: string } = { method: spec.method };
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.headers ?? {})) headers[k] = await client[renderWithCredential](v);
  if (spec.json !== undefined) {
    headers["content-type"] = "application/json";
    init.body = JSON.stringify(spec.json);
  } else if (spec.form !== undefined) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    init.body = new URLSearchParams(spec.form).toString();
  }
  init.headers = headers;
  const res = await client.fetch(await client[renderWithCredential](spec.path), init);
  const statusOk = expected.includes(res.status);
  const mismatch =
    statusOk && spec.expect_json !== undefined ? jsonMismatch(await res.text(), spec.expect_json) : undefined;
  if (!statusOk || spec.expect_json === undefined) await res.body?.cancel().catch(() => undefined);
  return {
    ok: statusOk && mismatch === undefined,
    tested: true,
    method: spec.method,
    path: spec.path,
    status: res.status,
    expected,
    ...(mismatch !== undefined ? { mismatch } : {}),
  };
}

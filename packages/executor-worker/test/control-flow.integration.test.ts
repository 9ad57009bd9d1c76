import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, startApiServer } from "./helpers/api-server.js";
import { generateExecutorKey, sealFor } from "./helpers/credentials.js";
import { type LocalExecutor, startExecutor } from "./helpers/executor.js";

// switch + try_catch + foreach_control + filter end to end: one workerd (Miniflare, JSPI) against a real
// node:http issue tracker, with a credential encrypted by arcrun-auth.
const API_KEY = "key-control-flow";
const TOKEN = "tok_control_flow_secret_42";
const ENCRYPTION_KEY = generateExecutorKey();

let api: ApiServer;
let ex: LocalExecutor;
let issues: { id: number; title: string; state: string; label: string }[] = [];

const TRIAGE = `
name: triage
flow:
  - input >> ON_SUCCESS >> auth
  - auth >> ON_SUCCESS >> list
  - list >> ON_SUCCESS >> open
  - open >> ON_SUCCESS >> each
  - each >> FOREACH(issue) >> route
  - route >> ON_BRANCH(bug) >> guard
  - route >> ON_BRANCH(other) >> skip
  - guard >> ON_BRANCH(try) >> post
  - post >> ON_SUCCESS >> ticket
  - guard >> ON_BRANCH(catch) >> failed
  - each >> ON_SUCCESS >> summary
  - each >> ON_BRANCH(empty) >> quiet
config:
  auth: { component: auth_static_key, credential: tracker }
  list: { component: http_request, url: "{{auth.data.base_url}}/issues", headers: "{{auth.data.headers}}" }
  open: { component: filter, items: "{{list.data.body}}", path: state, value: open }
  each: { component: foreach_control, items: "{{open.data.items}}" }
  route: { component: switch, value: "{{issue.label}}", cases: { bug: [bug, crash] }, default: other }
  guard: { component: try_catch, value: { issue: "{{issue.id}}" } }
  post:
    component: http_request
    method: POST
    url: "{{auth.data.base_url}}/tickets"
    headers: "{{auth.data.headers}}"
    body: { title: "{{issue.title}}" }
  ticket: { component: set, values: { issue: "{{issue.id}}", ticket: "{{post.data.body.ticket.id}}" } }
  failed: { component: set, values: { issue: "{{guard.data.issue}}", error: "{{guard.error.message}}", code: "{{guard.error.code}}" } }
  skip: { component: set, values: { issue: "{{issue.id}}", skipped: true } }
  summary: { component: set, values: { results: "{{each.data.results}}", count: "{{each.data.count}}" } }
  quiet: { component: set, values: { nothing: open } }
`;

interface Reply {
  execution_id: string;
  status: string;
  output?: { data?: Record<string, unknown> };
  error?: { code: string; node?: string; message: string };
  trace: { node: string; status: string; iteration?: number; caught_by?: string; error?: { code: string } }[];
}

async function query(input: unknown = {}): Promise<Reply> {
  const res = await ex.request("/webhooks/named/triage/query", {
    method: "POST",
    apiKey: API_KEY,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(input),
  });
  return res.json as Reply;
}

beforeAll(async () => {
  api = await startApiServer(async (req) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`)
      return { status: 401, json: { error: "unauthorized" } };
    if (req.path === "/v1/issues") return { json: issues };
    if (req.path === "/v1/tickets" && req.method === "POST") {
      const { title } = JSON.parse(req.body) as { title: string };
      // The tracker refuses some tickets: no ticket in the answer, so the next node's template has no value.
      if (title.includes("boom")) return { status: 422, json: { error: "rejected" } };
      return { status: 201, json: { ticket: { id: `T-${title.length}` } } };
    }
    return { status: 404, json: { error: "not found" } };
  });
  const base = `http://127.0.0.1:${api.port}`;
  ex = await startExecutor({
    ENCRYPTION_KEY,
    ARCRUN_API_KEY: API_KEY,
    ARCRUN_RECIPES: JSON.stringify([
      {
        id: "tracker",
        display_name: "Local tracker",
        docs_url: "http://127.0.0.1/docs",
        categories: [],
        hosts: [`127.0.0.1:${api.port}`],
        base_url: `${base}/v1`,
        primitive: "static_key",
        required_secrets: [
          { key: "token", label: "Token", sensitive: true, optional: false, format: "string" },
        ],
        inject: { header: { Authorization: "Bearer {{secret.token}}" } },
      },
    ]),
  });
  const sealed = await sealFor(ENCRYPTION_KEY, "default", "tracker", TOKEN);
  const pushed = await ex.request("/credentials", {
    method: "POST",
    apiKey: API_KEY,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...sealed, recipe: "tracker" }),
  });
  expect(pushed.status).toBe(201);
  const reg = await ex.request("/webhooks/named", {
    method: "POST",
    apiKey: API_KEY,
    headers: { "content-type": "application/yaml" },
    body: TRIAGE,
  });
  expect(reg.status, reg.text).toBe(201);
});

afterAll(async () => {
  await ex?.dispose();
  await api?.close();
});

describe("switch + try_catch + foreach_control + filter inside workerd", () => {
  it("files a ticket per open bug, skips the rest, and catches the ticket the tracker refuses", async () => {
    issues = [
      { id: 1, title: "Login crashes", state: "open", label: "crash" },
      { id: 2, title: "Dark mode", state: "open", label: "feature" },
      { id: 3, title: "Old bug", state: "closed", label: "bug" },
      { id: 4, title: "boom on save", state: "open", label: "bug" },
      { id: 5, title: "Typo", state: "open", label: "bug" },
    ];
    const body = await query();
    expect(body.status, JSON.stringify(body.error)).toBe("succeeded");
    expect(body.output?.data).toEqual({
      results: [
        { issue: 1, ticket: "T-13" },
        { issue: 2, skipped: true },
        {
          issue: 4,
          error: expect.stringContaining("{{post.data.body.ticket.id}}"),
          code: "ERR_TEMPLATE",
        },
        { issue: 5, ticket: "T-4" },
      ],
      count: 4,
    });
    const steps = body.trace.map((t) => (t.iteration === undefined ? t.node : `${t.node}#${t.iteration}`));
    expect(steps).toEqual([
      "auth",
      "list",
      "open",
      "each",
      "route#0",
      "guard#0",
      "post#0",
      "ticket#0",
      "route#1",
      "skip#1",
      "route#2",
      "guard#2",
      "post#2",
      "ticket#2",
      "failed#2",
      "route#3",
      "guard#3",
      "post#3",
      "ticket#3",
      "summary",
    ]);
    expect(body.trace.find((t) => t.node === "ticket" && t.iteration === 2)).toMatchObject({
      status: "failed",
      caught_by: "guard",
      error: { code: "ERR_TEMPLATE" },
    });
    const posted = api.seen.filter((r) => r.path === "/v1/tickets").map((r) => JSON.parse(r.body).title);
    expect(posted).toEqual(["Login crashes", "boom on save", "Typo"]);
    // The stored execution has the same trace, and never the token.
    const stored = await ex.request(`/executions/${body.execution_id}`, { apiKey: API_KEY });
    expect(stored.json).toMatchObject({ status: "succeeded", mode: "jspi" });
    expect(stored.text).toContain('"caught_by":"guard"');
    expect(stored.text).not.toContain(TOKEN);
  });

  it("an empty filter result loops zero times and takes the empty branch", async () => {
    issues = [{ id: 3, title: "Old bug", state: "closed", label: "bug" }];
    const body = await query();
    expect(body.status).toBe("succeeded");
    expect(body.trace.map((t) => t.node)).toEqual(["auth", "list", "open", "each", "summary", "quiet"]);
    expect(body.output?.data).toEqual({ nothing: "open" });
  });

  it("a failure outside the try branch still fails the run, with the node and code", async () => {
    issues = { not: "a list" } as never;
    const res = await ex.request("/webhooks/named/triage/query", {
      method: "POST",
      apiKey: API_KEY,
      body: "{}",
    });
    expect(res.status).toBe(422);
    const body = res.json as Reply;
    expect(body.error).toMatchObject({
      code: "ERR_COMPONENT_FAILED",
      node: "open",
      message: expect.stringContaining("config.items must be a list, got an object"),
    });
  });

  it("refuses a workflow whose switch branch can never run", async () => {
    const res = await ex.request("/webhooks/named", {
      method: "POST",
      apiKey: API_KEY,
      headers: { "content-type": "application/yaml" },
      body: TRIAGE.replace("name: triage", "name: triage-typo").replace(
        "ON_BRANCH(other) >> skip",
        "ON_BRANCH(others) >> skip",
      ),
    });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({
      error: {
        code: "ERR_WORKFLOW_INVALID",
        issues: [
          {
            node: "route",
            message: "route >> ON_BRANCH(others) >> skip never runs: the switch's branches are bug, other",
          },
        ],
      },
    });
  });
});

// Every workflow in examples/workflows, run on the local executor (the production bundle on workerd)
// against node:http stand-ins for GitHub, Slack, Google Drive and a webhook receiver, driven through the
// `arcrun` CLI the way a person would: creds push (stdin), workflow push, workflow run --json. The
// scheduled one (daily-digest) is run by firing the Worker's scheduled handler over HTTP, as with pnpm start.
import { createHmac, randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run, type Sandbox, sandbox } from "../../packages/cli/test/helpers/cli.js";
import {
  type LocalExecutor,
  localRecipe,
  type StandIn,
  standIn,
  startLocalExecutor,
} from "../../packages/cli/test/workflow-support.js";

const DIR = join(__dirname, "..", "workflows");
const GH_TOKEN = `ghp_${randomBytes(12).toString("hex")}`;
const SLACK_TOKEN = `xoxb-${randomBytes(12).toString("hex")}`;
const RELAY_SECRET = randomBytes(24).toString("base64url");
const HOOK_SECRET = randomBytes(24).toString("base64url");
const DRIVE = {
  access_token: "ya29.expired",
  refresh_token: `1//${randomBytes(12).toString("hex")}`,
  expires_at: 1000,
  client_id: "client-1.apps.googleusercontent.com",
  client_secret: `GOCSPX-${randomBytes(8).toString("hex")}`,
};
const FRESH = `ya29.${randomBytes(12).toString("hex")}`;

/** The issues of octo/app as GitHub's stand-in serves them to a `since` query (updated at or after it). */
interface Issue {
  number: number;
  title: string;
  html_url: string;
  updated_at: string;
  user: { login: string };
  pull_request?: Record<string, never>;
}
const issue = (number: number, title: string, updated_at: string, login: string, pr = false): Issue => ({
  number,
  title,
  html_url: `https://github.com/octo/app/${pr ? "pull" : "issues"}/${number}`,
  updated_at,
  user: { login },
  ...(pr ? { pull_request: {} } : {}),
});
const DIGEST_ISSUES: Issue[] = [
  issue(12, "Old bug", "2025-12-30T10:00:00Z", "lin"),
  issue(20, "Login fails on Safari", "2026-01-03T12:00:00Z", "grace"), // a Saturday
  issue(21, "Crash on save", "2026-01-05T07:30:00Z", "ada"),
  issue(22, "Fix docs typo", "2026-01-05T06:00:00Z", "bob", true), // a pull request
];

/** When set, GitHub's stand-in refuses every token, as after the token was revoked. */
let githubRevoked = false;
/** When set, Slack's stand-in refuses messages with this error (as Slack does: 200, { ok: false, error }). */
let slackRefuses: string | undefined;
let github: StandIn;
let slack: StandIn;
let google: StandIn;
let receiver: StandIn;
let ex: LocalExecutor;
let box: Sandbox;
let env: Record<string, string>;
const printed: string[] = [];

async function cli(args: string[], input = "") {
  const r = await run(args, env, input);
  printed.push(r.stdout, r.stderr);
  return r;
}

async function runWorkflow(name: string, args: string[] = []) {
  const r = await cli(["workflow", "run", name, ...args, "--json"]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as {
    status: string;
    output: Record<string, unknown>;
    trace: { node: string }[];
  };
}

beforeAll(async () => {
  github = await standIn((req) => {
    // GitHub: "Requests with no User-Agent header will be rejected."
    // https://docs.github.com/en/rest/using-the-rest-api/getting-started-with-the-rest-api#user-agent
    if (!req.headers["user-agent"]) return { status: 403, json: { message: "missing User-Agent" } };
    if (githubRevoked || req.headers.authorization !== `Bearer ${GH_TOKEN}`)
      return { status: 401, json: { message: "Bad credentials" } };
    if (req.path === "/user") return { json: { login: "ada" } };
    const url = new URL(req.path, "http://x");
    const since = url.searchParams.get("since");
    if (url.pathname === "/repos/octo/app/issues" && since !== null) {
      // GitHub: open issues and pull requests updated at or after `since`, most recently updated first.
      return {
        json: DIGEST_ISSUES.filter((i) => Date.parse(i.updated_at) >= Date.parse(since)).sort((a, b) =>
          b.updated_at.localeCompare(a.updated_at),
        ),
      };
    }
    if (url.pathname === "/repos/octo/app/issues" && url.searchParams.get("labels") === "bug") {
      return {
        json: [
          { number: 7, title: "Login fails", html_url: "https://github.com/octo/app/issues/7" },
          { number: 8, title: "Fix login", html_url: "https://github.com/octo/app/pull/8", pull_request: {} },
          { number: 9, title: "Crash on save", html_url: "https://github.com/octo/app/issues/9" },
        ],
      };
    }
    return { status: 404, json: { message: "Not Found" } };
  });
  slack = await standIn((req) => {
    if (req.headers.authorization !== `Bearer ${SLACK_TOKEN}`)
      return { json: { ok: false, error: "invalid_auth" } };
    if (req.path === "/api/chat.postMessage")
      return slackRefuses ? { json: { ok: false, error: slackRefuses } } : { json: { ok: true, ts: "1.2" } };
    return { status: 404, json: { ok: false, error: "unknown_method" } };
  });
  google = await standIn((req) => {
    if (req.path === "/token") {
      const form = new URLSearchParams(req.body);
      const good =
        form.get("grant_type") === "refresh_token" &&
        form.get("refresh_token") === DRIVE.refresh_token &&
        form.get("client_id") === DRIVE.client_id &&
        form.get("client_secret") === DRIVE.client_secret;
      return good
        ? { json: { access_token: FRESH, token_type: "Bearer", expires_in: 3600 } }
        : { status: 400, json: { error: "invalid_grant" } };
    }
    if (req.headers.authorization !== `Bearer ${FRESH}`)
      return { status: 401, json: { error: "unauthorized" } };
    if (req.method === "POST" && req.path === "/upload/drive/v3/files?uploadType=media")
      return { json: { id: "file-1", name: "Untitled", mimeType: "application/json" } };
    if (req.method === "PATCH" && req.path === "/drive/v3/files/file-1")
      return { json: { id: "file-1", name: (req.json as { name?: string }).name } };
    return { status: 404, json: { error: "not found" } };
  });
  receiver = await standIn((req) => {
    const expected = `sha256=${createHmac("sha256", RELAY_SECRET).update(req.body).digest("hex")}`;
    return req.headers["x-signature-256"] === expected
      ? { json: { received: true } }
      : { status: 401, json: { error: "bad signature" } };
  });
  ex = await startLocalExecutor({
    recipes: [
      localRecipe("github", github.origin),
      localRecipe("slack", slack.origin, "/api"),
      localRecipe("google_drive", google.origin),
    ],
  });
  box = await sandbox();
  env = { ...box.env, ...ex.env };
  for (const [name, value, recipe] of [
    ["gh", GH_TOKEN, "github"],
    ["slack", SLACK_TOKEN, "slack"],
    ["drive", JSON.stringify(DRIVE), "google_drive"],
    ["relay_secret", RELAY_SECRET, undefined],
    ["gh_webhook_secret", HOOK_SECRET, undefined],
  ] as const) {
    // Signing secrets belong to no service: --raw says so (and keeps the "no recipe" warning away).
    const r = await cli(["creds", "push", name, ...(recipe ? ["--recipe", recipe] : ["--raw"])], value);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("warning");
  }
  for (const file of readdirSync(DIR).filter((f) => f.endsWith(".yaml"))) {
    const r = await cli(["workflow", "push", join(DIR, file)]);
    expect(r.code, `${file}: ${r.stderr}`).toBe(0);
  }
});

afterAll(async () => {
  await ex?.dispose();
  for (const s of [github, slack, google, receiver]) await s?.close();
  await box?.cleanup();
});

describe("examples/workflows on the local executor", () => {
  it("every example validates against the executor's components", async () => {
    for (const file of readdirSync(DIR).filter((f) => f.endsWith(".yaml"))) {
      const r = await cli(["workflow", "validate", join(DIR, file), "--json"]);
      expect(r.code, r.stdout).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ valid: true, components_checked: true });
    }
  });

  it("github-who-am-i: calls GET /user with the token and takes the ON_TRUE branch", async () => {
    const out = await runWorkflow("github-who-am-i");
    expect(out.status).toBe("succeeded");
    expect(out.trace.map((t) => t.node)).toEqual(["auth", "me", "ok", "hello"]);
    expect(out.output).toMatchObject({ branch: "true" });
  });

  it("github-issues-to-slack: one Slack message per labelled issue, pull requests left out", async () => {
    const before = slack.seen.length;
    const out = await runWorkflow("github-issues-to-slack", [
      "-i",
      "repo=octo/app",
      "-i",
      "label=bug",
      "-i",
      "channel=C0123",
    ]);
    expect(out.status).toBe("succeeded");
    const posts = slack.seen.slice(before).map((r) => r.json);
    expect(posts).toEqual([
      { channel: "C0123", text: "[octo/app#7] Login fails https://github.com/octo/app/issues/7" },
      { channel: "C0123", text: "[octo/app#9] Crash on save https://github.com/octo/app/issues/9" },
    ]);
    const gh = github.seen.at(-1);
    expect(new URL(gh?.path ?? "", "http://x").searchParams.get("state")).toBe("open");
  });

  it("github-issues-to-slack: a GitHub error is reported, nothing is posted", async () => {
    const before = slack.seen.length;
    const out = await runWorkflow("github-issues-to-slack", ["-i", "repo=octo/none", "-i", "label=bug"]);
    expect(out.output).toMatchObject({ data: { posted: 0, error: "GitHub answered 404" } });
    expect(slack.seen.length).toBe(before);
  });

  it("google-drive-backup: refreshes the expired token, uploads the document, names the file", async () => {
    const document = { theme: "dark", shortcuts: ["ctrl+k"], version: 3 };
    const out = await runWorkflow("google-drive-backup", [
      "--data",
      JSON.stringify({ name: "settings-backup.json", document }),
    ]);
    expect(out.output).toMatchObject({
      data: { saved: true, file_id: "file-1", name: "settings-backup.json", token_refreshed: true },
    });
    const upload = google.seen.find((r) => r.path.startsWith("/upload/"));
    expect(upload?.json).toEqual(document);
    expect(google.seen.filter((r) => r.path === "/token")).toHaveLength(1);
  });

  it("signed-webhook-relay: the receiver checks the HMAC over the exact body it got", async () => {
    const out = await runWorkflow("signed-webhook-relay", [
      "-i",
      `target=${receiver.origin}/hooks`,
      "--data",
      JSON.stringify({ event: { type: "order.paid", id: 42 } }),
    ]);
    expect(out.output).toMatchObject({ data: { delivered: true, status: 200 } });
    expect(JSON.parse(receiver.seen.at(-1)?.body ?? "null")).toEqual({ type: "order.paid", id: 42 });
  });

  it("verify-github-webhook: a good signature on a push is announced; a bad one is refused", async () => {
    const payload = JSON.stringify({ ref: "refs/heads/main", repository: { full_name: "octo/app" } });
    const signature = `sha256=${createHmac("sha256", HOOK_SECRET).update(payload).digest("hex")}`;
    const before = slack.seen.length;
    const pushed = await runWorkflow("verify-github-webhook", [
      "--data",
      JSON.stringify({ event: "push", signature, payload, channel: "C9", repository: "octo/app" }),
    ]);
    expect(pushed.trace.map((t) => t.node)).toEqual(["verify", "event", "slack", "announce"]);
    expect(slack.seen.slice(before).map((r) => r.json)).toEqual([
      { channel: "C9", text: "New push to octo/app" },
    ]);

    const other = await runWorkflow("verify-github-webhook", [
      "--data",
      JSON.stringify({ event: "star", signature, payload }),
    ]);
    expect(other.output).toMatchObject({ data: { accepted: true, event: "star", announced: false } });

    const forged = await runWorkflow("verify-github-webhook", [
      "--data",
      JSON.stringify({ event: "push", signature: `sha256=${"0".repeat(64)}`, payload }),
    ]);
    expect(forged.trace.map((t) => t.node)).toEqual(["verify", "refused"]);
    expect(forged.output).toMatchObject({ data: { accepted: false } });
  });

  describe("daily-digest: on the schedule, through the Worker's scheduled handler", () => {
    interface Logged {
      execution_id: string;
      status: string;
      output: { data?: Record<string, unknown> } | null;
      trace: { node: string; status: string; iteration?: number }[];
    }
    const CHANNEL = "C0123456"; // the `settings` node's constants
    const slackPosts = (from: number) =>
      slack.seen.slice(from).filter((r) => r.path === "/api/chat.postMessage");

    /** What Cloudflare's cron trigger (`* * * * *` in wrangler.toml) does at `iso`: wrangler dev's route for it. */
    async function fire(iso: string) {
      const query = new URLSearchParams({ cron: "* * * * *", time: String(Date.parse(iso)) });
      const res = await fetch(`${ex.url}/cdn-cgi/handler/scheduled?${query}`);
      expect(await res.text()).toBe("ok");
      expect(res.status).toBe(200);
    }

    /** `arcrun workflow logs daily-digest --json`: the runs, newest first. */
    async function logs(): Promise<Logged[]> {
      const r = await cli(["workflow", "logs", "daily-digest", "-n", "100", "--json"]);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { workflow: string; executions: Logged[] };
      expect(out.workflow).toBe("daily-digest");
      return out.executions;
    }

    it("has not run before its time: pushing it runs nothing", async () => {
      expect(await logs()).toEqual([]);
      const list = await cli(["workflow", "list", "--json"]);
      const workflows = (JSON.parse(list.stdout) as { workflows: { name: string; last_run: unknown }[] })
        .workflows;
      expect(workflows.find((w) => w.name === "daily-digest")).toEqual({
        name: "daily-digest",
        last_run: null,
      });
    });

    it("Monday 08:00 UTC: one Slack message with the issues changed since Friday 08:00, PRs left out", async () => {
      const slackFrom = slack.seen.length;
      const githubFrom = github.seen.length;
      await fire("2026-01-05T08:00:00Z");

      const posts = slackPosts(slackFrom);
      expect(posts).toHaveLength(1);
      expect(posts[0]?.json).toEqual({
        channel: CHANNEL,
        text: [
          "Issues updated in octo/app since Fri 2 Jan, 08:00 UTC: 2",
          "• #21 Crash on save (ada) https://github.com/octo/app/issues/21",
          "• #20 Login fails on Safari (grace) https://github.com/octo/app/issues/20",
        ].join("\n"),
      });
      expect(posts[0]?.headers.authorization).toBe(`Bearer ${SLACK_TOKEN}`);

      const asked = github.seen.slice(githubFrom);
      expect(asked).toHaveLength(1);
      const q = new URL(asked[0]?.path ?? "", "http://x");
      expect(q.pathname).toBe("/repos/octo/app/issues");
      expect(Object.fromEntries(q.searchParams)).toEqual({
        state: "open",
        since: "2026-01-02T08:00:00.000Z",
        sort: "updated",
        direction: "desc",
        per_page: "100",
      });
      expect(asked[0]?.headers.authorization).toBe(`Bearer ${GH_TOKEN}`);

      const [last, ...older] = await logs();
      expect(older).toEqual([]);
      expect(last?.status).toBe("succeeded");
      expect(last?.output?.data).toEqual({ posted: true, issues: 2, channel: CHANNEL, ts: "1.2" });
      expect(last?.trace.map((t) => t.node)).toEqual([
        "schedule",
        "settings",
        "day",
        "window",
        "since",
        "since_text",
        "github",
        "slack",
        "issues",
        "only_issues",
        "each",
        "line",
        "line",
        "lines",
        "text",
        "post",
        "sent",
        "done",
      ]);
      expect(last?.trace.filter((t) => t.node === "line").map((t) => t.iteration)).toEqual([0, 1]);
      const shown = JSON.stringify(last);
      expect(shown).not.toContain(GH_TOKEN);
      expect(shown).not.toContain(SLACK_TOKEN);

      const list = await cli(["workflow", "list", "--json"]);
      const workflows = (
        JSON.parse(list.stdout) as {
          workflows: { name: string; last_run: { id: string; status: string } | null }[];
        }
      ).workflows;
      expect(workflows.find((w) => w.name === "daily-digest")?.last_run).toMatchObject({
        id: last?.execution_id,
        status: "succeeded",
      });
    });

    it("a minute the expression does not match posts nothing and runs nothing; nor does a repeated event", async () => {
      const slackFrom = slack.seen.length;
      const githubFrom = github.seen.length;
      const runs = (await logs()).length;
      for (const iso of [
        "2026-01-05T08:00:40Z", // the same minute again: a repeated delivery of Monday's event
        "2026-01-05T08:01:00Z", // a minute late
        "2026-01-05T09:00:00Z", // the wrong hour
        "2026-01-03T08:00:00Z", // a Saturday
        "2026-01-04T08:00:00Z", // a Sunday
      ])
        await fire(iso);
      expect(slackPosts(slackFrom)).toEqual([]);
      expect(github.seen.length).toBe(githubFrom);
      expect(await logs()).toHaveLength(runs);
    });

    it("Tuesday: only what changed since Monday 08:00; Wednesday, with nothing new, posts nothing", async () => {
      // Issue 23 was opened on Monday afternoon.
      DIGEST_ISSUES.push(issue(23, "Export to CSV", "2026-01-05T15:00:00Z", "lin"));
      let slackFrom = slack.seen.length;
      await fire("2026-01-06T08:00:00Z");
      expect(slackPosts(slackFrom).map((r) => r.json)).toEqual([
        {
          channel: CHANNEL,
          text: "Issues updated in octo/app since Mon 5 Jan, 08:00 UTC: 1\n• #23 Export to CSV (lin) https://github.com/octo/app/issues/23",
        },
      ]);

      slackFrom = slack.seen.length;
      await fire("2026-01-07T08:00:00Z");
      expect(slackPosts(slackFrom)).toEqual([]);
      const [wednesday, tuesday] = await logs();
      expect(tuesday?.output?.data).toMatchObject({ posted: true, issues: 1 });
      expect(wednesday?.status).toBe("succeeded");
      expect(wednesday?.output?.data).toEqual({
        posted: false,
        issues: 0,
        since: "2026-01-06T08:00:00.000Z",
      });
      expect(wednesday?.trace.map((t) => t.node).slice(-3)).toEqual(["only_issues", "each", "quiet"]);
    });

    it("run by hand with a scheduled_time it does what that scheduled run would; without one it says what is missing", async () => {
      const slackFrom = slack.seen.length;
      const out = await runWorkflow("daily-digest", ["-i", "scheduled_time=2026-01-06T08:00:00Z"]);
      expect(out.output).toMatchObject({ data: { posted: true, issues: 1, channel: CHANNEL } });
      expect(slackPosts(slackFrom).map((r) => (r.json as { text: string }).text)).toEqual([
        "Issues updated in octo/app since Mon 5 Jan, 08:00 UTC: 1\n• #23 Export to CSV (lin) https://github.com/octo/app/issues/23",
      ]);

      const bare = await cli(["workflow", "run", "daily-digest", "--json"]);
      expect(bare.code).toBe(1);
      expect(bare.stdout).toBe("");
      const err = JSON.parse(bare.stderr.trim().split("\n").at(-1) ?? "{}") as {
        error: { code: string; message: string };
      };
      expect(err.error.code).toBe("ERR_TEMPLATE");
      expect(err.error.message).toContain('input has no "scheduled_time"');
      expect(err.error.message).toContain('"day"');
    });

    it("Slack refusing the message is in the run's output, with Slack's reason", async () => {
      DIGEST_ISSUES.push(issue(24, "Slow search", "2026-01-07T09:00:00Z", "ada"));
      slackRefuses = "not_in_channel";
      try {
        const slackFrom = slack.seen.length;
        await fire("2026-01-08T08:00:00Z");
        expect(slackPosts(slackFrom)).toHaveLength(1);
      } finally {
        slackRefuses = undefined;
      }
      const [thursday] = await logs();
      expect(thursday?.status).toBe("succeeded");
      expect(thursday?.output?.data).toEqual({ posted: false, error: "Slack answered not_in_channel" });
      expect(thursday?.trace.map((t) => t.node).slice(-2)).toEqual(["sent", "slack_error"]);
    });

    it("GitHub refusing the token fails the run at the issues node, and workflow list shows it failed", async () => {
      githubRevoked = true;
      const slackFrom = slack.seen.length;
      try {
        await fire("2026-01-09T08:00:00Z");
      } finally {
        githubRevoked = false;
      }
      expect(slackPosts(slackFrom)).toEqual([]);
      const [friday] = (await logs()) as (Logged & {
        error?: { code: string; node?: string; message: string };
      })[];
      expect(friday?.status).toBe("failed");
      expect(friday?.error).toMatchObject({ code: "ERR_COMPONENT_FAILED", node: "issues" });
      expect(friday?.error?.message).toContain("answered 401 Unauthorized");
      expect(friday?.error?.message).toContain("Bad credentials");
      expect(friday?.error?.message).not.toContain("since=");
      const list = await cli(["workflow", "list", "--json"]);
      const workflows = (
        JSON.parse(list.stdout) as { workflows: { name: string; last_run: { status: string } | null }[] }
      ).workflows;
      expect(workflows.find((w) => w.name === "daily-digest")?.last_run?.status).toBe("failed");
    });
  });

  it("no secret appears in anything the CLI printed", () => {
    const all = printed.join("\n");
    for (const s of [
      GH_TOKEN,
      SLACK_TOKEN,
      RELAY_SECRET,
      HOOK_SECRET,
      DRIVE.refresh_token,
      DRIVE.client_secret,
      FRESH,
    ])
      expect(all).not.toContain(s);
  });
});

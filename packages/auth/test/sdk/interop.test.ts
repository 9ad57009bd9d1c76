import { Octokit } from "@octokit/rest";
import { OAuth2Client } from "google-auth-library";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Auth, createAuth, MemoryStore } from "../../src/index.js";
import { localRecipe, tempHome } from "../helpers/home.js";
import { startServer, type TestServer } from "../helpers/server.js";

let api: TestServer;
let home: ReturnType<typeof tempHome>;
let auth: Auth;

beforeAll(async () => {
  api = await startServer((req, res) => {
    res.setHeader("content-type", "application/json");
    const path = new URL(req.url, "http://x").pathname;
    if (path === "/user") {
      res.end(JSON.stringify({ login: "octocat", id: 1 }));
    } else if (path === "/v1/models") {
      res.end(
        JSON.stringify({
          object: "list",
          data: [{ id: "gpt-test", object: "model", created: 0, owned_by: "me" }],
        }),
      );
    } else if (path === "/v1/chat/completions") {
      const body = JSON.parse(req.body) as { model: string };
      res.end(
        JSON.stringify({
          id: "c1",
          object: "chat.completion",
          created: 0,
          model: body.model,
          choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: "hi there" } }],
        }),
      );
    } else if (path === "/drive/v3/about") {
      res.end(JSON.stringify({ user: { displayName: "Drive User" } }));
    } else {
      res.statusCode = 404;
      res.end(JSON.stringify({ message: "Not Found" }));
    }
  });
  home = tempHome({
    github_local: localRecipe("github_local", "github", api.url),
    openai_local: localRecipe("openai_local", "openai", api.url, "/v1"),
    gdrive_local: localRecipe("gdrive_local", "google_drive", api.url),
  });
  auth = createAuth({
    home: home.home,
    store: new MemoryStore(),
    env: {},
    interactive: false,
    secretsDirs: [],
  });
  await auth.setSecret("github_local", { token: "ghp_interop_secret" });
  await auth.setSecret("openai_local", { api_key: "sk-interop-secret" });
});

afterAll(async () => {
  await auth.close();
  await api.close();
  home.cleanup();
});

const last = () => api.seen[api.seen.length - 1];

describe("SDK interop (real SDKs against a local server)", () => {
  it("Octokit with request.fetch = client.fetchFn", async () => {
    const gh = auth.bind("github_local");
    const octokit = new Octokit({ baseUrl: api.url, request: { fetch: gh.fetchFn } });
    const { data, status } = await octokit.rest.users.getAuthenticated();
    expect(status).toBe(200);
    expect(data.login).toBe("octocat");
    expect(last()?.headers.authorization).toBe("Bearer ghp_interop_secret");
    expect(last()?.headers["user-agent"]).toContain("octokit");
    await expect(octokit.request("GET /nope")).rejects.toMatchObject({ status: 404 });
  });

  it("OpenAI SDK with fetch = client.fetchFn; the SDK's placeholder key is replaced", async () => {
    const client = auth.bind("openai_local");
    const openai = new OpenAI({
      apiKey: "placeholder",
      baseURL: `${api.url}/v1`,
      fetch: client.fetchFn,
      maxRetries: 0,
    });
    const models = await openai.models.list();
    expect(models.data.map((m) => m.id)).toEqual(["gpt-test"]);
    expect(last()?.headers.authorization).toBe("Bearer sk-interop-secret");
    const chat = await openai.chat.completions.create({
      model: "gpt-test",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(chat.choices[0]?.message.content).toBe("hi there");
    expect(JSON.parse(last()?.body ?? "{}")).toMatchObject({ model: "gpt-test" });
  });

  it("google-auth-library with a token from auth.getToken", async () => {
    const token = await auth.getToken("gdrive_local", { secret: { access_token: "ya29.interop-token" } });
    const google = new OAuth2Client();
    google.setCredentials({ access_token: token.accessToken, token_type: token.tokenType });
    const res = await google.request<{ user: { displayName: string } }>({ url: `${api.url}/drive/v3/about` });
    expect(res.data.user.displayName).toBe("Drive User");
    expect(last()?.headers.authorization).toBe("Bearer ya29.interop-token");
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArcrunError, createAuth, MemoryStore, type Prompter, type PromptQuestion } from "../src/index.js";
import { localRecipe, tempHome } from "./helpers/home.js";
import { startServer, type TestServer } from "./helpers/server.js";

let api: TestServer;
let home: ReturnType<typeof tempHome>;
let secretsDir: string;

beforeAll(async () => {
  api = await startServer((req, res) => {
    // The stand-in accepts only the "good" token, like Notion's /users/me.
    res.statusCode = req.headers.authorization === "Bearer good-token" ? 200 : 401;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ object: res.statusCode === 200 ? "user" : "error" }));
  });
  home = tempHome({
    notion_local: localRecipe("notion_local", "notion", api.url, "/v1"),
    shopify_local: `id: shopify_local\nextends: shopify\nbase_url: "http://127.0.0.1:${api.port}/admin/api/{{secret.api_version}}"\nhosts: [127.0.0.1, "{{secret.shop}}"]\nrequired_secrets:\n  - { key: shop, label: Shop host, sensitive: false, pattern: "127\\\\.0\\\\.0\\\\.1|localhost" }\n  - { key: access_token, label: Admin API access token }\n  - { key: api_version, label: API version, sensitive: false, default: "2024-10", pattern: "\\\\d{4}-\\\\d{2}" }\n`,
  });
  secretsDir = mkdtempSync(join(tmpdir(), "arcrun-secrets-"));
});

afterAll(async () => {
  await api.close();
  home.cleanup();
  rmSync(secretsDir, { recursive: true, force: true });
});

function make(env: Record<string, string> = {}, extra: Parameters<typeof createAuth>[0] = {}) {
  return createAuth({
    home: home.home,
    store: new MemoryStore(),
    env,
    interactive: false,
    secretsDirs: [secretsDir],
    ...extra,
  });
}

class ScriptedPrompter implements Prompter {
  asked: PromptQuestion[] = [];
  constructor(private answers: Record<string, string>) {}
  async ask(q: PromptQuestion): Promise<string> {
    this.asked.push(q);
    return this.answers[q.key] ?? "";
  }
}

describe("the secret option is checked at run time", () => {
  // What a JavaScript caller or a JSON.parse result can pass: the types say Record<string, string>.
  const bindWith = (secret: unknown) =>
    make()
      .bind("notion_local", { secret: secret as Record<string, string> })
      .ready()
      .catch((e: unknown) => e);

  it("a string that is not a key: ERR_INVALID_OPTION saying what to pass", async () => {
    expect(await bindWith("good-token")).toMatchObject({
      code: "ERR_INVALID_OPTION",
      message:
        'notion_local: the secret option is a string that is not a JSON key; pass { secret: { token: "..." } }',
    });
  });

  it("a value that is not a string, or a name the recipe does not take: ERR_INVALID_OPTION naming the name only", async () => {
    expect(await bindWith({ token: 42 })).toMatchObject({
      code: "ERR_INVALID_OPTION",
      message:
        'notion_local: the secret option\'s "token" is number, not a string; pass { secret: { token: "..." } }',
    });
    const err = await bindWith({ tokn: "good-token" });
    expect(err).toMatchObject({
      code: "ERR_INVALID_OPTION",
      message:
        'notion_local: the secret option has "tokn", which the recipe does not take (it takes token, access_token, token_type, client_id, client_secret). Run: arcrun recipe show notion_local',
    });
    expect(String((err as Error).message)).not.toContain("good-token");
    expect(await bindWith(["good-token"])).toMatchObject({ code: "ERR_INVALID_OPTION" });
  });

  it("a Google service account key for a recipe without one: ERR_INVALID_OPTION", async () => {
    const key = {
      type: "service_account",
      private_key: "-----BEGIN PRIVATE KEY-----",
      client_email: "a@b.c",
    };
    expect(await bindWith(key)).toMatchObject({
      code: "ERR_INVALID_OPTION",
      message:
        "notion_local: the secret option is a Google service account key, but notion_local has no Google service account; pass the values the recipe asks for instead. Run: arcrun recipe show notion_local",
    });
    expect(await bindWith(JSON.stringify(key))).toMatchObject({ code: "ERR_INVALID_OPTION" });
  });

  it("getToken and getSecret check it the same way", async () => {
    await expect(make().getSecret("notion_local", { secret: "x" })).rejects.toMatchObject({
      code: "ERR_INVALID_OPTION",
    });
    await expect(make().getToken("notion_local", { secret: "x" })).rejects.toMatchObject({
      code: "ERR_INVALID_OPTION",
    });
  });
});

describe("credential sources, first match wins", () => {
  it("without any credential and no TTY: ERR_NEEDS_LOGIN naming the env var and the setup command", async () => {
    const auth = make();
    const err = await auth
      .bind("notion_local")
      .ready()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArcrunError);
    expect(err).toMatchObject({ code: "ERR_NEEDS_LOGIN", service: "notion_local", instance: "default" });
    expect((err as Error).message).toBe(
      'Notion (notion_local, instance "default") has no credential (missing: token). Set ARCRUN_NOTION_LOCAL_TOKEN, or run: arcrun setup notion_local',
    );
  });

  it("env ARCRUN_<SERVICE>_<KEY>, then the recipe's own env name", async () => {
    expect(
      (await make({ ARCRUN_NOTION_LOCAL_TOKEN: "good-token" }).bind("notion_local").ready()).source,
    ).toBe("env");
    const viaOwn = make({ NOTION_TOKEN: "good-token" });
    expect((await viaOwn.bind("notion_local").get("/users/me")).status).toBe(200);
    const both = make({ NOTION_TOKEN: "bad", ARCRUN_NOTION_LOCAL_TOKEN: "good-token" });
    expect((await both.bind("notion_local").get("/users/me")).status).toBe(200);
  });

  it("secret files <service>_<key>, with the trailing newline dropped", async () => {
    writeFileSync(join(secretsDir, "notion_local_token"), "good-token\n");
    try {
      const auth = make();
      expect((await auth.bind("notion_local").ready()).source).toBe("secret-file");
      expect((await auth.bind("notion_local").get("/users/me")).status).toBe(200);
    } finally {
      rmSync(join(secretsDir, "notion_local_token"));
    }
  });

  it("explicit secret beats env beats the store", async () => {
    const auth = make({ ARCRUN_NOTION_LOCAL_TOKEN: "good-token" });
    await auth.setSecret("notion_local", { token: "stored" });
    expect((await auth.bind("notion_local").ready()).source).toBe("env");
    expect((await auth.getSecret("notion_local", { secret: { token: "explicit" } })).token).toBe("explicit");
    expect(
      (
        await make()
          .bind("notion_local", { secret: { token: "good-token" } })
          .get("/users/me")
      ).status,
    ).toBe(200);
  });

  it("the store, when nothing else has it", async () => {
    const auth = make();
    await auth.setSecret("notion_local", { token: "good-token" });
    const info = await auth.bind("notion_local").ready();
    expect(info).toMatchObject({ source: "store", primitive: "static_key", baseUrl: `${api.url}/v1` });
    expect(JSON.stringify(info)).not.toContain("good-token");
    expect(await auth.getToken("notion_local")).toEqual({ accessToken: "good-token", tokenType: "static" });
  });

  it("an interactive prompt when allowed, stored for next time", async () => {
    const prompt = new ScriptedPrompter({ token: "good-token" });
    const auth = make({}, { interactive: true, prompt });
    expect((await auth.bind("notion_local").get("/users/me")).status).toBe(200);
    expect(prompt.asked).toEqual([
      {
        service: "notion_local",
        key: "token",
        label: "Internal Integration Token",
        help_url: "https://www.notion.so/my-integrations",
        sensitive: true,
      },
    ]);
    expect((await auth.getSecret("notion_local")).token).toBe("good-token");
  });
});

describe("instances", () => {
  it("keeps instances apart, default is 'default'; env for an instance uses two underscores", async () => {
    const auth = make({ ARCRUN_NOTION_LOCAL__WORK_TOKEN: "from-env-work" });
    await auth.setSecret("notion_local", { token: "home-token" });
    await auth.setSecret("notion_local", { token: "other-token" }, { instance: "other" });
    expect((await auth.getSecret("notion_local")).token).toBe("home-token");
    expect((await auth.getSecret("notion_local", { instance: "other" })).token).toBe("other-token");
    expect((await auth.getSecret("notion_local", { instance: "work" })).token).toBe("from-env-work");
    const info = await auth.status("notion_local");
    expect(info.instances.map((i) => [i.instance, i.source])).toEqual([
      ["default", "store"],
      ["other", "store"],
    ]);
  });

  it("refuses an instance name that could escape a path", () => {
    expect(() => make().bind("notion_local", { instance: "../x" })).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_OPTION" }),
    );
  });
});

describe("hosts from non-sensitive values", () => {
  it("renders base_url and hosts from values; the pattern guards the host", async () => {
    const auth = make();
    await auth.setSecret("shopify_local", { shop: "localhost", access_token: "good-token" });
    const c = auth.bind("shopify_local");
    expect((await c.ready()).baseUrl).toBe(`http://127.0.0.1:${api.port}/admin/api/2024-10`);
    await c.get("/shop.json");
    expect(api.seen[api.seen.length - 1]?.url).toBe("/admin/api/2024-10/shop.json");
    expect(api.seen[api.seen.length - 1]?.headers["x-shopify-access-token"]).toBe("good-token");
    expect((await c.ready()).hosts).toEqual(["127.0.0.1", "localhost"]);
    expect((await c.fetch(`http://localhost:${api.port}/admin/api/x`)).status).toBe(401);
    await expect(
      auth.setSecret("shopify_local", { shop: "evil.example.com", access_token: "x" }),
    ).rejects.toMatchObject({ code: "ERR_INVALID_SECRET" });
  });
});

describe("setSecret, login, logout, test, status, listServices", () => {
  it("setSecret checks keys and required values", async () => {
    const auth = make();
    await expect(auth.setSecret("notion_local", { tokn: "x" })).rejects.toMatchObject({
      code: "ERR_INVALID_OPTION",
      message: expect.stringContaining('notion_local has no secret "tokn"; its secrets are: token'),
    });
    await expect(auth.setSecret("notion_local", {})).rejects.toMatchObject({ code: "ERR_MISSING_SECRET" });
  });

  it("login with verify saves a good key and refuses a wrong one, storing nothing", async () => {
    const auth = make();
    const bad = await auth
      .login("notion_local", { values: { token: "wrong" }, verify: true })
      .catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: "ERR_TEST_FAILED" });
    expect((bad as Error).message).toContain("answered 401, expected 200: the credential was not saved");
    expect((bad as Error).message).not.toContain("wrong");
    expect((await auth.status("notion_local")).instances).toEqual([]);
    const ok = await auth.login("notion_local", { values: { token: "good-token" }, verify: true });
    expect(ok).toMatchObject({
      service: "notion_local",
      instance: "default",
      test: { ok: true, status: 200 },
    });
    expect((await auth.status("notion_local")).instances[0]).toMatchObject({
      status: "connected",
      source: "store",
    });
  });

  it("login prompts per secret when interactive, and refuses without a terminal", async () => {
    const prompt = new ScriptedPrompter({ shop: "127.0.0.1", access_token: "good-token" });
    const auth = make({}, { interactive: true, prompt });
    await auth.login("shopify_local");
    expect(prompt.asked.map((q) => [q.key, q.sensitive])).toEqual([
      ["shop", false],
      ["access_token", true],
      ["api_version", false],
    ]);
    expect((await auth.getSecret("shopify_local")).api_version).toBe("2024-10");
    await expect(make().login("notion_local")).rejects.toMatchObject({ code: "ERR_NOT_INTERACTIVE" });
  });

  it("test reports a wrong key without throwing", async () => {
    const t = await make().test("notion_local", { secret: { token: "nope" } });
    expect(t).toEqual({
      ok: false,
      tested: true,
      method: "GET",
      path: "/users/me",
      status: 401,
      expected: [200],
    });
  });

  it("logout deletes locally (static keys have nothing to revoke)", async () => {
    const auth = make();
    await auth.setSecret("notion_local", { token: "good-token" });
    expect(await auth.logout("notion_local")).toEqual({
      service: "notion_local",
      instance: "default",
      deleted: true,
      revocation: "not-supported",
    });
    expect((await auth.logout("notion_local")).deleted).toBe(false);
    await expect(auth.bind("notion_local").ready()).rejects.toMatchObject({ code: "ERR_NEEDS_LOGIN" });
  });

  it("listServices has every catalogue recipe plus user ones, with instances and their source", async () => {
    const auth = make({ ARCRUN_NOTION_TOKEN: "env-token" });
    await auth.setSecret("notion_local", { token: "good-token" });
    const all = await auth.listServices();
    const ids = all.map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining(["notion", "google_drive", "notion_local", "trello"]));
    expect(all.find((s) => s.id === "notion")?.instances).toEqual([
      { instance: "default", status: "connected", source: "env" },
    ]);
    expect(all.find((s) => s.id === "notion_local")).toMatchObject({
      userRecipe: true,
      primitive: "static_key",
      instances: [{ instance: "default", status: "connected", source: "store", type: "static_key" }],
    });
    expect(all.find((s) => s.id === "google_drive")?.primitives).toEqual(["oauth2", "service_account"]);
    const status = await auth.status();
    expect(status.store).toMatchObject({ kind: "memory" });
    expect(status.services.map((s) => s.id).sort()).toEqual(["notion", "notion_local"]);
  });
});

describe("errors", () => {
  it("unknown service: synchronous from bind when no user recipes exist", () => {
    const auth = createAuth({ home: join(tmpdir(), "arcrun-none-xyz"), store: new MemoryStore(), env: {} });
    expect(() => auth.bind("notoin")).toThrow(
      expect.objectContaining({
        code: "ERR_UNKNOWN_SERVICE",
        message: expect.stringMatching(/arcrun list$/),
      }),
    );
  });

  it("unknown service: did you mean the nearest ids by edit distance", async () => {
    const auth = createAuth({ home: join(tmpdir(), "arcrun-none-xyz"), store: new MemoryStore(), env: {} });
    let err: unknown;
    try {
      auth.bind("notoin");
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: "ERR_UNKNOWN_SERVICE" });
    expect((err as Error).message).toContain('Unknown service "notoin" (did you mean: notion?)');
    await expect(auth.recipe("gogle_drive")).rejects.toThrow("(did you mean: google_drive");
    // Nothing near: no suggestion, still the next step.
    await expect(auth.getToken("zzzzzzzzzzzz")).rejects.toThrow(
      /^Unknown service "zzzzzzzzzzzz"; a new service .*arcrun list$/,
    );
  });

  it("unknown service: user recipes are suggested too", async () => {
    await expect(make().recipe("notion_locl")).rejects.toThrow(/did you mean: .*notion_local/);
  });

  it("unknown service with user recipes: on first use", async () => {
    await expect(make().bind("nope_nope").ready()).rejects.toMatchObject({ code: "ERR_UNKNOWN_SERVICE" });
    await expect(make().getToken("nope_nope")).rejects.toMatchObject({ code: "ERR_UNKNOWN_SERVICE" });
  });

  it("a broken user recipe: only its service fails, with ERR_RECIPE_INVALID naming the file and key path", async () => {
    const h = tempHome({ broken: "id: broken\nextends: notion\nbase_url: ftp://x\n" });
    try {
      const auth = createAuth({ home: h.home, store: new MemoryStore(), env: {} });
      const services = await auth.listServices();
      expect(services.map((s) => s.id)).toContain("notion");
      expect(services.map((s) => s.id)).not.toContain("broken");
      expect((await auth.recipe("notion")).id).toBe("notion");
      const err = await auth.recipe("broken").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ArcrunError);
      expect(err).toMatchObject({ code: "ERR_RECIPE_INVALID", service: "broken" });
      expect((err as Error).message).toContain("broken.yaml: base_url");
      expect((err as Error).message).toContain("arcrun recipe validate");
      await expect(auth.bind("broken").ready()).rejects.toMatchObject({ code: "ERR_RECIPE_INVALID" });
      const errors = await auth.recipeErrors();
      expect(errors.map((e) => [e.service, e.file])).toEqual([
        ["broken", join(h.home, "recipes", "broken.yaml")],
      ]);
    } finally {
      h.cleanup();
    }
  });

  it("a broken override of a built-in id never falls back to the built-in recipe", async () => {
    const h = tempHome({
      // Unreadable YAML: the id comes from the file name.
      gitlab: "id: gitlab\nextends: gitlab\nbase_url: [https://git.example.com\n",
      // Extends a broken id: broken too, not silently the built-in gitlab.
      gitlab_work: "id: gitlab_work\nextends: gitlab\n",
      github:
        "id: github\nextends: github\nbase_url: https://ghe.example.com/api/v3\nhosts: [ghe.example.com]\n",
    });
    try {
      const auth = createAuth({ home: h.home, store: new MemoryStore(), env: {} });
      await expect(auth.recipe("gitlab")).rejects.toMatchObject({
        code: "ERR_RECIPE_INVALID",
        message: expect.stringContaining("gitlab.yaml:"),
      });
      await expect(auth.recipe("gitlab_work")).rejects.toMatchObject({
        code: "ERR_RECIPE_INVALID",
        message: expect.stringContaining("gitlab_work.yaml: extends"),
      });
      expect((await auth.recipe("github")).base_url).toBe("https://ghe.example.com/api/v3");
      const ids = (await auth.recipes()).map((r) => r.id);
      expect(ids).not.toContain("gitlab");
      expect(ids).toContain("notion");
      expect((await auth.recipeErrors()).map((e) => e.service)).toEqual(["gitlab", "gitlab_work"]);
    } finally {
      h.cleanup();
    }
  });

  it("ARCRUN_RECIPES_DIR adds recipes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "arcrun-recipes-"));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "extra_svc.yaml"), localRecipe("extra_svc", "notion", api.url, "/v1"));
    try {
      const auth = createAuth({
        home: join(tmpdir(), "arcrun-none-xyz"),
        store: new MemoryStore(),
        env: { ARCRUN_RECIPES_DIR: dir, ARCRUN_EXTRA_SVC_TOKEN: "good-token" },
        interactive: false,
      });
      expect((await auth.bind("extra_svc").get("/users/me")).status).toBe(200);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("via must be a primitive the recipe offers", async () => {
    await expect(make().bind("notion_local", { via: "aws_sigv4" }).ready()).rejects.toMatchObject({
      code: "ERR_INVALID_OPTION",
      message:
        "notion_local cannot be used via aws_sigv4; it offers static_key, oauth2. Run: arcrun recipe show notion_local",
    });
  });

  it("an explicit access token for an OAuth recipe is used as it is", async () => {
    const h = tempHome({ gdrive_local: localRecipe("gdrive_local", "google_drive", api.url) });
    try {
      const auth = createAuth({ home: h.home, store: new MemoryStore(), env: {}, interactive: false });
      const c = auth.bind("gdrive_local", { secret: { access_token: "good-token" } });
      expect((await c.get("/drive/v3/about")).status).toBe(200);
      expect(await auth.getToken("gdrive_local", { secret: { access_token: "tok" } })).toEqual({
        accessToken: "tok",
        tokenType: "Bearer",
      });
      await auth.close();
    } finally {
      h.cleanup();
    }
  });
});

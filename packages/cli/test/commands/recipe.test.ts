import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run, type Sandbox, sandbox } from "../helpers/cli.js";

let box: Sandbox;
beforeAll(async () => {
  box = await sandbox();
});
afterAll(async () => {
  await box.cleanup();
});

describe("arcrun recipe show", () => {
  it("--json prints the resolved recipe (extends merged, defaults applied)", async () => {
    const r = await run(["recipe", "show", "google_drive", "--json"], box.env);
    expect(r.code, r.stderr).toBe(0);
    const recipe = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(recipe).toMatchObject({ id: "google_drive", primitive: "oauth2", hosts: expect.any(Array) });
    expect(recipe).not.toHaveProperty("extends");
    expect(recipe.oauth2).toMatchObject({ token_url: expect.stringMatching(/^https:\/\//), pkce: "S256" });
  });

  it("shows each secret's environment variable names, in the order they are read", async () => {
    const r = await run(["recipe", "show", "notion"], box.env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("    env: ARCRUN_NOTION_TOKEN, NOTION_TOKEN, NOTION_API_KEY\n");
    expect(r.stdout).toContain("(another instance: ARCRUN_NOTION__<INSTANCE>_<KEY>)");
  });

  it("includes a user recipe from ARCRUN_HOME/recipes that extends a built-in", async () => {
    await writeFile(
      join(box.home, "recipes", "notion_staging.yaml"),
      "id: notion_staging\nextends: notion\ndisplay_name: Notion (staging)\nbase_url: http://127.0.0.1:9/v1\nhosts: [127.0.0.1]\n",
    );
    const r = await run(["recipe", "show", "notion_staging", "--json"], box.env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      id: "notion_staging",
      display_name: "Notion (staging)",
      base_url: "http://127.0.0.1:9/v1",
      required_secrets: [{ key: "token", label: "Internal Integration Token" }],
    });
    const human = await run(["recipe", "show", "notion_staging"], box.env);
    expect(human.stdout).toContain("Notion (staging) (notion_staging)");
    expect(human.stdout).toContain("token: Internal Integration Token");
  });

  it("an unknown id exits 1 with a suggestion", async () => {
    const r = await run(["recipe", "show", "gogle_drive"], box.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("did you mean: google_drive");
  });
});

describe("arcrun recipe validate", () => {
  it("accepts a valid file (exit 0) and says what it is", async () => {
    const file = join(box.home, "my_api.yaml");
    await writeFile(
      file,
      [
        "id: my_api",
        "display_name: My API",
        "docs_url: https://example.com/docs",
        "primitive: static_key",
        "base_url: https://api.example.com",
        "hosts: [api.example.com]",
        "required_secrets: [{ key: api_key, label: API key }]",
        'inject: { header: { X-Api-Key: "{{secret.api_key}}" } }',
        "",
      ].join("\n"),
    );
    const r = await run(["recipe", "validate", file, "--json"], box.env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      valid: true,
      file,
      id: "my_api",
      primitive: "static_key",
      abstract: false,
      warnings: [],
    });
  });

  it("warns (exit 0) on a secret in the query string, naming where", async () => {
    const file = join(box.home, "query_api.yaml");
    await writeFile(
      file,
      [
        "id: query_api",
        "display_name: Query API",
        "docs_url: https://example.com/docs",
        "primitive: static_key",
        "base_url: https://api.example.com",
        "hosts: [api.example.com]",
        "required_secrets: [{ key: api_key, label: API key }]",
        'inject: { query: { key: "{{secret.api_key}}" } }',
        "",
      ].join("\n"),
    );
    const r = await run(["recipe", "validate", file], box.env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${file}: inject > query > key: a secret in the URL`);
    const j = await run(["recipe", "validate", file, "--json"], box.env);
    expect(JSON.parse(j.stdout)).toMatchObject({
      valid: true,
      warnings: [{ key_path: ["inject", "query", "key"], message: expect.stringContaining("secret_in_url") }],
    });
  });

  it("refuses a wildcard on a public suffix (exit 1)", async () => {
    const file = join(box.home, "wide_api.yaml");
    await writeFile(
      file,
      [
        "id: wide_api",
        "display_name: Wide API",
        "docs_url: https://example.com/docs",
        "primitive: static_key",
        "base_url: https://api.example.co.uk",
        'hosts: [api.example.co.uk, "*.co.uk"]',
        "required_secrets: [{ key: api_key, label: API key }]",
        'inject: { header: { X-Api-Key: "{{secret.api_key}}" } }',
        "",
      ].join("\n"),
    );
    const r = await run(["recipe", "validate", file], box.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}: hosts > 1: a wildcard under a domain of the provider`);
  });

  it("names the file and the key path of a mistake (exit 1)", async () => {
    const file = join(box.home, "bad_api.yaml");
    await writeFile(
      file,
      "id: bad_api\nextends: notion\ndisplay_name: Bad\noauth2: { token_url: https://x.example.com/t, pkce: plain }\n",
    );
    const r = await run(["recipe", "validate", file], box.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}: oauth2 > pkce`);
    const j = await run(["recipe", "validate", file, "--json"], box.env);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.stdout)).toMatchObject({
      valid: false,
      file,
      error: { code: "ERR_RECIPE_INVALID", key_path: ["oauth2", "pkce"] },
    });
  });

  it("a missing file exits 1 with the path", async () => {
    const r = await run(["recipe", "validate", join(box.home, "nope.yaml")], box.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("nope.yaml: no such file");
  });
});

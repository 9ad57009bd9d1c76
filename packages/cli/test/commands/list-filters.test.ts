// `arcrun list --category/--search` through the built CLI, over the shipped catalogue plus a user recipe.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { loadCatalog } from "@arcrun/recipes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run, type Sandbox, sandbox } from "../helpers/cli.js";

let box: Sandbox;

interface Listed {
  services: { id: string; categories: string[] }[];
  suggestions?: { ids: string[]; categories: string[] };
}

async function listJson(args: string[]): Promise<Listed> {
  const r = await run(["list", ...args, "--json"], box.env);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Listed;
}

beforeAll(async () => {
  box = await sandbox();
  await writeFile(
    join(box.home, "recipes", "acme_mailer.yaml"),
    [
      "id: acme_mailer",
      "display_name: Acme Mailer",
      "description: Transactional messages for Acme",
      "docs_url: https://acme.example.com/docs/auth",
      "categories: [Email]",
      "primitive: static_key",
      "base_url: https://api.acme.example.com",
      "hosts: [api.acme.example.com]",
      "required_secrets: [{ key: token, label: API token }]",
      'inject: { header: { Authorization: "Bearer {{secret.token}}" } }',
      "",
    ].join("\n"),
  );
});
afterAll(async () => {
  await box.cleanup();
});

describe("arcrun list --category / --search", () => {
  it("--category keeps exactly the recipes of that category (any case), user recipes included", async () => {
    const want = loadCatalog()
      .filter((r) => r.categories.includes("email"))
      .map((r) => r.id);
    const out = await listJson(["--category", "EMAIL"]);
    expect(out.services.map((s) => s.id).sort()).toEqual([...want, "acme_mailer"].sort());
    for (const s of out.services) expect(s.categories.map((c) => c.toLowerCase())).toContain("email");
    expect(out.suggestions).toBeUndefined();
  });

  it("--search looks in id, display name and description", async () => {
    const ids = (await listJson(["--search", "mail"])).services.map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining(["gmail", "mailgun", "acme_mailer"]));
    expect(ids).not.toContain("github");
    // Only in the description of the user recipe.
    expect(
      (await listJson(["--search", "transactional messages for acme"])).services.map((s) => s.id),
    ).toEqual(["acme_mailer"]);
    // An id's underscores read as spaces.
    expect((await listJson(["--search", "google drive"])).services.map((s) => s.id)).toContain(
      "google_drive",
    );
  });

  it("--category and --search together narrow both ways; the table has only matching rows", async () => {
    // "google" alone finds gmail and google_sheets too; storage alone finds dropbox and box too.
    const google = (await listJson(["--search", "google"])).services.map((s) => s.id);
    expect(google).toEqual(expect.arrayContaining(["gmail", "google_sheets", "google_drive"]));
    const storage = (await listJson(["--category", "storage"])).services.map((s) => s.id);
    expect(storage).toEqual(expect.arrayContaining(["dropbox", "box", "google_drive"]));
    // Both filters: exactly the services in both lists, in the same order (the catalogue grows, so the
    // expected rows are the intersection rather than a fixed list).
    const both = google.filter((id) => storage.includes(id));
    expect(both).toEqual(expect.arrayContaining(["google_drive", "google_drive_sa"]));
    expect(both).not.toContain("dropbox");
    const out = await listJson(["--category", "storage", "--search", "google"]);
    expect(out.services.map((s) => s.id)).toEqual(both);
    const r = await run(["list", "--category", "storage", "--search", "google"], box.env);
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split("\n").slice(1);
    expect(rows.map((l) => l.split(/\s+/)[0])).toEqual(both);
  });

  it("nothing matching: an empty list, exit 0, and close ids and categories suggested", async () => {
    const out = await listJson(["--search", "gmial"]);
    expect(out.services).toEqual([]);
    expect(out.suggestions?.ids).toContain("gmail");
    const cat = await listJson(["--category", "emial"]);
    expect(cat.services).toEqual([]);
    expect(cat.suggestions?.categories).toContain("email");
    const r = await run(["list", "--category", "emial"], box.env);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(
      'No service matches category "emial". Did you mean categories: email? Run: arcrun list --category email',
    );
  });
});

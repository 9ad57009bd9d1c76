import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invocation, withInvocation } from "../../src/internal/invocation.js";
import { run, sandbox } from "../helpers/cli.js";

let root: string;
let script: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "arcrun-invocation-"));
  script = join(root, "project", "node_modules", "arcrun", "dist", "bin.js");
  await mkdir(join(script, ".."), { recursive: true });
  await writeFile(script, "#!/usr/bin/env node\n");
  await chmod(script, 0o755);
  await mkdir(join(root, "bin"));
  await symlink(script, join(root, "bin", "arcrun"));
  await mkdir(join(root, "project", "node_modules", "vitest"), { recursive: true });
  await writeFile(join(root, "project", "node_modules", "vitest", "vitest.mjs"), "");
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("invocation: how the user runs arcrun", () => {
  it("npx arcrun from a project's node_modules; arcrun when that same program is on PATH", () => {
    expect(invocation(script, { PATH: "/usr/bin:/bin" })).toBe("npx arcrun");
    expect(invocation(script, { PATH: `/usr/bin:${join(root, "bin")}` })).toBe("arcrun");
    expect(invocation(join(root, "elsewhere", "bin.js"), { PATH: "" })).toBe("arcrun");
    // A program that only imports the commands (vitest from node_modules) is not arcrun's own bin.
    expect(invocation(join(root, "project", "node_modules", "vitest", "vitest.mjs"), { PATH: "" })).toBe(
      "arcrun",
    );
  });

  it("rewrites the commands a message suggests, nothing else", () => {
    const m = "No credential for notion; run: arcrun setup notion (or `arcrun list`). arcrun-auth said so.";
    expect(withInvocation(m, "npx arcrun")).toBe(
      "No credential for notion; run: npx arcrun setup notion (or `npx arcrun list`). arcrun-auth said so.",
    );
    expect(withInvocation(m, "arcrun")).toBe(m);
  });

  it("the CLI run from a project install names npx arcrun in its error", async () => {
    const box = await sandbox();
    try {
      const project = join(root, "real", "node_modules", "arcrun");
      await mkdir(join(project, ".."), { recursive: true });
      // The workspace package under a node_modules path, as a project install has it.
      await symlink(join(__dirname, "..", ".."), project);
      const r = await run(
        ["token", "openai"],
        { ...box.env, PATH: "/usr/bin:/bin" },
        "",
        join(project, "dist", "bin.js"),
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("npx arcrun setup openai");
    } finally {
      await box.cleanup();
    }
  });
});

import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run, runInPty, type Sandbox, sandbox } from "./helpers/cli.js";

let box: Sandbox;
beforeAll(async () => {
  box = await sandbox();
});
afterAll(async () => {
  await box.cleanup();
});

const COMMANDS = [
  ["setup"],
  ["list"],
  ["status"],
  ["test"],
  ["token"],
  ["secret"],
  ["logout"],
  ["doctor"],
  ["recipe", "show"],
  ["recipe", "validate"],
];

describe("arcrun (top level)", () => {
  it("--version prints the package version", async () => {
    const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8")) as {
      version: string;
    };
    const r = await run(["--version"], box.env);
    expect(r).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it("--help lists every command and exits 0; no arguments prints it and exits 2", async () => {
    const help = await run(["--help"], box.env);
    expect(help.code).toBe(0);
    for (const c of COMMANDS) expect(help.stdout).toContain(c.join(" "));
    const none = await run([], box.env);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe(help.stdout);
  });

  it.each(COMMANDS.map((c) => c.join(" ")))("%s --help shows usage and exits 0", async (name) => {
    const cmd = name.split(" ");
    const r = await run([...cmd, "--help"], box.env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: arcrun ${cmd.join(" ")}`);
    expect(r.stdout).toContain("--help");
    const viaHelp = await run(["help", ...cmd], box.env);
    expect(viaHelp.stdout).toBe(r.stdout);
  });

  it.each([
    ["recipe", ["show", "validate"]],
    ["workflow", ["validate", "push", "run", "list", "logs", "delete"]],
    ["creds", ["push", "list", "delete"]],
  ])("%s --help (and help <group>) lists the group's subcommands and exits 0", async (group, subs) => {
    for (const args of [
      [group, "--help"],
      [group, "-h"],
      ["help", group],
    ]) {
      const r = await run(args, box.env);
      expect(r.code, args.join(" ")).toBe(0);
      expect(r.stderr).toBe("");
      expect(r.stdout).toContain(`Usage: arcrun ${group} <subcommand>`);
      for (const sub of subs) expect(r.stdout).toMatch(new RegExp(`^  ${sub} +\\S`, "m"));
    }
    // Without a subcommand it is still a usage error, pointing to the group's help.
    const bare = await run([group], box.env);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain(`run: arcrun ${group} --help`);
  });

  it.each([
    [["lst"], 'unknown command "lst" (did you mean: list'],
    [["recipe"], '"recipe" needs a subcommand: show, validate'],
    [["setup"], "missing <service>"],
    [["setup", "notion", "--bogus"], 'unknown option "--bogus"'],
    [["setup", "notion", "--instance"], "needs a value"],
    [["setup", "notion", "--instance", "a b"], "--instance must be"],
    [["setup", "notion", "--via", "magic"], "--via must be one of"],
    [["list", "extra"], 'unexpected argument "extra"'],
    [["token"], "missing <service>"],
  ])("usage error %j exits 2 with a pointer to --help", async (args, message) => {
    const r = await run(args, box.env);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(message);
    expect(r.stderr).toMatch(/run: arcrun [a-z ]*--help/);
  });

  it("with --json, an error is one JSON line on stderr and stdout stays empty", async () => {
    const r = await run(["recipe", "show", "notoin", "--json"], box.env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(JSON.parse(r.stderr)).toEqual({
      error: { code: "ERR_UNKNOWN_SERVICE", message: expect.stringContaining("did you mean: notion") },
    });
  });
});

describe("colour", () => {
  const ESC = "\u001b[";
  it("is on at a terminal, off with NO_COLOR, off in a pipe", async () => {
    const { NO_COLOR: _n, ...colourEnv } = box.env;
    const coloured = await runInPty(["recipe", "validate", "/nonexistent/x.yaml"], colourEnv, []);
    expect(coloured.code).toBe(1);
    expect(coloured.output).toContain(ESC);
    const plain = await runInPty(
      ["recipe", "validate", "/nonexistent/x.yaml"],
      { ...colourEnv, NO_COLOR: "1" },
      [],
    );
    expect(plain.code).toBe(1);
    expect(plain.output).not.toContain(ESC);
    expect(plain.output).toContain("cannot read /nonexistent/x.yaml");
    const piped = await run(["recipe", "validate", "/nonexistent/x.yaml"], colourEnv);
    expect(piped.stderr).not.toContain(ESC);
  });
});

import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fromProcess } from "@aws-sdk/credential-provider-process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, run, type Sandbox, sandbox } from "../helpers/cli.js";

const GITHUB_TOKEN = `ghp_${randomBytes(16).toString("hex")}`;
const AWS_KEY_ID = `AKIA${randomBytes(8).toString("hex").toUpperCase()}`;
const AWS_SECRET = randomBytes(30).toString("base64");
const BITBUCKET_TOKEN = `ATATT${randomBytes(16).toString("hex")}`;
let box: Sandbox;

/** Single quotes for sh. */
const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

beforeAll(async () => {
  box = await sandbox();
  box.env.ARCRUN_STORE = "encrypted-file";
  const gh = await run(["setup", "github", "--no-verify"], box.env, `${GITHUB_TOKEN}\n`);
  expect(gh.code, gh.stderr).toBe(0);
  // access key id, secret, session token (left out), region (the default)
  const aws = await run(["setup", "aws_s3", "--no-verify"], box.env, `${AWS_KEY_ID}\n${AWS_SECRET}\n\n\n`);
  expect(aws.code, aws.stderr).toBe(0);
  const bb = await run(
    ["setup", "bitbucket", "--no-verify"],
    box.env,
    `me@example.com\n${BITBUCKET_TOKEN}\n`,
  );
  expect(bb.code, bb.stderr).toBe(0);
});

afterAll(async () => {
  await box?.cleanup();
});

function git(
  args: string[],
  input: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, {
      env: { ...box.env, GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_NOSYSTEM: "1" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe("arcrun git-credential", () => {
  it("git credential fill returns the stored GitHub token for https://github.com", async () => {
    const helper = `!${q(process.execPath)} ${q(BIN)} git-credential`;
    const r = await git(
      ["-c", `credential.helper=${helper}`, "credential", "fill"],
      "url=https://github.com\n\n",
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("protocol=https\nhost=github.com\n");
    expect(r.stdout).toContain("username=x-access-token\n");
    expect(r.stdout).toContain(`password=${GITHUB_TOKEN}\n`);
  });

  it("bitbucket.org gets the recipe's static username and its api_token, not the e-mail", async () => {
    const r = await run(["git-credential", "get"], box.env, "protocol=https\nhost=bitbucket.org\n\n");
    expect(r).toMatchObject({
      code: 0,
      stdout: `username=x-bitbucket-api-token-auth\npassword=${BITBUCKET_TOKEN}\n`,
    });
  });

  it("prints nothing for a host no recipe serves, a gitlab.com without credential, http, store and erase", async () => {
    for (const input of [
      "protocol=https\nhost=example.com\n\n",
      "protocol=http\nhost=github.com\n\n",
      "protocol=https\nhost=gitlab.com\n\n",
    ]) {
      const r = await run(["git-credential", "get"], box.env, input);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe("");
    }
    const gitlab = await run(["git-credential", "get"], box.env, "protocol=https\nhost=gitlab.com\n\n");
    expect(gitlab.stderr).toContain("arcrun setup gitlab");
    for (const action of ["store", "erase"]) {
      const r = await run(
        ["git-credential", action],
        box.env,
        `protocol=https\nhost=github.com\nusername=x\npassword=${GITHUB_TOKEN}\n\n`,
      );
      expect(r).toMatchObject({ code: 0, stdout: "" });
    }
    const again = await run(["git-credential", "get"], box.env, "protocol=https\nhost=github.com\n\n");
    expect(again.stdout).toContain(`password=${GITHUB_TOKEN}`);
    expect((await run(["git-credential", "list"], box.env)).code).toBe(2);
  });
});

describe("arcrun token --format", () => {
  it("the AWS SDK's fromProcess provider reads aws_s3 credentials (credential_process, Version 1)", async () => {
    // credential_process runs with the SDK's environment: a wrapper gives arcrun the sandbox's.
    const wrapper = join(box.home, "aws-credentials.sh");
    const exports = Object.entries(box.env)
      .map(([k, v]) => `export ${k}=${q(v)}`)
      .join("\n");
    await writeFile(
      wrapper,
      `#!/bin/sh\n${exports}\nexec ${q(process.execPath)} ${q(BIN)} token aws_s3 --format aws-process\n`,
    );
    await chmod(wrapper, 0o700);
    const config = join(box.home, "aws-config");
    await writeFile(config, `[profile arcrun]\ncredential_process = ${wrapper}\n`);
    const credentials = join(box.home, "aws-credentials");
    await writeFile(credentials, "");
    const provider = fromProcess({ profile: "arcrun", configFilepath: config, filepath: credentials });
    const creds = await provider();
    expect(creds.accessKeyId).toBe(AWS_KEY_ID);
    expect(creds.secretAccessKey).toBe(AWS_SECRET);
    expect(creds.sessionToken).toBeUndefined();
  });

  it("env prints export lines that sh evaluates back to the values; json and plain as before", async () => {
    const env = await run(["token", "aws_s3", "--format", "env"], box.env);
    expect(env.code, env.stderr).toBe(0);
    // The same variables `arcrun run --service aws_s3` sets (one renderer): no session token was stored.
    expect(env.stdout).toBe(
      [
        `export AWS_ACCESS_KEY_ID='${AWS_KEY_ID}'`,
        `export AWS_SECRET_ACCESS_KEY='${AWS_SECRET}'`,
        "export AWS_REGION='us-east-1'",
        "export AWS_DEFAULT_REGION='us-east-1'",
        "",
      ].join("\n"),
    );
    const check = await new Promise<string>((resolve, reject) => {
      execFile(
        "sh",
        ["-c", `eval "$(${q(process.execPath)} ${q(BIN)} token github --format env)"; printf %s "$GH_TOKEN"`],
        { env: box.env },
        (err, stdout) => (err ? reject(err) : resolve(stdout)),
      );
    });
    expect(check).toBe(GITHUB_TOKEN);
    const json = await run(["token", "github", "--format", "json"], box.env);
    expect(JSON.parse(json.stdout)).toMatchObject({ access_token: GITHUB_TOKEN, token_type: "static" });
    expect((await run(["token", "github", "--format", "plain"], box.env)).stdout).toBe(`${GITHUB_TOKEN}\n`);
  });

  it("refuses aws-process for a service that is not AWS, and an unknown format", async () => {
    const r = await run(["token", "github", "--format", "aws-process"], box.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("aws-process is for aws_sigv4 recipes");
    expect(r.stdout).toBe("");
    const u = await run(["token", "github", "--format", "yaml"], box.env);
    expect(u.code).toBe(2);
    expect(u.stderr).toContain("--format must be one of plain, json, env, aws-process");
  });
});

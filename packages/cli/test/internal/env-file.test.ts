import { describe, expect, it } from "vitest";
import { parseEnvFile, parseReference } from "../../src/internal/env-file.js";

describe("parseEnvFile", () => {
  it("reads NAME=value lines: export, comments, quotes and escapes", () => {
    const text = [
      "# a comment",
      "",
      "export GITHUB_TOKEN=arcrun://github/token",
      "PLAIN=hello # trailing comment",
      "SINGLE='a # b \\n'",
      'DOUBLE="line\\nnext \\"q\\""',
      "EMPTY=",
    ].join("\n");
    expect(parseEnvFile(text, ".env").map(({ name, value }) => [name, value])).toEqual([
      ["GITHUB_TOKEN", "arcrun://github/token"],
      ["PLAIN", "hello"],
      ["SINGLE", "a # b \\n"],
      ["DOUBLE", 'line\nnext "q"'],
      ["EMPTY", ""],
    ]);
  });

  it("names the file and line of a line that is not NAME=value", () => {
    expect(() => parseEnvFile("OK=1\nnot a line\n", "app.env")).toThrow(
      expect.objectContaining({ code: "ERR_ENV_FILE", message: "app.env:2: expected NAME=value." }),
    );
  });
});

describe("parseReference", () => {
  it("reads arcrun://service/key and arcrun://service/instance/key; plain values are not references", () => {
    expect(parseReference("arcrun://github/token", "x")).toEqual({
      service: "github",
      instance: "default",
      key: "token",
    });
    expect(parseReference("arcrun://aws_s3/work/secret_access_key", "x")).toEqual({
      service: "aws_s3",
      instance: "work",
      key: "secret_access_key",
    });
    expect(parseReference("https://example.com", "x")).toBeUndefined();
  });

  it("refuses a malformed reference with the shape to write", () => {
    expect(() => parseReference("arcrun://GitHub", ".env:3")).toThrow(
      expect.objectContaining({
        code: "ERR_ENV_FILE",
        next: expect.stringContaining("arcrun://<service>/<key>"),
      }),
    );
  });
});

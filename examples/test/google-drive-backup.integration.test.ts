import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createAuth } from "../../packages/auth/src/index.js";
import {
  type ConsentBrowser,
  consentFlow,
  launchConsentBrowser,
} from "../../packages/auth/test/support/chromium.js";
import { makeHome, type TestHome } from "../../packages/auth/test/support/home.js";
import { startTestProvider, type TestProvider } from "../../packages/auth/test/support/oidc-provider.js";

const EXAMPLE = fileURLToPath(new URL("../google-drive-backup.ts", import.meta.url));
const uploads: Array<{ name: string; content: string; sub: string | undefined }> = [];
let op: TestProvider;
let home: TestHome;
let browser: ConsentBrowser;

/** A stand-in for Drive's multipart upload endpoint, behind the test provider's token check. */
function parseMultipart(body: Buffer, contentType: string): { metadata: { name: string }; content: string } {
  const boundary = /boundary=([^;]+)/.exec(contentType)?.[1] ?? "";
  const parts = body
    .toString("latin1")
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((p) => p.slice(p.indexOf("\r\n\r\n") + 4, -2));
  return {
    metadata: JSON.parse(parts[0] ?? "{}") as { name: string },
    content: Buffer.from(parts[1] ?? "", "latin1").toString(),
  };
}

beforeAll(async () => {
  op = await startTestProvider({
    resource: (req, res, token, body) => {
      const url = new URL(req.url ?? "/", "http://x");
      if (req.method !== "POST" || url.pathname !== "/api/upload/drive/v3/files") return false;
      if (url.searchParams.get("uploadType") !== "multipart") {
        res.writeHead(400).end();
        return true;
      }
      const { metadata, content } = parseMultipart(body, String(req.headers["content-type"]));
      uploads.push({ name: metadata.name, content, sub: token.sub });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: `file-${uploads.length}`, name: metadata.name }));
      return true;
    },
  });
  home = await makeHome();
  browser = await launchConsentBrowser();
  // google_drive as a user recipe pointed at the local provider and the Drive stand-in.
  await home.writeRecipe({
    id: "google_drive",
    display_name: "Google Drive",
    docs_url: "https://developers.google.com/drive/api/guides/about-sdk",
    primitive: "oauth2",
    base_url: op.resourceUrl,
    hosts: ["127.0.0.1"],
    oauth2: {
      authorize_url: op.urls.authorize,
      token_url: op.urls.token,
      revoke_url: op.urls.revoke,
      scopes: ["openid", "offline_access"],
      authorization_params: { prompt: "consent" },
      token_auth_method: "none",
      client: "byo",
    },
    inject: { header: { Authorization: "Bearer {{runtime.access_token}}" } },
  });
  home.env.ARCRUN_GOOGLE_DRIVE_CLIENT_ID = op.nativeClient.client_id;
});

afterAll(async () => {
  await browser?.close();
  await op?.close();
  await home?.cleanup();
});

it("examples/google-drive-backup.ts: consent once in the browser, then the script uploads a file", async () => {
  const auth = createAuth({ env: home.env, interactive: false });
  await auth.login("google_drive", { ...consentFlow(browser), output: process.stderr });
  await auth.close();

  const file = join(home.dir, "backup.txt");
  await writeFile(file, "every byte of the backup");
  const tsx = createRequire(import.meta.url).resolve("tsx");
  const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ["--import", tsx, EXAMPLE, file], { env: home.env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
  expect(out.code, out.stderr).toBe(0);
  expect(out.stdout).toBe("uploaded backup.txt (id file-1)\n");
  expect(uploads).toEqual([{ name: "backup.txt", content: "every byte of the backup", sub: "alice" }]);
});

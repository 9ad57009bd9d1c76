/**
 * Back up a file to Google Drive: the seed use case of arcrun-auth.
 *
 *   npx tsx examples/google-drive-backup.ts ./backup.zip
 *
 * The first run opens the browser for consent (or run `arcrun setup google_drive` first); later runs use
 * the stored token and refresh it when needed. Nothing here handles a token.
 */
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { pathToFileURL } from "node:url";
import { auth } from "arcrun-auth";

export interface UploadedFile {
  id: string;
  name: string;
}

/** Uploads one file with Drive's multipart upload (metadata + content in one request). */
export async function backup(path: string, name = basename(path)): Promise<UploadedFile> {
  const drive = auth.bind("google_drive");
  const content = await readFile(path);
  const boundary = `arcrun-${Date.now().toString(36)}`;
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\ncontent-type: application/json; charset=UTF-8\r\n\r\n${JSON.stringify({ name })}\r\n` +
        `--${boundary}\r\ncontent-type: application/octet-stream\r\n\r\n`,
    ),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const res = await drive.post("/upload/drive/v3/files", {
    query: { uploadType: "multipart", fields: "id,name" },
    headers: { "content-type": `multipart/related; boundary=${boundary}` },
    body,
  });
  if (!res.ok) throw new Error(`Drive answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  return (await res.json()) as UploadedFile;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write("usage: google-drive-backup <file>\n");
    process.exit(2);
  }
  const uploaded = await backup(file);
  process.stdout.write(`uploaded ${uploaded.name} (id ${uploaded.id})\n`);
  await auth.close();
}

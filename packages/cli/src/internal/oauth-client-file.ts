/**
 * The OAuth client file a provider lets you download: Google Cloud's `client_secret_<id>.json`, whose
 * "installed" (Desktop app) or "web" object holds client_id, client_secret and redirect_uris
 * (https://developers.google.com/identity/protocols/oauth2/native-app, "Download the client
 * configuration"). `arcrun setup` takes its path instead of pasted values.
 */
import { readFile } from "node:fs/promises";
import { CliError } from "./errors.js";

export interface ClientFile {
  client_id: string;
  client_secret?: string;
  /** The kind of client the file describes ("installed": a Desktop app; "web": a Web application). */
  kind: "installed" | "web";
  redirect_uris: string[];
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Whether an answer to the client-id prompt names a file rather than being an id. */
export function looksLikePath(answer: string): boolean {
  return /[/\\]/.test(answer) || answer.toLowerCase().endsWith(".json");
}

/** Reads and checks a client file; errors name the file and what is wrong, never a value from it. */
export async function readClientFile(path: string): Promise<ClientFile> {
  const text = await readFile(path, "utf8").catch(() => undefined);
  const fix = "give the path of the JSON file the provider's console downloaded, or paste the client id";
  if (text === undefined) throw new CliError("ERR_INVALID_INPUT", `${path}: no such file`, fix);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new CliError("ERR_INVALID_INPUT", `${path}: not valid JSON`, fix);
  }
  const kind = isRecord(doc) ? (["installed", "web"] as const).find((k) => isRecord(doc[k])) : undefined;
  const entry = kind && isRecord(doc) ? doc[kind] : undefined;
  if (!kind || !isRecord(entry) || typeof entry.client_id !== "string" || entry.client_id === "") {
    throw new CliError(
      "ERR_INVALID_INPUT",
      `${path}: not an OAuth client file (no "installed" or "web" object with a client_id)`,
      fix,
    );
  }
  const uris = Array.isArray(entry.redirect_uris)
    ? entry.redirect_uris.filter((u): u is string => typeof u === "string")
    : [];
  return {
    client_id: entry.client_id,
    ...(typeof entry.client_secret === "string" && entry.client_secret !== ""
      ? { client_secret: entry.client_secret }
      : {}),
    kind,
    redirect_uris: uris,
  };
}

/**
 * List the people in a Notion workspace with a static key.
 *
 *   arcrun setup notion            # once: hidden prompt, live check, saved to the OS keyring
 *   npx tsx examples/notion-users.ts
 *
 * In CI or a container, set ARCRUN_NOTION_TOKEN (or NOTION_TOKEN) instead of running setup.
 */
import { pathToFileURL } from "node:url";
import { auth, isArcrunError } from "arcrun-auth";

export interface NotionUser {
  id: string;
  name: string | null;
  type: "person" | "bot";
}

/** Every user of the workspace, following Notion's cursor pagination. */
export async function listUsers(): Promise<NotionUser[]> {
  const notion = auth.bind("notion");
  const users: NotionUser[] = [];
  let cursor: string | undefined;
  do {
    const res = await notion.get("/users", { query: { page_size: 100, start_cursor: cursor } });
    if (!res.ok) throw new Error(`Notion answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    const page = (await res.json()) as { results: NotionUser[]; next_cursor: string | null };
    users.push(...page.results);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return users;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  try {
    for (const u of await listUsers()) process.stdout.write(`${u.type}\t${u.name ?? "(no name)"}\n`);
  } catch (err) {
    // ArcrunError messages end with the next step, e.g. "run: arcrun setup notion".
    process.stderr.write(`${isArcrunError(err) ? `${err.code}: ${err.message}` : String(err)}\n`);
    process.exitCode = 1;
  } finally {
    await auth.close();
  }
}

import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, readdir, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** Creates `dir` (and parents) with mode 0700; tightens an existing directory we created to 0700. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

/**
 * Writes a file so that a reader sees the old content or the new, never a mix, even if the process is
 * killed: the data goes to a temporary file in the same directory (mode 0600), is fsynced, then renamed
 * over the target (rename is atomic on POSIX), and the directory is fsynced so the rename survives a crash.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: { mode?: number } = {},
): Promise<void> {
  const mode = options.mode ?? 0o600;
  const dir = dirname(path);
  await ensurePrivateDir(dir);
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`; // see removeOrphanTemps
  const fh = await open(tmp, "wx", mode);
  try {
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    // The umask may have loosened the mode given to open(); make sure.
    await chmod(tmp, mode);
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await syncDir(dir);
}

async function syncDir(dir: string): Promise<void> {
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(dir, "r");
    await fh.sync();
  } catch {
    // Some file systems cannot fsync a directory; the rename itself is still atomic.
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes the temporary files `writeFileAtomic(path)` left behind when its process was killed between
 * creating and renaming one (`<path>.<pid>.<random>.tmp`). `all: false` removes only those whose process is
 * gone, which is safe without a lock; `all: true` removes every one, for a caller holding the file's lock
 * (no other writer can be between open and rename then). Returns how many were removed.
 */
export async function removeOrphanTemps(path: string, options: { all: boolean }): Promise<number> {
  const dir = dirname(path);
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const m = name.startsWith(prefix) ? /^(\d+)\.[0-9a-f]+\.tmp$/.exec(name.slice(prefix.length)) : null;
    if (!m) continue;
    if (!options.all && alive(Number(m[1]))) continue;
    await unlink(join(dir, name)).then(
      () => removed++,
      () => undefined,
    );
  }
  return removed;
}

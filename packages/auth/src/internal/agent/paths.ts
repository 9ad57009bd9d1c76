import { createHash } from "node:crypto";
import { lstat, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ArcrunError } from "../../errors.js";

type Env = Readonly<Record<string, string | undefined>>;

const uid = (): number => process.getuid?.() ?? -1;

/**
 * A per-user file about one ARCRUN_HOME in the user's private runtime directory: `$XDG_RUNTIME_DIR/arcrun/`
 * (a per-user tmpfs that ends with the login), else `$TMPDIR/arcrun-<uid>/`, named by a hash of the home's
 * path (ssh-agent and gpg-agent keep their sockets the same way). Short enough for sun_path's 108 bytes.
 */
export function runtimeFile(home: string, env: Env, kind: "agent" | "notice", ext: string): string {
  const base = env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, "arcrun") : join(tmpdir(), `arcrun-${uid()}`);
  const id = createHash("sha256").update(resolve(home)).digest("hex").slice(0, 16);
  return join(base, `${kind}-${id}.${ext}`);
}

/** Where the agent of one ARCRUN_HOME listens. */
export function agentSocketPath(home: string, env: Env): string {
  return runtimeFile(home, env, "agent", "sock");
}

/** Why a directory or socket is not private to this user, or undefined when it is. */
function unsafe(st: { uid: number; mode: number }, what: string, mode: number): string | undefined {
  if (st.uid !== uid()) return `${what} belongs to another user (uid ${st.uid})`;
  if ((st.mode & 0o777) !== mode)
    return `${what} has mode 0${(st.mode & 0o777).toString(8)}, not 0${mode.toString(8)}`;
  return undefined;
}

/**
 * Creates the socket's directory 0700, or checks an existing one is a real directory (not a link) of this
 * user with mode 0700: in a shared /tmp another user could have made it first.
 */
export async function privateRuntimeDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await lstat(dir);
  const why = !st.isDirectory() ? `${dir} is not a directory` : unsafe(st, dir, 0o700);
  if (why) {
    throw new ArcrunError(
      "ERR_STORE_UNAVAILABLE",
      `${why}, so the agent will not use it. Remove it (or set XDG_RUNTIME_DIR to a private directory), then run: arcrun unlock`,
    );
  }
}

/**
 * Checks, before trusting what answers there, that the socket and its directory are this user's and
 * private (0600 in a 0700 directory). Returns why not, or undefined when they are.
 */
export async function checkSocket(path: string, dir: string): Promise<string | undefined> {
  const [d, s] = await Promise.all([lstat(dir), lstat(path)]);
  if (!d.isDirectory()) return `${dir} is not a directory`;
  if (!s.isSocket()) return `${path} is not a socket`;
  return unsafe(d, dir, 0o700) ?? unsafe(s, path, 0o600);
}

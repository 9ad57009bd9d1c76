import { lstat, unlink } from "node:fs/promises";
import { connect, createServer, type Socket } from "node:net";
import { dirname } from "node:path";
import { checkSocket, privateRuntimeDir } from "./paths.js";
import type { AgentReply, AgentRequest, AgentStart } from "./protocol.js";

/** setTimeout's longest delay (2^31 - 1 ms, about 24.8 days); longer waits are chained. */
const MAX_DELAY = 2 ** 31 - 1;

function readStart(): Promise<AgentStart> {
  return new Promise((resolve, reject) => {
    let text = "";
    const onData = (d: Buffer) => {
      text += d.toString("utf8");
      const nl = text.indexOf("\n");
      if (nl < 0) {
        if (text.length > 4096) reject(new Error("start line too long"));
        return;
      }
      process.stdin.removeListener("data", onData);
      process.stdin.destroy();
      try {
        resolve(JSON.parse(text.slice(0, nl)) as AgentStart);
      } catch (err) {
        reject(err);
      }
    };
    process.stdin.on("data", onData);
    process.stdin.once("end", () => reject(new Error("stdin ended before the start line")));
  });
}

/** Whether an agent already answers on `path`. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/**
 * The agent of `arcrun unlock` (docs/cli.md, "arcrun unlock"): holds one unlocked key in memory and hands
 * it to processes of the same user through a unix socket, mode 0600 in a directory of mode 0700. The kernel
 * enforces both on connect(2) (unix(7): connecting needs write permission on the socket); Node exposes no
 * SO_PEERCRED, so before every answer the agent checks again that the socket and its directory are still
 * its own and private, and forgets the key and exits when they are not. It forgets the key and exits at
 * expiry, on `lock`, and on SIGTERM/SIGINT/SIGHUP. The key arrives on stdin, never in argv or the environment.
 */
export async function runKeyAgent(): Promise<void> {
  process.title = "arcrun-agent";
  const start = await readStart();
  const key = Buffer.from(start.key, "base64");
  if (key.length !== 32) throw new Error("the key must be 32 bytes");
  const socketPath = start.socket;
  const dir = dirname(socketPath);
  await privateRuntimeDir(dir);
  if (await answers(socketPath))
    throw new Error(`an agent already answers on ${socketPath}; run: arcrun lock`);
  await unlink(socketPath).catch(() => undefined);

  const server = createServer();
  let ino = -1;
  let ended = false;
  let timer: NodeJS.Timeout | undefined;
  const end = async (code: number) => {
    if (ended) return;
    ended = true;
    key.fill(0);
    clearTimeout(timer);
    server.close();
    const st = await lstat(socketPath).catch(() => undefined);
    if (st?.ino === ino) await unlink(socketPath).catch(() => undefined);
    process.exit(code);
  };
  for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(sig, () => void end(0));
  const arm = () => {
    const left = start.expires_at - Date.now();
    if (left <= 0) return void end(0);
    timer = setTimeout(arm, Math.min(left, MAX_DELAY));
  };

  const answer = (sock: Socket, reply: AgentReply) => sock.end(`${JSON.stringify(reply)}\n`);
  server.on("connection", (sock) => {
    sock.setTimeout(5000, () => sock.destroy());
    let text = "";
    sock.on("error", () => sock.destroy());
    sock.on("data", async (d: Buffer) => {
      text += d.toString("utf8");
      if (text.length > 1024) return sock.destroy();
      const nl = text.indexOf("\n");
      if (nl < 0) return;
      sock.pause();
      const problem = await checkSocket(socketPath, dir).catch((err: Error) => err.message);
      const st = await lstat(socketPath).catch(() => undefined);
      if (problem || st?.ino !== ino) {
        answer(sock, {
          ok: false,
          error: `refused: ${problem ?? "the socket was replaced"}; the key was forgotten`,
        });
        return void end(1);
      }
      let req: AgentRequest;
      try {
        req = JSON.parse(text.slice(0, nl)) as AgentRequest;
      } catch {
        return answer(sock, { ok: false, error: "not a request" });
      }
      if (Date.now() >= start.expires_at) {
        answer(sock, { ok: false, error: "expired" });
        return void end(0);
      }
      const base = { ok: true as const, expires_at: start.expires_at, home: start.home };
      switch (req.op) {
        case "key":
          return answer(sock, { ...base, key: key.toString("base64") });
        case "status":
          return answer(sock, base);
        case "lock":
          sock.end(`${JSON.stringify(base)}\n`, () => void end(0));
          return;
        default:
          return answer(sock, { ok: false, error: "unknown op" });
      }
    });
  });

  // Born private: no moment where the socket exists with the umask's looser mode.
  const oldMask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(socketPath, resolve);
    });
  } finally {
    process.umask(oldMask);
  }
  ino = (await lstat(socketPath)).ino;
  const problem = await checkSocket(socketPath, dir);
  if (problem) {
    await end(1);
    return;
  }
  arm();
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
}

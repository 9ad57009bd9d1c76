import { spawn } from "node:child_process";
import { lstat } from "node:fs/promises";
import { connect } from "node:net";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { ArcrunError } from "../../errors.js";
import { sleep } from "../sleep.js";
import { agentSocketPath, checkSocket } from "./paths.js";
import type { AgentReply, AgentRequest, AgentStart } from "./protocol.js";

type Env = Readonly<Record<string, string | undefined>>;

/** Sends one request to the agent of `home`; undefined when none runs (no socket, or nobody answers). */
async function request(home: string, env: Env, req: AgentRequest): Promise<AgentReply | undefined> {
  const path = agentSocketPath(home, env);
  const exists = await lstat(path).then(
    () => true,
    () => false,
  );
  if (!exists) return undefined;
  const problem = await checkSocket(path, dirname(path)).catch((err: Error) => err.message);
  if (problem) {
    throw new ArcrunError(
      "ERR_STORE_UNAVAILABLE",
      `The agent socket is not private to you (${problem}), so it was not used. Remove ${path}, then run: arcrun unlock`,
    );
  }
  return new Promise((resolve) => {
    const sock = connect(path);
    let text = "";
    sock.setTimeout(3000, () => sock.destroy());
    sock.on("connect", () => sock.write(`${JSON.stringify(req)}\n`));
    sock.on("data", (d: Buffer) => {
      text += d.toString("utf8");
      if (text.length > 4096) sock.destroy();
    });
    sock.on("error", () => undefined);
    sock.on("close", () => {
      try {
        resolve(JSON.parse(text.trim()) as AgentReply);
      } catch {
        resolve(undefined);
      }
    });
  });
}

/** The key the agent of `home` holds, or undefined when no agent runs (or it is not private to you). */
export async function readAgentKey(home: string, env: Env): Promise<Buffer | undefined> {
  const reply = await request(home, env, { op: "key" }).catch(() => undefined);
  if (!reply?.ok || reply.key === undefined) return undefined;
  const key = Buffer.from(reply.key, "base64");
  return key.length === 32 ? key : undefined;
}

export interface AgentStatus {
  running: boolean;
  socket: string;
  /** Epoch ms when it forgets the key. */
  expiresAt?: number;
}

/** Whether an agent holds the key of `home`, and until when. */
export async function agentStatus(home: string, env: Env): Promise<AgentStatus> {
  const socket = agentSocketPath(home, env);
  const reply = await request(home, env, { op: "status" });
  return reply?.ok ? { running: true, socket, expiresAt: reply.expires_at } : { running: false, socket };
}

/** Makes the agent of `home` forget its key and exit; false when none was running. */
export async function lockAgent(home: string, env: Env): Promise<boolean> {
  const reply = await request(home, env, { op: "lock" });
  if (!reply?.ok) return false;
  // It unlinks its socket as it exits; wait for that so a new `unlock` right after finds the path free.
  const path = agentSocketPath(home, env);
  for (let i = 0; i < 100; i++) {
    if (
      !(await lstat(path).then(
        () => true,
        () => false,
      ))
    )
      break;
    await sleep(20);
  }
  return true;
}

export interface StartAgentOptions {
  home: string;
  env: Env;
  key: Uint8Array;
  /** How long it keeps the key, in ms. */
  ttlMs: number;
  /** How to start the agent's program; default: Node with arcrun-auth's dist/agent-main.js. */
  command?: { file: string; args: string[] };
}

/**
 * Starts the agent of `home` holding `key` for `ttlMs` (replacing one that runs), detached from this
 * process and its terminal. The key goes to the agent over a pipe, never argv or the environment.
 */
export async function startKeyAgent(options: StartAgentOptions): Promise<AgentStatus> {
  await lockAgent(options.home, options.env).catch(() => false);
  const socket = agentSocketPath(options.home, options.env);
  const command = options.command ?? {
    file: process.execPath,
    args: [fileURLToPath(new URL("./agent-main.js", import.meta.url))],
  };
  const childEnv: Record<string, string> = {};
  if (process.env.NODE_OPTIONS) childEnv.NODE_OPTIONS = process.env.NODE_OPTIONS;
  const child = spawn(command.file, command.args, {
    detached: true,
    cwd: "/",
    env: childEnv,
    stdio: ["pipe", "pipe", "pipe"],
  });
  const expiresAt = Date.now() + options.ttlMs;
  const start: AgentStart = {
    key: Buffer.from(options.key).toString("base64"),
    expires_at: expiresAt,
    home: options.home,
    socket,
  };
  let out = "";
  let err = "";
  await new Promise<void>((resolve, reject) => {
    const fail = (why: string) =>
      reject(
        new ArcrunError("ERR_STORE_UNAVAILABLE", `The agent did not start (${why}). Run: arcrun doctor`),
      );
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      fail("no answer within 10 s");
    }, 10_000);
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString("utf8");
      if (out.includes("\n")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on("data", (d: Buffer) => {
      err += d.toString("utf8");
    });
    child.once("error", (e) => {
      clearTimeout(timer);
      fail(e.message);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      fail(`exited ${code}: ${err.trim().split("\n").at(-1) ?? ""}`);
    });
    child.stdin?.end(`${JSON.stringify(start)}\n`);
  });
  child.removeAllListeners("exit");
  child.stdout?.destroy();
  child.stderr?.destroy();
  child.unref();
  return { running: true, socket, expiresAt };
}

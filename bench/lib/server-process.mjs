import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const serverPath = fileURLToPath(new URL("./server.mjs", import.meta.url));

/**
 * Starts lib/server.mjs (or another script that prints {"port"} and exits when stdin closes, with extra
 * environment) in a child process; resolves with its origin and a stop function.
 */
export function startServer({ script = serverPath, env = {} } = {}) {
  const child = spawn(process.execPath, [script], {
    stdio: ["pipe", "pipe", "inherit"],
    env: { ...process.env, ...env },
  });
  return new Promise((resolve, reject) => {
    let out = "";
    const onData = (chunk) => {
      out += chunk;
      const nl = out.indexOf("\n");
      if (nl < 0) return;
      child.stdout.off("data", onData);
      const { port } = JSON.parse(out.slice(0, nl));
      resolve({
        origin: `http://127.0.0.1:${port}`,
        pid: child.pid,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once("exit", () => done());
            child.stdin.end();
          }),
      });
    };
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", onData);
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`bench server exited early (${code})`)));
  });
}

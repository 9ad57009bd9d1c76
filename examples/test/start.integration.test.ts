// `pnpm start`, the README's main job: doctor, the catalogue, and the local executor answering /health.
import { execFile, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const run = promisify(execFile);
const root = join(__dirname, "..", "..");

it("pnpm start brings up the local executor and prints the next steps", async () => {
  const { stdout } = await run(process.execPath, [join(root, "scripts/start.mjs"), "--check"], {
    cwd: root,
    env: { ...process.env, PORT: "18788", ARCRUN_HOME: join(root, "examples", ".readme-start-home") },
    timeout: 150_000,
  });
  rmSync(join(root, "examples", ".readme-start-home"), { recursive: true, force: true });
  expect(stdout).toContain("$ arcrun doctor");
  expect(stdout).toMatch(/google_drive\s+oauth2/);
  expect(stdout).toContain("The executor answers on http://127.0.0.1:18788");
  // The next steps are CLI commands that exist.
  for (const step of [
    "pnpm -s arcrun creds push gh --recipe github",
    "pnpm -s arcrun workflow push examples/workflows/github-who-am-i.yaml",
    "pnpm -s arcrun workflow run github-who-am-i",
    "pnpm -s arcrun setup <service>",
  ])
    expect(stdout).toContain(step);
  expect(stdout).not.toMatch(/creds:push|curl /);
  // --check stops the executor once it answered; give workerd a moment to close its socket.
  let health = "still up";
  for (let i = 0; i < 20 && health === "still up"; i++) {
    health = await fetch("http://127.0.0.1:18788/health").then(
      () => "still up",
      () => "stopped",
    );
    if (health === "still up") await new Promise((r) => setTimeout(r, 250));
  }
  expect(health).toBe("stopped");
});

/** Runs start.mjs in its own process group (as a terminal runs it) until `until` shows, then Ctrl-C. */
function interruptWhen(until: RegExp, port: string): Promise<{ code: number | null; output: string }> {
  const home = join(root, "examples", `.readme-start-home-${port}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, "scripts/start.mjs")], {
      cwd: root,
      env: { ...process.env, PORT: port, ARCRUN_HOME: home, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let output = "";
    let sent = false;
    const onData = (d: Buffer) => {
      output += d.toString();
      if (!sent && until.test(output)) {
        sent = true;
        // A terminal's Ctrl-C: SIGINT to the foreground process group.
        process.kill(-(child.pid ?? 0), "SIGINT");
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    const timer = setTimeout(() => {
      process.kill(-(child.pid ?? 0), "SIGKILL");
      reject(new Error(`start.mjs did not stop:\n${output}`));
    }, 150_000);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      rmSync(home, { recursive: true, force: true });
      resolve({ code, output });
    });
  });
}

it("Ctrl-C stops the executor and exits 0, also before it answered; no wrangler banner", async () => {
  // Both at once: their own ports and homes.
  const [early, late] = await Promise.all([
    interruptWhen(/Starting the local executor/, "18789"),
    interruptWhen(/Ctrl-C stops the executor/, "18790"),
  ]);
  expect(early.code, early.output).toBe(0);
  expect(early.output).not.toContain("did not answer");
  expect(early.output).not.toContain("stopped before it answered");

  expect(late.code, late.output).toBe(0);
  expect(late.output).toContain("The executor stopped.");
  expect(late.output).not.toContain("⛅️ wrangler");
  expect(late.output).not.toContain("ELIFECYCLE");
  const health = await fetch("http://127.0.0.1:18790/health").then(
    () => "still up",
    () => "stopped",
  );
  expect(health).toBe("stopped");
}, 300_000);

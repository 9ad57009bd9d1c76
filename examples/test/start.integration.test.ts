// `pnpm start`, the README's main job: doctor, the catalogue, and the local executor answering /health.
import { execFile } from "node:child_process";
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

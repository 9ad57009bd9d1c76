// cold_start_ms and cold_start_vs_google_auth_library_ratio: a fresh Node process imports the library,
// binds, and makes its first request with a credential stored by an earlier process; the same with
// google-auth-library (OAuth2Client + a token stored in a JSON file), against the same local server, from
// production installs (lib/installs.mjs). Each side runs `runs` times, alternating; medians are compared.
// The time is measured inside the fresh process, from the script's first line to the first response
// read, so that Node's own start-up (identical for both) does not dilute the ratio; the whole-process
// time since Node started is reported too.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { productionInstalls } from "../lib/installs.mjs";
import { benchHome } from "../lib/paths.mjs";
import { startServer } from "../lib/server-process.mjs";
import { median, round } from "../lib/stats.mjs";

const run = promisify(execFile);

const ARCRUN_SETUP = `
const { createAuth } = await import("arcrun-auth");
await createAuth({ home: process.env.ARCRUN_HOME }).setSecret("bench_api", { token: process.env.BENCH_TOKEN });
process.stdout.write(JSON.stringify({ status: 200 }));
`;

const ARCRUN_COLD = `
const t0 = performance.now();
const { auth } = await import("arcrun-auth");
const client = auth.bind("bench_api");
const res = await client.get("/users/me");
await res.text();
const t1 = performance.now();
process.stdout.write(JSON.stringify({ status: res.status, ms: t1 - t0, process_ms: t1 }));
`;

const GOOGLE_COLD = `
const t0 = performance.now();
const { OAuth2Client } = await import("google-auth-library");
const { readFile } = await import("node:fs/promises");
const client = new OAuth2Client();
client.setCredentials(JSON.parse(await readFile(process.env.BENCH_TOKEN_FILE, "utf8")));
const res = await client.request({ url: process.env.BENCH_URL });
const t1 = performance.now();
process.stdout.write(JSON.stringify({ status: res.status, ms: t1 - t0, process_ms: t1 }));
`;

async function once(dir, file, env) {
  const { stdout } = await run(process.execPath, [file], { cwd: dir, env: { ...process.env, ...env } });
  const r = JSON.parse(stdout);
  if (r.status !== 200) throw new Error(`${file}: HTTP ${r.status}`);
  return r;
}

/** @param {{ workDir: string, runs?: number }} options */
export async function measure({ workDir, runs = 9 }) {
  const { arcrun, google } = await productionInstalls(workDir);
  const server = await startServer();
  const { home, cleanup } = await benchHome(server.origin);
  try {
    const token = `bench-${randomBytes(12).toString("hex")}`;
    const arcrunEnv = {
      ARCRUN_HOME: home,
      ARCRUN_MASTER_KEY: randomBytes(32).toString("base64"),
    };
    await writeFile(join(arcrun.dir, "setup.mjs"), ARCRUN_SETUP);
    await writeFile(join(arcrun.dir, "cold.mjs"), ARCRUN_COLD);
    await once(arcrun.dir, "setup.mjs", { ...arcrunEnv, BENCH_TOKEN: token });
    const tokenFile = join(google.dir, "token.json");
    await writeFile(
      tokenFile,
      JSON.stringify({ access_token: token, token_type: "Bearer", expiry_date: Date.now() + 3_600_000 }),
    );
    await writeFile(join(google.dir, "cold.mjs"), GOOGLE_COLD);
    const googleEnv = { BENCH_TOKEN_FILE: tokenFile, BENCH_URL: `${server.origin}/v1/users/me` };

    await once(arcrun.dir, "cold.mjs", arcrunEnv);
    await once(google.dir, "cold.mjs", googleEnv);
    const a = [];
    const g = [];
    for (let i = 0; i < runs; i++) {
      const pair = [
        async () => a.push(await once(arcrun.dir, "cold.mjs", arcrunEnv)),
        async () => g.push(await once(google.dir, "cold.mjs", googleEnv)),
      ];
      if (i % 2) pair.reverse();
      for (const step of pair) await step();
    }
    const aMs = median(a.map((r) => r.ms));
    const gMs = median(g.map((r) => r.ms));
    return {
      cold_start_ms: round(aMs, 1),
      cold_start_vs_google_auth_library_ratio: round(aMs / gMs),
      details: {
        cold_start: {
          runs,
          arcrun_auth_ms_median: round(aMs, 1),
          google_auth_library_ms_median: round(gMs, 1),
          arcrun_auth_process_ms_median: round(median(a.map((r) => r.process_ms)), 1),
          google_auth_library_process_ms_median: round(median(g.map((r) => r.process_ms)), 1),
        },
      },
    };
  } finally {
    await server.stop();
    await cleanup();
  }
}

// cold_start_ms and cold_start_vs_google_auth_library_ratio: a fresh Node process imports the library,
// binds, and makes its first request with a credential stored by an earlier process; the same with
// google-auth-library (OAuth2Client + a token stored in a JSON file), against the same local server, both
// from production installs (lib/installs.mjs). Runs alternate; medians are compared.
//
// The arcrun side is the common case: the built-in `notion` recipe (no YAML to parse) with a stored
// static key in the encrypted-file store (ARCRUN_STORE=encrypted-file: no keyring probe on a headless
// machine). Its requests reach the local server through the global dispatcher composed with an origin
// rewrite, so the recipe's host allow-list and https URL stay as shipped. Two more arcrun figures are reported in details:
// a user recipe in $ARCRUN_HOME/recipes as most starts see it (validated once, then read from the JSON cache
// in $ARCRUN_HOME/cache/recipes), and the same with that cache removed before each run (a changed recipe
// file: yaml and zod load).
//
// Time is measured inside the fresh process, from the script's first line to the first response read,
// so Node's own start-up (the same for both) does not dilute the ratio; whole-process time is in details.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { productionInstalls } from "../lib/installs.mjs";
import { benchHome } from "../lib/paths.mjs";
import { startServer } from "../lib/server-process.mjs";
import { median, round } from "../lib/stats.mjs";

const run = promisify(execFile);

const ARCRUN_SETUP = `
const { createAuth } = await import("arcrun-auth");
await createAuth().setSecret(process.env.BENCH_SERVICE, { token: process.env.BENCH_TOKEN });
process.stdout.write(JSON.stringify({ status: 200 }));
`;

const ARCRUN_COLD_BUILTIN = `
const t0 = performance.now();
const { createAuth } = await import("arcrun-auth");
const origin = process.env.BENCH_ORIGIN;
// What a script without a dispatcher sends through (the process's global dispatcher, Node's own undici's
// Agent, as fetch does), composed with an origin rewrite.
void globalThis.Response;
const dispatcher = globalThis[Symbol.for("undici.globalDispatcher.1")].compose(
  (dispatch) => (opts, handler) => dispatch({ ...opts, origin }, handler),
);
const client = createAuth({ dispatcher }).bind("notion");
const res = await client.get("/users/me");
await res.text();
const t1 = performance.now();
process.stdout.write(JSON.stringify({ status: res.status, ms: t1 - t0, process_ms: t1 }));
process.exit(0);
`;

const ARCRUN_COLD_USER_RECIPE = `
const t0 = performance.now();
const { auth } = await import("arcrun-auth");
const client = auth.bind("bench_api");
const res = await client.get("/users/me");
await res.text();
const t1 = performance.now();
process.stdout.write(JSON.stringify({ status: res.status, ms: t1 - t0, process_ms: t1 }));
process.exit(0);
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
process.exit(0);
`;

async function once(dir, file, env) {
  const { stdout } = await run(process.execPath, [file], { cwd: dir, env: { ...process.env, ...env } });
  const r = JSON.parse(stdout);
  if (r.status !== 200) throw new Error(`${file}: HTTP ${r.status}`);
  return r;
}

/** @param {{ workDir: string, runs?: number }} options */
export async function measure({ workDir, runs = 15 }) {
  const { arcrun, google } = await productionInstalls(workDir);
  const server = await startServer();
  const user = await benchHome(server.origin);
  const userUncached = await benchHome(server.origin);
  const builtinHome = await mkdtemp(join(tmpdir(), "arcrun-bench-"));
  try {
    const token = `bench-${randomBytes(12).toString("hex")}`;
    const common = { ARCRUN_MASTER_KEY: randomBytes(32).toString("base64"), ARCRUN_STORE: "encrypted-file" };
    const builtinEnv = { ...common, ARCRUN_HOME: builtinHome, BENCH_ORIGIN: server.origin };
    const userEnv = { ...common, ARCRUN_HOME: user.home };
    const userUncachedEnv = { ...common, ARCRUN_HOME: userUncached.home };
    await writeFile(join(arcrun.dir, "setup.mjs"), ARCRUN_SETUP);
    await writeFile(join(arcrun.dir, "cold-builtin.mjs"), ARCRUN_COLD_BUILTIN);
    await writeFile(join(arcrun.dir, "cold-user.mjs"), ARCRUN_COLD_USER_RECIPE);
    await once(arcrun.dir, "setup.mjs", { ...builtinEnv, BENCH_SERVICE: "notion", BENCH_TOKEN: token });
    await once(arcrun.dir, "setup.mjs", { ...userEnv, BENCH_SERVICE: "bench_api", BENCH_TOKEN: token });
    await once(arcrun.dir, "setup.mjs", {
      ...userUncachedEnv,
      BENCH_SERVICE: "bench_api",
      BENCH_TOKEN: token,
    });
    const tokenFile = join(google.dir, "token.json");
    await writeFile(
      tokenFile,
      JSON.stringify({ access_token: token, token_type: "Bearer", expiry_date: Date.now() + 3_600_000 }),
    );
    await writeFile(join(google.dir, "cold.mjs"), GOOGLE_COLD);
    const googleEnv = { BENCH_TOKEN_FILE: tokenFile, BENCH_URL: `${server.origin}/v1/users/me` };

    const sides = {
      builtin: { dir: arcrun.dir, file: "cold-builtin.mjs", env: builtinEnv, results: [] },
      user: { dir: arcrun.dir, file: "cold-user.mjs", env: userEnv, results: [] },
      userUncached: {
        dir: arcrun.dir,
        file: "cold-user.mjs",
        env: userUncachedEnv,
        before: () => rm(join(userUncached.home, "cache"), { recursive: true, force: true }),
        results: [],
      },
      google: { dir: google.dir, file: "cold.mjs", env: googleEnv, results: [] },
    };
    const timed = async (s) => {
      await s.before?.();
      return once(s.dir, s.file, s.env);
    };
    for (const s of Object.values(sides)) await timed(s);
    for (let i = 0; i < runs; i++) {
      const order = Object.values(sides);
      if (i % 2) order.reverse();
      for (const s of order) s.results.push(await timed(s));
    }
    const ms = (s) => median(s.results.map((r) => r.ms));
    const processMs = (s) => median(s.results.map((r) => r.process_ms));
    return {
      cold_start_ms: round(ms(sides.builtin), 1),
      cold_start_vs_google_auth_library_ratio: round(ms(sides.builtin) / ms(sides.google)),
      details: {
        cold_start: {
          runs,
          arcrun_auth_ms_median: round(ms(sides.builtin), 1),
          arcrun_auth_user_recipe_ms_median: round(ms(sides.user), 1),
          google_auth_library_ms_median: round(ms(sides.google), 1),
          arcrun_auth_user_recipe_vs_google_auth_library_ratio: round(ms(sides.user) / ms(sides.google)),
          arcrun_auth_user_recipe_uncached_ms_median: round(ms(sides.userUncached), 1),
          arcrun_auth_user_recipe_uncached_vs_google_auth_library_ratio: round(
            ms(sides.userUncached) / ms(sides.google),
          ),
          arcrun_auth_process_ms_median: round(processMs(sides.builtin), 1),
          google_auth_library_process_ms_median: round(processMs(sides.google), 1),
        },
      },
    };
  } finally {
    await server.stop();
    await user.cleanup();
    await userUncached.cleanup();
    await rm(builtinHome, { recursive: true, force: true });
  }
}

/**
 * Test support for the workflow commands and examples/workflows: the production executor bundle (the real
 * components) on workerd through Miniflare, listening on a loopback port so the built CLI talks to it over
 * HTTP, and node:http stand-ins for the APIs the workflows call (recipes pointed at them through the
 * executor's ARCRUN_RECIPES).
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { getRecipe, type Recipe } from "@arcrun/recipes";
import { Miniflare } from "miniflare";
import { bundleWorker, packageRoot } from "../../executor-worker/scripts/bundle.js";
import { type CommandSpec, parse } from "../src/internal/args.js";
import type { Context, Run } from "../src/internal/context.js";
import { type Io, Ui } from "../src/internal/io.js";
import { Prompter } from "../src/internal/prompt.js";
import { reportError } from "../src/internal/report.js";

export interface LocalExecutor {
  /** http://127.0.0.1:PORT, without a trailing slash. */
  url: string;
  /** The executor's ENCRYPTION_KEY (generated per run). */
  key: string;
  /** Environment for the CLI to reach it: ARCRUN_EXECUTOR_URL, ARCRUN_EXECUTOR_KEY (and ARCRUN_API_KEY if set). */
  env: Record<string, string>;
  dispose(): Promise<void>;
}

export interface ExecutorOptions {
  /** Recipes to serve instead of the built-in ones (ARCRUN_RECIPES). */
  recipes?: Recipe[];
  /** Single-tenant API key the executor requires. */
  apiKey?: string;
  bindings?: Record<string, string>;
}

/**
 * Bundles packages/executor-worker/src/index.ts (production components) and serves it on 127.0.0.1, as
 * `pnpm start` does (wrangler dev), including the scheduled-handler trigger route.
 */
export async function startLocalExecutor(options: ExecutorOptions = {}): Promise<LocalExecutor> {
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
  process.env.WRANGLER_SEND_METRICS = "false";
  const outdir = await mkdtemp(join(tmpdir(), "arcrun-executor-"));
  const scriptPath = await bundleWorker(join(packageRoot, "src/index.ts"), outdir);
  const key = randomBytes(32).toString("base64");
  const mf = new Miniflare({
    modules: true,
    scriptPath,
    modulesRoot: outdir,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-01",
    kvNamespaces: ["ARCRUN_KV"],
    // As the executor's wrangler.toml declares it (failed API keys per address).
    durableObjects: { FAILED_KEYS: { className: "AddressWindow", useSQLite: true } },
    host: "127.0.0.1",
    port: 0,
    // The /cdn-cgi/handler/scheduled?cron=..&time=.. route that wrangler dev (`pnpm start`) serves too:
    // tests fire the Worker's scheduled handler over HTTP the way docs/executor.md tells a person to.
    unsafeTriggerHandlers: true,
    bindings: {
      ENCRYPTION_KEY: key,
      ARCRUN_TENANCY: "single",
      ...(options.apiKey ? { ARCRUN_API_KEY: options.apiKey } : {}),
      ...(options.recipes ? { ARCRUN_RECIPES: JSON.stringify(options.recipes) } : {}),
      ...options.bindings,
    },
  });
  const url = String(await mf.ready).replace(/\/+$/, "");
  return {
    url,
    key,
    env: {
      ARCRUN_EXECUTOR_URL: url,
      ARCRUN_EXECUTOR_KEY: key,
      ...(options.apiKey ? { ARCRUN_API_KEY: options.apiKey } : {}),
    },
    async dispose() {
      await mf.dispose();
      await rm(outdir, { recursive: true, force: true });
    },
  };
}

/**
 * A built-in recipe pointed at a local stand-in: its base URL (and OAuth token URL) on `origin`, and
 * 127.0.0.1 as its only host, so the executor sends the credential there and nowhere else.
 */
export function localRecipe(id: string, origin: string, path = ""): Recipe {
  const recipe = getRecipe(id);
  if (!recipe) throw new Error(`no built-in recipe ${id}`);
  const local: Recipe = { ...recipe, base_url: `${origin}${path}`, hosts: [new URL(origin).host] };
  if (recipe.oauth2) {
    const { revoke_url: _r, device_url: _d, ...oauth2 } = recipe.oauth2;
    local.oauth2 = { ...oauth2, token_url: `${origin}/token` };
  }
  return local;
}

export interface SeenRequest {
  method: string;
  /** Path with query. */
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
  json: unknown;
}

export interface Reply {
  status?: number;
  json?: unknown;
}

export interface StandIn {
  origin: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 that records every request and answers through `handle`. */
export async function standIn(handle: (req: SeenRequest) => Reply | Promise<Reply>): Promise<StandIn> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let json: unknown;
      try {
        json = body === "" ? undefined : JSON.parse(body);
      } catch {
        json = undefined;
      }
      const r: SeenRequest = {
        method: req.method ?? "GET",
        path: req.url ?? "/",
        headers: req.headers,
        body,
        json,
      };
      seen.push(r);
      Promise.resolve(handle(r))
        .then((out) => {
          res.writeHead(out.status ?? 200, { "content-type": "application/json" });
          res.end(JSON.stringify(out.json ?? {}));
        })
        .catch(() => {
          res.writeHead(500);
          res.end();
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface ModuleResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs one command module in this process, wired as `main` wires it (arguments parsed against its spec,
 * errors reported as the CLI reports them), for commands the command table does not list yet.
 */
export async function runModule(
  mod: { spec: CommandSpec; run: Run },
  argv: readonly string[],
  env: Record<string, string>,
  input = "",
): Promise<ModuleResult> {
  let stdout = "";
  let stderr = "";
  const sink = (add: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer | string, _enc, done) {
        add(String(chunk));
        done();
      },
    });
  const stdin = new PassThrough();
  stdin.end(input);
  const io: Io = {
    stdin,
    stdout: sink((s) => {
      stdout += s;
    }),
    stderr: sink((s) => {
      stderr += s;
    }),
    env,
  };
  const ui = new Ui(io);
  const json = argv.includes("--json");
  let code: number;
  try {
    const args = parse(mod.spec, argv);
    const ctx: Context = {
      ui,
      json,
      prompter: () => new Prompter(io),
      api: () => Promise.reject(new Error("not used by this command")),
    };
    code = await mod.run(ctx, args);
  } catch (err) {
    code = reportError(ui, err, json);
  }
  return { code, stdout, stderr };
}

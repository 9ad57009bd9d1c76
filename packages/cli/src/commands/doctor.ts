import { stat } from "node:fs/promises";
import type { CommandSpec, Parsed } from "../internal/args.js";
import { JSON_OPTION } from "../internal/common.js";
import type { Context } from "../internal/context.js";
import { EXIT_FAILURE, EXIT_OK } from "../internal/errors.js";
import { arcrunHome, recipeDirs } from "../internal/recipes.js";

export const spec: CommandSpec = {
  name: "doctor",
  summary:
    "Check the environment: Node version, ARCRUN_HOME, which credential store is active and why, user\n" +
    "recipes, and whether the broker answers. Exits 1 when a check fails.",
  positionals: [],
  options: { ...JSON_OPTION },
  details: "Examples:\n  arcrun doctor\n  arcrun doctor --json | jq .store",
};

const MIN_NODE = [20, 18, 1] as const;

function nodeOk(version: string): boolean {
  const parts = version.replace(/^v/, "").split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    const a = parts[i] ?? 0;
    const b = MIN_NODE[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function probe(
  url: string,
): Promise<{ reachable: boolean; status: number | null; error: string | null }> {
  try {
    const res = await fetch(url, { method: "GET", redirect: "manual", signal: AbortSignal.timeout(3000) });
    await res.body?.cancel();
    return { reachable: true, status: res.status, error: null };
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : "";
    return { reachable: false, status: null, error: `${message(err)}${cause}` };
  }
}

export async function run(ctx: Context, _args: Parsed): Promise<number> {
  const { ui } = ctx;
  const env = ui.env;
  const home = arcrunHome(env);
  const homeStat = await stat(home).catch(() => undefined);
  const report = {
    ok: true,
    node: { version: process.version, required: `>=${MIN_NODE.join(".")}`, ok: nodeOk(process.version) },
    arcrun_home: {
      path: home,
      source: env.ARCRUN_HOME ? "ARCRUN_HOME" : "default",
      exists: homeStat?.isDirectory() === true,
      mode: homeStat ? `0${(homeStat.mode & 0o777).toString(8)}` : null,
    },
    store: {
      ok: false,
      kind: null as string | null,
      reason: null as string | null,
      path: null as string | null,
      key_source: null as string | null,
      error: null as string | null,
    },
    recipes: { ok: true, dirs: recipeDirs(env), builtin: 0, total: 0, error: null as string | null },
    broker: {
      url: env.ARCRUN_BROKER_URL || null,
      source: env.ARCRUN_BROKER_URL ? "ARCRUN_BROKER_URL" : "none",
      reachable: null as boolean | null,
      status: null as number | null,
      error: null as string | null,
    },
  };
  try {
    const api = await ctx.api();
    try {
      const store = await api.store();
      Object.assign(report.store, { ok: true, ...store });
    } catch (err) {
      report.store.error = message(err);
    }
    try {
      const { loadCatalog } = await import("@arcrun/recipes");
      report.recipes.builtin = loadCatalog().length;
      report.recipes.total = (await api.recipes()).length;
    } catch (err) {
      Object.assign(report.recipes, { ok: false, error: message(err) });
    }
  } catch (err) {
    report.store.error = message(err);
  }
  if (report.broker.url) Object.assign(report.broker, await probe(report.broker.url));
  report.ok = report.node.ok && report.store.ok && report.recipes.ok && report.broker.reachable !== false;

  if (ctx.json) {
    ui.json(report);
    return report.ok ? EXIT_OK : EXIT_FAILURE;
  }
  const o = ui.o;
  const mark = (ok: boolean | null) => (ok === null ? o.dim("-") : ok ? o.green("✔") : o.red("✖"));
  ui.out(`${mark(report.node.ok)} Node ${report.node.version} (needs ${report.node.required})`);
  ui.out(
    `${mark(true)} ARCRUN_HOME ${home} (${report.arcrun_home.source}${report.arcrun_home.exists ? `, mode ${report.arcrun_home.mode}` : ", not created yet"})`,
  );
  ui.out(
    report.store.ok
      ? `${mark(true)} Store: ${report.store.kind} (${report.store.reason})${report.store.path ? `\n  file ${report.store.path}${report.store.key_source ? `, key from ${report.store.key_source}` : ""}` : ""}`
      : `${mark(false)} Store: ${report.store.error}`,
  );
  ui.out(
    report.recipes.ok
      ? `${mark(true)} Recipes: ${report.recipes.total} (${report.recipes.builtin} built in; user dirs: ${report.recipes.dirs.join(", ")})`
      : `${mark(false)} Recipes: ${report.recipes.error}`,
  );
  ui.out(
    report.broker.url === null
      ? `${mark(null)} Broker: not configured (ARCRUN_BROKER_URL unset; OAuth services with client: broker need it)`
      : report.broker.reachable
        ? `${mark(true)} Broker: ${report.broker.url} answers (HTTP ${report.broker.status})`
        : `${mark(false)} Broker: ${report.broker.url} does not answer (${report.broker.error})`,
  );
  if (!report.ok) ui.err("Fix the items marked ✖, then run: arcrun doctor");
  return report.ok ? EXIT_OK : EXIT_FAILURE;
}

import { readFileSync } from "node:fs";
import { stat } from "node:fs/promises";
import type { AgentInfo, BrokerReport, StoreState } from "../internal/api.js";
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

/** The Node requirement, from one place: `engines.node` of arcrun's package.json (">=20.19"). */
function nodeRequirement(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    engines?: { node?: string };
  };
  return pkg.engines?.node ?? ">=20.19";
}

function nodeOk(version: string, required: string): boolean {
  const parts = version.replace(/^v/, "").split(".").map(Number);
  const min = required
    .replace(/^>=\s*/, "")
    .split(".")
    .map(Number);
  for (let i = 0; i < 3; i++) {
    const a = parts[i] ?? 0;
    const b = min[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

/**
 * ARCRUN_HOME holds the encrypted file, its key file (master.key) and config.yaml; the files are 0600, but a
 * directory others can read lets them list and watch it, and a looser umask may have left older files open.
 */
function openHomeWarning(home: string): string {
  return `others can read ARCRUN_HOME ${home}; it holds your encrypted secrets and their key file. Run: chmod 700 ${home}`;
}

const KEY_CHOICE: Record<string, string> = {
  passphrase: "a passphrase",
  "key-file":
    "the key file master.key (protects against leaked backups and commits, not against other programs running as you)",
};

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function run(ctx: Context, _args: Parsed): Promise<number> {
  const { ui } = ctx;
  const env = ui.env;
  const home = arcrunHome(env);
  const homeStat = await stat(home).catch(() => undefined);
  const required = nodeRequirement();
  const report = {
    ok: true,
    node: { version: process.version, required, ok: nodeOk(process.version, required) },
    arcrun_home: {
      path: home,
      source: env.ARCRUN_HOME ? "ARCRUN_HOME" : "default",
      exists: homeStat?.isDirectory() === true,
      mode: homeStat ? `0${(homeStat.mode & 0o777).toString(8)}` : null,
      /** Set when others (group or world) can read or enter ARCRUN_HOME: a warning, not a failure. */
      warning: homeStat && (homeStat.mode & 0o077) !== 0 ? openHomeWarning(home) : null,
    },
    store: {
      ok: false,
      kind: null as string | null,
      reason: null as string | null,
      path: null as string | null,
      key_source: null as string | null,
      notice: null as string | null,
      /** ready, locked (a passphrase is needed: arcrun unlock), needs-key or unavailable. */
      state: null as StoreState["state"] | null,
      /** store_key in config.yaml: passphrase or key-file. */
      key_choice: null as string | null,
      /** What to do when the store cannot be written now. */
      fix: null as string | null,
      agent: null as AgentInfo | null,
      error: null as string | null,
    },
    recipes: { ok: true, dirs: recipeDirs(env), builtin: 0, total: 0, error: null as string | null },
    broker: {
      url: env.ARCRUN_BROKER_URL || null,
      source: (env.ARCRUN_BROKER_URL ? "ARCRUN_BROKER_URL" : "none") as BrokerReport["source"],
      reachable: null as boolean | null,
      status: null as number | null,
      health: null as string | null,
      services: null as string[] | null,
      error: null as string | null,
    },
  };
  try {
    const api = await ctx.api();
    try {
      const store = await api.store();
      Object.assign(report.store, { ok: true, ...store });
      // A store is fine only if a secret can be written to it now (or after arcrun unlock).
      const state = await api.storeState();
      Object.assign(report.store, { state: state.state, key_choice: state.key_choice });
      if (state.state === "needs-key") {
        Object.assign(report.store, {
          ok: false,
          error: `no OS keyring answers and the encrypted file ${state.path} has no key, so nothing can be saved`,
          fix: "run arcrun setup <service> at a terminal (it offers a passphrase or a key file), or set ARCRUN_PASSPHRASE (or ARCRUN_MASTER_KEY, from: openssl rand -base64 32)",
        });
      } else if (state.state === "unavailable") {
        Object.assign(report.store, {
          ok: false,
          error: state.error?.message ?? "the store cannot be written",
          fix: "see the message; then run: arcrun doctor",
        });
      } else if (state.state === "locked") {
        report.store.fix =
          "run: arcrun unlock (keeps it unlocked for this login), or set ARCRUN_PASSPHRASE for scripts";
      }
      if (store.kind === "encrypted-file") report.store.agent = await api.agent();
    } catch (err) {
      report.store.error = message(err);
    }
    try {
      const { loadCatalog } = await import("@arcrun/recipes");
      report.recipes.builtin = loadCatalog().length;
      report.recipes.total = (await api.recipes()).length;
      const errors = await api.recipeErrors();
      if (errors.length > 0)
        Object.assign(report.recipes, { ok: false, error: errors.map((e) => e.message).join("\n  ") });
    } catch (err) {
      Object.assign(report.recipes, { ok: false, error: message(err) });
    }
    // The library's own view: ARCRUN_BROKER_URL, else broker_url in config.yaml, and its GET /health.
    Object.assign(report.broker, await api.broker());
  } catch (err) {
    report.store.error = message(err);
  }
  const brokerOk =
    report.broker.url === null || (report.broker.reachable === true && report.broker.error === null);
  report.ok = report.node.ok && report.store.ok && report.recipes.ok && brokerOk;

  if (ctx.json) {
    ui.json(report);
    return report.ok ? EXIT_OK : EXIT_FAILURE;
  }
  const o = ui.o;
  const mark = (ok: boolean | null) => (ok === null ? o.dim("-") : ok ? o.green("✔") : o.red("✖"));
  ui.out(`${mark(report.node.ok)} Node ${report.node.version} (needs ${report.node.required})`);
  ui.out(
    `${report.arcrun_home.warning ? o.yellow("!") : mark(true)} ARCRUN_HOME ${home} (${report.arcrun_home.source}${report.arcrun_home.exists ? `, mode ${report.arcrun_home.mode}` : ", not created yet"})`,
  );
  if (report.arcrun_home.warning) ui.out(`  ${o.yellow(`warning: ${report.arcrun_home.warning}`)}`);
  const st = report.store;
  const keyLine = st.path
    ? `\n  file ${st.path}${st.key_source ? `, key from ${st.key_source}` : ""}${st.key_choice ? `; chosen key: ${KEY_CHOICE[st.key_choice] ?? st.key_choice} (config.yaml store_key)` : ""}`
    : "";
  const agentLine =
    st.agent === null
      ? ""
      : st.agent.running
        ? `\n  unlocked by arcrun unlock until ${st.agent.expires_at} (agent ${st.agent.socket}; arcrun lock forgets it)`
        : "";
  if (st.ok && st.state === "locked") {
    ui.out(
      `${o.yellow("!")} Store: ${st.kind}: ${st.reason}${keyLine}\n  locked with a passphrase: ${st.fix}`,
    );
  } else if (st.ok) {
    ui.out(`${mark(true)} Store: ${st.kind}: ${st.reason}${keyLine}${agentLine}`);
  } else {
    ui.out(
      `${mark(false)} Store: ${st.kind ? `${st.kind}: cannot be written: ` : ""}${st.error}${keyLine}${st.fix ? `\n  fix: ${st.fix}` : ""}`,
    );
  }
  // Shown every time here (the library announces it once per ARCRUN_HOME elsewhere).
  const notice = report.store.notice !== null ? await (await ctx.api()).storeNotice() : null;
  if (notice) ui.err(ui.e.yellow(notice));
  ui.out(
    report.recipes.ok
      ? `${mark(true)} Recipes: ${report.recipes.total} (${report.recipes.builtin} built in; user dirs: ${report.recipes.dirs.join(", ")})`
      : `${mark(false)} Recipes: ${report.recipes.error}`,
  );
  const b = report.broker;
  const from = b.source === "config.yaml" ? " (from config.yaml)" : "";
  ui.out(
    b.url === null
      ? `${mark(null)} Broker: not configured (ARCRUN_BROKER_URL unset, no broker_url in config.yaml; OAuth services with client: broker need one)`
      : !b.reachable
        ? `${mark(false)} Broker: ${b.url}${from} does not answer (${b.error})`
        : b.error !== null
          ? `${mark(false)} Broker: ${b.url}${from} answers, but not as an arcrun broker (${b.error})`
          : `${mark(true)} Broker: ${b.url}${from} answers (HTTP ${b.status}, ${b.health}${b.services && b.services.length > 0 ? `; services: ${b.services.join(", ")}` : ""})`,
  );
  if (!report.ok) ui.err("Fix the items marked ✖, then run: arcrun doctor");
  return report.ok ? EXIT_OK : EXIT_FAILURE;
}

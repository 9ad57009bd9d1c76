import type { CatalogueChange } from "arcrun-auth";
import type { CommandSpec, Parsed } from "../internal/args.js";
import { JSON_OPTION } from "../internal/common.js";
import type { Context } from "../internal/context.js";
import { EXIT_OK } from "../internal/errors.js";

export const spec: CommandSpec = {
  name: "recipes update",
  summary:
    "Fetch the signed recipe catalogue, verify its Ed25519 signature with arcrun's release key, and install it\n" +
    "(it is used after the built-in recipes and before your own recipe files). A tampered, unsigned or older\n" +
    "catalogue is refused. A change that would send a credential you already stored to a new host is applied\n" +
    "only when you confirm it; unattended, that service keeps its previous recipe.",
  positionals: [],
  options: {
    from: {
      type: "string",
      arg: "<url>",
      description:
        "Catalogue URL (its signature is <url>.sig); default: catalogue_url in config.yaml, else the broker's /catalogue.json",
    },
    yes: {
      type: "boolean",
      short: "y",
      description: "Confirm every host widening without asking (for unattended runs)",
    },
    ...JSON_OPTION,
  },
  details:
    "Examples:\n  arcrun recipes update\n  arcrun recipes update --from https://example.com/arcrun/catalogue.json\n" +
    "  arcrun recipes update --json --yes",
};

function describe(c: CatalogueChange): string {
  const added = c.newHosts.length > 0 ? ` (new: ${c.newHosts.join(", ")})` : "";
  return `  ${c.kind === "added" ? "+" : "~"} ${c.service}${c.kind === "changed" ? added : ""}`;
}

export async function run(ctx: Context, args: Parsed): Promise<number> {
  const { ui } = ctx;
  const lib = await import("arcrun-auth");
  const env = ui.env;
  // Its own arcrun-auth instance: the catalogue functions take one (the CLI's Api seam does not carry them).
  // A store it cannot open (locked, no keyring) counts every service as stored, so nothing widens unasked.
  const auth = lib.createAuth({ env, interactive: false, logger: { warn: (m) => ui.err(ui.e.yellow(m)) } });
  const home = auth.home;
  if (env[lib.CATALOGUE_TEST_PUBLIC_KEY_ENV]) {
    ui.err(
      ui.e.yellow(
        `warning: ${lib.CATALOGUE_TEST_PUBLIC_KEY_ENV} is set: verifying with a TEST key, not arcrun's release key`,
      ),
    );
  }
  const from = typeof args.values.from === "string" ? args.values.from : undefined;
  try {
    const source = await lib.findCatalogueSource({ home, env, url: from });
    const fetched = await lib.fetchCatalogue(source);
    const plan = await lib.planCatalogueUpdate(auth, fetched, { env });
    const yes = args.values.yes === true;
    const ask = !yes && !ctx.json && ctx.prompter().tty;
    const confirmed: string[] = [];
    if (!ctx.json) {
      ui.err(
        `Catalogue version ${plan.version} from ${plan.source} (signature verified; installed: ${plan.installedVersion ?? "none, built-in recipes"})`,
      );
      const plain = plan.changes.filter((c) => !plan.needsConfirmation.includes(c));
      if (plain.length > 0) {
        ui.err(`${plain.length} recipe(s) added or changed:`);
        for (const c of plain) ui.err(describe(c));
      }
    }
    for (const c of plan.needsConfirmation) {
      if (yes) {
        confirmed.push(c.service);
        continue;
      }
      if (!ask) continue;
      ui.err("");
      ui.err(`${ui.e.yellow("!")} ${c.service}: your stored credential would also be sent to new hosts.`);
      ui.err(`    before: ${c.hostsBefore.join(", ") || "(none)"}`);
      ui.err(`    after:  ${c.hostsAfter.join(", ")}`);
      ui.err(`    new:    ${c.newHosts.join(", ")}`);
      const answer = await ctx.prompter().ask({
        message: `Send the ${c.service} credential to ${c.newHosts.join(", ")}? [y/N]`,
        hidden: false,
      });
      if (/^y(es)?$/i.test(answer.trim())) confirmed.push(c.service);
    }
    const applied = await lib.applyCatalogueUpdate(auth, plan, { confirmed });
    const held = plan.needsConfirmation.filter((c) => applied.held.includes(c.service));
    if (ctx.json) {
      ui.json({
        version: applied.version,
        source: plan.source,
        installed_version_before: plan.installedVersion,
        file: applied.file,
        test_only_key: plan.testOnlyKey,
        changes: plan.changes.map((c) => ({
          service: c.service,
          kind: c.kind,
          hosts_before: c.hostsBefore,
          hosts_after: c.hostsAfter,
          new_hosts: c.newHosts,
          stored: c.stored,
          status: applied.held.includes(c.service) ? "held" : "applied",
        })),
        held: applied.held,
      });
      return EXIT_OK;
    }
    for (const c of held) {
      ui.err(
        `${ui.e.yellow("!")} ${c.service}: kept its previous recipe: the new one would send your stored credential to ${c.newHosts.join(", ")}. To accept, run at a terminal: arcrun recipes update (or: arcrun recipes update --yes)`,
      );
    }
    ui.err(
      `${ui.e.green("✔")} Installed catalogue version ${applied.version} (${plan.changes.length - held.length} change(s) applied${held.length > 0 ? `, ${held.length} held` : ""})`,
    );
    return EXIT_OK;
  } finally {
    await auth.close();
  }
}

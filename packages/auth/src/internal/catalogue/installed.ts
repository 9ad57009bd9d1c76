import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Recipe } from "@arcrun/recipes";
import { ArcrunError } from "../../errors.js";
import { writeFileAtomic } from "../atomic-write.js";
import { BUILTIN_CATALOGUE_VERSION, CATALOGUE_FORMAT } from "./release-key.js";

/**
 * A verified catalogue update as installed in `$ARCRUN_HOME/catalogue/installed.json`: the recipes in
 * effect (the signed ones, except each held service, which keeps its previous recipe), written atomically.
 */
export interface InstalledCatalogue {
  format: typeof CATALOGUE_FORMAT;
  version: number;
  /** sha256 of the signed bytes and their signature (base64), for audit. */
  sha256: string;
  signature: string;
  installedAt: string;
  /** Services whose signed recipe would widen where a stored credential goes, kept at their previous recipe. */
  held: Record<string, { hosts: string[] }>;
  recipes: Recipe[];
}

export function installedCatalogueFile(home: string): string {
  return join(home, "catalogue", "installed.json");
}

/** The installed update, or undefined when there is none. A file that cannot be read is an error. */
export async function readInstalledCatalogue(home: string): Promise<InstalledCatalogue | undefined> {
  const file = installedCatalogueFile(home);
  // Most homes have no update: one stat instead of a failed read through the thread pool on the cold path.
  if (!existsSync(file)) return undefined;
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    // ENOTDIR: a home that cannot exist (a file in its path) holds no update either; a credential from the
    // environment must still work there.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw new ArcrunError("ERR_CATALOGUE_INVALID", `cannot read ${file}; check its permissions`, {
      cause: err,
    });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = undefined;
  }
  const d = doc as Partial<InstalledCatalogue> | undefined;
  if (
    !d ||
    d.format !== CATALOGUE_FORMAT ||
    typeof d.version !== "number" ||
    !Array.isArray(d.recipes) ||
    !d.held ||
    typeof d.held !== "object"
  ) {
    throw new ArcrunError(
      "ERR_CATALOGUE_INVALID",
      `${file} is damaged; delete it and run: arcrun recipes update`,
    );
  }
  return d as InstalledCatalogue;
}

/**
 * Whether an installed update is in effect: only when it is newer than the catalogue built into this
 * library (after a library upgrade, an older update no longer overrides the newer built-in recipes).
 */
export function inEffect(c: InstalledCatalogue | undefined): c is InstalledCatalogue {
  return c !== undefined && c.version > BUILTIN_CATALOGUE_VERSION;
}

export async function writeInstalledCatalogue(home: string, value: InstalledCatalogue): Promise<void> {
  await writeFileAtomic(installedCatalogueFile(home), `${JSON.stringify(value)}\n`, { mode: 0o600 });
}

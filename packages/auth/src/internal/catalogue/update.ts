/**
 * Signed catalogue updates (`arcrun recipes update`): new and corrected recipes without a library upgrade.
 * A catalogue is fetched from a configured source, its detached Ed25519 signature verified over the exact
 * bytes with the release key shipped here, and it is installed in `$ARCRUN_HOME/catalogue/installed.json`,
 * a layer between the built-in recipes and user recipe files (docs/architecture.md "Recipe sources").
 * Loaded on first use through catalogue.ts, so a script that only binds clients never reads this module.
 */
import { getRecipe, parseRecipes, type Recipe } from "@arcrun/recipes";
import type { Auth } from "../../auth.js";
import { ArcrunError } from "../../errors.js";
import { readConfigFile } from "../config-file.js";
import { USER_AGENT } from "../user-agent.js";
import {
  type InstalledCatalogue,
  inEffect,
  installedCatalogueFile,
  readInstalledCatalogue,
  writeInstalledCatalogue,
} from "./installed.js";
import { credentialHosts, widenedHosts } from "./reach.js";
import { BUILTIN_CATALOGUE_VERSION, MAX_CATALOGUE_BYTES } from "./release-key.js";
import { decodeSignature, type VerifiedCatalogue, verificationKeys, verifyCatalogue } from "./signed.js";

type Env = Readonly<Record<string, string | undefined>>;

/** Where `arcrun recipes update` fetches from; the signature is at the same URL plus `.sig`. */
export interface CatalogueSource {
  url: URL;
  from: "option" | "config.yaml" | "broker";
}

const LOOPBACK = new Set(["127.0.0.1", "[::1]", "localhost"]);

function parseSourceUrl(text: string, where: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (
    !url ||
    url.username ||
    url.password ||
    !(url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.has(url.hostname)))
  ) {
    throw new ArcrunError(
      "ERR_CATALOGUE_SOURCE",
      `${where} is not a usable catalogue URL (expected https://..., or http://127.0.0.1:<port> for a local server); fix ${where}`,
    );
  }
  return url;
}

/**
 * The catalogue source: `url` (the `--from` flag), else `catalogue_url` in `$ARCRUN_HOME/config.yaml`, else
 * the configured broker's `GET /catalogue.json` (docs/broker.md). None configured is ERR_CATALOGUE_SOURCE.
 */
export async function findCatalogueSource(options: {
  home: string;
  env: Env;
  url?: string | undefined;
}): Promise<CatalogueSource> {
  if (options.url) return { url: parseSourceUrl(options.url, "--from"), from: "option" };
  const config = await readConfigFile(options.home);
  const configured =
    config && typeof config === "object" ? (config as Record<string, unknown>).catalogue_url : undefined;
  if (typeof configured === "string" && configured !== "") {
    return { url: parseSourceUrl(configured, "catalogue_url in config.yaml"), from: "config.yaml" };
  }
  const { findBroker } = await import("../broker/config.js");
  const broker = await findBroker({ env: options.env, home: options.home });
  if (broker) return { url: new URL("catalogue.json", broker.url), from: "broker" };
  throw new ArcrunError(
    "ERR_CATALOGUE_SOURCE",
    "No catalogue source is configured; pass --from <url>, set catalogue_url in config.yaml, or set ARCRUN_BROKER_URL to a broker that serves GET /catalogue.json",
  );
}

/** A catalogue as fetched: its exact bytes and its detached signature (undefined when none is served). */
export interface FetchedCatalogue {
  url: string;
  bytes: Uint8Array;
  signature: Uint8Array | undefined;
}

async function getBytes(
  url: URL,
  fetchFn: typeof globalThis.fetch,
): Promise<{ status: number; bytes: Uint8Array }> {
  let res: Response;
  try {
    res = await fetchFn(url, { headers: { "user-agent": USER_AGENT }, redirect: "follow" });
  } catch (cause) {
    throw new ArcrunError(
      "ERR_NETWORK",
      `Cannot reach ${url.origin} for the catalogue; check the network and the URL, then run: arcrun recipes update`,
      { cause },
    );
  }
  // Read with a cap, whatever Content-Length says (or whether it is sent at all).
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_CATALOGUE_BYTES) {
        await reader.cancel();
        throw tooLarge(url);
      }
      chunks.push(value);
    }
  }
  return { status: res.status, bytes: new Uint8Array(Buffer.concat(chunks)) };
}

function tooLarge(url: URL): ArcrunError {
  return new ArcrunError(
    "ERR_CATALOGUE_INVALID",
    `${url.href} is larger than ${MAX_CATALOGUE_BYTES} bytes, too large for a catalogue; check the catalogue source`,
  );
}

/** Fetches the catalogue and its signature (`<url>.sig`); a missing signature is refused later, on verify. */
export async function fetchCatalogue(
  source: CatalogueSource,
  fetchFn: typeof globalThis.fetch = globalThis.fetch,
): Promise<FetchedCatalogue> {
  const doc = await getBytes(source.url, fetchFn);
  if (doc.status !== 200) {
    throw new ArcrunError(
      "ERR_CATALOGUE_SOURCE",
      `${source.url.href} answered HTTP ${doc.status}, not a catalogue; check the catalogue source (--from, catalogue_url in config.yaml, or the broker)`,
    );
  }
  const sigUrl = new URL(source.url.href);
  sigUrl.pathname = `${sigUrl.pathname}.sig`;
  const sig = await getBytes(sigUrl, fetchFn);
  return { url: source.url.href, bytes: doc.bytes, signature: sig.status === 200 ? sig.bytes : undefined };
}

/** One service whose catalogue recipe the update changes. */
export interface CatalogueChange {
  service: string;
  kind: "added" | "changed";
  /** Hosts (or host templates) the credential may be sent to, before and after. */
  hostsBefore: string[];
  hostsAfter: string[];
  /** Hosts after that were not before; non-empty with `stored` means it waits for confirmation. */
  newHosts: string[];
  /** A credential of this service is in the store. */
  stored: boolean;
}

/** What an update would do, from a catalogue whose signature verified; apply it with applyCatalogueUpdate. */
export interface CataloguePlan {
  source: string;
  version: number;
  issuedAt: string | undefined;
  /** The installed update's version, or null when none is installed. */
  installedVersion: number | null;
  /** True when the catalogue verified with the test-only key of CATALOGUE_TEST_PUBLIC_KEY_ENV. */
  testOnlyKey: boolean;
  changes: CatalogueChange[];
  /** Changes that would send an already stored credential to a new host: applied only when confirmed. */
  needsConfirmation: CatalogueChange[];
}

const plans = new WeakMap<
  CataloguePlan,
  { catalogue: VerifiedCatalogue; signature: string; previous: Map<string, Recipe> }
>();

function sameRecipe(a: Recipe | undefined, b: Recipe): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Verifies a fetched catalogue (signature over the exact bytes, format, version not older than the one
 * installed) and compares it with the recipes in effect below user recipes. Changes nothing on disk.
 */
export async function planCatalogueUpdate(
  auth: Auth,
  fetched: FetchedCatalogue,
  options: { env?: Env } = {},
): Promise<CataloguePlan> {
  const { keys, testOnly } = verificationKeys(options.env ?? process.env);
  const verified = await verifyCatalogue(fetched.bytes, fetched.signature, keys, fetched.url);
  const installed = await readInstalledCatalogue(auth.home);
  const floor = Math.max(installed?.version ?? 0, BUILTIN_CATALOGUE_VERSION);
  if (verified.version < floor || verified.version <= BUILTIN_CATALOGUE_VERSION) {
    throw new ArcrunError(
      "ERR_CATALOGUE_DOWNGRADE",
      `The catalogue from ${fetched.url} is version ${verified.version}, older than the one in use (${floor}); nothing was changed. A catalogue never goes back: check the catalogue source, or delete ${installedCatalogueFile(auth.home)} to return to the built-in recipes`,
    );
  }
  if (installed && verified.version === installed.version && verified.sha256 !== installed.sha256) {
    throw new ArcrunError(
      "ERR_CATALOGUE_INVALID",
      `The catalogue from ${fetched.url} is version ${verified.version}, which is installed already with other content; nothing was changed. Each catalogue needs a new version: report it to the catalogue's publisher`,
    );
  }
  const catalogue = { ...verified, recipes: await validateSigned(verified.recipes, fetched.url) };
  const layer = new Map<string, Recipe>(inEffect(installed) ? installed.recipes.map((r) => [r.id, r]) : []);
  const previous = new Map<string, Recipe>();
  for (const r of catalogue.recipes) {
    const prev = layer.get(r.id) ?? getRecipe(r.id);
    if (prev) previous.set(r.id, prev);
  }
  // A store that cannot be read counts every service as stored: a widening then waits for confirmation.
  const stored = await auth.listServices().then(
    (list) => new Set(list.filter((s) => s.instances.some((i) => i.source === "store")).map((s) => s.id)),
    () => undefined,
  );
  const changes: CatalogueChange[] = [];
  for (const r of catalogue.recipes) {
    const prev = previous.get(r.id);
    if (sameRecipe(prev, r)) continue;
    changes.push({
      service: r.id,
      kind: prev ? "changed" : "added",
      hostsBefore: [...credentialHosts(prev)].sort(),
      hostsAfter: [...credentialHosts(r)].sort(),
      newHosts: widenedHosts(prev, r),
      stored: stored === undefined || stored.has(r.id),
    });
  }
  changes.sort((a, b) => a.service.localeCompare(b.service));
  const plan: CataloguePlan = {
    source: fetched.url,
    version: catalogue.version,
    issuedAt: catalogue.issuedAt,
    installedVersion: installed?.version ?? null,
    testOnlyKey: testOnly,
    changes,
    needsConfirmation: changes.filter((c) => c.stored && c.newHosts.length > 0),
  };
  const sig = fetched.signature && decodeSignature(fetched.signature);
  const signature = sig ? Buffer.from(sig).toString("base64") : "";
  plans.set(plan, { catalogue, signature, previous });
  return plan;
}

/**
 * Validates signed recipes with this library's schema (the signature says who made them, not that this
 * version reads them): a recipe of a newer schema is refused here, never half-understood at request time.
 */
async function validateSigned(recipes: readonly Recipe[], where: string): Promise<Recipe[]> {
  try {
    return await parseRecipes(recipes.map((r) => ({ file: `${r.id}.yaml`, text: JSON.stringify(r) })));
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new ArcrunError(
      "ERR_CATALOGUE_INVALID",
      `The catalogue from ${where} is signed but holds a recipe this arcrun-auth does not read (${detail}); nothing was changed. Upgrade arcrun-auth (npm install arcrun-auth@latest), then run: arcrun recipes update`,
      { cause },
    );
  }
}

/** What applyCatalogueUpdate installed. */
export interface AppliedCatalogue {
  version: number;
  file: string;
  /** Services that keep their previous recipe because a widening was not confirmed. */
  held: string[];
  /** Widening changes that were confirmed and applied. */
  confirmed: string[];
}

/**
 * Installs a planned update atomically. Each service of `plan.needsConfirmation` not in `confirmed` keeps
 * its previous recipe (recorded as held; a later update run asks again).
 */
export async function applyCatalogueUpdate(
  auth: Auth,
  plan: CataloguePlan,
  options: { confirmed?: readonly string[] } = {},
): Promise<AppliedCatalogue> {
  const internal = plans.get(plan);
  if (!internal) throw new TypeError("applyCatalogueUpdate takes a plan from planCatalogueUpdate");
  const ok = new Set(options.confirmed ?? []);
  const held: InstalledCatalogue["held"] = {};
  const recipes: Recipe[] = [];
  for (const r of internal.catalogue.recipes) {
    const c = plan.needsConfirmation.find((n) => n.service === r.id);
    if (c && !ok.has(r.id)) {
      held[r.id] = { hosts: c.newHosts };
      const prev = internal.previous.get(r.id);
      if (prev) recipes.push(prev);
    } else {
      recipes.push(r);
    }
  }
  await writeInstalledCatalogue(auth.home, {
    format: internal.catalogue.format,
    version: internal.catalogue.version,
    sha256: internal.catalogue.sha256,
    signature: internal.signature,
    installedAt: new Date().toISOString(),
    held,
    recipes,
  });
  return {
    version: internal.catalogue.version,
    file: installedCatalogueFile(auth.home),
    held: Object.keys(held).sort(),
    confirmed: plan.needsConfirmation.map((c) => c.service).filter((s) => ok.has(s)),
  };
}

import type { PrimitiveName } from "@arcrun/recipes";
import { isArcrunError } from "../../errors.js";
import type { CredentialSource, CredentialStore, Logger, StoredCredential } from "../../types.js";
import { primitivesOf } from "../recipe.js";
import type { StoreInfo } from "../store-select.js";
import type { CredentialSources } from "./credential-sources.js";
import type { RecipeSource } from "./recipe-source.js";
import type { StoreHolder } from "./store-holder.js";

export type InstanceStatus = "connected" | "reauth_required" | "expired";

export interface InstanceInfo {
  instance: string;
  status: InstanceStatus;
  /** Where the credential is: the store, or the environment / secret files (not stored). */
  source: Extract<CredentialSource, "store" | "env" | "secret-file">;
  /** The kind of credential stored. */
  type?: StoredCredential["type"];
  expiresAt?: number;
  /** The scopes granted to an oauth2 credential (the provider's `scope` answer, else the ones asked for). */
  scopes?: string[];
  /** Requested scopes the provider's token response did not cover (recorded, not refused). */
  scopesMissing?: string[];
  /** Values the login captured (recipe `oauth2.capture`): Atlassian's cloud id, Slack's team. Not secret. */
  captured?: Record<string, string>;
  updatedAt?: string;
}

export interface ServiceInfo {
  id: string;
  displayName: string;
  description?: string;
  docsUrl: string;
  categories: string[];
  /** The recipe's default primitive. */
  primitive: PrimitiveName;
  /** Every primitive it can be used with (`via`). */
  primitives: PrimitiveName[];
  /** Whether it comes from a user recipe directory. */
  userRecipe: boolean;
  instances: InstanceInfo[];
}

export interface AuthStatus {
  home: string;
  store: StoreInfo & { error?: { code: string; message: string } };
  /** Services with at least one connected (or failing) instance. */
  services: ServiceInfo[];
}

export interface StatusDeps {
  recipes: RecipeSource;
  stores: StoreHolder;
  sources: CredentialSources;
  logger: Logger;
  now: () => number;
}

/**
 * Every recipe with its connected instances and their status: what the store holds, and for the default
 * instance the environment or secret files when they hold the values (the same sources bind reads).
 */
export async function listServices(d: StatusDeps): Promise<ServiceInfo[]> {
  const recipes = await d.recipes.recipes();
  const { recipes: user } = await d.recipes.user();
  let stored: Array<{ service: string; instance: string }> = [];
  let store: CredentialStore | undefined;
  try {
    store = await d.stores.store();
    stored = await store.list();
  } catch (err) {
    if (!isArcrunError(err)) throw err;
    d.logger.warn(`arcrun: ${err.message}`);
  }
  const byService = new Map<string, string[]>();
  for (const e of stored) byService.set(e.service, [...(byService.get(e.service) ?? []), e.instance]);
  const out: ServiceInfo[] = [];
  for (const r of recipes) {
    const instances: InstanceInfo[] = [];
    for (const instance of byService.get(r.id) ?? []) {
      const cred = await store?.get(r.id, instance).catch(() => undefined);
      if (cred) instances.push(instanceInfo(instance, cred, d.now()));
    }
    if (!instances.some((i) => i.instance === "default")) {
      const source = await d.sources.unstoredSource(r);
      if (source) instances.unshift({ instance: "default", status: "connected", source });
    }
    const info: ServiceInfo = {
      id: r.id,
      displayName: r.display_name,
      docsUrl: r.docs_url,
      categories: [...r.categories],
      primitive: r.primitive,
      primitives: primitivesOf(r),
      userRecipe: user.has(r.id),
      instances: instances.sort((a, b) =>
        a.instance === "default" ? -1 : b.instance === "default" ? 1 : a.instance.localeCompare(b.instance),
      ),
    };
    if (r.description !== undefined) info.description = r.description;
    out.push(info);
  }
  return out;
}

function instanceInfo(instance: string, cred: StoredCredential, now: number): InstanceInfo {
  let status: InstanceStatus = "connected";
  let expiresAt: number | undefined;
  if (cred.type === "oauth2") {
    expiresAt = cred.expires_at;
    if (cred.status === "reauth_required") status = "reauth_required";
    else if (expiresAt !== undefined && expiresAt <= now && !cred.refresh_token) status = "expired";
  }
  const info: InstanceInfo = {
    instance,
    status,
    source: "store",
    type: cred.type,
    updatedAt: cred.updated_at,
  };
  if (expiresAt !== undefined) info.expiresAt = expiresAt;
  if (cred.type === "oauth2" && cred.scopes !== undefined) info.scopes = [...cred.scopes];
  if (cred.type === "oauth2" && cred.scopes_missing !== undefined)
    info.scopesMissing = [...cred.scopes_missing];
  if (cred.type === "oauth2" && cred.captured !== undefined) info.captured = { ...cred.captured };
  return info;
}

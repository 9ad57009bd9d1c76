import { loadCatalog, type OAuth2Spec, parseRecipes, type Recipe } from "@arcrun/recipes";
import type { Env } from "../env.js";
import { BrokerError, misconfigured } from "./errors.js";

export type Limited = "start" | "token" | "refresh" | "revoke";

export interface RateLimit {
  limit: number;
  window_s: number;
}

export interface Config {
  services: ReadonlySet<string>;
  /** The built-in catalogue with EXTRA_RECIPES applied (by id), sorted by id. */
  recipes: readonly Recipe[];
  byId: ReadonlyMap<string, Recipe>;
  overrides: Readonly<Record<string, EndpointOverride>>;
  limits: Readonly<Record<Limited, RateLimit>>;
  handoffTtlS: number;
  pendingTtlS: number;
  maxBodyBytes: number;
}

export interface EndpointOverride {
  authorize_url?: string;
  token_url?: string;
  revoke_url?: string;
  /** The provider's issuer identifier: when set, an `iss` on the callback must equal it (RFC 9207). */
  issuer?: string;
}

const DEFAULT_LIMITS: Record<Limited, RateLimit> = {
  start: { limit: 20, window_s: 60 },
  token: { limit: 30, window_s: 60 },
  refresh: { limit: 60, window_s: 60 },
  revoke: { limit: 30, window_s: 60 },
};

export const SERVICE_ID = /^[a-z][a-z0-9_]{0,63}$/;
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "localhost"]);

function jsonVar(env: Env, name: "ENDPOINT_OVERRIDES" | "EXTRA_RECIPES" | "RATE_LIMITS"): unknown {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  if (typeof raw !== "string") return raw;
  try {
    return JSON.parse(raw);
  } catch {
    throw misconfigured(`${name} is not valid JSON`);
  }
}

function intVar(
  env: Env,
  name: "HANDOFF_TTL_SECONDS" | "PENDING_TTL_SECONDS" | "MAX_BODY_BYTES",
  dflt: number,
) {
  const raw = env[name];
  if (raw === undefined || raw === "") return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw misconfigured(`${name} is not a positive integer`);
  return n;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function endpointUrl(service: string, key: string, value: unknown): string {
  if (typeof value !== "string")
    throw misconfigured(`ENDPOINT_OVERRIDES > ${service} > ${key} is not a string`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw misconfigured(`ENDPOINT_OVERRIDES > ${service} > ${key} is not an absolute URL`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname))) {
    throw misconfigured(`ENDPOINT_OVERRIDES > ${service} > ${key} must be https (http only on loopback)`);
  }
  return value;
}

function parseOverrides(raw: unknown): Record<string, EndpointOverride> {
  if (raw === undefined) return {};
  if (!isObject(raw)) throw misconfigured("ENDPOINT_OVERRIDES is not an object of service ids");
  const out: Record<string, EndpointOverride> = {};
  for (const [service, o] of Object.entries(raw)) {
    if (!isObject(o)) throw misconfigured(`ENDPOINT_OVERRIDES > ${service} is not an object`);
    const entry: EndpointOverride = {};
    for (const [k, v] of Object.entries(o)) {
      if (k === "authorize_url" || k === "token_url" || k === "revoke_url")
        entry[k] = endpointUrl(service, k, v);
      else if (k === "issuer" && typeof v === "string") entry.issuer = v;
      else throw misconfigured(`ENDPOINT_OVERRIDES > ${service} > ${k} is not a known key`);
    }
    out[service] = entry;
  }
  return out;
}

function parseLimits(raw: unknown): Record<Limited, RateLimit> {
  const out = { ...DEFAULT_LIMITS };
  if (raw === undefined) return out;
  if (!isObject(raw)) throw misconfigured("RATE_LIMITS is not an object");
  for (const [k, v] of Object.entries(raw)) {
    if (!(k in DEFAULT_LIMITS))
      throw misconfigured(`RATE_LIMITS > ${k} is not one of start, token, refresh, revoke`);
    if (
      !isObject(v) ||
      !Number.isInteger(v.limit) ||
      (v.limit as number) < 1 ||
      !Number.isInteger(v.window_s) ||
      (v.window_s as number) < 1
    ) {
      throw misconfigured(`RATE_LIMITS > ${k} must be {"limit": <n>, "window_s": <seconds>}`);
    }
    out[k as Limited] = { limit: v.limit as number, window_s: v.window_s as number };
  }
  return out;
}

async function parseExtraRecipes(raw: unknown): Promise<Recipe[]> {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw misconfigured("EXTRA_RECIPES is not a JSON array of recipes");
  const sources = raw.map((r, i) => {
    const id = isObject(r) && typeof r.id === "string" ? r.id : `recipe_${i}`;
    // JSON is YAML: the recipe loader validates these exactly like a user's recipe files.
    return { file: `${id}.yaml`, text: JSON.stringify(r) };
  });
  try {
    return await parseRecipes(sources);
  } catch (err) {
    throw misconfigured(`EXTRA_RECIPES: ${err instanceof Error ? err.message : "invalid"}`);
  }
}

async function build(env: Env): Promise<Config> {
  const services = new Set(
    (env.BROKER_SERVICES ?? "")
      .split(/[\s,]+/)
      .map((s) => s.trim())
      .filter(Boolean),
  );
  for (const s of services)
    if (!SERVICE_ID.test(s)) throw misconfigured(`BROKER_SERVICES has an invalid id "${s}"`);
  const byId = new Map(loadCatalog().map((r) => [r.id, r]));
  for (const r of await parseExtraRecipes(jsonVar(env, "EXTRA_RECIPES"))) byId.set(r.id, r);
  const recipes = [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
  return {
    services,
    recipes,
    byId,
    overrides: parseOverrides(jsonVar(env, "ENDPOINT_OVERRIDES")),
    limits: parseLimits(jsonVar(env, "RATE_LIMITS")),
    handoffTtlS: intVar(env, "HANDOFF_TTL_SECONDS", 60),
    pendingTtlS: intVar(env, "PENDING_TTL_SECONDS", 600),
    maxBodyBytes: intVar(env, "MAX_BODY_BYTES", 8192),
  };
}

const cache = new Map<string, Promise<Config>>();

/** The parsed configuration; parsed once per isolate and set of var values. Throws BrokerError when invalid. */
export function getConfig(env: Env): Promise<Config> {
  const key = JSON.stringify([
    env.BROKER_SERVICES,
    env.ENDPOINT_OVERRIDES,
    env.EXTRA_RECIPES,
    env.RATE_LIMITS,
    env.HANDOFF_TTL_SECONDS,
    env.PENDING_TTL_SECONDS,
    env.MAX_BODY_BYTES,
  ]);
  let config = cache.get(key);
  if (!config) {
    config = build(env);
    cache.set(key, config);
    config.catch(() => cache.delete(key));
  }
  return config;
}

/** One service the broker serves: its recipe's oauth2 block with overrides applied, and the shared app. */
export interface Service {
  id: string;
  oauth2: OAuth2Spec;
  issuer?: string;
  clientId: string;
  clientSecret?: string;
}

const envName = (service: string, part: "ID" | "SECRET") =>
  `CLIENT_${service.toUpperCase()}_${part}` as const;

export const unknownService = (id: string) =>
  new BrokerError(
    404,
    "unknown_service",
    `This broker does not serve the service "${id}".`,
    "Check the service id (GET /health lists the services this broker serves), or use your own OAuth app: set client: byo and ARCRUN_<SERVICE>_CLIENT_ID / _SECRET.",
  );

/** Resolves a service id from a request; unknown or unserved ids are a 404, never a lookup of arbitrary vars. */
export function getService(config: Config, env: Env, id: string): Service {
  if (!SERVICE_ID.test(id) || !config.services.has(id))
    throw unknownService(SERVICE_ID.test(id) ? id : "(invalid id)");
  const recipe = config.byId.get(id);
  if (!recipe) throw misconfigured(`BROKER_SERVICES lists "${id}", but no recipe has that id`);
  if (recipe.oauth2?.grant !== "authorization_code" || !recipe.oauth2.authorize_url) {
    throw misconfigured(`the recipe "${id}" has no oauth2 authorization_code flow`);
  }
  const override = config.overrides[id] ?? {};
  const oauth2: OAuth2Spec = {
    ...recipe.oauth2,
    ...(override.authorize_url ? { authorize_url: override.authorize_url } : {}),
    ...(override.token_url ? { token_url: override.token_url } : {}),
    ...(override.revoke_url ? { revoke_url: override.revoke_url } : {}),
  };
  for (const k of ["authorize_url", "token_url", "revoke_url"] as const) {
    // A per-user endpoint ({{secret.shop}}.example.com) has no single value a shared app could use.
    if (oauth2[k]?.includes("{{"))
      throw misconfigured(`the recipe "${id}" has a per-user ${k}; set it in ENDPOINT_OVERRIDES`);
  }
  const clientId = env[envName(id, "ID")];
  const clientSecret = env[envName(id, "SECRET")];
  if (!clientId) throw misconfigured(`the secret ${envName(id, "ID")} is not set`);
  if (!clientSecret && oauth2.token_auth_method !== "none") {
    throw misconfigured(`the secret ${envName(id, "SECRET")} is not set`);
  }
  return {
    id,
    oauth2,
    clientId,
    ...(clientSecret ? { clientSecret } : {}),
    ...(override.issuer ? { issuer: override.issuer } : {}),
  };
}

/** The services that are listed and fully configured, and those listed but not usable, for /health. */
export function serviceStatus(config: Config, env: Env): { ready: string[]; misconfigured: string[] } {
  const ready: string[] = [];
  const broken: string[] = [];
  for (const id of [...config.services].sort()) {
    try {
      getService(config, env, id);
      ready.push(id);
    } catch {
      broken.push(id);
    }
  }
  return { ready, misconfigured: broken };
}

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Api, ServiceRow } from "./api.js";
import { CliError } from "./errors.js";

/** What the MCP tools need: the CLI's seam on arcrun-auth and how to spell a command for this user. */
export interface ToolContext {
  api: Api;
  /** `arcrun` or `npx arcrun`: how the user runs the CLI (see docs/agents.md). */
  cli: string;
}

export const READ_ONLY = ["GET", "HEAD"] as const;
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
/** Response headers an agent may see; credential and cookie headers are never among them. */
const SHOWN_HEADERS = [
  "content-type",
  "content-length",
  "location",
  "link",
  "etag",
  "last-modified",
  "retry-after",
  "x-request-id",
  "x-ratelimit-limit",
  "x-ratelimit-remaining",
  "x-ratelimit-reset",
];
const MAX_BODY = 256 * 1024;
export const REDACTED = "<arcrun:redacted>";

/**
 * The methods config.yaml allows per service: `mcp: { allow: { github: [GET, POST] } }`. GET and HEAD are
 * always allowed.
 */
export async function allowedMethods(home: string): Promise<Map<string, Set<string>>> {
  const file = join(home, "config.yaml");
  const out = new Map<string, Set<string>>();
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return out;
    throw err;
  }
  const { parseYaml } = await import("@arcrun/recipes/node");
  const config = (await parseYaml(text)) as { mcp?: { allow?: unknown } } | null;
  const allow = config?.mcp?.allow;
  if (allow === undefined) return out;
  const bad = () =>
    new CliError(
      "ERR_CONFIG_INVALID",
      `${file}: mcp.allow must map service ids to lists of HTTP methods.`,
      "write it as: mcp: { allow: { github: [GET, POST] } }",
    );
  if (typeof allow !== "object" || allow === null || Array.isArray(allow)) throw bad();
  for (const [service, methods] of Object.entries(allow)) {
    if (
      !Array.isArray(methods) ||
      !methods.every((m) => typeof m === "string" && METHODS.has(m.toUpperCase()))
    )
      throw bad();
    out.set(service, new Set((methods as string[]).map((m) => m.toUpperCase())));
  }
  return out;
}

function connectCommand(ctx: ToolContext, row: ServiceRow): string {
  return `${ctx.cli} setup ${row.id}`;
}

export async function listServices(ctx: ToolContext): Promise<unknown> {
  const rows = await ctx.api.services();
  return rows.map((r) => {
    const connected = r.instances.filter((i) => i.status === "connected").map((i) => i.instance);
    return {
      id: r.id,
      name: r.name,
      auth: r.primitive,
      connected: connected.length > 0,
      instances: r.instances.map((i) => ({ instance: i.instance, status: i.status })),
      ...(connected.length > 0 ? {} : { connect: `run in a terminal: ${connectCommand(ctx, r)}` }),
    };
  });
}

export async function serviceStatus(ctx: ToolContext, service: string): Promise<unknown> {
  const recipe = await ctx.api.recipe(service);
  const [row] = await ctx.api.services(service);
  const allow = (await allowedMethods(ctx.api.home())).get(service);
  return {
    id: recipe.id,
    name: recipe.display_name,
    auth: recipe.primitive,
    base_url: recipe.base_url,
    hosts: recipe.hosts,
    docs_url: recipe.docs_url,
    instances: (row?.instances ?? []).map((i) => ({
      instance: i.instance,
      status: i.status,
      source: i.source,
      expires_at: i.expires_at,
      scopes: i.scopes,
    })),
    methods_allowed: [...new Set([...READ_ONLY, ...(allow ?? [])])],
    ...((row?.instances.length ?? 0) > 0
      ? {}
      : { connect: `run in a terminal: ${ctx.cli} setup ${service}` }),
  };
}

export interface HttpRequestArgs {
  service: string;
  instance?: string;
  method?: string;
  path: string;
  query?: Record<string, string | number | boolean>;
  json?: unknown;
  headers?: Record<string, string>;
}

/** The secret values of a credential, to take out of anything returned (an API may echo them). */
async function secretsOf(ctx: ToolContext, service: string, instance: string): Promise<string[]> {
  const recipe = await ctx.api.recipe(service);
  const info = await ctx.api.bind(service, { instance }).ready();
  const out: string[] = [];
  if (info.primitive === "oauth2" || info.primitive === "service_account") {
    out.push((await ctx.api.token(service, { instance })).accessToken);
  } else {
    const values = await ctx.api.secret(service, { instance });
    for (const spec of recipe.required_secrets) {
      const value = values[spec.key];
      if (spec.sensitive && value) out.push(value);
    }
  }
  return out.filter((s) => s.length >= 6);
}

/**
 * The forms in which an echoed secret may come back: as it is, and base64 / base64url encoded inside a
 * longer value (HTTP Basic `user:secret`, a JWT or JSON blob). Base64 encodes 3 bytes as 4 characters, so
 * the secret's encoding depends on how many bytes precede it (0, 1 or 2 modulo 3); for each of the three
 * offsets, the run of whole 4-character groups made of the secret's bytes only appears in any encoding of a
 * value that holds the secret at that offset. Runs shorter than 8 characters are left out (they would
 * garble unrelated text).
 */
function secretForms(secret: string): string[] {
  const bytes = Buffer.from(secret);
  const out = [secret];
  for (let k = 0; k < 3; k++) {
    const enc = Buffer.concat([Buffer.alloc(k), bytes]).toString("base64");
    const core = enc.slice(k === 0 ? 0 : 4, 4 * Math.floor((k + bytes.length) / 3));
    if (core.length < 8) continue;
    out.push(core, core.replaceAll("+", "-").replaceAll("/", "_"));
  }
  return [...new Set(out)];
}

function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) for (const form of secretForms(s)) out = out.split(form).join(REDACTED);
  return out;
}

export class Refused extends Error {}

export async function httpRequest(ctx: ToolContext, args: HttpRequestArgs): Promise<unknown> {
  const method = (args.method ?? "GET").toUpperCase();
  const instance = args.instance ?? "default";
  if (!METHODS.has(method))
    throw new Refused(`unsupported method ${method}; use one of ${[...METHODS].join(", ")}`);
  await ctx.api.recipe(args.service);
  if (!(READ_ONLY as readonly string[]).includes(method)) {
    const allow = (await allowedMethods(ctx.api.home())).get(args.service);
    if (!allow?.has(method)) {
      const file = join(ctx.api.home(), "config.yaml");
      throw new Refused(
        `${method} on ${args.service} is not allowed: arcrun mcp sends only GET and HEAD unless the user allows more. ` +
          `To allow it, the user adds to ${file}:\nmcp:\n  allow:\n    ${args.service}: [GET, ${method}]`,
      );
    }
  }
  const client = ctx.api.bind(args.service, { instance });
  const target = args.path;
  const url = /^https?:\/\//i.test(target) ? new URL(target) : undefined;
  let input: string | URL = url ?? target;
  if (args.query) {
    const params = new URLSearchParams(
      Object.entries(args.query).map(([k, v]): [string, string] => [k, String(v)]),
    );
    if (url) for (const [k, v] of params) url.searchParams.append(k, v);
    else input = `${target}${target.includes("?") ? "&" : "?"}${params.toString()}`;
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(args.headers ?? {})) {
    const name = k.toLowerCase();
    if (name === "authorization" || name === "cookie" || name === "proxy-authorization") continue;
    headers[name] = v;
  }
  let body: string | undefined;
  if (args.json !== undefined) {
    body = JSON.stringify(args.json);
    headers["content-type"] ??= "application/json";
  }
  const res = await client.fetch(input, { method, headers, ...(body === undefined ? {} : { body }) });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const truncated = bytes.byteLength > MAX_BODY;
  const secrets = await secretsOf(ctx, args.service, instance);
  // Redacted whole, then cut: a secret that straddles the cut is still found.
  const whole = redact(new TextDecoder().decode(bytes), secrets);
  const text = truncated ? whole.slice(0, MAX_BODY) : whole;
  const shown: Record<string, string> = {};
  for (const h of SHOWN_HEADERS) {
    const v = res.headers.get(h);
    if (v !== null) shown[h] = redact(v, secrets);
  }
  let parsed: unknown = text;
  if (!truncated && /[/+]json\b/i.test(res.headers.get("content-type") ?? "")) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return {
    status: res.status,
    headers: shown,
    body: parsed,
    ...(truncated ? { truncated_at_bytes: MAX_BODY } : {}),
  };
}

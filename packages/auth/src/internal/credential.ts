import type { StoredCredential } from "../types.js";

const TYPES = new Set(["static_key", "oauth2", "service_account", "aws_sigv4", "http_digest", "session"]);

/** Whether a parsed JSON value is a credential record this version understands. */
export function isStoredCredential(value: unknown): value is StoredCredential {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  if (v.v !== 1 || typeof v.type !== "string" || !TYPES.has(v.type)) return false;
  const values = v.values;
  if (typeof values !== "object" || values === null || Array.isArray(values)) return false;
  return Object.values(values).every((x) => typeof x === "string");
}

/** `service/instance`, the key of one credential in every store. */
export function entryKey(service: string, instance: string): string {
  return `${service}/${instance}`;
}

export function parseEntryKey(key: string): { service: string; instance: string } | undefined {
  const m = /^([a-z_][a-z0-9_]*)\/([A-Za-z0-9_.-]+)$/.exec(key);
  return m ? { service: m[1] as string, instance: m[2] as string } : undefined;
}

const INSTANCE = /^[A-Za-z0-9_.-]{1,64}$/;

export function validInstance(instance: string): boolean {
  return INSTANCE.test(instance) && instance !== "." && instance !== "..";
}

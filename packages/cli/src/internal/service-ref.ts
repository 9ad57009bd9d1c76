import { UsageError } from "./errors.js";

/** `github` or `github:work`, as `--service` takes it. */
export interface ServiceRef {
  service: string;
  instance: string;
}

const SERVICE_REF = /^([a-z0-9_]+)(?::([A-Za-z0-9][A-Za-z0-9_.-]{0,63}))?$/;

export function parseServiceRef(text: string, command: string): ServiceRef {
  const m = SERVICE_REF.exec(text);
  if (!m?.[1]) throw new UsageError(`--service takes SERVICE or SERVICE:INSTANCE (got "${text}")`, command);
  return { service: m[1], instance: m[2] ?? "default" };
}

/** One key per service and instance (`github~work`), for the maps and sets of served services. */
export function refKey(service: string, instance: string): string {
  return `${service}~${instance}`;
}

/** `openai` or `openai~work`: the first path segment of a proxy URL (docs/agents.md). */
export function routeSegment(service: string, instance: string): string {
  return instance === "default" ? service : refKey(service, instance);
}

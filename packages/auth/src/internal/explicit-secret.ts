import type { PrimitiveName, Recipe } from "@arcrun/recipes";
import { ArcrunError } from "../errors.js";

/** The `secret` option as checked: string values under names the recipe takes, and the primitive it implies. */
export interface ExplicitSecret {
  values: Readonly<Record<string, string>>;
  /** `service_account` when the option was a Google service account key. */
  via?: PrimitiveName;
}

/** Names a `secret` may carry besides the recipe's required_secrets: a token minted elsewhere, key metadata. */
const TOKEN_NAMES = ["access_token", "token_type"];
const KEY_NAMES = ["client_id", "issuer", "key_id"];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Google's JSON key file: `type: service_account` with the private key and the account's email. */
function isGoogleKey(v: Record<string, unknown>): boolean {
  return (
    v.type === "service_account" && typeof v.private_key === "string" && typeof v.client_email === "string"
  );
}

/**
 * Checks the `secret` option of bind/getToken/getSecret/test at run time (JavaScript callers and parsed
 * JSON reach it unchecked): an object of string values under names the recipe takes, or a Google service
 * account key (its JSON text or the parsed object) for a recipe that offers a `google_jwt` service account,
 * which then is used as that service account. Anything else is ERR_INVALID_OPTION, naming names, never values.
 */
export function checkExplicitSecret(
  recipe: Recipe,
  service: string,
  secret: unknown,
  via: PrimitiveName | undefined,
): ExplicitSecret | undefined {
  if (secret === undefined) return undefined;
  const sa = recipe.service_account;
  const usage = `pass { secret: { ${recipe.required_secrets[0]?.key ?? "access_token"}: "..." } }${sa?.kind === "google_jwt" ? ", or the service account's JSON key" : ""}`;
  let value: unknown = secret;
  if (typeof secret === "string") {
    try {
      value = JSON.parse(secret);
    } catch {
      value = undefined;
    }
    if (!isRecord(value)) {
      throw new ArcrunError(
        "ERR_INVALID_OPTION",
        `${service}: the secret option is a string that is not a JSON key; ${usage}`,
        { service },
      );
    }
  }
  if (!isRecord(value)) {
    throw new ArcrunError(
      "ERR_INVALID_OPTION",
      `${service}: the secret option must be an object of string values; ${usage}`,
      { service },
    );
  }
  if (isGoogleKey(value)) {
    if (sa?.kind !== "google_jwt" || (via !== undefined && via !== "service_account")) {
      throw new ArcrunError(
        "ERR_INVALID_OPTION",
        `${service}: the secret option is a Google service account key, but ${sa?.kind === "google_jwt" ? `via is ${via}` : `${service} has no Google service account`}; ${sa?.kind === "google_jwt" ? "leave via out or set it to service_account" : "pass the values the recipe asks for instead"}. Run: arcrun recipe show ${service}`,
        { service },
      );
    }
    return {
      values: { [sa.key_secret]: typeof secret === "string" ? secret : JSON.stringify(value) },
      via: "service_account",
    };
  }
  if (typeof secret === "string") {
    throw new ArcrunError(
      "ERR_INVALID_OPTION",
      `${service}: the secret option is JSON but not a Google service account key (no type "service_account", private_key and client_email); ${usage}`,
      { service },
    );
  }
  const allowed = new Set([
    ...recipe.required_secrets.map((s) => s.key),
    ...TOKEN_NAMES,
    ...(sa ? [sa.key_secret, ...KEY_NAMES] : []),
    // An OAuth app of the caller's own, given with the call (internal/oauth/session.ts reads these).
    ...(recipe.oauth2 ? ["client_id", "client_secret"] : []),
  ]);
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string") {
      throw new ArcrunError(
        "ERR_INVALID_OPTION",
        `${service}: the secret option's ${JSON.stringify(k).slice(0, 40)} is ${v === null ? "null" : typeof v}, not a string; ${usage}`,
        { service },
      );
    }
    if (!allowed.has(k)) {
      throw new ArcrunError(
        "ERR_INVALID_OPTION",
        `${service}: the secret option has ${JSON.stringify(k).slice(0, 40)}, which the recipe does not take (it takes ${[...allowed].join(", ")}). Run: arcrun recipe show ${service}`,
        { service },
      );
    }
    values[k] = v;
  }
  return { values };
}

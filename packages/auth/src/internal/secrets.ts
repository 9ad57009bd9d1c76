import type { Recipe } from "@arcrun/recipes";
import { ArcrunError } from "../errors.js";
import { envNames } from "../stores/env.js";
import type { Prompter, StoredCredential, StrategyFactoryContext } from "../types.js";

/** `arcrun setup notion`, with `--instance` when it is not the default one. */
export function setupCommand(service: string, instance: string): string {
  return `arcrun setup ${service}${instance === "default" ? "" : ` --instance ${instance}`}`;
}

export function needsLogin(
  recipe: Recipe,
  service: string,
  instance: string,
  missing: readonly string[],
): ArcrunError {
  const key = missing[0];
  const env = key === undefined ? [] : envNames(recipe, service, instance, key);
  const hint =
    env.length > 0
      ? `Set ${env[0]}, or run: ${setupCommand(service, instance)}`
      : `Run: ${setupCommand(service, instance)}`;
  return new ArcrunError(
    "ERR_NEEDS_LOGIN",
    `${recipe.display_name} (${service}, instance "${instance}") has no credential${key === undefined ? "" : ` (missing: ${missing.join(", ")})`}. ${hint}`,
    { service, instance },
  );
}

type SecretSpec = Recipe["required_secrets"][number];

/** Whether a value has the form the recipe's `pattern` asks for (matched in full); true without a pattern. */
export function matchesPattern(spec: SecretSpec, value: string): boolean {
  return spec.pattern === undefined || new RegExp(`^(?:${spec.pattern})$`).test(value);
}

/**
 * ERR_INVALID_SECRET for a value that does not match its pattern: names the key, where the value came from
 * and the expected form, never the value.
 */
export function invalidSecret(
  spec: SecretSpec,
  service: string,
  instance: string,
  where: string,
): ArcrunError {
  return new ArcrunError(
    "ERR_INVALID_SECRET",
    `${where} for ${service} "${spec.key}" (${spec.label}) does not have the expected form (${spec.pattern}). Fix it${spec.help_url ? ` (see ${spec.help_url})` : ""}, then run: ${setupCommand(service, instance)}`,
    { service, instance },
  );
}

/**
 * Checks values against the recipe: every required key present, no unknown key, patterns matched in full.
 * Messages name keys and patterns, never values. Returns the values with defaults filled in.
 */
export function checkValues(
  recipe: Recipe,
  service: string,
  instance: string,
  values: Readonly<Record<string, string>>,
  options: { partial?: boolean } = {},
): Record<string, string> {
  const known = new Map(recipe.required_secrets.map((s) => [s.key, s]));
  for (const k of Object.keys(values)) {
    if (!known.has(k)) {
      throw new ArcrunError(
        "ERR_INVALID_OPTION",
        `${service} has no secret "${k}"; its secrets are: ${[...known.keys()].join(", ") || "(none)"}. Run: arcrun recipe show ${service}`,
        { service, instance },
      );
    }
  }
  const out: Record<string, string> = {};
  const missing: string[] = [];
  for (const s of recipe.required_secrets) {
    const v = values[s.key] ?? s.default;
    if (v === undefined || v === "") {
      if (!s.optional) missing.push(s.key);
      continue;
    }
    if (!matchesPattern(s, v)) throw invalidSecret(s, service, instance, "The value given");
    if (s.format === "json") {
      try {
        JSON.parse(v);
      } catch {
        throw new ArcrunError(
          "ERR_INVALID_SECRET",
          `The value given for ${service} "${s.key}" (${s.label}) is not valid JSON. Paste the whole file's content, then run: ${setupCommand(service, instance)}`,
          { service, instance },
        );
      }
    }
    out[s.key] = v;
  }
  if (missing.length > 0 && !options.partial) {
    throw new ArcrunError(
      "ERR_MISSING_SECRET",
      `${service} needs ${missing.map((k) => `"${k}"`).join(", ")}. Pass ${missing.length > 1 ? "them" : "it"}, or run: ${setupCommand(service, instance)}`,
      { service, instance },
    );
  }
  return out;
}

/** Asks a person for each required secret, hidden when sensitive. `only` limits it to some keys. */
export async function promptValues(
  prompt: Prompter,
  recipe: Recipe,
  service: string,
  only?: readonly string[],
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const s of recipe.required_secrets) {
    if (only && !only.includes(s.key)) continue;
    const answer = await prompt.ask({
      service,
      key: s.key,
      label: s.label,
      sensitive: s.sensitive,
      ...(s.help_url === undefined ? {} : { help_url: s.help_url }),
      ...(s.optional ? { optional: true } : {}),
      ...(s.default === undefined ? {} : { default: s.default }),
    });
    if (answer !== "") out[s.key] = answer;
  }
  return out;
}

/** A record of values for a primitive that keeps no token (static_key, aws_sigv4) or keeps it beside them. */
export function valuesCredential(
  type: "static_key" | "service_account" | "aws_sigv4" | "http_digest" | "session",
  values: Record<string, string>,
  now: number,
  previous?: StoredCredential,
): StoredCredential {
  const at = new Date(now).toISOString();
  return { v: 1, type, values, created_at: previous?.created_at ?? at, updated_at: at };
}

/**
 * The interactive login of a primitive whose credential is just its recipe's values (static_key,
 * aws_sigv4): a prompt per required secret, the recipe's checks, then one write to the store.
 */
export async function promptAndStoreValues(
  ctx: StrategyFactoryContext,
  type: "static_key" | "aws_sigv4" | "http_digest" | "session",
  what: string,
): Promise<void> {
  const { recipe, service, instance } = ctx;
  if (!ctx.interactive) {
    throw new ArcrunError(
      "ERR_NOT_INTERACTIVE",
      `Cannot ask for the ${service} ${what}: no terminal here. Set them in the environment, or run: arcrun setup ${service} in a terminal`,
      { service, instance },
    );
  }
  const answers = await promptValues(ctx.prompt, recipe, service);
  const values = checkValues(recipe, service, instance, answers);
  const previous = await ctx.store.get(service, instance);
  await ctx.store.set(service, instance, valuesCredential(type, values, ctx.now(), previous));
}

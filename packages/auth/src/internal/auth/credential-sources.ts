import type { Recipe } from "@arcrun/recipes";
import { envNames, readEnvValues } from "../../stores/env.js";
import { readSecretFiles, secretFileDirs, secretFileName } from "../../stores/secret-files.js";
import type { CredentialSource, ResolvedValues } from "../../types.js";
import { invalidSecret, matchesPattern } from "../secrets.js";
import type { StoreHolder } from "./store-holder.js";

export interface CredentialSourcesOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** Directories of secret files; default `$ARCRUN_SECRETS_DIR` then `/run/secrets`. */
  secretsDirs?: readonly string[] | undefined;
  stores: StoreHolder;
}

/**
 * The recipe's required_secrets from sources 1-4, per key, first match wins: the `secret` option, the
 * environment, secret files, then the store, which is opened only when the others leave a value missing.
 * `bind` (through the strategies' readValues) and `listServices` both ask here.
 */
export class CredentialSources {
  readonly #env: Readonly<Record<string, string | undefined>>;
  readonly #dirs: readonly string[];
  readonly #stores: StoreHolder;

  constructor(options: CredentialSourcesOptions) {
    this.#env = options.env;
    this.#dirs = options.secretsDirs ?? secretFileDirs(options.env);
    this.#stores = options.stores;
  }

  /** The environment and secret files only (the store is not opened). */
  async outsideStore(
    recipe: Recipe,
    instance: string,
  ): Promise<{ env: Record<string, string>; files: Record<string, string> }> {
    const env = readEnvValues(recipe, recipe.id, instance, this.#env);
    const complete = recipe.required_secrets.every((s) => env[s.key] !== undefined);
    const files = complete ? {} : await readSecretFiles(recipe, recipe.id, instance, this.#dirs);
    return { env, files };
  }

  /** Whether the environment and secret files alone hold every value the recipe requires. */
  async completeOutsideStore(recipe: Recipe, instance: string): Promise<boolean> {
    const required = recipe.required_secrets.filter((r) => !r.optional && r.default === undefined);
    if (required.length === 0) return false;
    const { env, files } = await this.outsideStore(recipe, instance);
    return required.every((r) => env[r.key] !== undefined || files[r.key] !== undefined);
  }

  /**
   * Where the default instance's credential is when it is not stored: "env" or "secret-file" when those
   * hold every required value (what `arcrun status` shows), else undefined.
   */
  async unstoredSource(recipe: Recipe): Promise<"env" | "secret-file" | undefined> {
    if (recipe.required_secrets.length === 0) return undefined;
    const { env, files } = await this.outsideStore(recipe, "default");
    const have = (k: string) => env[k] !== undefined || files[k] !== undefined;
    const complete = recipe.required_secrets.every(
      (s) => s.optional || s.default !== undefined || have(s.key),
    );
    if (!complete || !recipe.required_secrets.some((s) => have(s.key))) return undefined;
    return recipe.required_secrets.some((s) => env[s.key] !== undefined) ? "env" : "secret-file";
  }

  async readValues(
    recipe: Recipe,
    service: string,
    instance: string,
    secret: Readonly<Record<string, string>> | undefined,
  ): Promise<ResolvedValues> {
    const values: Record<string, string> = {};
    const sources: Record<string, CredentialSource> = {};
    const take = (from: Readonly<Record<string, string>>, source: CredentialSource) => {
      for (const [k, v] of Object.entries(from)) {
        if (values[k] === undefined && v !== "" && recipe.required_secrets.some((s) => s.key === k)) {
          values[k] = v;
          sources[k] = source;
        }
      }
    };
    const missingKeys = () =>
      recipe.required_secrets.filter(
        (s) => values[s.key] === undefined && !s.optional && s.default === undefined,
      );
    if (secret) take(secret, "option");
    take(readEnvValues(recipe, service, instance, this.#env), "env");
    if (missingKeys().length > 0 || recipe.required_secrets.some((s) => values[s.key] === undefined)) {
      take(await readSecretFiles(recipe, service, instance, this.#dirs), "secret-file");
    }
    const result: ResolvedValues = { values, sources, missing: [] };
    if (missingKeys().length > 0 || recipe.required_secrets.length === 0) {
      const stored = await (await this.#stores.store()).get(service, instance);
      if (stored) {
        take(stored.values, "store");
        result.stored = stored;
      }
    }
    result.missing = missingKeys().map((s) => s.key);
    // Every source is checked the same way (env and secret files too): a value that does not match the
    // recipe's pattern never reaches a request (it may be interpolated into a host), and defaults fill in.
    for (const s of recipe.required_secrets) {
      const v = values[s.key];
      if (v === undefined) {
        if (s.default !== undefined) values[s.key] = s.default;
        continue;
      }
      if (!matchesPattern(s, v)) {
        throw invalidSecret(
          s,
          service,
          instance,
          this.#sourceText(recipe, service, instance, s.key, sources[s.key], v),
        );
      }
    }
    return result;
  }

  /** Where a value came from, in words for an error message (a variable or file name, never the value). */
  #sourceText(
    recipe: Recipe,
    service: string,
    instance: string,
    key: string,
    source: CredentialSource | undefined,
    value: string,
  ): string {
    switch (source) {
      case "env": {
        const name = envNames(recipe, service, instance, key).find((n) => this.#env[n] === value);
        return name ? `The value of ${name}` : "The environment value";
      }
      case "secret-file":
        return `The secret file ${secretFileName(service, instance, key)}`;
      case "store":
        return "The stored value";
      case "option":
        return "The value passed as secret";
      default:
        return "The value given";
    }
  }
}

/**
 * A throwaway `$ARCRUN_HOME` for tests: user recipes written as files (the way users add them), and an
 * environment for createAuth / child processes that uses the encrypted-file store with a per-run master key.
 */
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProvider } from "./oidc-provider.js";

export interface TestHome {
  dir: string;
  /** Environment for createAuth({ env }) or a child process: ARCRUN_HOME, encrypted-file store, master key. */
  env: Record<string, string>;
  /** Writes `$ARCRUN_HOME/recipes/<id>.yaml` (JSON is YAML). */
  writeRecipe(recipe: Record<string, unknown> & { id: string }): Promise<void>;
  writeConfig(yaml: string): Promise<void>;
  cleanup(): Promise<void>;
}

export async function makeHome(): Promise<TestHome> {
  const dir = await mkdtemp(join(tmpdir(), "arcrun-oauth-"));
  await mkdir(join(dir, "recipes"), { recursive: true, mode: 0o700 });
  return {
    dir,
    env: {
      ARCRUN_HOME: dir,
      ARCRUN_STORE: "encrypted-file",
      ARCRUN_MASTER_KEY: randomBytes(32).toString("hex"),
      PATH: process.env.PATH ?? "",
    },
    writeRecipe: (recipe) =>
      writeFile(join(dir, "recipes", `${recipe.id}.yaml`), JSON.stringify(recipe, null, 2)),
    writeConfig: (yaml) => writeFile(join(dir, "config.yaml"), yaml, { mode: 0o600 }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A user recipe for the test provider's protected resource, through the native (public) client. */
export function providerRecipe(
  op: TestProvider,
  id: string,
  oauth2: Record<string, unknown> = {},
): Record<string, unknown> & { id: string } {
  return {
    id,
    display_name: `Local ${id}`,
    docs_url: "https://example.com/docs",
    primitive: "oauth2",
    base_url: op.resourceUrl,
    hosts: ["127.0.0.1"],
    oauth2: {
      authorize_url: op.urls.authorize,
      token_url: op.urls.token,
      revoke_url: op.urls.revoke,
      device_url: op.urls.device,
      scopes: ["openid", "offline_access"],
      authorization_params: { prompt: "consent" },
      token_auth_method: "none",
      client: "byo",
      ...oauth2,
    },
    inject: { header: { Authorization: "Bearer {{runtime.access_token}}" } },
    test: { method: "GET", path: "/me", expect_status: 200 },
  };
}

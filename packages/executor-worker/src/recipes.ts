import {
  MissingTemplateValue,
  type Recipe,
  RecipeError,
  renderTemplate,
  type TemplateValues,
  validateRecipe,
} from "@arcrun/recipes";
import {
  openRecipePush,
  type RecipeCheckResponse,
  type RecipePushPhase,
  type RecipePushRequest,
  type RecipePushResponse,
} from "@arcrun/workflow";
import { ExecutorError } from "./errors.js";
import {
  allowedHosts,
  type CredentialRecord,
  checkExecutorKey,
  decryptRecord,
  loadRecord,
  originAllowed,
  type RecipeLookup,
  secretValues,
} from "./host/credentials.js";
import { chooseChallenge, digestAnswerFor } from "./host/digest.js";
import { USER_AGENT } from "./host/functions.js";
import { credentialKey, kindPrefix, recipeKey } from "./keys.js";
import { executorRefusal } from "./primitives.js";
import { listKeys } from "./store.js";

// Tenant recipes (docs/executor.md "Pushed recipes"): a service the catalogue lacks, pushed by a tenant with
// `arcrun recipe push`. Kept under v2/recipe/{tenant}/{id} only after the person confirmed every host the
// credential goes to and the recipe's test request passed with one of the tenant's credentials; the
// tenant's workflows then reach the service with egress limited to the recipe's hosts, as for a built-in.

/** A pushed recipe's id (the file's name without .yaml). */
const ID = /^[a-z][a-z0-9_]{0,63}$/;

/** What v2/recipe/{tenant}/{id} holds. */
export interface StoredRecipe {
  id: string;
  /** The file as pushed. */
  source: string;
  /** Validated and resolved (extends applied), as the catalogue holds its recipes. */
  recipe: Recipe;
  /** The hosts the person confirmed, rendered with the credential the test ran with. */
  hosts: string[];
  credential: string;
  test_status: number;
  pushed_at: string;
}

/** The most a tenant may push; a tenant with more services wants them built in. */
export const MAX_TENANT_RECIPES = 100;

/** The tenant's pushed recipes by id (GET /recipes): one list, then one get each. */
export async function tenantRecipes(kv: KVNamespace, tenant: string): Promise<Map<string, StoredRecipe>> {
  const out = new Map<string, StoredRecipe>();
  for await (const k of listKeys(kv, kindPrefix("recipe", tenant))) {
    const raw = await kv.get(k.name);
    if (!raw) continue;
    const stored = JSON.parse(raw) as StoredRecipe;
    out.set(stored.id, stored);
    if (out.size >= MAX_TENANT_RECIPES) break;
  }
  return out;
}

/**
 * The recipe lookup of one run: the built-in (and operator) recipes first, as they cannot be shadowed; then
 * the tenant's pushed recipe of that id, read the first time the run asks for it (one KV get per id, a miss
 * remembered too). A run reads only the recipes its nodes and credentials name, whatever the tenant has
 * pushed; an id no push could have taken is not looked up.
 */
export function runRecipes(
  base: (id: string) => Recipe | undefined,
  kv: Pick<KVNamespace, "get">,
  tenant: string,
): RecipeLookup {
  const own = new Map<string, Promise<Recipe | undefined>>();
  return (id) => {
    const builtIn = base(id);
    if (builtIn || !ID.test(id)) return builtIn;
    let pending = own.get(id);
    if (!pending) {
      pending = getStoredRecipe(kv, tenant, id).then((stored) => stored?.recipe);
      own.set(id, pending);
    }
    return pending;
  };
}

export async function getStoredRecipe(
  kv: Pick<KVNamespace, "get">,
  tenant: string,
  id: string,
): Promise<StoredRecipe | undefined> {
  const raw = await kv.get(recipeKey(tenant, id));
  return raw ? (JSON.parse(raw) as StoredRecipe) : undefined;
}

/** What a push needs from the Worker: KV, the tenant, the executor's key, the other recipes, and fetch. */
export interface PushPlace {
  kv: KVNamespace;
  tenant: string;
  encryptionKey: string | undefined;
  /** Built-in and operator (ARCRUN_RECIPES) recipes: a pushed recipe may not take one of their ids. */
  base: (id: string) => Recipe | undefined;
  fetch: (req: Request) => Promise<Response>;
}

function invalid(message: string): ExecutorError {
  return new ExecutorError("ERR_RECIPE_INVALID", message);
}

/** The request body, checked field by field. */
export function readPushRequest(body: unknown): RecipePushRequest {
  if (!body || typeof body !== "object" || Array.isArray(body))
    throw invalid("send JSON { id, source, credential, confirm_hosts, proof } (arcrun recipe push does)");
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) {
    if (!["id", "source", "credential", "confirm_hosts", "proof"].includes(k))
      throw invalid(
        `unknown field "${k}"; a recipe push is { id, source, credential, confirm_hosts, proof }`,
      );
  }
  if (typeof b.id !== "string" || !ID.test(b.id))
    throw invalid("id is required: a lower_snake_case recipe id (the file's name without .yaml)");
  if (typeof b.source !== "string" || b.source.trim() === "")
    throw invalid("source is required: the recipe file's text");
  if (typeof b.credential !== "string" || b.credential === "")
    throw invalid("credential is required: the name of the credential the test request runs with");
  if (!Array.isArray(b.confirm_hosts) || !b.confirm_hosts.every((h) => typeof h === "string"))
    throw invalid("confirm_hosts is required: the list of hosts the person confirmed");
  const p = b.proof as Record<string, unknown> | undefined;
  if (
    !p ||
    typeof p !== "object" ||
    typeof p.name !== "string" ||
    typeof p.encrypted !== "string" ||
    typeof p.iv !== "string"
  )
    throw invalid(
      "proof is required: the request sealed with your tenant's key (arcrun recipe push makes it)",
    );
  return {
    id: b.id,
    source: b.source,
    credential: b.credential,
    confirm_hosts: b.confirm_hosts as string[],
    proof: { ...(p.v === 2 ? { v: 2 as const } : {}), name: p.name, encrypted: p.encrypted, iv: p.iv },
  };
}

/**
 * The recipe as egress reads it: a recipe file's `hosts` name no port (docs/recipes.md), and the executor
 * allows a bare host on the scheme's default port only, so a port written in `base_url` is added as
 * `host:port` (it is where the recipe sends every request).
 */
export function egressRecipe(recipe: Recipe): Recipe {
  const authority = /^[a-z]+:\/\/([^/?#]+)/i.exec(recipe.base_url)?.[1];
  if (!authority || !/:\d{1,5}$/.test(authority) || recipe.hosts.includes(authority)) return recipe;
  return { ...recipe, hosts: [...recipe.hosts, authority] };
}

/**
 * The primitives whose test request the push can send with the tenant's credential: an inject of the
 * credential's values, an OAuth access token, or the answer to the server's HTTP Digest challenge (the host
 * answers it as it does at egress, docs/executor.md "HTTP Digest").
 */
const PUSHABLE: readonly Recipe["primitive"][] = ["static_key", "oauth2", "http_digest"];

async function validated(req: RecipePushRequest, place: PushPlace): Promise<Recipe> {
  let recipe: Recipe | undefined;
  try {
    recipe = (await validateRecipe(req.source, `${req.id}.yaml`)).recipe;
  } catch (err) {
    if (err instanceof RecipeError)
      throw invalid(`${err.message}; fix it and check with: arcrun recipe validate`);
    throw err;
  }
  if (!recipe)
    throw invalid(`${req.id}.yaml is an abstract base; push a recipe whose id does not start with _`);
  if (place.base(recipe.id)) {
    throw new ExecutorError(
      "ERR_RECIPE_EXISTS",
      `"${recipe.id}" is a built-in recipe; a pushed recipe may not replace it. Give yours another id (and file name), e.g. my_${recipe.id}`,
    );
  }
  // A session recipe is one the executor does not run at all (src/primitives.ts), with the reason.
  const refusal = executorRefusal(recipe);
  if (refusal) throw invalid(refusal);
  if (!PUSHABLE.includes(recipe.primitive)) {
    throw invalid(
      `recipe push runs the test request for ${PUSHABLE.join(", ")} recipes; "${recipe.id}" is ${recipe.primitive}. Ask the executor's operator to add it to ARCRUN_RECIPES`,
    );
  }
  return egressRecipe(recipe);
}

interface Opened {
  record: CredentialRecord;
  secrets: Record<string, string>;
}

async function openFor(req: RecipePushRequest, recipe: Recipe, place: PushPlace): Promise<Opened> {
  const record = await loadRecord({ kv: place.kv, tenant: place.tenant }, req.credential);
  if (!record) {
    throw new ExecutorError(
      "ERR_CREDENTIAL_NOT_FOUND",
      `no credential "${req.credential}"; push it first: arcrun creds push ${req.credential}`,
    );
  }
  // A credential that belongs to another recipe goes only to that recipe's hosts: a pushed recipe must not
  // send it anywhere else.
  if (record.recipe !== undefined && record.recipe !== recipe.id) {
    throw new ExecutorError(
      "ERR_CREDENTIAL_INVALID",
      `credential "${req.credential}" belongs to recipe "${record.recipe}" and is sent only to its hosts; push the value for ${recipe.id} under another name: arcrun creds push ${recipe.id}`,
    );
  }
  const plaintext = await decryptRecord(record, place.tenant, checkExecutorKey(place.encryptionKey));
  const secrets = secretValues(plaintext);
  // A bare value is the recipe's first required secret, as when a run opens it (host/credentials.ts).
  const first = recipe.required_secrets[0]?.key;
  if (first !== undefined && secrets.value === plaintext && Object.keys(secrets).length === 1) {
    delete secrets.value;
    secrets[first] = plaintext;
  }
  for (const s of recipe.required_secrets)
    if (secrets[s.key] === undefined && s.default !== undefined) secrets[s.key] = s.default;
  return { record, secrets };
}

/** Every host the recipe lets the credential reach, rendered with its values: what egress will allow. */
function hostsOf(recipe: Recipe, opened: Opened): string[] {
  const { hosts: _extra, ...record } = opened.record;
  return allowedHosts({ ...record, recipe: recipe.id }, recipe, opened.secrets).sort();
}

function render(template: string, values: TemplateValues, credential: string): string {
  try {
    return renderTemplate(template, values);
  } catch (err) {
    if (err instanceof MissingTemplateValue) {
      throw new ExecutorError(
        "ERR_CREDENTIAL_INVALID",
        `credential "${credential}" has no value for {{${err.variable}}}; push it again with that key: arcrun creds push ${credential}`,
      );
    }
    throw err;
  }
}

/** The test request's URL: the recipe's base URL (rendered), its path prefix, and the test path. */
function testUrl(recipe: Recipe, values: TemplateValues, credential: string): URL {
  const test = recipe.test as NonNullable<Recipe["test"]>;
  if (/^https?:\/\//i.test(test.path)) return new URL(render(test.path, values, credential));
  const base = render(recipe.base_url, values, credential).replace(/\/+$/, "");
  const prefix = recipe.inject?.path_prefix ? render(recipe.inject.path_prefix, values, credential) : "";
  const path = test.path.startsWith("/") ? test.path : `/${test.path}`;
  return new URL(`${base}${prefix}${render(path, values, credential)}`);
}

/**
 * Sends the recipe's test request with the credential, in the host: the recipe's inject rendered with the
 * credential's values, to a URL on the confirmed hosts only, redirects not followed (a redirect to another
 * host must not carry the credential). Returns the status; the body is read only for `expect_json`.
 */
async function runTest(recipe: Recipe, opened: Opened, hosts: string[], place: PushPlace): Promise<number> {
  const name = opened.record.name;
  const test = recipe.test;
  if (!test) {
    throw invalid(
      `recipe "${recipe.id}" has no test request; add test: { method: GET, path: /who-am-i, expect_status: 200 } so the push can prove it works`,
    );
  }
  const runtime: Record<string, string> = {};
  let inject = recipe.inject;
  if (recipe.primitive === "oauth2") {
    const token = opened.secrets.access_token;
    if (!token) {
      throw new ExecutorError(
        "ERR_CREDENTIAL_INVALID",
        `credential "${name}" holds no access_token; push the token set as JSON ({"access_token": ...}): arcrun creds push ${name}`,
      );
    }
    runtime.access_token = token;
    inject = recipe.oauth2?.inject ?? recipe.inject;
  }
  const values: TemplateValues = { secret: opened.secrets, runtime };
  const url = testUrl(recipe, values, name);
  for (const [k, v] of Object.entries(inject?.query ?? {})) url.searchParams.set(k, render(v, values, name));
  if (!originAllowed(url, hosts)) {
    throw new ExecutorError(
      "ERR_HOST_NOT_ALLOWED",
      `the test request goes to ${url.host}, which is not among the recipe's hosts (${hosts.join(", ")}); fix the recipe's base_url or test.path`,
    );
  }
  const headers = new Headers();
  for (const [k, v] of Object.entries(test.headers ?? {})) headers.set(k, render(v, values, name));
  for (const [k, v] of Object.entries(inject?.header ?? {})) headers.set(k, render(v, values, name));
  // As the workflows' http_request does: some APIs (GitHub's) refuse a request without one.
  if (!headers.has("user-agent")) headers.set("user-agent", USER_AGENT);
  let body: string | undefined;
  if (test.json !== undefined) {
    body = JSON.stringify(test.json);
    headers.set("content-type", "application/json");
  }
  const where = `${test.method} ${url.protocol}//${url.host}${url.pathname}`;
  const send = (h: Headers) =>
    place.fetch(
      new Request(url, { method: test.method, headers: h, redirect: "manual", ...(body ? { body } : {}) }),
    );
  let res: Response;
  try {
    res = await send(headers);
    const spec = recipe.primitive === "http_digest" ? recipe.http_digest : undefined;
    const chosen = spec && res.status === 401 ? chooseChallenge(res, spec) : undefined;
    if (spec && chosen) {
      // HTTP Digest: the 401's challenge answered once (nonce count 1), as the host answers it at egress.
      await res.body?.cancel();
      const answered = new Headers(headers);
      answered.set(
        "authorization",
        await digestAnswerFor(spec, opened.secrets, chosen, test.method, url.href, 1).catch(
          (err: unknown) => {
            if (!(err instanceof MissingTemplateValue)) throw err;
            throw new ExecutorError(
              "ERR_CREDENTIAL_INVALID",
              `credential "${name}" has no value for {{${err.variable}}} (the recipe's http_digest block); push it again with that key: arcrun creds push ${name}`,
            );
          },
        ),
      );
      res = await send(answered);
    }
  } catch (err) {
    if (err instanceof ExecutorError) throw err;
    throw new ExecutorError(
      "ERR_RECIPE_TEST_FAILED",
      `the test request ${where} got no answer; nothing was stored. Check the recipe's base_url and that ${url.host} is reachable from the executor`,
    );
  }
  const want = Array.isArray(test.expect_status) ? test.expect_status : [test.expect_status];
  if (!want.includes(res.status)) {
    await res.body?.cancel();
    throw new ExecutorError(
      "ERR_RECIPE_TEST_FAILED",
      `the test request ${where} answered ${res.status}, expected ${want.join(" or ")}; nothing was stored. Check credential "${name}" (arcrun creds push ${name}) and the recipe's inject and test`,
    );
  }
  if (test.expect_json) {
    let parsed: unknown;
    try {
      parsed = await res.json();
    } catch {
      parsed = undefined;
    }
    const obj = parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : {};
    // Field names only in the message: the answer's values may echo the credential.
    const wrong = Object.entries(test.expect_json)
      .filter(([k, v]) => obj[k] !== v)
      .map(([k]) => k);
    if (wrong.length > 0) {
      throw new ExecutorError(
        "ERR_RECIPE_TEST_FAILED",
        `the test request ${where} answered ${res.status} but its JSON does not hold the expected ${wrong.join(", ")}; nothing was stored. Check credential "${name}" and the recipe's test.expect_json`,
      );
    }
  } else {
    await res.body?.cancel();
  }
  return res.status;
}

async function authorized(req: RecipePushRequest, phase: RecipePushPhase, place: PushPlace): Promise<void> {
  if (!(await openRecipePush(checkExecutorKey(place.encryptionKey), place.tenant, phase, req))) {
    throw new ExecutorError(
      "ERR_UNAUTHORIZED",
      "the recipe push is not sealed with this tenant's key; set ARCRUN_EXECUTOR_KEY (or --key-file) to the key you push credentials with, and push again",
    );
  }
}

/** `POST /recipes/check`: validates, opens the credential, and says where it would be sent. Stores nothing. */
export async function checkRecipe(req: RecipePushRequest, place: PushPlace): Promise<RecipeCheckResponse> {
  await authorized(req, "check", place);
  const recipe = await validated(req, place);
  const hosts = hostsOf(recipe, await openFor(req, recipe, place));
  const previous = await getStoredRecipe(place.kv, place.tenant, recipe.id);
  return { id: recipe.id, hosts, previous_hosts: previous ? previous.hosts : null };
}

/**
 * `POST /recipes`: the check again, then every host must be among those confirmed, then the test request must
 * pass; only then is the recipe stored (and the credential, if it had no recipe, bound to it).
 */
export async function pushRecipe(req: RecipePushRequest, place: PushPlace): Promise<RecipePushResponse> {
  await authorized(req, "push", place);
  const recipe = await validated(req, place);
  const opened = await openFor(req, recipe, place);
  const hosts = hostsOf(recipe, opened);
  const confirmed = new Set(req.confirm_hosts);
  const unconfirmed = hosts.filter((h) => !confirmed.has(h));
  if (unconfirmed.length > 0) {
    throw new ExecutorError(
      "ERR_HOSTS_UNCONFIRMED",
      `recipe "${recipe.id}" would send credential "${req.credential}" to ${unconfirmed.join(", ")}, which you did not confirm; nothing was stored. Run arcrun recipe push again and confirm the hosts it shows`,
    );
  }
  const previous = await getStoredRecipe(place.kv, place.tenant, recipe.id);
  if (!previous) {
    let count = 0;
    for await (const _k of listKeys(place.kv, kindPrefix("recipe", place.tenant))) count++;
    if (count >= MAX_TENANT_RECIPES) {
      throw invalid(
        `this tenant has ${MAX_TENANT_RECIPES} pushed recipes, the most it may have; delete one first (DELETE /recipes/<id> on the executor)`,
      );
    }
  }
  const status = await runTest(recipe, opened, hosts, place);
  const stored: StoredRecipe = {
    id: recipe.id,
    source: req.source,
    recipe,
    hosts,
    credential: req.credential,
    test_status: status,
    pushed_at: new Date().toISOString(),
  };
  await place.kv.put(recipeKey(place.tenant, recipe.id), JSON.stringify(stored));
  const bound = opened.record.recipe === undefined;
  if (bound) {
    // The credential was confirmed for these hosts: it now belongs to the recipe, as if pushed with --recipe.
    await place.kv.put(
      credentialKey(place.tenant, opened.record.name),
      JSON.stringify({ ...opened.record, recipe: recipe.id }),
    );
  }
  return {
    id: recipe.id,
    hosts,
    test_status: status,
    bound,
    replaced: previous !== undefined,
    pushed_at: stored.pushed_at,
  };
}

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { recipeJsonSchema } from "../scripts/build-catalog.js";
import { RecipeError } from "../src/errors.js";
import { parseRecipeSource, type RecipeSource, resolveRecipes } from "../src/loader.js";
import { parseRecipe, parseRecipes } from "../src/parse.js";

const pkg = join(__dirname, "..");

async function resolve(...sources: RecipeSource[]) {
  const raws = [];
  for (const s of sources) raws.push(await parseRecipeSource(s));
  return resolveRecipes(raws);
}

async function failure(...sources: RecipeSource[]): Promise<RecipeError> {
  try {
    await resolve(...sources);
  } catch (err) {
    expect(err).toBeInstanceOf(RecipeError);
    return err as RecipeError;
  }
  throw new Error("expected a RecipeError");
}

const staticKey = (id: string, extra = "") => ({
  file: `${id}.yaml`,
  text: `id: ${id}
display_name: Example
docs_url: https://example.com/docs
primitive: static_key
base_url: https://api.example.com/v1
hosts: [api.example.com]
required_secrets:
  - { key: token, label: API token }
inject:
  header: { Authorization: "Bearer {{secret.token}}" }
${extra}`,
});

describe("recipe loader", () => {
  it("accepts a valid static-key recipe and applies defaults", async () => {
    const { recipes } = await resolve(staticKey("example"));
    expect(recipes[0]?.required_secrets[0]).toMatchObject({ key: "token", sensitive: true, optional: false });
  });

  it("rejects a plain-http URL that is not loopback, naming the key path", async () => {
    const src = staticKey("example");
    src.text = src.text.replace("https://api.example.com/v1", "http://api.example.com/v1");
    const err = await failure(src);
    expect(err.keyPath).toEqual(["base_url"]);
    expect(err.message).toContain("example.yaml: base_url: an https:// URL");
  });

  it("allows plain http for loopback hosts (local testing)", async () => {
    const src = staticKey("example");
    src.text = src.text
      .replace("https://api.example.com/v1", "http://127.0.0.1:8080/v1")
      .replace("[api.example.com]", "[127.0.0.1]");
    await expect(resolve(src)).resolves.toBeTruthy();
  });

  it("rejects an undeclared secret in inject", async () => {
    const src = staticKey("example");
    src.text = src.text.replace("{{secret.token}}", "{{secret.api_key}}");
    const err = await failure(src);
    expect(err.keyPath).toEqual(["inject", "header", "Authorization"]);
    expect(err.expected).toContain("{{secret.api_key}}");
  });

  it("rejects {{runtime.access_token}} on a static key", async () => {
    const src = staticKey("example");
    src.text = src.text.replace("{{secret.token}}", "{{runtime.access_token}}");
    const err = await failure(src);
    expect(err.keyPath).toEqual(["inject", "header", "Authorization"]);
  });

  it("Basic with an empty password or user, or of the key alone, names a declared secret; an unknown one is refused", async () => {
    for (const expr of ['{{basic secret.token ""}}', '{{basic "" secret.token}}', "{{basic secret.token}}"]) {
      const src = staticKey("example");
      src.text = src.text.replace('"Bearer {{secret.token}}"', `'Basic ${expr}'`);
      const [r] = (await resolve(src)).recipes;
      expect(r?.inject?.header?.Authorization).toBe(`Basic ${expr}`);
    }
    const src = staticKey("example");
    src.text = src.text.replace('"Bearer {{secret.token}}"', "'Basic {{basic secret.nope}}'");
    const err = await failure(src);
    expect(err.keyPath).toEqual(["inject", "header", "Authorization"]);
    expect(err.expected).toContain("{{secret.nope}}");
    // Both halves empty is no credential at all.
    const empty = staticKey("example");
    empty.text = empty.text.replace('"Bearer {{secret.token}}"', `'Basic {{basic "" ""}}'`);
    expect((await failure(empty)).keyPath).toEqual(["inject", "header", "Authorization"]);
  });

  it("{{client.id}} only in the inject of an oauth2 credential, never a static key's", async () => {
    const src = staticKey("example");
    src.text = src.text.replace("{{secret.token}}", "{{client.id}}");
    const err = await failure(src);
    expect(err.keyPath).toEqual(["inject", "header", "Authorization"]);
    expect(err.expected).toContain("no {{client.id}} here");
  });

  it("inject.body fields are checked like headers, and a test has either json or form", async () => {
    const src = staticKey("example");
    src.text = src.text.replace(
      'header: { Authorization: "Bearer {{secret.token}}" }',
      'body: { format: form, fields: { api_key: "{{secret.tokn}}" } }',
    );
    expect((await failure(src)).keyPath).toEqual(["inject", "body", "fields", "api_key"]);
    const both = await failure(
      staticKey("example", "test: { method: POST, path: /x, json: {}, form: { a: b } }\n"),
    );
    expect(both.keyPath).toEqual(["test", "form"]);
  });

  it("checks interpolation in test headers too", async () => {
    const err = await failure(
      staticKey("example", 'test: { path: /me, headers: { X-Key: "{{secret.nope}}" } }\n'),
    );
    expect(err.keyPath).toEqual(["test", "headers", "X-Key"]);
  });

  it("rejects an unknown interpolation", async () => {
    const src = staticKey("example");
    src.text = src.text.replace("{{secret.token}}", "{{env.HOME}}");
    expect((await failure(src)).keyPath).toEqual(["inject", "header", "Authorization"]);
  });

  it("rejects an unknown base", async () => {
    const err = await failure({ file: "child.yaml", text: "id: child\nextends: _nowhere\n" });
    expect(err.keyPath).toEqual(["extends"]);
    expect(err.expected).toContain("unknown base");
  });

  it("rejects a cycle of extends", async () => {
    const err = await failure(
      { file: "_a.yaml", text: "id: _a\nextends: _b\n" },
      { file: "_b.yaml", text: "id: _b\nextends: _a\n" },
      { file: "c.yaml", text: "id: c\nextends: _a\n" },
    );
    expect(err.keyPath).toEqual(["extends"]);
    expect(err.expected).toMatch(/cycle/);
  });

  it("rejects a base_url whose host is not in hosts", async () => {
    const src = staticKey("example");
    src.text = src.text.replace("hosts: [api.example.com]", "hosts: [other.example.com]");
    const err = await failure(src);
    expect(err.keyPath).toEqual(["base_url"]);
    expect(err.expected).toContain("a host listed in hosts");
  });

  it("rejects an id that does not match the file name", async () => {
    const err = await failure({ ...staticKey("example"), file: "other.yaml" });
    expect(err.keyPath).toEqual(["id"]);
  });

  it("rejects an unknown key, naming it", async () => {
    const err = await failure(staticKey("example", "colour: blue\n"));
    expect(err.expected).toContain('"colour"');
  });

  it("reports malformed YAML with the file name", async () => {
    const err = await failure({ file: "bad.yaml", text: "id: bad\n  display_name: [" });
    expect(err.file).toBe("bad.yaml");
    expect(err.keyPath).toEqual([]);
    expect(err.expected).toMatch(/^is not valid YAML: /);
    expect(err.message).toMatch(/^bad\.yaml: is not valid YAML: .+ \(line \d+, column \d+/);
  });

  it("names a YAML error's position inside the file, never past its end", async () => {
    const text = "id: broken\nextends: notion\nbase_url: [https://git.example.com\n";
    const err = await failure({ file: "broken.yaml", text });
    expect(err.message).toMatch(
      /^broken\.yaml: is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a \] \(line 3, column 35: the end of the file\)\. Fix/,
    );
    expect(err.message).not.toContain("valid YAML (");
    const dup = await failure({ file: "dup.yaml", text: "id: dup\nprimitive: static_key\nid: dup\n" });
    expect(dup.expected).toBe("is not valid YAML: Map keys must be unique (line 3, column 1)");
  });

  it("an enum error names the value received", async () => {
    const err = await failure({
      file: "example.yaml",
      text: "id: example\ndisplay_name: Example\nprimitive: oauth\nbase_url: https://api.example.com\nhosts: [api.example.com]\n",
    });
    expect(err.keyPath).toEqual(["primitive"]);
    expect(err.expected).toMatch(/^one of "static_key", .*\(got "oauth"\)$/);
  });

  it("the checks zod words itself read in English (zod/mini has no messages until a locale is set)", async () => {
    const withLine = (from: RegExp, to: string) => {
      const source = staticKey("example");
      return { ...source, text: source.text.replace(from, to) };
    };
    const empty = await failure(withLine(/^display_name: .*$/m, 'display_name: ""'));
    expect(empty.keyPath).toEqual(["display_name"]);
    expect(empty.expected).toBe("Too small: expected string to have >=1 characters");
    const url = await failure(withLine(/^docs_url: .*$/m, "docs_url: not a url"));
    expect(url.keyPath).toEqual(["docs_url"]);
    expect(url.expected).toBe("Invalid URL");
    const port = await failure(
      staticKey("example", "oauth2: { token_url: https://api.example.com/t, redirect: { port: 0 } }\n"),
    );
    expect(port.keyPath).toEqual(["oauth2", "redirect", "port"]);
    expect(port.expected).toBe("Too small: expected number to be >=1");
    const path = await failure(
      staticKey("example", "oauth2: { token_url: https://api.example.com/t, redirect: { path: cb } }\n"),
    );
    expect(path.expected).toBe('Invalid string: must start with "/"');
  });

  it("merges extends deeply, with arrays replaced", async () => {
    const { recipes } = await resolve(
      {
        file: "_base.yaml",
        text: `id: _base
primitive: oauth2
oauth2:
  authorize_url: https://auth.example.com/authorize
  token_url: https://auth.example.com/token
  scopes: [a, b]
  authorization_params: { access_type: offline }
inject: { header: { Authorization: "Bearer {{runtime.access_token}}" } }
`,
      },
      {
        file: "child.yaml",
        text: `id: child
extends: _base
display_name: Child
docs_url: https://example.com
base_url: https://api.example.com
hosts: [api.example.com]
oauth2: { scopes: [c], authorization_params: { prompt: consent } }
`,
      },
    );
    expect(recipes[0]?.oauth2?.scopes).toEqual(["c"]);
    expect(recipes[0]?.oauth2?.authorization_params).toEqual({ access_type: "offline", prompt: "consent" });
    expect(recipes[0]?.oauth2?.token_url).toBe("https://auth.example.com/token");
  });

  it("requires sensitive: false and a pattern for a secret interpolated into a host", async () => {
    const src = staticKey("example");
    src.text = src.text
      .replace("https://api.example.com/v1", "https://{{secret.site}}.example.com/v1")
      .replace("[api.example.com]", '["*.example.com"]')
      .replace(
        "- { key: token, label: API token }",
        "- { key: token, label: API token }\n  - { key: site, label: Site }",
      );
    expect((await failure(src)).keyPath).toEqual(["base_url"]);
    src.text = src.text.replace(
      "{ key: site, label: Site }",
      '{ key: site, label: Site, sensitive: false, pattern: "[a-z0-9-]+" }',
    );
    await expect(resolve(src)).resolves.toBeTruthy();
  });
});

describe("recipe loader: secrets, endpoints and primitives", () => {
  const oauthRecipe = (oauth2: string, extra = "") => ({
    file: "example.yaml",
    text: `id: example
display_name: Example
docs_url: https://example.com/docs
primitive: oauth2
base_url: https://api.example.com
hosts: [api.example.com]
oauth2:
  authorize_url: https://auth.example.com/authorize
  token_url: https://auth.example.com/token
${oauth2}
inject: { header: { Authorization: "Bearer {{runtime.access_token}}" } }
${extra}`,
  });

  it("rejects two secrets with the same key", async () => {
    const src = staticKey("example");
    src.text = src.text.replace(
      "- { key: token, label: API token }",
      "- { key: token, label: API token }\n  - { key: token, label: Again }",
    );
    const err = await failure(src);
    expect(err.keyPath).toEqual(["required_secrets", "1", "key"]);
    expect(err.expected).toContain('"token" twice');
  });

  it("rejects a pattern that is not a regular expression, and a default that does not match it", async () => {
    const src = staticKey("example");
    src.text = src.text.replace(
      "{ key: token, label: API token }",
      '{ key: token, label: API token, pattern: "[a-" }',
    );
    expect((await failure(src)).keyPath).toEqual(["required_secrets", "0", "pattern"]);
    const src2 = staticKey("example");
    src2.text = src2.text.replace(
      "- { key: token, label: API token }",
      '- { key: token, label: API token }\n  - { key: region, label: Region, sensitive: false, default: "EU 1", pattern: "[a-z]+-[0-9]" }',
    );
    const err = await failure(src2);
    expect(err.keyPath).toEqual(["required_secrets", "1", "default"]);
    expect(err.expected).toContain("matching pattern");
  });

  it("rejects an env entry that is not a variable name", async () => {
    const src = staticKey("example");
    src.text = src.text.replace(
      "{ key: token, label: API token }",
      '{ key: token, label: API token, env: [OK_NAME, "not ok"] }',
    );
    const err = await failure(src);
    expect(err.keyPath).toEqual(["required_secrets", "0", "env", "1"]);
  });

  it("an OAuth endpoint may name a value only when it is not secret and has a pattern (a tenant)", async () => {
    const src = oauthRecipe("", "required_secrets: [{ key: tenant, label: Tenant, sensitive: false }]");
    src.text = src.text.replace(
      "https://auth.example.com/token",
      "https://auth.example.com/{{secret.tenant}}/token",
    );
    const err = await failure(src);
    expect(err.keyPath).toEqual(["oauth2", "token_url"]);
    expect(err.expected).toContain("only with sensitive: false and a pattern");
    const ok = oauthRecipe(
      "",
      'required_secrets: [{ key: tenant, label: Tenant, sensitive: false, default: common, pattern: "[a-z0-9-]+" }]',
    );
    ok.text = ok.text.replace(
      "https://auth.example.com/token",
      "https://auth.example.com/{{secret.tenant}}/token",
    );
    const r = await resolve(ok);
    expect(r.recipes[0]?.oauth2?.token_url).toBe("https://auth.example.com/{{secret.tenant}}/token");
  });

  it("accepts revoke_style bearer with a revoke_url and rejects it without one", async () => {
    const ok = await resolve(
      oauthRecipe("  revoke_url: https://auth.example.com/revoke\n  revoke_style: bearer"),
    );
    expect(ok.recipes[0]?.oauth2?.revoke_style).toBe("bearer");
    const plain = await resolve(oauthRecipe(""));
    expect(plain.recipes[0]?.oauth2?.revoke_style).toBeUndefined();
    const err = await failure(oauthRecipe("  revoke_style: bearer"));
    expect(err.keyPath).toEqual(["oauth2", "revoke_url"]);
  });

  it("accepts revoke_auth_method with an rfc7009 revoke_url, and rejects it without one or with bearer", async () => {
    const url = "  revoke_url: https://auth.example.com/revoke\n";
    const ok = await resolve(oauthRecipe(`${url}  revoke_auth_method: client_secret_post`));
    expect(ok.recipes[0]?.oauth2?.revoke_auth_method).toBe("client_secret_post");
    for (const text of [
      "  revoke_auth_method: client_secret_post",
      `${url}  revoke_style: bearer\n  revoke_auth_method: client_secret_basic`,
    ]) {
      const err = await failure(oauthRecipe(text));
      expect(err.keyPath).toEqual(["oauth2", "revoke_auth_method"]);
      expect(err.message).toContain("applies only to an rfc7009 revoke_url");
    }
  });

  it("accepts revoke_token with an rfc7009 revoke_url, and rejects it without one or with bearer", async () => {
    const url = "  revoke_url: https://auth.example.com/revoke\n";
    const ok = await resolve(oauthRecipe(`${url}  revoke_token: access`));
    expect(ok.recipes[0]?.oauth2?.revoke_token).toBe("access");
    expect((await resolve(oauthRecipe(url))).recipes[0]?.oauth2?.revoke_token).toBeUndefined();
    for (const text of ["  revoke_token: both", `${url}  revoke_style: bearer\n  revoke_token: access`]) {
      const err = await failure(oauthRecipe(text));
      expect(err.keyPath).toEqual(["oauth2", "revoke_token"]);
      expect(err.message).toContain("applies only to an rfc7009 revoke_url");
    }
  });

  it("checks service_account.subject like any interpolation", async () => {
    const sa = (subject: string) => ({
      file: "example.yaml",
      text: `id: example
display_name: Example
docs_url: https://example.com/docs
primitive: service_account
base_url: https://api.example.com
hosts: [api.example.com]
required_secrets:
  - { key: key_json, label: Key, format: json }
  - { key: subject, label: User, sensitive: false }
service_account: { kind: google_jwt, token_url: https://auth.example.com/token, subject: "${subject}" }
inject: { header: { Authorization: "Bearer {{runtime.access_token}}" } }
`,
    });
    const { recipes } = await resolve(sa("{{secret.subject}}"));
    expect(recipes[0]?.service_account?.subject).toBe("{{secret.subject}}");
    const err = await failure(sa("{{secret.user}}"));
    expect(err.keyPath).toEqual(["service_account", "subject"]);
    expect(err.expected).toContain("{{secret.user}}");
  });

  it("requires access_key_id and secret_access_key for primitive aws_sigv4", async () => {
    const aws = (secrets: string) => ({
      file: "example.yaml",
      text: `id: example
display_name: Example
docs_url: https://example.com/docs
primitive: aws_sigv4
base_url: https://s3.us-east-1.amazonaws.com
hosts: [s3.us-east-1.amazonaws.com]
required_secrets: ${secrets}
aws_sigv4: { service: s3, region: us-east-1 }
`,
    });
    await expect(
      resolve(aws("[{ key: access_key_id, label: Id }, { key: secret_access_key, label: Secret }]")),
    ).resolves.toBeTruthy();
    const err = await failure(aws("[{ key: access_key_id, label: Id }]"));
    expect(err.keyPath).toEqual(["required_secrets"]);
    expect(err.expected).toContain('"secret_access_key"');
  });
});

describe("recipe loader: http_digest and session", () => {
  const digest = (block: string) => ({
    file: "example.yaml",
    text: `id: example
display_name: Example
docs_url: https://example.com/docs
primitive: http_digest
base_url: https://api.example.com
hosts: [api.example.com]
required_secrets: [{ key: user, label: User, sensitive: false }, { key: password, label: Password }]
${block}`,
  });
  const session = (login: string, extra = "") => ({
    file: "example.yaml",
    text: `id: example
display_name: Example
docs_url: https://example.com/docs
primitive: session
base_url: https://api.example.com/xrpc
hosts: [api.example.com]
required_secrets: [{ key: handle, label: Handle, sensitive: false }, { key: password, label: Password }]
session:
  login: ${login}
  token_path: accessJwt
${extra}
inject:
  header: { Authorization: "Bearer {{runtime.access_token}}" }
`,
  });

  it("requires the http_digest block and checks its templates", async () => {
    const ok = digest('http_digest: { username: "{{secret.user}}", password: "{{secret.password}}" }');
    const recipe = (await resolve(ok)).recipes[0];
    expect(recipe?.http_digest?.algorithms).toEqual(["SHA-256", "MD5"]);
    expect((await failure(digest(""))).keyPath).toEqual(["http_digest"]);
    const undeclared = await failure(
      digest('http_digest: { username: "{{secret.user}}", password: "{{secret.pass}}" }'),
    );
    expect(undeclared.keyPath).toEqual(["http_digest", "password"]);
  });

  it("session: defaults, login URL on the recipe's hosts, login templates naming declared secrets", async () => {
    const url = "https://api.example.com/xrpc/login";
    const { recipes } = await resolve(
      session(`{ url: ${url}, json: { identifier: "{{secret.handle}}", password: "{{secret.password}}" } }`),
    );
    const recipe = recipes[0];
    expect(recipe?.session).toMatchObject({
      login: { method: "POST" },
      refresh_on_status: [401],
      relogin_errors: [],
      expiry_from_jwt: false,
    });
    const away = await failure(session("{ url: https://login.elsewhere.example/xrpc/login }"));
    expect(away.keyPath).toEqual(["session", "login", "url"]);
    const plain = await failure(session("{ url: http://api.example.com/xrpc/login }"));
    expect(plain.keyPath).toEqual(["session", "login", "url"]);
    // A URL names a value only as a host may: not secret and with a pattern (handle has none).
    const templated = await failure(session("{ url: 'https://api.example.com/{{secret.handle}}' }"));
    expect(templated.keyPath).toEqual(["session", "login", "url"]);
    expect(templated.expected).toContain("sensitive: false and a pattern");
    const undeclared = await failure(session(`{ url: ${url}, json: { password: "{{secret.pw}}" } }`));
    expect(undeclared.keyPath).toEqual(["session", "login", "json", "password"]);
    const refreshAway = await failure(
      session(`{ url: ${url} }`, "  refresh: { url: https://other.example/refresh }"),
    );
    expect(refreshAway.keyPath).toEqual(["session", "refresh", "url"]);
    const refreshHeader = await failure(
      session(`{ url: ${url} }`, `  refresh: { url: ${url}, headers: { apikey: "{{secret.key}}" } }`),
    );
    expect(refreshHeader.keyPath).toEqual(["session", "refresh", "headers", "apikey"]);
    const noToken = await failure(session(`{ url: ${url} }`, `  refresh: { url: ${url}, bearer: none }`));
    expect(noToken.keyPath).toEqual(["session", "refresh", "json_field"]);
  });

  it("session: a URL on a per-account host names a pattern-checked value (a Supabase project ref)", async () => {
    const text = `id: example
display_name: Example
docs_url: https://example.com/docs
primitive: session
base_url: https://{{secret.ref}}.example.co
hosts: ["{{secret.ref}}.example.co"]
required_secrets:
  - { key: ref, label: Project, sensitive: false, pattern: "[a-z0-9]{20}" }
  - { key: password, label: Password }
session:
  login: { url: "https://{{secret.ref}}.example.co/token?grant_type=password", json: { password: "{{secret.password}}" } }
  refresh: { url: "https://{{secret.ref}}.example.co/token?grant_type=refresh_token", bearer: none, json_field: refresh_token }
  error_path: error_code
inject:
  header: { Authorization: "Bearer {{runtime.access_token}}" }
`;
    const { recipes } = await resolve({ file: "example.yaml", text });
    expect(recipes[0]?.session?.refresh).toMatchObject({ bearer: "none", json_field: "refresh_token" });
    const elsewhere = await failure({
      file: "example.yaml",
      text: text.replace(
        "https://{{secret.ref}}.example.co/token?grant_type=password",
        "https://{{secret.ref}}.other.co/t",
      ),
    });
    expect(elsewhere.keyPath).toEqual(["session", "login", "url"]);
  });
});

describe("user recipes over the built-in catalogue", () => {
  it("a file that extends its own id changes only the keys it sets (EU Mailgun)", async () => {
    const r = await parseRecipe(
      "id: mailgun\nextends: mailgun\nbase_url: https://api.eu.mailgun.net\n",
      "/home/me/.arcrun/recipes/mailgun.yaml",
    );
    expect(r?.base_url).toBe("https://api.eu.mailgun.net");
    expect(r?.inject?.header?.Authorization).toBe("Basic {{basic secret.username secret.api_key}}");
    expect(r?.required_secrets.map((s) => s.key)).toEqual(["username", "api_key"]);
  });

  it("a new service may extend a built-in abstract base", async () => {
    const [r] = await parseRecipes([
      {
        file: "google_tasks.yaml",
        text: `id: google_tasks
extends: _google_base
display_name: Google Tasks
docs_url: https://developers.google.com/workspace/tasks
base_url: https://tasks.googleapis.com/tasks/v1
hosts: [tasks.googleapis.com]
oauth2: { scopes: [https://www.googleapis.com/auth/tasks.readonly] }
`,
      },
    ]);
    expect(r?.oauth2?.client).toBe("broker");
    expect(r?.oauth2?.token_url).toBe("https://oauth2.googleapis.com/token");
    expect(r?.oauth2?.scopes).toEqual(["https://www.googleapis.com/auth/tasks.readonly"]);
  });

  it("extending its own id with no built-in of that id is an unknown base", async () => {
    const err = await failure({ file: "mine.yaml", text: "id: mine\nextends: mine\n" });
    expect(err.keyPath).toEqual(["extends"]);
    expect(err.expected).toContain("unknown base");
  });

  it("an override is validated like any recipe: a host it adds must cover base_url", async () => {
    await expect(
      parseRecipe("id: gitlab\nextends: gitlab\nbase_url: https://git.example.com/api/v4\n", "gitlab.yaml"),
    ).rejects.toMatchObject({ code: "ERR_RECIPE_INVALID", keyPath: ["base_url"] });
    const r = await parseRecipe(
      "id: gitlab\nextends: gitlab\nbase_url: https://git.example.com/api/v4\nhosts: [git.example.com]\n",
      "gitlab.yaml",
    );
    expect(r?.hosts).toEqual(["git.example.com"]);
  });
});

describe("recipe.schema.json", () => {
  it("is up to date with the zod schema", () => {
    expect(readFileSync(join(pkg, "recipe.schema.json"), "utf8")).toBe(recipeJsonSchema());
  });
});

describe("hosts, URLs and size: what validation refuses or warns about", () => {
  for (const host of ["*.com", "*.co.uk", "*.github.io", "*.CO.UK"]) {
    it(`rule: a wildcard on the public suffix ${host} is refused`, async () => {
      const src = staticKey("example");
      src.text = src.text.replace("hosts: [api.example.com]", `hosts: [api.example.com, "${host}"]`);
      const err = await failure(src);
      expect(err.keyPath).toEqual(["hosts", "1"]);
      expect(err.message).toContain(`got "${host}": ${host.slice(2).toLowerCase()} is a public suffix`);
    });
  }

  it("a wildcard under a provider's own domain is accepted (*.example.com, *.sentry.io)", async () => {
    const src = staticKey("example");
    src.text = src.text.replace(
      "hosts: [api.example.com]",
      'hosts: [api.example.com, "*.example.com", "*.sentry.io"]',
    );
    expect((await resolve(src)).recipes[0]?.hosts).toHaveLength(3);
  });

  it("a secret in the query or path is a warning naming where; secret_in_url: required silences it", async () => {
    const src = staticKey("example");
    src.text = src.text.replace(
      'header: { Authorization: "Bearer {{secret.token}}" }',
      'query: { key: "{{secret.token}}" }\n  path_prefix: /bot{{secret.token}}',
    );
    const { warnings } = await resolve(src);
    expect(warnings.map((w) => w.keyPath)).toEqual([
      ["inject", "path_prefix"],
      ["inject", "query", "key"],
    ]);
    expect(warnings[0]).toMatchObject({
      file: "example.yaml",
      message: expect.stringContaining("set secret_in_url: required"),
    });
    src.text += "secret_in_url: required\n";
    expect((await resolve(src)).warnings).toEqual([]);
  });

  it("a secret marked sensitive: false in a URL (a region, a workspace) is not warned about", async () => {
    const src = staticKey("example");
    src.text = src.text
      .replace(
        "  - { key: token, label: API token }",
        "  - { key: token, label: API token }\n  - { key: ws, label: Workspace, sensitive: false }",
      )
      .replace("base_url: https://api.example.com/v1", "base_url: https://api.example.com/v1/{{secret.ws}}");
    expect((await resolve(src)).warnings).toEqual([]);
  });

  it("no built-in recipe warns (telegram and trello say the provider needs the secret in the URL)", async () => {
    const { readRecipeDir } = await import("../src/read-dir.js");
    const raws = [];
    for (const s of await readRecipeDir(join(pkg, "recipes"))) raws.push(await parseRecipeSource(s));
    const { recipes, warnings } = resolveRecipes(raws);
    expect(warnings).toEqual([]);
    expect(recipes.find((r) => r.id === "telegram")?.secret_in_url).toBe("required");
  });

  it("rule: a recipe file over 64 KiB is refused before it is parsed", async () => {
    const src = staticKey("example", `description: "${"x".repeat(70_000)}"\n`);
    const err = await failure(src);
    expect(err.keyPath).toEqual([]);
    expect(err.message).toContain("a recipe file of at most 64 KiB, got 70");
  });

  it("rule: readRecipeDir refuses a file over 64 KiB by its size, without reading it", async () => {
    const { mkdtemp, rm, writeFile } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { readRecipeDir } = await import("../src/read-dir.js");
    const dir = await mkdtemp(join(tmpdir(), "arcrun-recipes-"));
    try {
      await writeFile(join(dir, "big.yaml"), "#".repeat(65 * 1024 + 1));
      await expect(readRecipeDir(dir)).rejects.toMatchObject({
        code: "ERR_RECIPE_INVALID",
        message: expect.stringContaining("at most 64 KiB"),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("recipe loader: values captured after an oauth2 login", () => {
  const recipe = (body: string, primitive = "oauth2") => ({
    file: "example.yaml",
    text: `id: example
display_name: Example
docs_url: https://example.com/docs
primitive: ${primitive}
required_secrets:
  - { key: token, label: API token }
${body}`,
  });
  const oauth = (extra: string) => `oauth2:
  authorize_url: https://auth.example.com/authorize
  token_url: https://auth.example.com/token
  inject: { header: { Authorization: "Bearer {{runtime.access_token}}" } }
${extra}`;
  const lookupCapture = `  lookup: { url: https://api.example.com/sites }
  capture:
    site: { from: lookup, path: 0.id, pattern: "[a-z0-9]+" }
`;

  it("accepts a captured value in the oauth2 block's base_url, with the lookup on an allowed host", async () => {
    const { recipes } = await resolve(
      recipe(
        `base_url: https://api.example.com/v1
hosts: [api.example.com]
inject: { header: { Authorization: "{{secret.token}}" } }
${oauth(`${lookupCapture}  base_url: https://api.example.com/ex/{{captured.site}}/v1`)}`,
        "static_key",
      ),
    );
    expect(recipes[0]?.oauth2?.capture.site).toEqual({
      from: "lookup",
      path: "0.id",
      pattern: "[a-z0-9]+",
      part: "value",
    });
  });

  it("lookup.choose names a non-sensitive required_secrets value; a secret or an unknown key is refused", async () => {
    const chooser = (value: string) => {
      const r = recipe(
        `base_url: https://api.example.com/v1
hosts: [api.example.com]
${oauth(`  lookup:
    url: https://api.example.com/sites
    choose: { value: ${value}, match: [url, name] }
  capture:
    site_id: { from: lookup, path: id, pattern: "[a-z0-9]+" }
  base_url: https://api.example.com/ex/{{captured.site_id}}/v1`)}`,
      );
      // The API token (sensitive by default) and a site name that is not a secret.
      const text = r.text.replace(
        "  - { key: token, label: API token }",
        "  - { key: token, label: API token }\n  - { key: site, label: Site, sensitive: false }",
      );
      return { ...r, text };
    };
    const { recipes } = await resolve(chooser("site"));
    expect(recipes[0]?.oauth2?.lookup?.choose).toEqual({ value: "site", match: ["url", "name"] });
    for (const value of ["token", "nope"]) {
      const err = await failure(chooser(value));
      expect(err.keyPath).toEqual(["oauth2", "lookup", "choose", "value"]);
      expect(err.message).toContain("a non-sensitive required_secrets value");
    }
  });

  it("accepts a capture from the authorization redirect (a query parameter name), and refuses a dotted path there", async () => {
    const redirect = (path: string) =>
      recipe(`base_url: https://api.example.com/company/{{captured.realm}}
hosts: [api.example.com]
${oauth(`  capture:
    realm: { from: redirect, path: ${path}, pattern: "[0-9]+" }
`)}`);
    const { recipes } = await resolve(redirect("realmId"));
    expect(recipes[0]?.oauth2?.capture.realm?.from).toBe("redirect");
    const err = await failure(redirect("a.b"));
    expect(err.keyPath).toEqual(["oauth2", "capture", "realm", "path"]);
    expect(err.expected).toContain("the name of a query parameter of the authorization redirect");
  });

  it("accepts lookup headers with the token, and refuses a secret a user could set in a token parameter", async () => {
    const { recipes } = await resolve(
      recipe(`base_url: https://api.example.com
hosts: [api.example.com]
${oauth(`  lookup: { url: https://api.example.com/meta, header: { Authorization: "OAuth {{runtime.access_token}}" } }
  capture:
    dc: { from: lookup, path: dc, pattern: "[a-z]+[0-9]+" }
`)}`),
    );
    expect(recipes[0]?.oauth2?.lookup?.header).toEqual({ Authorization: "OAuth {{runtime.access_token}}" });
    const err = await failure(
      recipe(`base_url: https://api.example.com
hosts: [api.example.com]
${oauth(`  token_params: { audience: "https://{{secret.token}}/api/v2/" }
`)}`),
    );
    expect(err.keyPath).toEqual(["oauth2", "token_params", "audience"]);
    expect(err.expected).toContain("sensitive: false and a pattern");
  });

  it("accepts a base_url whose whole host is captured only with fixed hosts to hold it to", async () => {
    const whole = (hosts: string) =>
      recipe(`base_url: https://{{captured.host}}/api/v4
hosts: ${hosts}
${oauth(`  capture:
    host: { from: token, path: host, pattern: "[a-z0-9-]+\\\\.example\\\\.com" }
`)}`);
    const { recipes } = await resolve(whole("[www.example.com, eu.example.com]"));
    expect(recipes[0]?.base_url).toBe("https://{{captured.host}}/api/v4");
    const err = await failure(whole('["{{captured.host}}"]'));
    expect(err.keyPath).toEqual(["hosts"]);
    expect(err.expected).toContain("fixed host names only");
  });

  it("refuses a captured value that is not declared", async () => {
    const err = await failure(
      recipe(`base_url: https://api.example.com/{{captured.nope}}
hosts: [api.example.com]
${oauth(lookupCapture)}`),
    );
    expect(err.keyPath).toEqual(["base_url"]);
    expect(err.expected).toContain("declared in oauth2 > capture");
  });

  it("refuses a captured value in the top-level base_url of a static-key recipe (it has no login)", async () => {
    const err = await failure(
      recipe(
        `base_url: https://api.example.com/{{captured.site}}
hosts: [api.example.com]
inject: { header: { Authorization: "{{secret.token}}" } }
${oauth(lookupCapture)}`,
        "static_key",
      ),
    );
    expect(err.keyPath).toEqual(["base_url"]);
    expect(err.expected).toContain("no {{captured.site}} here");
  });

  it("refuses a captured value outside base_url and hosts (an inject header)", async () => {
    const err = await failure(
      recipe(`base_url: https://api.example.com
hosts: [api.example.com]
oauth2:
  authorize_url: https://auth.example.com/authorize
  token_url: https://auth.example.com/token
  inject: { header: { X-Site: "{{captured.site}}" } }
${lookupCapture}`),
    );
    expect(err.keyPath).toEqual(["oauth2", "inject", "header", "X-Site"]);
  });

  it("refuses a lookup on a host the recipe does not allow (the token goes there), or over http", async () => {
    for (const url of ["https://evil.example.net/sites", "http://api.example.com/sites"]) {
      const err = await failure(
        recipe(`base_url: https://api.example.com
hosts: [api.example.com]
${oauth(lookupCapture.replace("https://api.example.com/sites", url))}`),
      );
      expect(err.keyPath).toEqual(["oauth2", "lookup", "url"]);
    }
  });

  it("refuses a capture from a lookup the recipe does not have, and a pattern that does not compile", async () => {
    const noLookup = await failure(
      recipe(`base_url: https://api.example.com
hosts: [api.example.com]
${oauth(`  capture:
    site: { from: lookup, path: 0.id, pattern: "[a-z]+" }`)}`),
    );
    expect(noLookup.keyPath).toEqual(["oauth2", "lookup"]);
    const badPattern = await failure(
      recipe(`base_url: https://api.example.com
hosts: [api.example.com]
${oauth(`  capture:
    team: { path: team.id, pattern: "[a-" }`)}`),
    );
    expect(badPattern.keyPath).toEqual(["oauth2", "capture", "team", "pattern"]);
  });
});

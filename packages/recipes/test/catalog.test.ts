import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseRecipeSource, type RawRecipe, type ResolvedSet, resolveRecipes } from "../src/loader.js";
import { readRecipeDir } from "../src/read-dir.js";
import { findExprs } from "../src/template.js";
import type { PrimitiveName, Recipe } from "../src/types.js";

const pkg = join(__dirname, "..");
const recipesDir = join(pkg, "recipes");

/** The services the catalogue promises, with the primitive each one uses by default. */
const REQUIRED: Record<string, PrimitiveName> = {
  google_drive: "oauth2",
  gmail: "oauth2",
  google_sheets: "oauth2",
  google_calendar: "oauth2",
  youtube: "oauth2",
  google_drive_sa: "service_account",
  google_sheets_sa: "service_account",
  gmail_sa: "service_account",
  github: "static_key",
  gitlab: "static_key",
  bitbucket: "static_key",
  slack: "static_key",
  notion: "static_key",
  openai: "static_key",
  anthropic: "static_key",
  gemini: "static_key",
  mistral: "static_key",
  groq: "static_key",
  openrouter: "static_key",
  deepl: "static_key",
  stripe: "static_key",
  airtable: "static_key",
  discord: "static_key",
  twilio: "static_key",
  sendgrid: "static_key",
  mailgun: "static_key",
  postmark: "static_key",
  resend: "static_key",
  hubspot: "static_key",
  salesforce: "oauth2",
  linear: "static_key",
  jira: "static_key",
  confluence: "static_key",
  trello: "static_key",
  asana: "static_key",
  clickup: "static_key",
  monday: "static_key",
  todoist: "static_key",
  shopify: "static_key",
  supabase: "static_key",
  typeform: "static_key",
  telegram: "static_key",
  line_notify: "static_key",
  dropbox: "oauth2",
  box: "oauth2",
  microsoft_graph: "oauth2",
  zoom: "oauth2",
  figma: "static_key",
  spotify: "oauth2",
  x: "oauth2",
  reddit: "oauth2",
  calendly: "static_key",
  intercom: "static_key",
  zendesk: "static_key",
  pinecone: "static_key",
  cloudflare: "static_key",
  vercel: "static_key",
  aws_s3: "aws_sigv4",
};

/** Static-key services that also offer their provider's OAuth flow as an alternative (`{ via: "oauth2" }`). */
const WITH_OAUTH_ALTERNATIVE = ["github", "gitlab", "slack", "notion", "airtable", "hubspot", "linear"];

/** Conventional environment variable names users already have set. */
const ENV: Record<string, string> = {
  openai: "OPENAI_API_KEY",
  anthropic: "ANTHROPIC_API_KEY",
  gemini: "GEMINI_API_KEY",
  mistral: "MISTRAL_API_KEY",
  groq: "GROQ_API_KEY",
  openrouter: "OPENROUTER_API_KEY",
  github: "GITHUB_TOKEN",
  gitlab: "GITLAB_TOKEN",
  slack: "SLACK_BOT_TOKEN",
  stripe: "STRIPE_SECRET_KEY",
  sendgrid: "SENDGRID_API_KEY",
  twilio: "TWILIO_AUTH_TOKEN",
  telegram: "TELEGRAM_BOT_TOKEN",
  cloudflare: "CLOUDFLARE_API_TOKEN",
  vercel: "VERCEL_TOKEN",
  pinecone: "PINECONE_API_KEY",
  aws_s3: "AWS_SECRET_ACCESS_KEY",
  // h12-r3: names the providers' SDKs read (each cited in the recipe).
  plivo: "PLIVO_AUTH_TOKEN",
  vonage: "VONAGE_API_SECRET",
  mux: "MUX_TOKEN_SECRET",
  smartsheet: "SMARTSHEET_ACCESS_TOKEN",
  sparkpost: "SPARKPOST_API_KEY",
  snyk: "SNYK_TOKEN",
};

let raws: RawRecipe[];
let texts: Map<string, string>;
let resolved: ResolvedSet;
let byId: Map<string, Recipe>;

beforeAll(async () => {
  const sources = await readRecipeDir(recipesDir);
  texts = new Map(sources.map((s) => [s.file, s.text]));
  raws = [];
  for (const s of sources) raws.push(await parseRecipeSource(s));
  resolved = resolveRecipes(raws);
  byId = new Map(resolved.recipes.map((r) => [r.id, r]));
});

const envNames = (env: string | string[] | undefined) => (typeof env === "string" ? [env] : (env ?? []));

describe("catalogue contents", () => {
  it("has at least 60 non-abstract recipes and the _google_base base", () => {
    expect(resolved.recipes.length).toBeGreaterThanOrEqual(60);
    expect(Object.keys(resolved.bases)).toContain("_google_base");
  });

  it("no two files share an id", () => {
    const ids = raws.map((r) => r.data.id as string);
    expect(ids.length).toBe(new Set(ids).size);
    expect(resolved.recipes.length + Object.keys(resolved.bases).length).toBe(ids.length);
  });

  it("has every required service with its primitive", () => {
    const wrong = Object.entries(REQUIRED)
      .filter(([id, primitive]) => byId.get(id)?.primitive !== primitive)
      .map(([id, primitive]) => `${id}: expected ${primitive}, got ${byId.get(id)?.primitive ?? "nothing"}`);
    expect(wrong).toEqual([]);
  });

  it("offers the OAuth alternative where the provider has one, each with its own inject", () => {
    for (const id of WITH_OAUTH_ALTERNATIVE) {
      const r = byId.get(id);
      expect(r?.primitive, id).toBe("static_key");
      expect(r?.oauth2?.inject?.header?.Authorization, id).toContain("{{runtime.access_token}}");
      expect(r?.inject?.header?.Authorization ?? "", id).not.toContain("runtime.");
    }
  });

  it("every file starts with the schema comment and is named after its id", () => {
    for (const [file, text] of texts) {
      expect(text.split("\n")[0], file).toBe("# yaml-language-server: $schema=../recipe.schema.json");
    }
    for (const r of raws) expect(r.file.endsWith(`/${r.data.id as string}.yaml`), r.file).toBe(true);
  });

  it("every recipe has a display name, description, docs_url, categories, hosts and a test", () => {
    for (const r of resolved.recipes) {
      expect(r.display_name, r.id).toBeTruthy();
      expect(r.description, r.id).toBeTruthy();
      expect(r.docs_url, r.id).toMatch(/^https:\/\//);
      expect(r.categories.length, r.id).toBeGreaterThan(0);
      expect(r.hosts.length, r.id).toBeGreaterThan(0);
      expect(r.test?.path, r.id).toBeTruthy();
    }
  });

  it("every test request needs only the credential: it interpolates declared secrets and nothing else", () => {
    for (const r of resolved.recipes) {
      const declared = new Set(r.required_secrets.map((s) => s.key));
      for (const raw of findExprs(r.test?.path ?? "")) {
        expect(declared.has(raw.replace(/^secret\./, "")), `${r.id}: {{${raw}}}`).toBe(true);
      }
    }
  });

  it("every secret a person must enter says where to get it, and sensitive ones are never in a host unchecked", () => {
    for (const r of resolved.recipes) {
      for (const s of r.required_secrets) {
        expect(s.label, `${r.id}.${s.key}`).toBeTruthy();
        if (s.sensitive && !s.optional) expect(s.help_url, `${r.id}.${s.key}`).toMatch(/^https:\/\//);
      }
    }
  });

  it("uses the providers' conventional environment variable names", () => {
    for (const [id, name] of Object.entries(ENV)) {
      const all = byId.get(id)?.required_secrets.flatMap((s) => envNames(s.env)) ?? [];
      expect(all, id).toContain(name);
    }
  });

  it("every OAuth2 endpoint is https, and authorization-code recipes have an authorize URL", () => {
    const withOauth = resolved.recipes.filter((r) => r.oauth2);
    expect(withOauth.length).toBeGreaterThanOrEqual(25);
    for (const r of withOauth) {
      const o = r.oauth2;
      if (!o) continue;
      for (const url of [o.authorize_url, o.token_url, o.revoke_url, o.device_url, o.userinfo_url]) {
        if (url === undefined) continue;
        expect(url, r.id).toMatch(/^https:\/\/([^/{}]+|\{\{secret\.[a-z_]+\}\})\//);
        // A templated host (Salesforce's login_host) is a non-secret value checked against a pattern.
        const key = /^https:\/\/\{\{secret\.([a-z_]+)\}\}/.exec(url)?.[1];
        if (key === undefined) continue;
        const spec = r.required_secrets.find((s) => s.key === key);
        expect(spec, `${r.id} ${key}`).toMatchObject({ sensitive: false, pattern: expect.any(String) });
      }
      if (o.grant === "authorization_code") expect(o.authorize_url, r.id).toBeTruthy();
    }
  });

  it("only Google's recipes use the broker's shared app; every other OAuth2 app is the user's own", () => {
    for (const r of resolved.recipes) {
      if (!r.oauth2) continue;
      const google = r.oauth2.token_url === "https://oauth2.googleapis.com/token";
      expect(r.oauth2.client, r.id).toBe(google ? "broker" : "byo");
    }
    for (const id of ["google_drive", "gmail", "google_sheets", "google_calendar", "youtube"]) {
      expect(raws.find((r) => r.data.id === id)?.data.extends, id).toBe("_google_base");
    }
  });
});

describe("provider quirks are recipe fields", () => {
  const get = (id: string): Recipe => {
    const r = byId.get(id);
    if (!r) throw new Error(`no recipe ${id}`);
    return r;
  };

  it("Google service accounts take a JSON key file; Gmail acts for a Workspace user", () => {
    for (const id of ["google_drive_sa", "google_sheets_sa", "gmail_sa"]) {
      const r = get(id);
      expect(r.service_account?.kind, id).toBe("google_jwt");
      expect(r.required_secrets.find((s) => s.key === "key_json")?.format, id).toBe("json");
      expect(r.service_account?.scopes.length, id).toBeGreaterThan(0);
    }
    expect(get("gmail_sa").service_account?.subject).toBe("{{secret.subject}}");
  });

  it("Anthropic sends x-api-key with anthropic-version; Stripe a Bearer secret key", () => {
    expect(get("anthropic").inject?.header).toEqual({
      "x-api-key": "{{secret.api_key}}",
      "anthropic-version": "2023-06-01",
    });
    expect(get("stripe").inject?.header?.Authorization).toBe("Bearer {{secret.secret_key}}");
  });

  it("Twilio, Mailgun and Jira use HTTP Basic; Jira's site is a checked, non-secret host part", () => {
    expect(get("twilio").inject?.header?.Authorization).toBe(
      "Basic {{basic secret.account_sid secret.auth_token}}",
    );
    expect(get("mailgun").required_secrets.find((s) => s.key === "username")?.default).toBe("api");
    const jira = get("jira");
    expect(jira.inject?.header?.Authorization).toBe("Basic {{basic secret.email secret.api_token}}");
    const site = jira.required_secrets.find((s) => s.key === "site");
    expect(site).toMatchObject({ sensitive: false });
    expect(new RegExp(`^(?:${site?.pattern})$`).test("my-team")).toBe(true);
    expect(new RegExp(`^(?:${site?.pattern})$`).test("evil.com/x")).toBe(false);
    expect(jira.hosts).toEqual(["{{secret.site}}.atlassian.net"]);
  });

  it("Trello puts key and token in the query; Telegram puts the token in the path", () => {
    expect(get("trello").inject?.query).toEqual({ key: "{{secret.api_key}}", token: "{{secret.token}}" });
    expect(get("telegram").inject).toEqual({ path_prefix: "/bot{{secret.token}}" });
  });

  it("AWS S3 signs with SigV4 and a non-secret, checked region", () => {
    const r = get("aws_s3");
    expect(r.aws_sigv4).toEqual({ service: "s3", region: "{{secret.region}}" });
    const keys = Object.fromEntries(r.required_secrets.map((s) => [s.key, s]));
    expect(keys.session_token?.optional).toBe(true);
    expect(keys.region).toMatchObject({ sensitive: false, default: "us-east-1" });
    expect(new RegExp(`^(?:${keys.region?.pattern})$`).test("eu-central-1")).toBe(true);
    expect(new RegExp(`^(?:${keys.region?.pattern})$`).test("attacker.example")).toBe(false);
  });

  it("carries each provider's required authorization parameters", () => {
    expect(get("notion").oauth2?.authorization_params).toEqual({ owner: "user" });
    expect(get("atlassian").oauth2?.authorization_params).toMatchObject({ audience: "api.atlassian.com" });
    expect(get("reddit").oauth2?.authorization_params).toEqual({ duration: "permanent" });
    expect(get("dropbox").oauth2?.authorization_params).toEqual({ token_access_type: "offline" });
    expect(get("google_drive").oauth2?.authorization_params).toMatchObject({ access_type: "offline" });
  });

  it("carries scope separators, client authentication, body formats and revoke styles", () => {
    expect(get("slack").oauth2).toMatchObject({ scope_separator: ",", revoke_style: "bearer" });
    expect(get("linear").oauth2).toMatchObject({ scope_separator: ",", revoke_style: "bearer" });
    expect(get("todoist").oauth2?.scope_separator).toBe(",");
    expect(get("notion").oauth2).toMatchObject({
      token_auth_method: "client_secret_basic",
      body_format: "json",
    });
    expect(get("atlassian").oauth2?.body_format).toBe("json");
    expect(get("dropbox").oauth2?.revoke_style).toBe("bearer");
    expect(get("github").oauth2?.device_url).toBe("https://github.com/login/device/code");
    expect(get("x").oauth2).toMatchObject({ pkce: "S256", redirect: { host: "127.0.0.1", port: 8976 } });
    // Calendly authenticates the client with Basic for tokens and in the form body for revocation.
    expect(get("calendly").oauth2).toMatchObject({
      token_auth_method: "client_secret_basic",
      revoke_auth_method: "client_secret_post",
    });
    expect(get("github").oauth2?.revoke_auth_method).toBeUndefined();
    // Twitch and Trakt revoke access tokens only.
    expect(get("twitch").oauth2?.revoke_token).toBe("access");
    expect(get("trakt").oauth2?.revoke_token).toBe("access");
    expect(get("github").oauth2?.revoke_token).toBeUndefined();
  });
});

describe("built catalogue", () => {
  it("dist agrees with a fresh resolve of recipes/", async () => {
    const built = (await import(join(pkg, "dist/index.js"))) as typeof import("../src/index.js");
    const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
    expect(plain(built.loadCatalog())).toEqual(plain(resolved.recipes));
    expect(plain(built.builtinBases().bases)).toEqual(plain(resolved.bases));
    expect(built.getRecipe("aws_s3")?.primitive).toBe("aws_sigv4");
  });

  it("the generated catalogue JSON is what the package ships", () => {
    const json = JSON.parse(readFileSync(join(pkg, "generated", "catalog.json"), "utf8"));
    expect(json.version).toBe(1);
    expect(json.recipes.map((r: Recipe) => r.id)).toEqual(resolved.recipes.map((r) => r.id));
  });
});

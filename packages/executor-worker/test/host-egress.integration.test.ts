import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, startApiServer } from "./helpers/api-server.js";
import { generateExecutorKey, sealFor } from "./helpers/credentials.js";
import { type LocalExecutor, pushAndQuery, startExecutor } from "./helpers/executor.js";
import { type S3Server, startS3Server } from "./helpers/s3-server.js";

// What the host does with a credential at egress, on workerd (docs/executor.md, "Sealed credentials"):
// AWS SigV4 is signed in the host, a recipe's path_prefix is joined as arcrun-auth joins it, HTTP Basic pairs
// are redacted when an API echoes them, and a credential may be posted to every token endpoint of its
// recipe (refresh_url, templated URLs). Real node:http servers record every request; the credentials are
// generated per run.
const API_KEY = "egress-test-key";
const ENCRYPTION_KEY = generateExecutorKey();
const rand = () => Buffer.from(crypto.getRandomValues(new Uint8Array(12))).toString("hex");
// Twilio's format, AC and 32 hex digits: "SID:" is 35 bytes, so base64 of the token is not a piece of
// base64 of the pair (which is what an echo gives away).
const SID = `AC${(rand() + rand()).slice(0, 32)}`;
const AUTH_TOKEN = `tw_${rand()}`;
const REFRESH_TOKEN = `rt_${rand()}`;
const NEW_ACCESS_TOKEN = `at_new_${rand()}`;
const AKID = `AKIA${rand().toUpperCase().slice(0, 16)}`;
const SECRET_KEY = `sk/${rand()}+${rand()}`;
const SESSION = `st_${rand()}`;
const REGION = "eu-west-3";
const BOT_TOKEN = `123456:${rand()}-_x`;
const FORM_KEY = `u1_${rand()} &=+`;
// 1 + 24 characters: not a multiple of 3, so base64 of "key:" does not begin with base64 of the key.
const BASIC_KEY = `t${rand()}`;
const PLAID_SECRET = `ps_${rand()}"\\`;
const PLAID_CLIENT = rand();
const CLIENT_ID = `cid_${rand()}`;
const USER_TOKEN = `at_${rand()}`;

let api: ApiServer;
let refresher: ApiServer;
let s3: S3Server;
let telegram: ApiServer;
let other: ApiServer;
let ex: LocalExecutor;

async function push(name: string, plaintext: string, recipe: string) {
  const sealed = await sealFor(ENCRYPTION_KEY, "default", name, plaintext);
  const res = await ex.request("/credentials", {
    method: "POST",
    apiKey: API_KEY,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...sealed, recipe }),
  });
  expect(res.status, res.text).toBe(201);
}

async function run(yaml: string) {
  const res = await pushAndQuery(ex, API_KEY, yaml);
  const body = res.json as {
    execution_id: string;
    status: string;
    output?: unknown;
    error?: { code: string; message: string };
  };
  const stored = await ex.request(`/executions/${body.execution_id}`, { apiKey: API_KEY });
  return { text: `${res.text}\n${stored.text}`, body };
}

const secret = (key: string, sensitive = true) => ({
  key,
  label: key,
  sensitive,
  optional: false,
  format: "string",
});

beforeAll(async () => {
  // Echoes what it was sent, as a debugging endpoint or a careless error page would.
  api = await startApiServer(async (req) => {
    const auth = String(req.headers.authorization ?? "");
    return { json: { basic: auth.replace(/^Basic /, ""), path: req.path, body: req.body } };
  });
  // A refresh endpoint (RFC 6749 section 6): grant_type=refresh_token with the right refresh token gets a
  // new access token (section 5.1), anything else invalid_grant (section 5.2).
  refresher = await startApiServer(async (req) => {
    const form = new URLSearchParams(req.body);
    if (form.get("grant_type") !== "refresh_token" || form.get("refresh_token") !== REFRESH_TOKEN)
      return { status: 400, json: { error: "invalid_grant" } };
    return { json: { access_token: NEW_ACCESS_TOKEN, token_type: "Bearer", expires_in: 3600 } };
  });
  s3 = await startS3Server(new Map([[AKID, { secretAccessKey: SECRET_KEY, sessionToken: SESSION }]]), REGION);
  // Telegram's Bot API: every method is /bot<token>/METHOD_NAME, and a wrong token answers 401
  // (https://core.telegram.org/bots/api#making-requests, #authorizing-your-bot).
  telegram = await startApiServer(async (req) => {
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.path.split("?")[0] ?? "");
    if (!m || decodeURIComponent(m[1] ?? "") !== BOT_TOKEN)
      return { status: 401, json: { ok: false, error_code: 401, description: "Unauthorized" } };
    return { json: { ok: true, result: { method: m[2], is_bot: true, username: "arcrun_test_bot" } } };
  });
  // Another host (port) that no credential names: whatever reaches it is recorded.
  other = await startApiServer(async (req) => ({ json: { body: req.body } }));
  const base = `http://127.0.0.1:${api.port}`;
  ex = await startExecutor({
    ENCRYPTION_KEY,
    ARCRUN_API_KEY: API_KEY,
    ARCRUN_RECIPES: JSON.stringify([
      {
        // Twilio's shape: the account SID is no secret, the pair is.
        id: "local_basic",
        display_name: "Local Basic API",
        docs_url: "http://127.0.0.1/docs",
        categories: [],
        hosts: [`127.0.0.1:${api.port}`],
        base_url: base,
        primitive: "static_key",
        required_secrets: [secret("account_sid", false), secret("auth_token")],
        inject: { header: { Authorization: "Basic {{basic secret.account_sid secret.auth_token}}" } },
      },
      {
        // Figma's shape (refresh tokens redeemed at refresh_url), with a token URL that names a value of
        // the credential, as Microsoft's names the tenant.
        id: "local_oauth",
        display_name: "Local OAuth API",
        docs_url: "http://127.0.0.1/docs",
        categories: [],
        hosts: ["api.invalid"],
        base_url: "https://api.invalid",
        primitive: "oauth2",
        required_secrets: [secret("token_host", false)],
        oauth2: {
          grant: "authorization_code",
          authorize_url: "https://auth.invalid/authorize",
          token_url: "http://{{secret.token_host}}/token",
          refresh_url: `http://127.0.0.1:${refresher.port}/refresh`,
          scopes: [],
          token_auth_method: "client_secret_post",
        },
      },
      {
        // aws_s3's shape, on a local endpoint named by a value of the credential.
        id: "local_s3",
        display_name: "Local S3",
        docs_url: "http://127.0.0.1/docs",
        categories: [],
        hosts: ["{{secret.endpoint}}"],
        base_url: "http://{{secret.endpoint}}",
        primitive: "aws_sigv4",
        required_secrets: [
          secret("access_key_id"),
          secret("secret_access_key"),
          secret("session_token"),
          secret("region", false),
          secret("endpoint", false),
        ],
        aws_sigv4: { service: "s3", region: "{{secret.region}}" },
      },
      {
        // telegram's shape: the token is the start of every path.
        id: "local_telegram",
        display_name: "Local Telegram",
        docs_url: "http://127.0.0.1/docs",
        categories: [],
        hosts: [`127.0.0.1:${telegram.port}`],
        base_url: `http://127.0.0.1:${telegram.port}`,
        primitive: "static_key",
        required_secrets: [secret("token")],
        inject: { path_prefix: "/bot{{secret.token}}" },
        secret_in_url: "required",
      },
      {
        // lob's shape: the key as the Basic user name, with an empty password.
        id: "local_basic_empty",
        display_name: "Local Basic API (key:)",
        docs_url: "http://127.0.0.1/docs",
        categories: [],
        hosts: [`127.0.0.1:${api.port}`],
        base_url: base,
        primitive: "static_key",
        required_secrets: [secret("api_key")],
        inject: { header: { Authorization: 'Basic {{basic secret.api_key ""}}' } },
      },
      {
        // uptimerobot's shape: the key in the form body of every POST.
        id: "local_form",
        display_name: "Local form-body API",
        docs_url: "http://127.0.0.1/docs",
        categories: [],
        hosts: [`127.0.0.1:${api.port}`],
        base_url: base,
        primitive: "static_key",
        required_secrets: [secret("api_key")],
        inject: { body: { format: "form", fields: { api_key: "{{secret.api_key}}" } } },
      },
      {
        // plaid's shape: client_id and secret in the JSON body.
        id: "local_json",
        display_name: "Local JSON-body API",
        docs_url: "http://127.0.0.1/docs",
        categories: [],
        hosts: [`127.0.0.1:${api.port}`],
        base_url: base,
        primitive: "static_key",
        required_secrets: [secret("client_id", false), secret("secret")],
        inject: {
          body: {
            format: "json",
            fields: { client_id: "{{secret.client_id}}", secret: "{{secret.secret}}" },
          },
        },
      },
      {
        // twitch's shape: the client id as a header beside the user token.
        id: "local_client_id",
        display_name: "Local Client-Id API",
        docs_url: "http://127.0.0.1/docs",
        categories: [],
        hosts: [`127.0.0.1:${api.port}`],
        base_url: base,
        primitive: "oauth2",
        required_secrets: [],
        oauth2: {
          grant: "authorization_code",
          authorize_url: "https://auth.invalid/authorize",
          token_url: "https://auth.invalid/token",
          scopes: [],
          token_auth_method: "client_secret_post",
          inject: {
            header: { Authorization: "Bearer {{runtime.access_token}}", "Client-Id": "{{client.id}}" },
          },
        },
      },
    ]),
  });
  await push(
    "s3",
    JSON.stringify({
      access_key_id: AKID,
      secret_access_key: SECRET_KEY,
      session_token: SESSION,
      region: REGION,
      endpoint: `127.0.0.1:${s3.port}`,
    }),
    "local_s3",
  );
  await push("tg", BOT_TOKEN, "local_telegram");
  await push("robot", FORM_KEY, "local_form");
  await push("lob", BASIC_KEY, "local_basic_empty");
  await push("bank", JSON.stringify({ client_id: PLAID_CLIENT, secret: PLAID_SECRET }), "local_json");
  await push(
    "stream",
    JSON.stringify({ access_token: USER_TOKEN, client_id: CLIENT_ID, token_type: "bearer" }),
    "local_client_id",
  );
  await push(
    "fig_expired",
    JSON.stringify({
      access_token: `at_${rand()}`,
      expires_at: "1",
      refresh_token: REFRESH_TOKEN,
      client_id: "cid",
      token_host: `127.0.0.1:${api.port}`,
    }),
    "local_oauth",
  );
  await push("tw", JSON.stringify({ account_sid: SID, auth_token: AUTH_TOKEN }), "local_basic");
  await push(
    "fig",
    JSON.stringify({
      access_token: `at_${rand()}`,
      refresh_token: REFRESH_TOKEN,
      client_id: "cid",
      token_host: `127.0.0.1:${api.port}`,
    }),
    "local_oauth",
  );
});

afterAll(async () => {
  await ex?.dispose();
  await api?.close();
  await refresher?.close();
  await s3?.close();
  await telegram?.close();
  await other?.close();
});

/** Any form of the AWS keys or the bot token in `text`. */
function awsLeaks(text: string): string[] {
  const out: string[] = [];
  for (const v of [SECRET_KEY, SESSION, BOT_TOKEN]) {
    for (const f of [v, encodeURIComponent(v), Buffer.from(v).toString("base64")])
      if (text.includes(f)) out.push(f);
  }
  return out;
}

describe("AWS SigV4 signed in the host", () => {
  it("PUT then GET an object: the stand-in verifies both signatures; the workflow never holds a key", async () => {
    const before = s3.verdicts.length;
    const { body, text } = await run(`name: s3-put-get
flow:
  - input >> ON_SUCCESS >> auth
  - auth >> ON_SUCCESS >> put
  - put >> ON_SUCCESS >> get
config:
  auth: { component: auth_static_key, credential: s3 }
  put: { component: http_request, method: PUT, url: "{{auth.data.base_url}}/bucket/notes/a.txt", headers: "{{auth.data.headers}}", body: "hello from a workflow", fail_on_status: true }
  get: { component: http_request, url: "{{auth.data.base_url}}/bucket/notes/a.txt?response-content-type=text%2Fplain&x-id=GetObject", headers: "{{auth.data.headers}}", fail_on_status: true }
`);
    expect(s3.verdicts.slice(before)).toEqual(["ok", "ok"]);
    expect(body.error).toBeUndefined();
    expect(body.output).toMatchObject({ status: 200, data: { body: "hello from a workflow" } });
    const sent = s3.seen.slice(-2);
    expect(sent.map((r) => r.headers["x-amz-security-token"])).toEqual([SESSION, SESSION]);
    expect(awsLeaks(text)).toEqual([]);
  });

  it("the signing handle sent elsewhere is refused; a transformed one is garbage the stand-in refuses", async () => {
    const before = api.seen.length;
    const away = await run(`name: s3-handle-away
flow:
  - input >> ON_SUCCESS >> auth
  - auth >> ON_SUCCESS >> send
config:
  auth: { component: auth_static_key, credential: s3 }
  send: { component: http_request, url: "http://127.0.0.1:${api.port}/bucket", headers: "{{auth.data.headers}}" }
`);
    expect(away.body.error?.message).toContain(`refused to send it to 127.0.0.1:${api.port}`);
    expect(api.seen.length).toBe(before);
    const s3Before = s3.verdicts.length;
    const bent = await run(`name: s3-handle-bent
flow:
  - input >> ON_SUCCESS >> auth
  - auth >> ON_SUCCESS >> bend
  - bend >> ON_SUCCESS >> send
config:
  auth: { component: auth_static_key, credential: s3 }
  bend: { component: string_ops, operation: upper, value: "{{auth.data.headers.authorization}}" }
  send: { component: http_request, url: "{{auth.data.base_url}}/bucket/notes/a.txt", headers: { authorization: "{{bend.data.result}}" } }
`);
    expect(s3.verdicts.slice(s3Before)).toEqual(["AuthorizationHeaderMalformed"]);
    expect(bent.body.output).toMatchObject({ status: 403 });
    expect(awsLeaks(`${away.text}${bent.text}`)).toEqual([]);
  });
});

describe("a recipe's path_prefix", () => {
  it("is joined to the base URL as arcrun-auth joins it, the token put back only there", async () => {
    const before = telegram.seen.length;
    const { body, text } = await run(`name: tg-get-me
flow:
  - input >> ON_SUCCESS >> auth
  - auth >> ON_SUCCESS >> me
config:
  auth: { component: auth_static_key, credential: tg }
  me: { component: http_request, url: "{{auth.data.base_url}}/getMe", fail_on_status: true }
`);
    expect(body.error).toBeUndefined();
    expect(body.output).toMatchObject({
      status: 200,
      data: { body: { ok: true, result: { method: "getMe" } } },
    });
    expect(telegram.seen.slice(before).map((r) => decodeURIComponent(r.path))).toEqual([
      `/bot${BOT_TOKEN}/getMe`,
    ]);
    expect(awsLeaks(text)).toEqual([]);
  });

  it("the prefix's handle anywhere else in a path, or on another host, is refused", async () => {
    const before = telegram.seen.length + api.seen.length;
    const deeper = await run(`name: tg-deeper
flow:
  - input >> ON_SUCCESS >> auth
  - auth >> ON_SUCCESS >> me
config:
  auth: { component: auth_static_key, credential: tg }
  me: { component: http_request, url: "http://127.0.0.1:${telegram.port}/x{{auth.data.base_url}}" }
`);
    expect(deeper.body.status).toBe("failed");
    const away = await run(`name: tg-away
flow:
  - input >> ON_SUCCESS >> auth
  - auth >> ON_SUCCESS >> split
  - split >> ON_SUCCESS >> me
config:
  auth: { component: auth_static_key, credential: tg }
  split: { component: string_ops, operation: replace, value: "{{auth.data.base_url}}", search: "127.0.0.1:${telegram.port}", replacement: "127.0.0.1:${api.port}" }
  me: { component: http_request, url: "{{split.data.result}}/getMe" }
`);
    expect(away.body.error?.message).toContain(`refused to send it to 127.0.0.1:${api.port}`);
    expect(telegram.seen.length + api.seen.length).toBe(before);
  });
});

describe("HTTP Basic echoed by an API", () => {
  it("base64(user:password) is redacted in the output and the stored trace, though the user is public", async () => {
    const pair = Buffer.from(`${SID}:${AUTH_TOKEN}`).toString("base64");
    const before = api.seen.length;
    const { body, text } = await run(`name: basic-echo
flow:
  - input >> ON_SUCCESS >> auth
  - auth >> ON_SUCCESS >> echo
config:
  auth: { component: auth_static_key, credential: tw }
  echo: { component: http_request, url: "{{auth.data.base_url}}/echo", headers: "{{auth.data.headers}}" }
`);
    // The API did receive the pair...
    expect(api.seen.slice(before).map((r) => r.headers.authorization)).toEqual([`Basic ${pair}`]);
    expect(body.status).toBe("succeeded");
    // ...and what it echoed is redacted everywhere the run is shown.
    expect(body.output).toMatchObject({ data: { body: { basic: "[redacted]" } } });
    expect(text).not.toContain(pair);
    expect(text).not.toContain(AUTH_TOKEN);
  });
});

describe("HTTP Basic of a key with an empty password, echoed by an API", () => {
  it("base64(key:) reaches the API and is redacted in the output and the stored trace", async () => {
    const pair = Buffer.from(`${BASIC_KEY}:`).toString("base64");
    const before = api.seen.length;
    const { body, text } = await run(`name: basic-empty-echo
flow:
  - input >> ON_SUCCESS >> auth
  - auth >> ON_SUCCESS >> echo
config:
  auth: { component: auth_static_key, credential: lob }
  echo: { component: http_request, url: "{{auth.data.base_url}}/echo", headers: "{{auth.data.headers}}" }
`);
    expect(api.seen.slice(before).map((r) => r.headers.authorization)).toEqual([`Basic ${pair}`]);
    expect(body.output).toMatchObject({ data: { body: { basic: "[redacted]" } } });
    expect(text).not.toContain(pair);
  });
});

describe("token endpoints a credential may be posted to", () => {
  const post = (name: string, url: string) => `name: ${name}
flow:
  - input >> ON_SUCCESS >> post
config:
  post: { component: http_request, method: POST, url: "${url}", body_format: form, body: { grant_type: refresh_token, refresh_token: "{{credential.fig.refresh_token}}" } }
`;

  it("the recipe's refresh_url (on its own port) receives the refresh token", async () => {
    const before = refresher.seen.length;
    const { body } = await run(post("to-refresh-url", `http://127.0.0.1:${refresher.port}/refresh`));
    expect(body.error).toBeUndefined();
    expect(body.status).toBe("succeeded");
    const seen = refresher.seen.slice(before);
    expect(seen.map((r) => new URLSearchParams(r.body).get("refresh_token"))).toEqual([REFRESH_TOKEN]);
  });

  it("a templated token_url ({{secret.token_host}}) is rendered with the credential and allowed", async () => {
    const before = api.seen.length;
    const { body } = await run(post("to-token-url", `http://127.0.0.1:${api.port}/token`));
    expect(body.error).toBeUndefined();
    const seen = api.seen.slice(before);
    expect(seen.map((r) => new URLSearchParams(r.body).get("refresh_token"))).toEqual([REFRESH_TOKEN]);
    // The echo of the refresh token comes back redacted.
    expect(JSON.stringify(body.output)).not.toContain(REFRESH_TOKEN);
  });

  it("auth_oauth2 redeems an expired token's refresh token at the recipe's refresh_url", async () => {
    const before = refresher.seen.length;
    const { body, text } = await run(`name: oauth-refresh
flow:
  - input >> ON_SUCCESS >> auth
config:
  auth: { component: auth_oauth2, credential: fig_expired }
`);
    expect(body.error).toBeUndefined();
    expect(body.output).toMatchObject({ success: true, data: { refreshed: true } });
    expect(refresher.seen.slice(before).map((r) => r.path)).toEqual(["/refresh"]);
    expect(text).not.toContain(NEW_ACCESS_TOKEN);
    expect(text).not.toContain(REFRESH_TOKEN);
  });

  it("another port on the same host is still refused", async () => {
    const { body } = await run(post("to-elsewhere", `http://127.0.0.1:${refresher.port + 1}/refresh`));
    expect(body.status).toBe("failed");
    expect(body.error?.message).toContain("refused to send it to");
  });
});

describe("a recipe's inject.body", () => {
  const form = (name: string, url: string, body: string, extra = "") => `name: ${name}
flow:
  - input >> ON_SUCCESS >> auth
  - auth >> ON_SUCCESS ${extra ? ">> bend\n  - bend >> ON_SUCCESS " : ""}>> send
config:
  auth: { component: auth_static_key, credential: robot }${extra}
  send: { component: http_request, method: POST, url: "${url}", body_format: "{{auth.data.body_format}}", body: ${body} }
`;
  const leaks = (text: string) =>
    [FORM_KEY, encodeURIComponent(FORM_KEY), new URLSearchParams({ k: FORM_KEY }).toString().slice(2)].filter(
      (f) => text.includes(f),
    );

  it("a form field: the handle is put back in its declared field, form-encoded, beside the workflow's own", async () => {
    const before = api.seen.length;
    const { body, text } = await run(
      form(
        "form-body",
        "{{auth.data.base_url}}/getMonitors",
        '{ api_key: "{{auth.data.body.api_key}}", format: json }',
      ),
    );
    expect(body.error).toBeUndefined();
    const seen = api.seen.slice(before);
    expect(seen.map((r) => r.headers["content-type"])).toEqual(["application/x-www-form-urlencoded"]);
    const sent = new URLSearchParams(seen[0]?.body);
    expect([sent.get("api_key"), sent.get("format")]).toEqual([FORM_KEY, "json"]);
    // The API echoed the body: the key is redacted in the output and the stored trace.
    expect(leaks(text)).toEqual([]);
  });

  it("the same handle in another field, or in its field on another host, is refused; nothing is sent", async () => {
    const before = api.seen.length + other.seen.length;
    const wrongField = await run(
      form(
        "form-wrong-field",
        "{{auth.data.base_url}}/getMonitors",
        '{ note: "{{auth.data.body.api_key}}" }',
      ),
    );
    expect(wrongField.body.error?.message).toContain("the body");
    const twice = await run(
      form(
        "form-twice",
        "{{auth.data.base_url}}/getMonitors",
        '{ api_key: "{{auth.data.body.api_key}}", note: "{{auth.data.body.api_key}}" }',
      ),
    );
    expect(twice.body.status).toBe("failed");
    const away = await run(
      form(
        "form-away",
        `http://127.0.0.1:${other.port}/getMonitors`,
        '{ api_key: "{{auth.data.body.api_key}}" }',
      ),
    );
    expect(away.body.error?.message).toContain(`refused to send it to 127.0.0.1:${other.port}`);
    // Not a form: a text body with the handle in it.
    const text = await run(`name: form-as-text
flow:
  - input >> ON_SUCCESS >> auth
  - auth >> ON_SUCCESS >> send
config:
  auth: { component: auth_static_key, credential: robot }
  send: { component: http_request, method: POST, url: "{{auth.data.base_url}}/x", headers: { content-type: text/plain }, body: "api_key={{auth.data.body.api_key}}" }
`);
    expect(text.body.status).toBe("failed");
    expect(api.seen.length + other.seen.length).toBe(before);
    expect(leaks(`${wrongField.text}${twice.text}${away.text}${text.text}`)).toEqual([]);
  });

  it("a transformed handle arrives as garbage, even in the declared field", async () => {
    const before = api.seen.length;
    const bend = `
  bend: { component: string_ops, operation: upper, value: "{{auth.data.body.api_key}}" }`;
    const { body, text } = await run(
      form("form-bent", "{{auth.data.base_url}}/getMonitors", '{ api_key: "{{bend.data.result}}" }', bend),
    );
    expect(body.status).toBe("succeeded");
    const sent = new URLSearchParams(api.seen.slice(before)[0]?.body).get("api_key");
    expect(sent).toMatch(/^ARCRUN_SEALED_[A-Z2-7]{32}$/);
    expect(leaks(`${text}${api.seen.slice(before)[0]?.body}`)).toEqual([]);
  });

  it("JSON fields: client_id (public) and secret go into the top-level object; nested, the handle is refused", async () => {
    const before = api.seen.length;
    const send = (name: string, body: string) => `name: ${name}
flow:
  - input >> ON_SUCCESS >> auth
  - auth >> ON_SUCCESS >> send
config:
  auth: { component: auth_static_key, credential: bank }
  send: { component: http_request, method: POST, url: "{{auth.data.base_url}}/institutions/get", body: ${body} }
`;
    const good = await run(
      send(
        "json-body",
        '{ client_id: "{{auth.data.body.client_id}}", secret: "{{auth.data.body.secret}}", count: 1, country_codes: [US] }',
      ),
    );
    expect(good.body.error).toBeUndefined();
    const seen = api.seen.slice(before);
    expect(seen.map((r) => r.headers["content-type"])).toEqual(["application/json"]);
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual({
      client_id: PLAID_CLIENT,
      secret: PLAID_SECRET,
      count: 1,
      country_codes: ["US"],
    });
    const nested = await run(send("json-nested", '{ options: { secret: "{{auth.data.body.secret}}" } }'));
    expect(nested.body.status).toBe("failed");
    const swapped = await run(send("json-swapped", '{ client_id: "{{auth.data.body.secret}}" }'));
    expect(swapped.body.error?.message).toContain("the body");
    expect(api.seen.length).toBe(before + 1);
    for (const t of [good.text, nested.text, swapped.text]) {
      expect(t).not.toContain(PLAID_SECRET);
      expect(t).not.toContain(JSON.stringify(PLAID_SECRET).slice(1, -1));
    }
  });
});

describe("{{client.id}} in an oauth2 inject", () => {
  it("auth_oauth2 gives the Client-Id header beside the token; the API receives both", async () => {
    const before = api.seen.length;
    const { body, text } = await run(`name: client-id
flow:
  - input >> ON_SUCCESS >> auth
  - auth >> ON_SUCCESS >> users
config:
  auth: { component: auth_oauth2, credential: stream }
  users: { component: http_request, url: "{{auth.data.base_url}}/helix/users", headers: "{{auth.data.headers}}" }
`);
    expect(body.error).toBeUndefined();
    const seen = api.seen.slice(before);
    expect(seen.map((r) => [r.headers.authorization, r.headers["client-id"]])).toEqual([
      [`Bearer ${USER_TOKEN}`, CLIENT_ID],
    ]);
    expect(text).not.toContain(USER_TOKEN);
  });
});

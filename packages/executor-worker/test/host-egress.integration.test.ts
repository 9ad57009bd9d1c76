import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, startApiServer } from "./helpers/api-server.js";
import { generateExecutorKey, sealFor } from "./helpers/credentials.js";
import { type LocalExecutor, startExecutor } from "./helpers/executor.js";

// What the host does with a credential at egress, on workerd (docs/executor.md, "Sealed credentials"):
// HTTP Basic pairs are redacted when an API echoes them, and a credential may be posted to every token
// endpoint of its recipe (refresh_url, templated URLs). Real node:http servers record every request; the
// credentials are generated per run.
const API_KEY = "egress-test-key";
const ENCRYPTION_KEY = generateExecutorKey();
const rand = () => Buffer.from(crypto.getRandomValues(new Uint8Array(12))).toString("hex");
const SID = `AC${rand()}`;
const AUTH_TOKEN = `tw_${rand()}`;
const REFRESH_TOKEN = `rt_${rand()}`;

let api: ApiServer;
let refresher: ApiServer;
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
  const reg = await ex.request("/webhooks/named", {
    method: "POST",
    apiKey: API_KEY,
    headers: { "content-type": "application/yaml" },
    body: yaml,
  });
  expect(reg.status, reg.text).toBe(201);
  const name = /^name: (\S+)/m.exec(yaml)?.[1] ?? "";
  const res = await ex.request(`/webhooks/named/${name}/query`, {
    method: "POST",
    apiKey: API_KEY,
    headers: { "content-type": "application/json" },
    body: "{}",
  });
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
  refresher = await startApiServer(async () => ({ json: { refreshed: true } }));
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
    ]),
  });
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

  it("another port on the same host is still refused", async () => {
    const { body } = await run(post("to-elsewhere", `http://127.0.0.1:${refresher.port + 1}/refresh`));
    expect(body.status).toBe("failed");
    expect(body.error?.message).toContain("refused to send it to");
  });
});

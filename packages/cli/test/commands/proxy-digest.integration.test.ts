import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expireAtlasNonces, mongodbAtlas } from "../../../auth/test/providers/profiles/mongodb-atlas.js";
import { ProviderState, type SimRequest } from "../../../auth/test/providers/simulator.js";
import { run, type Sandbox, sandbox, start } from "../helpers/cli.js";

const HOST_MAP = fileURLToPath(new URL("../support/host-map.mjs", import.meta.url));
const ATLAS_HOST = "cloud.mongodb.com";
const ACCEPT = "application/vnd.atlas.2023-02-01+json";

let atlas: Server;
let box: Sandbox;
const state = new ProviderState();

/**
 * The MongoDB Atlas stand-in of arcrun-auth's conformance suite (profiles/mongodb-atlas.ts: its own nonces,
 * each answer recomputed, a replay refused; the rules cite their pages) on node:http, reached through the
 * test-only host map.
 */
async function startAtlas(): Promise<string> {
  atlas = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const sim: SimRequest = {
        method: req.method ?? "GET",
        url: new URL(`https://${ATLAS_HOST}${req.url ?? "/"}`),
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      state.seen.push(sim);
      const route = mongodbAtlas.routes[`${sim.method} https://${ATLAS_HOST}${sim.url.pathname}`];
      Promise.resolve(route ? route(sim, state) : { status: 404, body: "" }).then((reply) => {
        res.writeHead(reply.status, reply.headers ?? {});
        res.end(reply.body ?? "");
      });
    });
  });
  await new Promise<void>((r) => atlas.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(atlas.address() as AddressInfo).port}`;
}

const statuses = (from: number) =>
  state.seen.slice(from).map((r) => `${r.method} ${r.headers.authorization ? "digest" : "none"}`);

beforeAll(async () => {
  const origin = await startAtlas();
  box = await sandbox();
  box.env.ARCRUN_STORE = "encrypted-file";
  box.env.ARCRUN_TEST_HOST_MAP = JSON.stringify({ [ATLAS_HOST]: origin });
  box.env.NODE_OPTIONS = `${box.env.NODE_OPTIONS ?? ""} --import ${HOST_MAP}`.trim();
  // The public key, then the private key; setup's test request (getSystemStatus) answers the challenge.
  const { public_key, private_key } = mongodbAtlas.values as { public_key: string; private_key: string };
  const setup = await run(["setup", "mongodb_atlas"], box.env, `${public_key}\n${private_key}\n`);
  expect(setup.code, setup.stderr).toBe(0);
  expect(statuses(0)).toEqual(["GET none", "GET digest"]);
});

afterAll(async () => {
  atlas?.closeAllConnections();
  await new Promise((r) => atlas?.close(r));
  await box?.cleanup();
});

describe("arcrun proxy in front of a Digest-verifying MongoDB Atlas stand-in", () => {
  it("a client holding only the proxy token gets answers: the proxy answers the challenge, also for a streamed body", async () => {
    const proxy = start(["proxy", "--service", "mongodb_atlas"], box.env);
    try {
      const url = (await proxy.waitFor(/ARCRUN_PROXY_URL=(\S+)/))[1] ?? "";
      const token = (await proxy.waitFor(/ARCRUN_PROXY_TOKEN=(\S+)/))[1] ?? "";
      const headers = { authorization: `Bearer ${token}`, accept: ACCEPT };
      const from = state.seen.length;

      const orgs = await fetch(`${url}/mongodb_atlas/orgs`, { headers });
      expect(orgs.status).toBe(200);
      expect(await orgs.json()).toMatchObject({ totalCount: 0 });

      // The nonce expires (stale=true), so the next request is challenged again; its body is chunked (no
      // Content-Length), and the proxy keeps it whole to send it again with the answer.
      expireAtlasNonces(state);
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(new TextEncoder().encode('{"name":"p",'));
          c.enqueue(new TextEncoder().encode('"orgId":"o"}'));
          c.close();
        },
      });
      const created = await fetch(`${url}/mongodb_atlas/groups`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body,
        duplex: "half",
      } as RequestInit);
      expect(created.status).toBe(201);
      expect(await created.json()).toMatchObject({ name: "p", orgId: "o" });

      expect(statuses(from)).toEqual(["GET none", "GET digest", "POST digest", "POST digest"]);
      expect(state.seen.at(-1)?.body).toBe('{"name":"p","orgId":"o"}');
      const { private_key } = mongodbAtlas.values as { private_key: string };
      for (const r of state.seen.slice(from)) expect(JSON.stringify(r.headers)).not.toContain(private_key);
      expect(proxy.output()).not.toContain(private_key);
    } finally {
      proxy.kill("SIGTERM");
      expect((await proxy.done).code).toBe(0);
    }
  });
});
